"""Brands: onboarding, the team (roles, invites) and the brand's settings."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from redis import RedisError
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from mall.accounts.models import User
from mall.accounts.services import end_every_session, normalise_email
from mall.alerts.models import Alert
from mall.alerts.services import AlertFilters, list_alerts, unacknowledged_count
from mall.catalog.models import Product
from mall.clock import from_local, to_local
from mall.drops.models import Drop, DropStatus
from mall.drops.pricing import effective_status
from mall.extensions import db, redis_client
from mall.orders.services import Sales, sales_between
from mall.support.inbox import open_count
from tenants.models import ROLE_VALUES, Membership, Role, Tenant

RESERVED_SLUGS = frozenset(
    {
        "new", "admin", "operator", "api", "static", "login", "logout", "signup", "invites", "brands", "shop",
        "mall", "www", "help", "support", "settings", "members", "dashboard", "account", "accounts", "flashmall",
    }
)
INVITE_SALT = "invite"
ALERTS_SHOWN = 3  # the overview lists the newest few; the alerts page has the rest
INVITE_MAX_AGE = timedelta(days=7)
SETTINGS_FIELDS = (
    "name", "tagline", "colour", "returns_policy", "warranty_policy", "cancellation_policy",
    "cancellation_window_minutes", "first_response_minutes", "resolution_minutes",
)


class TeamRuleBroken(ValueError):
    """A team change that would leave the brand without an owner, or similar."""


class SlugTaken(ValueError):
    """Another brand already uses this address."""


class InviteInvalid(ValueError):
    """An invite link that is tampered, expired, withdrawn or points at nothing."""


class InviteForSomeoneElse(ValueError):
    """The invite names another email than the signed-in user's."""


@dataclass(frozen=True)
class Invite:
    tenant: Tenant
    email: str
    role: str
    issued_at: float


@dataclass(frozen=True)
class Overview:
    products: int
    live: list[Drop]
    upcoming: list[Drop]
    drafts: int
    sales_today: Sales
    open_threads: int
    alerts: list[Alert]  # open, nobody has acknowledged them; newest first
    alerts_open: int


def slug_available(slug: str) -> bool:
    return slug not in RESERVED_SLUGS and db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is None


def create_brand(owner: User, name: str, slug: str, colour: str, tagline: str = "") -> Tenant:
    """The brand and its owner's membership, saved together or not at all."""
    if not slug_available(slug):
        raise SlugTaken(slug)
    tenant = Tenant(name=name, slug=slug, colour=colour, tagline=tagline or "")
    tenant.memberships.append(Membership(user_id=owner.id, role=Role.OWNER.value))
    db.session.add(tenant)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SlugTaken(slug) from None
    return tenant


def brand_overview(tenant: Tenant, now: datetime) -> Overview:
    products = db.session.scalar(select(func.count(Product.id)).where(Product.tenant_id == tenant.id)) or 0
    drops = db.session.scalars(
        select(Drop)
        .where(Drop.tenant_id == tenant.id, Drop.ends_at > now, Drop.status != DropStatus.CANCELLED.value)
        .order_by(Drop.starts_at)
    ).all()
    statuses = [(drop, effective_status(drop, now)) for drop in drops]
    return Overview(
        products=products,
        live=[d for d, s in statuses if s == DropStatus.LIVE],
        upcoming=[d for d, s in statuses if s == DropStatus.SCHEDULED],
        drafts=sum(1 for _, s in statuses if s == DropStatus.DRAFT),
        sales_today=sales_between(db.session, tenant.id, *today(now)),
        open_threads=open_count(db.session, tenant.id),
        alerts=list_alerts(db.session, tenant.id, AlertFilters(status="open"))[:ALERTS_SHOWN],
        alerts_open=unacknowledged_count(db.session, tenant.id),
    )


def today(now: datetime) -> tuple[datetime, datetime]:
    """The mall's calendar day around `now`, as naive UTC bounds (a day is 23 or 25 hours when clocks change)."""
    local_midnight = to_local(now).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return from_local(local_midnight), from_local(local_midnight + timedelta(days=1))


def team_of(tenant: Tenant) -> list[Membership]:
    rank = case({Role.OWNER.value: 0, Role.MANAGER.value: 1}, value=Membership.role, else_=2)
    return list(
        db.session.scalars(
            select(Membership).join(User, User.id == Membership.user_id)
            .options(joinedload(Membership.user))
            .where(Membership.tenant_id == tenant.id)
            .order_by(rank, func.lower(User.name), Membership.id)
        )
    )


