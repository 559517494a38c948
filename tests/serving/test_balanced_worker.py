"""gunicorn workers share a burst of kept-alive connections instead of one worker taking them all."""

import collections
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mall import serving

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn():
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "mall.serving.BalancedThreadWorker", "--threads", "4",
               "-b", f"127.0.0.1:{port}", "tests.serving.pid_app:app"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.1)
        _wait_for_both_workers(port, deadline)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _wait_for_both_workers(port: int, deadline: float) -> None:
    """A few connections at once until both workers have answered: both are booted and polling."""
    seen = set()
    while len(seen) < 2:
        if time.monotonic() > deadline + 30:
            raise RuntimeError("the second worker never answered")
        sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]
        seen |= {_ask(sock) for sock in sockets}
        for sock in sockets:
            sock.close()
        time.sleep(0.1)


def _ask(sock: socket.socket) -> str:
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < int(data.split(b"Content-Length: ")[1].split(b"\r\n")[0]):
        data += sock.recv(4096)
    return data.split(b"\r\n\r\n", 1)[1].decode()


def test_a_burst_of_kept_alive_connections_is_shared_by_both_workers(gunicorn):
    sockets = [socket.create_connection(("127.0.0.1", gunicorn), timeout=10) for _ in range(CONNECTIONS)]
    try:
        for _ in range(3):  # the same kept-alive connections, asked again and again, as a load test does
            owners = collections.Counter(_ask(sock) for sock in sockets)
        assert len(owners) == 2, owners
        assert min(owners.values()) >= CONNECTIONS // 4, owners
    finally:
        for sock in sockets:
            sock.close()


def test_a_worker_over_the_average_leaves_new_connections_to_the_others(monkeypatch):
    pids = serving.multiprocessing.RawArray(serving.ctypes.c_long, serving.MAX_WORKERS)
    counts = serving.multiprocessing.RawArray(serving.ctypes.c_long, serving.MAX_WORKERS)
    monkeypatch.setattr(serving, "_PIDS", pids)
    monkeypatch.setattr(serving, "_CONNECTIONS", counts)
    mine = serving._claim_slot(os.getpid())
    other = serving._claim_slot(os.getppid())

    counts[mine], counts[other] = 3, 3
    assert not serving.holds_more_than_its_share(mine)
    counts[mine] = 4
    assert serving.holds_more_than_its_share(mine) and not serving.holds_more_than_its_share(other)


def test_a_dead_workers_slot_is_taken_over_so_its_stale_count_does_not_linger(monkeypatch):
    pids = serving.multiprocessing.RawArray(serving.ctypes.c_long, 2)
    counts = serving.multiprocessing.RawArray(serving.ctypes.c_long, 2)
    monkeypatch.setattr(serving, "_PIDS", pids)
    monkeypatch.setattr(serving, "_CONNECTIONS", counts)
    monkeypatch.setattr(serving, "MAX_WORKERS", 2)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    pids[0], counts[0] = gone.pid, 40
    pids[1], counts[1] = os.getppid(), 2

    slot = serving._claim_slot(os.getpid())

    assert slot == 0 and counts[0] == 0
    assert serving._claim_slot(12345678) is None  # every slot taken by a live worker: that one just accepts
