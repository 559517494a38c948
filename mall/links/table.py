"""The redirect table as one web process sees it: what `/c/<code>` follows, with no database and no
network round trip on a warm click.

Lookups come from Redis (`fm:link:<code>`, written by redirects.py) and are kept in the process for a
second; any change to a link bumps `fm:links:version`, and a process that sees the version move drops
its copies at once. Clicks are queued in the process and shipped to Redis by a background thread every
~100 ms in one Lua call, which counts each visitor once per link per hour; the flush job then moves
Redis's counts into the database. A failed shipment stays queued for the next one. With
LINK_CLICK_BATCH_MS = 0 (the default under TESTING) every click is shipped before the response.
"""

import re
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from mall.batching import BackgroundShipper
from mall.redis_setup import LuaScript
from mall.stock.engine import StockEngine

SCRIPT = Path(__file__).with_name("links.lua").read_text()
# What a stored destination may look like: the brand page or one of its drops, nothing else.
SAFE_PATH = re.compile(r"/shop/[a-z0-9-]{1,40}(?:/drops/[0-9]{1,10})?")
SHIP_CHUNK = 2000  # clicks per Lua call: a few milliseconds of Redis time at most
MAX_QUEUED = 200_000  # while Redis is unreachable; beyond it the oldest clicks give way
MAX_CACHED = 10_000
COLD = object()  # the table has not been loaded since Redis started



@dataclass(frozen=True, slots=True)
class Entry:
    link_id: int
    path: str
    brand_path: str
    drop_ends_ms: int  # 0 for a brand-page link
    drop_open: bool
    sold_out: bool  # no unit of the drop's items is free: all sold or held
    earning: bool  # the creator is in the brand's programme: count the click, set attribution
    window_seconds: int
    fallback: bool = False  # the drop has a fallback item to offer while its items are gone

    def state(self, now: float) -> str:
        if not self.drop_ends_ms:
            return "ok"
        if not self.drop_open or now * 1000 >= self.drop_ends_ms:
            return "over"
        if self.sold_out:
            return "fallback" if self.fallback else "sold_out"
        return "ok"


@dataclass(frozen=True, slots=True)
class Followed:
    """What one click found: state is ok, over, sold_out, fallback (sold out, the drop offers its fallback), unknown
    or cold (the table is not loaded yet)."""

    state: str
    link_id: int = 0
    path: str = ""
    brand_path: str = ""
    earning: bool = False
    window_seconds: int = 0


def _entry(reply, stock: StockEngine) -> Entry | None:
    _, link_id, path, brand_path, drop, ends, is_open, active, window, sold_out_at_sync, fallback = reply
    path, brand_path = path.decode(), brand_path.decode()
    if not SAFE_PATH.fullmatch(path) or not SAFE_PATH.fullmatch(brand_path):
        return None
    sold_out = False
    if drop:
        left = stock.drop_units_left(int(drop))  # None: the engine has not loaded the drop; the last sync says
        sold_out = sold_out_at_sync == b"1" if left is None else left == 0
    return Entry(int(link_id), path, brand_path, int(ends) if drop else 0, is_open == b"1", sold_out,
                 active == b"1", int(window) * 3600, fallback == b"1")


class LinkTable:
    def __init__(self, redis: Redis, stock: StockEngine, cache_seconds: float = 1.0, batch_ms: int = 100):
        self.redis, self.stock = redis, stock
        self.cache_seconds, self.batch_ms = cache_seconds, batch_ms
        self._run = LuaScript(redis, SCRIPT)
        self._entries: dict[str, tuple[float, Entry | None]] = {}
        self._clicks: deque = deque(maxlen=MAX_QUEUED)
        self._version: bytes | None = None
        self._shipper = BackgroundShipper(self.ship, batch_ms, "flashmall-click-shipper", "creator-link clicks")

    def follow(self, code: str, visitor: str, now: float, count: bool) -> Followed:
        entry = self._lookup(code, now)
        if entry is COLD:
            return Followed("cold")
        if entry is None:
            return Followed("unknown")
        if count and entry.earning:
            self._clicks.append((entry.link_id, visitor, time.strftime("%Y%m%d%H", time.gmtime(now))))
            self._after_click()
        return Followed(entry.state(now), entry.link_id, entry.path, entry.brand_path, entry.earning, entry.window_seconds)

    def _lookup(self, code: str, now: float):
        cached = self._entries.get(code)
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        reply = self._run("lookup", code)
        if reply[0] == b"miss":
            if not reply[1]:
                return COLD
            entry = None
        else:
            entry = _entry(reply, self.stock)
        if self.cache_seconds > 0:
            if len(self._entries) >= MAX_CACHED:
                self._entries.clear()
            self._entries[code] = (now, entry)
        return entry

    def forget_cached(self) -> None:
        self._entries.clear()

    # -- shipping clicks to Redis -------------------------------------------------------------------------
    def _after_click(self) -> None:
        if self.batch_ms <= 0:
            self.ship()
        else:
            self._shipper.ensure_running()

    def ship(self) -> int:
        """Send the queued clicks to Redis; returns how many counted (new visitors this hour)."""
        counted = 0
        while True:
            batch = []
            while len(batch) < SHIP_CHUNK:
                try:
                    batch.append(self._clicks.popleft())
                except IndexError:
                    break
            try:
                reply = self._run("record", *(part for click in batch for part in click))
            except RedisError:
                self._clicks.extendleft(reversed(batch))  # back at the front, in order, for the next try
                raise
            counted += int(reply[0])
            self._note_version(reply[1])
            if len(batch) < SHIP_CHUNK:
                return counted

    def _note_version(self, version: bytes) -> None:
        if version != self._version:
            self._entries.clear()  # some link changed: read every link afresh
            self._version = version

    # -- handing counted clicks to the flush job --------------------------------------------------------
    def start_flush(self, batch: str) -> str | None:
        reply = self._run("start_flush", batch)
        return reply.decode() if reply else None

    def finish_flush(self, batch: str) -> bool:
        return self._run("finish_flush", batch) == 1


def link_table() -> LinkTable:
    """One per app and process (it holds the cache and the click queue), on the app's Redis."""
    table = current_app.extensions.get("flashmall.links")
    if table is None:
        from mall.extensions import redis_client
        from mall.stock.access import stock_engine

        config, testing = current_app.config, current_app.testing
        table = current_app.extensions["flashmall.links"] = LinkTable(
            redis_client(),
            stock_engine(),
            cache_seconds=float(config.get("LINK_CACHE_SECONDS", 0 if testing else 1.0)),
            batch_ms=int(config.get("LINK_CLICK_BATCH_MS", 0 if testing else 100)),
        )
    return table
