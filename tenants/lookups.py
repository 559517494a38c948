"""Finding brands: by the slug of a public URL, and the signed-in person's own."""

from flask_login import current_user
from sqlalchemy import select

from mall.extensions import db
from tenants.models import Membership, Tenant


def brand_by_slug(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def my_brands():
    """The brands the signed-in user belongs to, with their role: the dashboard switcher (a template global)."""
    if not current_user.is_authenticated:
        return []
    return db.session.execute(
        select(Tenant, Membership.role)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Membership.user_id == current_user.id)
        .order_by(Tenant.name)
    ).all()
