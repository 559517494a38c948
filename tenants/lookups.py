"""Brands found from a public URL: shopper pages name a brand by its slug."""

from sqlalchemy import select

from mall.extensions import db
from tenants.models import Tenant


def brand_by_slug(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))
