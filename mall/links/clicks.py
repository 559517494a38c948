"""Who clicked (a first-party visitor id), which clicks count, and moving counts from Redis to hourly buckets."""

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from redis import Redis
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.clock import utcnow
from mall.links.models import ClickFlush, CreatorLink, LinkClickHour, LinkVisitor
from mall.links.table import LinkTable

VISITOR_COOKIE = "fm_vid"
VISITOR_SHAPE = re.compile(r"[0-9a-f]{32}")
# Crawlers, link-preview fetchers and HTTP libraries announce themselves (matched in lowercase).
KNOWN_BOTS = (
    "bot", "crawl", "spider", "slurp", "facebookexternalhit", "facebookcatalog", "embedly", "whatsapp", "telegram",
    "discord", "slack", "skypeuripreview", "pinterest", "vkshare", "w3c_validator", "preview", "lighthouse", "curl/",
    "wget/", "httpie", "python-", "aiohttp", "okhttp", "go-http-client", "java/", "libwww", "scrapy", "node-fetch",
    "axios/",
)
FLUSH_CHUNK = 500
KEEP_FLUSH_RECORDS = timedelta(days=7)


def is_real_click(method: str, user_agent: str) -> bool:
    """HEAD requests, known bots and agents that name no browser follow the link but are never counted."""
    if method != "GET" or not user_agent:
        return False
    agent = user_agent.lower()
    for marker in KNOWN_BOTS:  # a plain loop: several times faster than one big regex on the hot path
        if marker in agent:
            return False
    return True


def _visitor_key() -> bytes:
    key = current_app.extensions.get("flashmall.links.visitor_key")
    if key is None:
        secret = str(current_app.config["SECRET_KEY"]).encode()
        key = current_app.extensions["flashmall.links.visitor_key"] = hashlib.sha256(b"fm-visitor\0" + secret).digest()
    return key


def visitor_id(cookie: str, ip: str, user_agent: str) -> tuple[str, bool]:
    """(id, is_new). Without our cookie, a keyed hash of IP and browser, which then becomes the cookie."""
    if len(cookie) == 32 and VISITOR_SHAPE.fullmatch(cookie):
        return cookie, False
    digest = hashlib.blake2b(f"{ip}\n{user_agent}".encode(), digest_size=16, key=_visitor_key()).hexdigest()
    return digest, True


# -- the flush -----------------------------------------------------------------------------------------
def flush_clicks(session: Session, table: LinkTable, max_batches: int = 5) -> int:
    """Move counted clicks into hourly buckets; returns how many. Safe to run twice, or twice at once:
    a batch is renamed away atomically in Redis and claimed by its id in the database before it counts."""
    table.ship()  # this process's own queued clicks first (web processes ship theirs every ~100 ms)
    moved = 0
    for _ in range(max_batches):
        batch = table.start_flush(secrets.token_hex(16))
        if batch is None:
            break
        clicks, visitors = _read_batch(table.redis)
        moved += _apply_batch(session, batch, clicks, visitors)
        table.finish_flush(batch)
    _forget_old_batches(session)
    return moved


def _read_batch(redis: Redis) -> tuple[dict[tuple[int, str], int], list[tuple[int, str]]]:
    clicks = {}
    for field, value in redis.hgetall("fm:clicks:flushing").items():
        link, hour = field.decode().split(":")
        clicks[(int(link), hour)] = int(value)
    visitors = []
    for member in redis.sscan_iter("fm:visitors:flushing", count=1000):
        link, visitor = member.decode().split(":")
        visitors.append((int(link), visitor))
    return clicks, visitors


def _apply_batch(session: Session, batch: str, clicks: dict, visitors: list) -> int:
    ids = {link for link, _ in clicks} | {link for link, _ in visitors}
    known = set(session.scalars(select(CreatorLink.id).where(CreatorLink.id.in_(ids)).execution_options(all_tenants=True)))
    clicks = {key: n for key, n in clicks.items() if key[0] in known}
    total = sum(clicks.values())
    session.add(ClickFlush(batch=batch, clicks=total))
    try:
        session.flush()  # the batch id is claimed first: a second flush of the same batch stops here
    except IntegrityError:
        session.rollback()
        return 0
    rows = [{"link_id": link, "hour": datetime.strptime(hour, "%Y%m%d%H"), "clicks": n} for (link, hour), n in clicks.items()]
    for start in range(0, len(rows), FLUSH_CHUNK):
        insert = _insert(session, LinkClickHour).values(rows[start : start + FLUSH_CHUNK])
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["link_id", "hour"], set_={"clicks": LinkClickHour.clicks + insert.excluded.clicks}
            )
        )
    seen = [{"link_id": link, "visitor": visitor} for link, visitor in visitors if link in known]
    for start in range(0, len(seen), FLUSH_CHUNK):
        session.execute(_insert(session, LinkVisitor).values(seen[start : start + FLUSH_CHUNK]).on_conflict_do_nothing())
    session.commit()
    return total


def _insert(session: Session, model):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _forget_old_batches(session: Session) -> None:
    session.execute(delete(ClickFlush).where(ClickFlush.flushed_at < utcnow() - KEEP_FLUSH_RECORDS))
    session.commit()
