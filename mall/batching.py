"""Counting on the hot path without a round trip: a process queues counts and ships them in the background.

Used by creator-link clicks (mall/links/table.py) and drop-page views (mall/stock/activity.py).
No Flask here: the stock engine imports it.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class BackgroundShipper:
    """Calls `ship` every `every_ms` from a daemon thread of the current process, and once more at exit.

    The thread starts on first use in each process (the web server forks after the app is built, and a thread
    does not survive a fork). A shipment that fails on Redis is logged; `ship` keeps what it could not send.
    """

    def __init__(self, ship: Callable[[], object], every_ms: int, name: str, what: str):
        self._ship, self.every_ms, self.name, self.what = ship, every_ms, name, what
        self._pid = 0
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            threading.Thread(target=self._forever, name=self.name, daemon=True).start()
            atexit.register(self.ship_quietly)  # a process that stops gracefully sends what it holds

    def ship_quietly(self) -> None:
        try:
            self._ship()
        except RedisError:
            log.warning("Could not ship %s to Redis; they stay queued.", self.what)

    def _forever(self) -> None:
        while True:
            time.sleep(self.every_ms / 1000)
            self.ship_quietly()
