"""One drop's waiting room in Redis: the pre-queue, the line, admissions and their figures. No Flask, no database.

Keys (prefix fm:q:<drop>:): pre (zset cart -> arrival ms, before the start), line (zset cart -> ticket), seq (last
ticket), seed and shuffled (the pre-queue's shuffle), email (hash email -> cart), ip:<ip> (places from one IP),
joined (hash cart -> ms its wait began), adm (hash cart -> ms its admission ends), out (zset cart -> ms: admitted,
no hold yet), log (zset cart -> ms admitted), waits (list of seconds waited), n:<minute> (admissions that minute),
left (shoppers who left), gate and view (see gate.py and services.py). fm:q:lines: drops with a line.
"""

import random
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from redis import Redis

from mall.redis_setup import LuaScript

JOIN = Path(__file__).with_name("join.lua").read_text()
RATE_MINUTES = 5  # the estimated wait divides by the admissions of the last few minutes
KEEP_AFTER_END_MS = 15 * 86400_000  # the post-drop report reads the waits for two weeks


def now_ms() -> int:
    return int(time.time() * 1000)


def key(drop_id: int, name: str) -> str:
    return f"fm:q:{drop_id}:{name}"


def prequeue_order(entries: list[tuple[str, float]], seed: str) -> list[str]:
    """The pre-queue's places at the start: the entries (cart, arrival ms) in arrival order, shuffled by a
    `random.Random(seed)`. Anyone with the entries and the seed gets the same order; arrival time buys nothing."""
    order = [cart for cart, _ in sorted(entries, key=lambda e: (e[1], e[0]))]
    random.Random(seed).shuffle(order)
    return order


@dataclass(frozen=True)
class Place:
    """Where one shopper stands: admitted until `admitted_until` (ms), or `ahead` people before them, or waiting
    for the start in the pre-queue, or nowhere."""

    admitted_until: int | None = None
    ahead: int | None = None
    pre_queue: bool = False

    @property
    def in_line(self) -> bool:
        return self.ahead is not None or self.pre_queue

    @property
    def position(self) -> int | None:
        return None if self.ahead is None else self.ahead + 1


@dataclass(frozen=True)
class LineState:
    """The line as every shopper in it sees it."""

    line_length: int
    pre_queue_length: int
    admitted_lately: int  # over RATE_MINUTES minutes
    shuffled: bool


@dataclass(frozen=True)
class Snapshot:
    """What the line page reads for one shopper, in one Redis round trip."""

    place: Place
    line_length: int
    pre_queue_length: int
    admitted_lately: int  # over RATE_MINUTES minutes


