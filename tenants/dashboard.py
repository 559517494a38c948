"""Brand dashboards: `/brands/<slug>/...` resolves the tenant and the member's role."""

from functools import wraps

from flask import Blueprint, abort, g
from flask_login import current_user
from sqlalchemy import select

from mall.extensions import db, login_manager
from tenants.models import Membership, Role, Tenant
from tenants.scoping import bind_tenant, unbind_tenant

MANAGERS = (Role.OWNER, Role.MANAGER)


def brand_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint whose every route lives under one brand and needs a member of it."""
    bp = Blueprint(name, import_name, url_prefix="/brands/<slug>")

    @bp.url_value_preprocessor
    def _pull_slug(endpoint, values):
        g.tenant_slug = values.pop("slug", None) if values else None

    @bp.url_defaults
    def _add_slug(endpoint, values):
        if "slug" not in values and g.get("tenant") is not None:
            values["slug"] = g.tenant.slug

    @bp.before_request
    def _load_tenant():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        load_membership(g.tenant_slug)

    return bp


def load_membership(slug: str | None) -> Membership:
    """Resolve the brand from the URL; a non-member gets the same 404 as an unknown brand."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == (slug or "")))
    if tenant is None:
        abort(404)
    membership = db.session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == current_user.id)
    )
    if membership is None:
        abort(404)
    g.tenant = tenant
    g.membership = membership
    g.tenant_token = bind_tenant(tenant.id)
    return membership


def release_tenant(exc=None) -> None:
    token = g.pop("tenant_token", None)
    if token is not None:
        unbind_tenant(token)


def requires_role(*roles: str):
    """Members without one of `roles` get 403: they may know the brand, not do this."""
    allowed = {str(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.membership.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
