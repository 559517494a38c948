"""The demo creator's programme: applications the brands answered, links, and the clicks they drew."""

import hashlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.demo.stories import CREATOR_BRANDS, CREATOR_COMMISSION_BP, CREATOR_LINKS, CREATOR_WINDOW_HOURS
from mall.drops.models import Drop
from mall.links.clicks import flush_clicks
from mall.links.models import CreatorLink
from mall.links.services import apply_to_brand, create_link, decide_application, partnership
from mall.links.table import link_table
from tenants.models import Tenant


def seed_programme(session: Session, creator: User) -> None:
    """The creator applied to each brand; the first brands said yes, the last has not answered yet."""
    for slug, outcome in CREATOR_BRANDS.items():
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        if partnership(session, tenant.id, creator.id) is not None:
            continue  # whatever the brand decided since, it stands
        row = apply_to_brand(session, creator, tenant)
        if outcome == "approved":
            decide_application(session, row, True, CREATOR_COMMISSION_BP, CREATOR_WINDOW_HOURS)


def link_spec(drop: Drop | None, slug: str):
    title = drop.title if drop is not None else ""
    return next((spec for spec in CREATOR_LINKS if spec[0] == slug and spec[1] == title), None)


def make_link(session: Session, creator: User, tenant: Tenant, drop: Drop | None, since: datetime) -> int | None:
    """The link of CREATOR_LINKS for this drop (or brand page), made once, with its clicks from `since` on (it was
    made two hours before). Returns its id."""
    spec = link_spec(drop, tenant.slug)
    if spec is None:
        return None
    code, clicks = spec[2], spec[3]
    link = session.scalar(select(CreatorLink).where(CreatorLink.code == code))
    if link is not None:
        return link.id
    link = create_link(session, creator, tenant.id, drop.id if drop is not None else None, code)
    _click(session, link, since, clicks)
    link.created_at = min(link.created_at, since - timedelta(hours=2))
    session.commit()
    return link.id


def _click(session: Session, link: CreatorLink, opened, per_hour: tuple[int, ...]) -> None:
    """Clicks counted the way a follower's visit counts them (one per visitor per hour), then flushed to the database."""
    table = link_table()
    for hour, clicks in enumerate(per_hour):
        for n in range(clicks):
            visitor = hashlib.md5(f"{link.code}-{hour}-{n}".encode()).hexdigest()
            moment = opened + timedelta(hours=hour, minutes=3 * n)
            table.follow(link.code, visitor, moment.replace(tzinfo=timezone.utc).timestamp(), count=True)
    flush_clicks(session, table)
