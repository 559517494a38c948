"""What happens in a drop minute by minute: views, holds, expiries, releases, and who holds what.

The stock engine's Lua counts hold events in the same atomic call that moves the units
(`fm:act:<drop>`, `fm:actors:<drop>`, see scripts.lua; a cart's holds are counted in its shopper record and
reach `fm:actors` when one of them expires, which is what the hoarding alert looks for); drop-page views are
counted here, batched per process so a view costs a dict increment, not a Redis round trip. Orders are not counted here:
the database has them. These counters live in Redis only and expire 7 days after the drop; a job
copies them into the database for reports (mall/monitor).
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError

from mall.batching import BackgroundShipper

KEEP_SECONDS = 7 * 86400  # views of a drop nobody holds from yet still expire
# field prefix in fm:act:<drop> -> Counts attribute ("hx": units held beyond one per hold, so a one-unit hold,
# the usual add-to-cart, costs the hot path one counter: held_units = holds + hx)
KINDS = {"v": "views", "h": "holds", "hx": "held_units", "x": "expired", "xu": "expired_units", "r": "released"}


@dataclass(frozen=True)
class Counts:
    views: int = 0
    holds: int = 0
    held_units: int = 0
    expired: int = 0
    expired_units: int = 0
    released: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class Actor:
    kind: str  # "ip" or "cart"
    key: str
    holds: int
    expired: int


def epoch_minute(moment: datetime) -> int:
    """Naive UTC datetime (as mall.clock.utcnow gives) -> minutes since 1970."""
    return int((moment - datetime(1970, 1, 1)).total_seconds() // 60)


def minute_start(minute: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(minutes=minute)


class DropActivity:
    def __init__(self, redis: Redis, batch_ms: int = 200):
        self.redis = redis
        self.batch_ms = batch_ms
        self._views: Counter = Counter()
        self._lock = threading.Lock()
        self._shipper = BackgroundShipper(self.ship, batch_ms, "flashmall-view-shipper", "drop-page views")

    # -- counting views ------------------------------------------------------------------------------
    def record_view(self, drop_id: int) -> None:
        minute = int(time.time() // 60)
        with self._lock:
            self._views[(drop_id, minute)] += 1
        if self.batch_ms <= 0:
            self._shipper.ship_quietly()
        else:
            self._shipper.ensure_running()

    def ship(self) -> None:
        with self._lock:
            views, self._views = self._views, Counter()
        if not views:
            return
        pipe = self.redis.pipeline(transaction=False)
        for (drop_id, minute), n in views.items():
            pipe.hincrby(f"fm:act:{drop_id}", f"v:{minute}", n)
            pipe.expire(f"fm:act:{drop_id}", KEEP_SECONDS)  # (no NX: the embedded Redis predates it)
        try:
            pipe.execute()
        except RedisError:
            with self._lock:
                self._views.update(views)  # kept for the next try
            raise

    # -- reading -------------------------------------------------------------------------------------
    def _by_minute(self, drop_id: int) -> dict[int, dict[str, int]]:
        minutes: dict[int, dict[str, int]] = {}
        for field, value in self.redis.hgetall(f"fm:act:{drop_id}").items():
            kind, _, minute = field.decode().partition(":")
            if kind in KINDS and minute.isdigit():
                minutes.setdefault(int(minute), {})[KINDS[kind]] = int(value)
        for counts in minutes.values():
            if "holds" in counts:
                counts["held_units"] = counts["holds"] + counts.get("held_units", 0)
        return minutes

    def per_minute(self, drop_id: int, start: datetime, end: datetime) -> list[tuple[datetime, Counts]]:
        """One entry per UTC minute in [start, end), zero-filled."""
        counted = self._by_minute(drop_id)
        first, last = epoch_minute(start), epoch_minute(end - timedelta(microseconds=1))
        return [(minute_start(m), Counts(**counted.get(m, {}))) for m in range(first, last + 1)]

    def totals(self, drop_id: int) -> Counts:
        total = Counts()
        for values in self._by_minute(drop_id).values():
            total = total + Counts(**values)
        return total

    def actors(self, drop_id: int, min_holds: int = 1) -> list[Actor]:
        """IPs that placed holds in the drop, and carts that let at least one expire, most holds first."""
        raw = {field.decode(): int(value) for field, value in self.redis.hgetall(f"fm:actors:{drop_id}").items()}
        found = []
        for field, holds in raw.items():
            kind, _, key = field.partition(":")
            if kind in ("ip", "cart") and holds >= min_holds:
                found.append(Actor(kind, key, holds, raw.get(f"x{kind}:{key}", 0)))
        return sorted(found, key=lambda actor: (-actor.holds, actor.kind, actor.key))

    def forget(self, drop_id: int) -> None:
        self.redis.delete(f"fm:act:{drop_id}", f"fm:actors:{drop_id}")
