"""What a drop sold, through which creator links, and what its shoppers asked: read by the monitor and the report.

A line of a drop is what one hold became at checkout; an order "of the drop" has at least one such line.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.links.models import CreatorCommission, CreatorLink, LinkClickHour
from mall.links.stats import commission_cents
from mall.orders.models import LineStatus, Order, OrderLine, SubOrder
from mall.support.models import SupportThread, ThreadStatus

ACTIVE = OrderLine.status == LineStatus.ACTIVE.value


def order_ids_of(drop_id: int):
    """A subquery: the ids of orders with a line in the drop."""
    return (
        select(SubOrder.order_id)
        .join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
        .where(OrderLine.drop_id == drop_id)
        .distinct()
    )


def order_count(session: Session, drop_id: int) -> int:
    return session.scalar(select(func.count()).select_from(order_ids_of(drop_id).subquery())) or 0


def order_times(session: Session, drop_id: int, since: datetime) -> list[datetime]:
    """When each order of the drop placed at or after `since` was placed."""
    return list(
        session.scalars(select(Order.created_at).where(Order.id.in_(order_ids_of(drop_id)), Order.created_at >= since))
    )


def sold_by_hub(session: Session, drop_id: int) -> dict[int, int]:
    """Units of the drop's active lines, per hub they were sold from."""
    rows = session.execute(
        select(OrderLine.hub_id, func.sum(OrderLine.quantity))
        .where(OrderLine.drop_id == drop_id, ACTIVE)
        .group_by(OrderLine.hub_id)
    ).all()
    return {hub_id: int(units) for hub_id, units in rows}


def threads_about(session: Session, tenant_id: int, drop_id: int, unresolved_only: bool = False, limit: int | None = None):
    """The brand's support threads opened about an order with a line in the drop, newest first."""
    query = (
        select(SupportThread)
        .where(
            SupportThread.tenant_id == tenant_id,
            SupportThread.sub_order_id.in_(select(OrderLine.sub_order_id).where(OrderLine.drop_id == drop_id)),
        )
        .order_by(SupportThread.created_at.desc(), SupportThread.id.desc())
    )
    if unresolved_only:
        query = query.where(SupportThread.status != ThreadStatus.RESOLVED.value)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def unresolved_thread_count(session: Session, tenant_id: int, drop_id: int) -> int:
    return session.scalar(
        select(func.count(SupportThread.id)).where(
            SupportThread.tenant_id == tenant_id,
            SupportThread.status != ThreadStatus.RESOLVED.value,
            SupportThread.sub_order_id.in_(select(OrderLine.sub_order_id).where(OrderLine.drop_id == drop_id)),
        )
    ) or 0


@dataclass
class LinkResult:
    link_id: int
    code: str
    creator: str
    targets_drop: bool
    clicks: int | None  # None for a link to the brand page: its clicks were not for this drop
    orders: int = 0
    revenue_cents: int = 0
    commission_cents: int = 0


def link_results(session: Session, tenant_id: int, drop_id: int) -> list[LinkResult]:
    """Creator links that point at the drop or earned on it: clicks, orders, the drop's revenue and commission.

    Revenue counts the drop's active lines in the credited sub-order; commission is at the stored rate.
    """
    credited: dict[int, list[tuple[int, int, int]]] = {}
    for link_id, order_id, revenue, bp in _credits(session, tenant_id, drop_id):
        credited.setdefault(link_id, []).append((order_id, revenue, commission_cents(revenue, bp)))
    links = session.execute(
        select(CreatorLink.id, CreatorLink.code, CreatorLink.drop_id, User.name)
        .join(User, User.id == CreatorLink.creator_id)
        .where(CreatorLink.tenant_id == tenant_id)
        .where((CreatorLink.drop_id == drop_id) | CreatorLink.id.in_(list(credited) or [-1]))
    ).all()
    clicks = dict(
        session.execute(
            select(LinkClickHour.link_id, func.sum(LinkClickHour.clicks))
            .where(LinkClickHour.link_id.in_([link.id for link in links if link.drop_id == drop_id] or [-1]))
            .group_by(LinkClickHour.link_id)
        ).all()
    )
    results = []
    for link in links:
        targets_drop = link.drop_id == drop_id
        link_clicks = int(clicks.get(link.id) or 0) if targets_drop else None
        row = LinkResult(link.id, link.code, link.name, targets_drop, link_clicks)
        credits = credited.get(link.id, [])
        row.orders = len({order_id for order_id, _, _ in credits})
        row.revenue_cents = sum(revenue for _, revenue, _ in credits)
        row.commission_cents = sum(commission for _, _, commission in credits)
        results.append(row)
    results.sort(key=lambda r: (-r.revenue_cents, -r.orders, -(r.clicks or 0), r.code))
    return results


def _credits(session: Session, tenant_id: int, drop_id: int) -> list[tuple[int, int, int, int]]:
    """(link, order, the drop's active revenue in the credited sub-order, rate) per credit that has the drop's lines."""
    revenue = func.coalesce(func.sum(case((ACTIVE, OrderLine.quantity * OrderLine.unit_price_cents), else_=0)), 0)
    rows = session.execute(
        select(CreatorCommission.link_id, CreatorCommission.order_id, revenue, CreatorCommission.commission_bp)
        .join(OrderLine, and_(OrderLine.sub_order_id == CreatorCommission.sub_order_id, OrderLine.drop_id == drop_id))
        .where(CreatorCommission.tenant_id == tenant_id)
        .group_by(
            CreatorCommission.id, CreatorCommission.link_id, CreatorCommission.order_id, CreatorCommission.commission_bp
        )
    ).all()
    return [(link_id, order_id, int(rev), bp) for link_id, order_id, rev, bp in rows]
