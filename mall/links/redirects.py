"""Writing the redirect table in Redis from the database (reading it is table.py's job).

Each link is one hash `fm:link:<code>` holding its internal destination (a path built by the app
from ids, never text from a request), its drop's window and whether it may still earn. It is written
when a link or its terms change and rebuilt in full by `sync_links` (the click-flush job does that
every minute, so a cancelled drop or a wiped Redis heals on its own). Every write bumps
`fm:links:version`, which tells each web process to drop its cached copies.
"""

import logging
from datetime import timezone

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from mall.drops.models import Drop, DropStatus
from mall.links.models import CreatorLink, CreatorPartnership, LinkTarget, PartnershipStatus
from mall.stock.access import stock_engine
from mall.drops.stock import drops_availability
from tenants.models import Tenant

READY_KEY = "fm:links:ready"
SYNCED_KEY = "fm:links:synced"
VERSION_KEY = "fm:links:version"
SYNC_EVERY_SECONDS = 60
OPEN_DROP = (DropStatus.SCHEDULED.value, DropStatus.LIVE.value)

log = logging.getLogger(__name__)


# -- writing the table from the database ---------------------------------------------------------------
def _path(endpoint: str, **values) -> str:
    # Built by the app's own URL map: a path, whatever request (if any) is running.
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _ms(moment) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def _drop_facts(session: Session, drop_ids: set[int]) -> tuple[dict, dict]:
    drops = {
        row.id: row
        for row in session.execute(
            select(Drop.id, Drop.status, Drop.ends_at, Drop.fallback_variant_id).where(Drop.id.in_(drop_ids)).execution_options(all_tenants=True)
        )
    }
    # Sold out at this sync: what a click says while the stock engine has not loaded the drop.
    units = drops_availability(session, stock_engine(), drop_ids)
    return drops, {drop_id: stock.sold_out for drop_id, stock in units.items()}


def link_entries(session: Session, *conditions) -> dict[str, dict]:
    """The redirect-table hash of every link matching `conditions`, keyed by code."""
    rows = session.execute(
        select(CreatorLink, Tenant.slug, CreatorPartnership.status, CreatorPartnership.window_hours)
        .join(Tenant, Tenant.id == CreatorLink.tenant_id)
        .outerjoin(
            CreatorPartnership,
            and_(
                CreatorPartnership.tenant_id == CreatorLink.tenant_id,
                CreatorPartnership.creator_id == CreatorLink.creator_id,
            ),
        )
        .where(*conditions)
        .execution_options(all_tenants=True)
    ).all()
    drops, sold_out = _drop_facts(session, {link.drop_id for link, *_ in rows if link.drop_id})
    entries = {}
    for link, slug, status, window_hours in rows:
        brand_path = _path("storefront.brand", slug=slug)
        entry = {
            "id": link.id,
            "brand": brand_path,
            "path": brand_path,
            "drop": "",
            "active": "1" if status == PartnershipStatus.APPROVED else "0",
            "window": window_hours or 0,
        }
        drop = drops.get(link.drop_id) if link.target == LinkTarget.DROP else None
        if drop is not None:
            entry.update(
                path=_path("storefront.drop", slug=slug, drop_id=drop.id),
                drop=drop.id,
                ends=_ms(drop.ends_at),
                open="1" if drop.status in OPEN_DROP else "0",
                soldout="1" if sold_out[drop.id] else "0",
                fallback="1" if drop.fallback_variant_id else "0",
            )
        entries[link.code] = entry
    return entries


def publish_links(session: Session, redis: Redis, *conditions) -> int:
    """Write the matching links into the table; a Redis failure is logged and healed by the next sync."""
    entries = link_entries(session, *conditions)
    try:
        _write(redis, entries)
    except RedisError:
        log.warning("Could not publish %d creator link(s) to Redis; the next sync will.", len(entries))
    return len(entries)


def sync_links(session: Session, redis: Redis) -> int:
    """Rebuild the whole table from the database, then mark it loaded (unknown codes may now answer 404)."""
    entries = link_entries(session)
    _write(redis, entries)
    pipe = redis.pipeline(transaction=False)
    pipe.set(READY_KEY, "1")
    pipe.set(SYNCED_KEY, "1", ex=SYNC_EVERY_SECONDS)
    pipe.execute()
    return len(entries)


def sync_due(redis: Redis) -> bool:
    return not redis.exists(SYNCED_KEY)


def _write(redis: Redis, entries: dict[str, dict], chunk: int = 500) -> None:
    items = list(entries.items())
    for start in range(0, len(items), chunk):
        pipe = redis.pipeline(transaction=True)  # MULTI: a click never sees a link half rewritten
        for code, entry in items[start : start + chunk]:
            key = f"fm:link:{code}"
            pipe.delete(key)  # fields of an old shape must not linger
            pipe.hset(key, mapping=entry)
        pipe.execute()
    redis.incr(VERSION_KEY)
