"""A short cache shared by every web process: one computation per key per `fresh_seconds`, however many ask.

Kept in Redis rather than per process: the web server runs several workers (and production several
machines), so a per-process cache would compute once per process and a per-process lock would not
stop the others. Redis is already on every request's path, one GET costs far less than the queries
it saves, and a SET NX lock lets exactly one caller recompute while the rest are served the copy
from a moment ago (or, when there is none yet, wait briefly for the one being computed).
"""

import json
import secrets
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError

KEEP_SECONDS = 60  # a stale copy is served while one caller recomputes; never older than this
LOCK_MS = 10_000  # a computation that dies frees its lock after this
WAIT_SECONDS = 3.0  # how long a caller with nothing to show waits for someone else's computation
WAIT_STEP = 0.02

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def shared_value(redis: Redis, key: str, fresh_seconds: float, compute: Callable[[], dict]) -> dict:
    """`compute()`'s JSON-able result, recomputed at most once per `fresh_seconds` across every process."""
    try:
        cached = _read(redis, key)
        if cached is not None and time.time() - cached[0] < fresh_seconds:
            return cached[1]
        token = secrets.token_hex(8)
        if redis.set(f"{key}:lock", token, nx=True, px=LOCK_MS):
            try:
                return _store(redis, key, compute())
            finally:
                redis.eval(_UNLOCK, 1, f"{key}:lock", token)
        if cached is not None:
            return cached[1]  # someone is recomputing right now: a copy a moment old is fine
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP)
            cached = _read(redis, key)
            if cached is not None:
                return cached[1]
    except RedisError:
        pass  # no Redis: every caller computes for itself, slower but still correct
    return compute()


def _read(redis: Redis, key: str) -> tuple[float, dict] | None:
    blob = redis.get(key)
    if not blob:
        return None
    try:
        stored = json.loads(blob)
        return float(stored["at"]), stored["value"]
    except (KeyError, TypeError, ValueError):
        return None


def _store(redis: Redis, key: str, value: dict) -> dict:
    redis.set(key, json.dumps({"at": time.time(), "value": value}, separators=(",", ":")), ex=KEEP_SECONDS)
    return value


def forget(redis: Redis, key: str) -> None:
    redis.delete(key)