def is_member(tenant: Tenant, email: str) -> bool:
    return db.session.scalar(
        select(Membership.id).join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant.id, func.lower(User.email) == normalise_email(email))
    ) is not None


def _lock_team(membership: Membership) -> None:
    # Two owners demoting each other at once must not leave the brand ownerless: serialise on the brand row.
    db.session.execute(select(Tenant.id).where(Tenant.id == membership.tenant_id).with_for_update())
    db.session.refresh(membership)


def _owner_count(tenant_id: int) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(Membership.tenant_id == tenant_id, Membership.role == Role.OWNER.value)
    )


def change_role(membership: Membership, role: str) -> None:
    if role not in ROLE_VALUES:
        raise TeamRuleBroken("Choose owner, manager or support.")
    _lock_team(membership)
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(membership.tenant_id) <= 1:
        db.session.rollback()
        raise TeamRuleBroken("A brand needs at least one owner. Make someone else an owner first.")
    membership.role = role
    db.session.commit()


def remove_member(membership: Membership) -> None:
    _lock_team(membership)
    if membership.role == Role.OWNER and _owner_count(membership.tenant_id) <= 1:
        db.session.rollback()
        raise TeamRuleBroken("The last owner cannot be removed. Make someone else an owner first.")
    tenant_id, user = membership.tenant_id, membership.user
    db.session.delete(membership)
    db.session.commit()
    end_every_session(user)  # a browser still signed in from before must not keep the brand's pages open
    _withdraw_invites(tenant_id, user.email)


def update_brand_settings(tenant: Tenant, values: dict) -> None:
    for name in SETTINGS_FIELDS:
        setattr(tenant, name, values[name])
    db.session.commit()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=INVITE_SALT)


def _withdrawn_key(tenant_id: int, email: str) -> str:
    return f"flashmall:invites-withdrawn:{tenant_id}:{normalise_email(email)}"


def _withdraw_invites(tenant_id: int, email: str) -> None:
    # A removed member must not walk back in with an old link; older links expire within INVITE_MAX_AGE anyway.
    try:
        redis_client().set(_withdrawn_key(tenant_id, email), repr(time.time()), ex=int(INVITE_MAX_AGE.total_seconds()))
    except RedisError:
        current_app.logger.warning("Could not withdraw old invites for tenant %s", tenant_id)


def _withdrawn_at(tenant_id: int, email: str) -> float | None:
    try:
        value = redis_client().get(_withdrawn_key(tenant_id, email))
    except RedisError:
        return None
    return float(value) if value is not None else None


def invite_token(tenant: Tenant, email: str, role: str) -> str:
    """A signed link token that lets `email` join `tenant` as `role` for the next 7 days."""
    payload = {"tenant": tenant.id, "email": normalise_email(email), "role": role, "at": time.time()}
    return _serializer().dumps(payload)


def read_invite(token: str) -> Invite:
    try:
        payload = _serializer().loads(token, max_age=int(INVITE_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise InviteInvalid("This invite link has expired. Ask the brand's owner to send you a new one.") from None
    except BadData:
        raise InviteInvalid("This invite link is not valid. Check that you copied the whole link.") from None
    if not isinstance(payload, dict) or payload.get("role") not in ROLE_VALUES:
        raise InviteInvalid("This invite link is not valid. Check that you copied the whole link.")
    tenant = db.session.get(Tenant, payload.get("tenant")) if isinstance(payload.get("tenant"), int) else None
    if tenant is None:
        raise InviteInvalid("The brand behind this invite no longer exists.")
    invite = Invite(tenant, str(payload.get("email", "")), payload["role"], float(payload.get("at", 0)))
    withdrawn_at = _withdrawn_at(tenant.id, invite.email)
    if withdrawn_at is not None and invite.issued_at <= withdrawn_at:
        raise InviteInvalid("This invite link was withdrawn. Ask the brand's owner for a new one.")
    return invite


def membership_of(tenant: Tenant, user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    )


def accept_invite(invite: Invite, user: User) -> Membership:
    """Join the brand; accepting twice (or as an existing member) changes nothing."""
    existing = membership_of(invite.tenant, user)
    if existing is not None:
        return existing
    if normalise_email(user.email) != invite.email:
        raise InviteForSomeoneElse(invite.email)
    membership = Membership(tenant_id=invite.tenant.id, user_id=user.id, role=invite.role)
    db.session.add(membership)
    try:
        db.session.commit()
    except IntegrityError:  # a double click raced us to it
        db.session.rollback()
        return membership_of(invite.tenant, user)
    return membership
