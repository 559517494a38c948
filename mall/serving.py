"""gunicorn's threaded worker, taking new connections only while it holds no more than its share.

gunicorn's gthread workers all accept from one listening socket, each as fast as it can, so a burst of
new connections (a drop opening) can land on whichever worker woke first: seen here, all 64 kept-alive
connections of a load test on one of two workers, half the throughput for the whole run. This worker
counts its open connections in memory shared with the other workers (made before the fork) and leaves a
new connection to them while it holds more than the average. If nobody else takes it within PATIENCE
(another worker is stuck), it takes it anyway: balance never becomes a wait.

    gunicorn --worker-class mall.serving.BalancedThreadWorker --workers 2 --threads 8 ...
"""

import ctypes
import multiprocessing
import os
import time

from gunicorn.workers.gthread import ThreadWorker

MAX_WORKERS = 64
MAX_BURST = 64  # connections taken in one wake-up
PATIENCE = 0.05  # seconds a worker over its share waits before taking a connection nobody else took

# Created when gunicorn's arbiter imports the worker class, before it forks: every worker sees the same memory.
_PIDS = multiprocessing.RawArray(ctypes.c_long, MAX_WORKERS)
_CONNECTIONS = multiprocessing.RawArray(ctypes.c_long, MAX_WORKERS)
_CLAIM = multiprocessing.Lock()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim_slot(pid: int) -> int | None:
    """A slot for this worker, reusing one a dead worker left; None when all are taken (then it just accepts)."""
    with _CLAIM:
        for slot in range(MAX_WORKERS):
            if _PIDS[slot] == 0 or not _alive(_PIDS[slot]):
                _PIDS[slot], _CONNECTIONS[slot] = pid, 0
                return slot
    return None


def holds_more_than_its_share(slot: int) -> bool:
    live = [(s, _CONNECTIONS[s]) for s in range(MAX_WORKERS) if _PIDS[s]]
    total = sum(connections for _, connections in live)
    return len(live) > 1 and _CONNECTIONS[slot] * len(live) > total


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        self._slot: int | None = None
        self._connections = 0
        self._paused_until = 0.0  # while over its share this worker leaves the listener alone, until then
        self._waited_out_at = 0.0  # when a pause last ran out with this worker still over its share
        super().__init__(*args, **kwargs)

    # gthread keeps its count of open connections in `nr_conns`; mirror it into the shared slot.
    @property
    def nr_conns(self) -> int:
        return self._connections

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        self._connections = value
        if self._slot is not None:
            _CONNECTIONS[self._slot] = value

    def init_process(self):
        self._slot = _claim_slot(os.getpid())
        try:
            super().init_process()  # runs the worker until it stops
        finally:
            if self._slot is not None:
                _CONNECTIONS[self._slot], _PIDS[self._slot] = 0, 0

    def _over_share(self) -> bool:
        return self._slot is not None and holds_more_than_its_share(self._slot)

    def set_accept_enabled(self, enabled: bool) -> None:
        if enabled and self._paused_until:
            now = time.monotonic()
            if now < self._paused_until and self._over_share():
                enabled = False
            else:
                self._waited_out_at = now if now >= self._paused_until else 0.0
                self._paused_until = 0.0
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout):
        if self._paused_until:  # wake when the pause runs out, not a whole idle second later
            timeout = min(timeout, max(self._paused_until - time.monotonic(), 0.001))
        super().wait_for_and_dispatch_events(timeout)

    def accept(self, listener):
        now = time.monotonic()
        # Readable the moment a pause ran out: that connection waited all along and nobody else took it.
        waited = now - self._waited_out_at < 0.002
        if not waited and self._over_share():
            self._paused_until = now + PATIENCE
            self.set_accept_enabled(False)
            return
        for _ in range(MAX_BURST):  # take the waiting connections up to its share in one go
            before = self.nr_conns
            super().accept(listener)
            if self.nr_conns == before or self._over_share():
                break
