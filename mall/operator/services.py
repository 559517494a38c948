"""The mall operator's view of shared hubs and of every brand."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.catalog.models import Product
from mall.drops.models import Drop, DropStatus
from mall.fulfilment.jobs import queue_hub_reestimate
from mall.hubs.models import Hub
from mall.stock.models import StockLevel
from tenants.models import Membership, Role, Tenant

HUB_FIELDS = (
    "code", "name", "kind", "address", "latitude", "longitude",
    "throughput_per_hour", "opens_at", "closes_at", "active",
)


class HubCodeTaken(Exception):
    """Another hub got the code first (a race the form check could not see)."""


@dataclass(frozen=True)
class HubRow:
    hub: Hub
    units_on_hand: int
    units_sold: int

    @property
    def units_unsold(self) -> int:
        return self.units_on_hand - self.units_sold


def hubs_with_stock(session: Session) -> list[HubRow]:
    """Every hub with the units all brands have placed there (one grouped query)."""
    totals = (
        select(
            StockLevel.hub_id,
            func.coalesce(func.sum(StockLevel.on_hand), 0).label("on_hand"),
            func.coalesce(func.sum(StockLevel.sold), 0).label("sold"),
        )
        .group_by(StockLevel.hub_id)
        .subquery()
    )
    rows = session.execute(
        select(Hub, func.coalesce(totals.c.on_hand, 0), func.coalesce(totals.c.sold, 0))
        .outerjoin(totals, totals.c.hub_id == Hub.id)
        .order_by(Hub.kind, Hub.code)
    ).all()
    return [HubRow(hub, int(on_hand), int(sold)) for hub, on_hand, sold in rows]


def hub_code_taken(session: Session, code: str, hub_id: int | None = None) -> bool:
    query = select(Hub.id).where(Hub.code == code)
    if hub_id is not None:
        query = query.where(Hub.id != hub_id)
    return session.scalar(query) is not None


def save_hub(session: Session, hub: Hub, values: dict) -> Hub:
    """Create or update a hub in one commit; a code clash leaves nothing half-saved."""
    for name in HUB_FIELDS:
        setattr(hub, name, values[name])
    session.add(hub)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise HubCodeTaken(values["code"]) from error
    queue_hub_reestimate(hub.id, "The hub's hours or throughput changed")
    return hub


@dataclass(frozen=True)
class BrandRow:
    brand: Tenant
    owner_emails: list[str]
    members: int
    products: int
    live_drops: int
    upcoming_drops: int


def brands_overview(session: Session, now: datetime) -> list[BrandRow]:
    """Every brand with its owners, team size, products and drops, in four grouped queries."""
    brands = session.scalars(select(Tenant).order_by(Tenant.name)).all()
    owners: dict[int, list[str]] = {}
    for tenant_id, email in session.execute(
        select(Membership.tenant_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.role == Role.OWNER.value)
        .order_by(User.email)
    ):
        owners.setdefault(tenant_id, []).append(email)
    members = _count_by_tenant(session, Membership.tenant_id, Membership.id)
    products = _count_by_tenant(session, Product.tenant_id, Product.id)
    drops = _drop_counts(session, now)
    return [
        BrandRow(
            brand=b,
            owner_emails=owners.get(b.id, []),
            members=members.get(b.id, 0),
            products=products.get(b.id, 0),
            live_drops=drops.get(b.id, (0, 0))[0],
            upcoming_drops=drops.get(b.id, (0, 0))[1],
        )
        for b in brands
    ]


def _count_by_tenant(session: Session, tenant_column, id_column) -> dict[int, int]:
    return dict(session.execute(select(tenant_column, func.count(id_column)).group_by(tenant_column)).all())


def _drop_counts(session: Session, now: datetime) -> dict[int, tuple[int, int]]:
    """(live, upcoming) per brand by the clock, whatever status the last refresh stored."""
    on_sale = Drop.status.not_in((DropStatus.DRAFT.value, DropStatus.CANCELLED.value))
    live = func.sum(case((and_(Drop.starts_at <= now, Drop.ends_at > now), 1), else_=0))
    upcoming = func.sum(case((Drop.starts_at > now, 1), else_=0))
    rows = session.execute(select(Drop.tenant_id, live, upcoming).where(on_sale).group_by(Drop.tenant_id)).all()
    return {tenant_id: (int(l or 0), int(u or 0)) for tenant_id, l, u in rows}