class WaitingRoom:
    def __init__(self, redis: Redis, drop_id: int):
        self.redis, self.drop_id = redis, drop_id
        self._join = LuaScript(redis, JOIN)

    def k(self, name: str) -> str:
        return key(self.drop_id, name)

    # -- places --------------------------------------------------------------------------------------
    def join(self, cart: str, email: str, ip: str, starts_ms: int, ends_ms: int, ip_limit: int, *, now=None) -> str:
        """'pre' or 'line' (a new place), or why not: 'already', 'email_taken', 'ip_limit'."""
        now = now or now_ms()
        for _ in range(2):
            reply = self._join(self.drop_id, cart, email.strip().lower(), "".join(ip.split()) or "-", now, starts_ms,
                               ip_limit, ends_ms + KEEP_AFTER_END_MS)
            outcome = _text(reply[-1])
            if outcome != "shuffle_first":
                return outcome
            self.start_line(now=now)
        return "already"

    def leave(self, cart: str) -> bool:
        pipe = self.redis.pipeline(transaction=True)
        pipe.zrem(self.k("line"), cart)
        pipe.zrem(self.k("pre"), cart)
        pipe.zrem(self.k("out"), cart)
        pipe.hdel(self.k("adm"), cart)
        left = sum(pipe.execute()[:2])
        if left:
            self.redis.incr(self.k("left"))
        return bool(left)

    def start_line(self, *, now=None) -> bool:
        """At the start: the pre-queue gets its shuffled places (once; True if this call did it)."""
        if self.redis.exists(self.k("shuffled")) or not self.redis.set(self.k("shuffling"), 1, nx=True, ex=30):
            return False
        try:
            if self.redis.exists(self.k("shuffled")):
                return False
            self.redis.set(self.k("seed"), secrets.token_hex(16), nx=True)
            seed = _text(self.redis.get(self.k("seed")))
            entries = [(_text(c), s) for c, s in self.redis.zrange(self.k("pre"), 0, -1, withscores=True)]
            order = prequeue_order(entries, seed)
            pipe = self.redis.pipeline(transaction=True)
            if order:
                pipe.zadd(self.k("line"), {cart: place for place, cart in enumerate(order, start=1)})
            pipe.incrby(self.k("seq"), len(order))
            pipe.set(self.k("shuffled"), now or now_ms())
            pipe.execute()
            return True
        finally:
            self.redis.delete(self.k("shuffling"))

    def seed(self) -> str | None:
        value = self.redis.get(self.k("seed"))
        return None if value is None else _text(value)

    def line_order(self) -> list[str]:
        return [_text(c) for c in self.redis.zrange(self.k("line"), 0, -1)]

    def pre_queue(self) -> list[tuple[str, float]]:
        return [(_text(c), s) for c, s in self.redis.zrange(self.k("pre"), 0, -1, withscores=True)]

    # -- admissions ---------------------------------------------------------------------------------
    def outstanding(self, *, now=None) -> int:
        """Admitted shoppers still inside their window who have placed no hold yet (ended ones are dropped)."""
        self.redis.zremrangebyscore(self.k("out"), "-inf", now or now_ms())
        return self.redis.zcard(self.k("out"))

    def admit_next(self, count: int, until_ms: int, *, now=None) -> list[str]:
        """The next `count` in line get an admission until `until_ms`."""
        if count <= 0:
            return []
        now = now or now_ms()
        carts = [_text(c) for c, _ in self.redis.zpopmin(self.k("line"), count)]
        if not carts:
            return []
        joined = self.redis.hmget(self.k("joined"), carts)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.k("adm"), mapping={c: until_ms for c in carts})
        pipe.zadd(self.k("out"), {c: until_ms for c in carts})
        pipe.zadd(self.k("log"), {c: now for c in carts})
        pipe.rpush(self.k("waits"), *[max(0, (now - int(j or now)) // 1000) for j in joined])
        pipe.incrby(self.k(f"n:{now // 60000}"), len(carts))
        pipe.expire(self.k(f"n:{now // 60000}"), 3600)
        ttl = self.redis.pttl(self.k("joined"))
        for name in ("adm", "out", "log", "waits"):
            if ttl > 0:
                pipe.pexpire(self.k(name), ttl)
        pipe.execute()
        return carts

    def admission_used(self, cart: str) -> None:
        """The admitted shopper placed a hold: they no longer count as arriving to shop."""
        self.redis.zrem(self.k("out"), cart)

    def admitted_until(self, cart: str) -> int | None:
        value = self.redis.hget(self.k("adm"), cart)
        return None if value is None else int(value)

    # -- reading --------------------------------------------------------------------------------------
    def line_state(self, *, now=None, with_view: bool = False) -> tuple[LineState, bytes | None]:
        """What is the same for every shopper in line (and the drop's published view), in one round trip."""
        now = now or now_ms()
        minute = now // 60000
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcard(self.k("line"))
        pipe.zcard(self.k("pre"))
        pipe.mget([self.k(f"n:{m}") for m in range(minute - RATE_MINUTES + 1, minute + 1)])
        pipe.exists(self.k("shuffled"))
        if with_view:
            pipe.get(self.k("view"))
        replies = pipe.execute()
        line_length, pre_length, rates, shuffled = replies[:4]
        state = LineState(line_length, pre_length, sum(int(r or 0) for r in rates), bool(shuffled))
        return state, (replies[4] if with_view else None)

    def place_of(self, cart: str | None, shuffled: bool, *, now=None) -> Place:
        """One shopper's place, in one round trip."""
        if not cart:
            return Place()
        now = now or now_ms()
        pipe = self.redis.pipeline(transaction=False)
        pipe.hget(self.k("adm"), cart)
        pipe.zrank(self.k("line"), cart)
        pipe.zscore(self.k("pre"), cart)
        admitted, rank, pre = pipe.execute()
        if admitted is not None and int(admitted) > now:
            return Place(admitted_until=int(admitted))
        if rank is not None:
            return Place(ahead=rank)
        return Place(pre_queue=pre is not None and not shuffled)

    def snapshot(self, cart: str | None, *, now=None, state: LineState | None = None) -> Snapshot:
        if state is None:
            state, _ = self.line_state(now=now)
        place = self.place_of(cart, state.shuffled, now=now)
        return Snapshot(place, state.line_length, state.pre_queue_length, state.admitted_lately)

    def figures(self, *, now=None) -> dict:
        """For the brand's monitor and report: line length, admitted per minute, waits (seconds)."""
        now = now or now_ms()
        minute = now // 60000
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcard(self.k("line"))
        pipe.zcard(self.k("pre"))
        pipe.zcard(self.k("log"))
        pipe.lrange(self.k("waits"), 0, -1)
        pipe.mget([self.k(f"n:{m}") for m in range(minute - RATE_MINUTES + 1, minute + 1)])
        pipe.get(self.k("left"))
        line, pre, admitted, waits, rates, left = pipe.execute()
        waits = sorted(int(w) for w in waits)
        return {
            "in_line": line, "pre_queue": pre, "admitted": admitted, "left": int(left or 0),
            "admitted_per_minute": round(sum(int(r or 0) for r in rates) / RATE_MINUTES, 1),
            "wait_median_s": waits[len(waits) // 2] if waits else None,
            "wait_p90_s": waits[min(len(waits) - 1, int(len(waits) * 0.9))] if waits else None,
            "wait_max_s": waits[-1] if waits else None,
        }


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
