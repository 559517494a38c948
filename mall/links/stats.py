"""Results per link and per creator: clicks, unique visitors, orders, conversion, revenue and commission.

Revenue is read from the credited brands' active order lines, so a cancelled line stops earning;
commission is worked out per brand (sub-order) at the rate stored when the order was placed.
While a brand's dashboard is open the tenant backstop limits every credit to that brand.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mall.clock import to_local, utcnow
from mall.links.models import CreatorCommission, LinkClickHour, LinkVisitor
from mall.orders.models import LineStatus, Order, OrderLine


def commission_cents(revenue_cents: int, commission_bp: int) -> int:
    """One brand's commission, rounded half up to the penny."""
    return (revenue_cents * commission_bp + 5000) // 10000


@dataclass
class Results:
    clicks: int = 0
    visitors: int = 0
    orders: int = 0
    revenue_cents: int = 0
    commission_cents: int = 0
    order_ids: set = field(default_factory=set, repr=False)

    @property
    def conversion_percent(self) -> str:
        return f"{100 * self.orders / self.clicks:.1f}%" if self.clicks else "—"


@dataclass(frozen=True)
class Day:
    day: date
    clicks: int
    orders: int


def _counts(session: Session, column, value, link_ids) -> dict[int, int]:
    return dict(session.execute(select(column, value).where(column.in_(link_ids)).group_by(column)).all())


def _of(brand_id: int | None) -> tuple:
    return () if brand_id is None else (CreatorCommission.tenant_id == brand_id,)


def credits(session: Session, *conditions) -> list:
    """Each credited brand share: (link, creator, order, revenue now, commission)."""
    active = case((OrderLine.status == LineStatus.ACTIVE.value, OrderLine.quantity * OrderLine.unit_price_cents), else_=0)
    rows = session.execute(
        select(
            CreatorCommission.link_id,
            CreatorCommission.creator_id,
            CreatorCommission.order_id,
            CreatorCommission.commission_bp,
            func.coalesce(func.sum(active), 0).label("revenue"),
        )
        .outerjoin(OrderLine, OrderLine.sub_order_id == CreatorCommission.sub_order_id)
        .where(*conditions)
        .group_by(CreatorCommission.id)
    ).all()
    return [(r.link_id, r.creator_id, r.order_id, int(r.revenue), commission_cents(int(r.revenue), r.commission_bp)) for r in rows]


def link_results(session: Session, link_ids: list[int], *, brand_id: int | None = None) -> dict[int, Results]:
    """Per link. For the creator, orders are those carrying the link and money is every brand's credit;
    for one brand (`brand_id`), only that brand's credited orders and money."""
    results = {link_id: Results() for link_id in link_ids}
    if not link_ids:
        return results
    for link_id, n in _counts(session, LinkClickHour.link_id, func.sum(LinkClickHour.clicks), link_ids).items():
        results[link_id].clicks = int(n or 0)
    for link_id, n in _counts(session, LinkVisitor.link_id, func.count(), link_ids).items():
        results[link_id].visitors = n
    shares = credits(session, CreatorCommission.link_id.in_(link_ids), *_of(brand_id))
    for link_id, _creator, order_id, revenue, commission in shares:
        results[link_id].revenue_cents += revenue
        results[link_id].commission_cents += commission
        results[link_id].order_ids.add(order_id)
    if brand_id is not None:
        for r in results.values():
            r.orders = len(r.order_ids)
    else:
        for link_id, n in _counts(session, Order.creator_link_id, func.count(Order.id), link_ids).items():
            results[link_id].orders = n
    return results


def total(results: dict[int, Results]) -> Results:
    overall = Results()
    for r in results.values():
        overall.clicks += r.clicks
        overall.visitors += r.visitors
        overall.orders += r.orders
        overall.revenue_cents += r.revenue_cents
        overall.commission_cents += r.commission_cents
    return overall


def creator_credits(session: Session, creator_ids: list[int], brand_id: int) -> dict[int, Results]:
    """Orders, revenue and commission one brand credited to each creator (through any link)."""
    results: dict[int, Results] = defaultdict(Results)
    if creator_ids:
        for _link, creator_id, order_id, revenue, commission in credits(
            session, CreatorCommission.creator_id.in_(creator_ids), *_of(brand_id)
        ):
            r = results[creator_id]
            r.revenue_cents += revenue
            r.commission_cents += commission
            r.order_ids.add(order_id)
            r.orders = len(r.order_ids)
    return results


def daily(session: Session, link_id: int, days: int = 14) -> list[Day]:
    """Clicks and orders per day (mall time) for the chart, oldest first, today included."""
    today = to_local(utcnow()).date()
    first = today - timedelta(days=days - 1)
    since = utcnow() - timedelta(days=days + 1)
    clicks: dict[date, int] = defaultdict(int)
    for hour, n in session.execute(
        select(LinkClickHour.hour, LinkClickHour.clicks).where(LinkClickHour.link_id == link_id, LinkClickHour.hour >= since)
    ):
        clicks[to_local(hour).date()] += n
    orders: dict[date, int] = defaultdict(int)
    for (placed,) in session.execute(
        select(Order.created_at).where(Order.creator_link_id == link_id, Order.created_at >= since)
    ):
        orders[to_local(placed).date()] += 1
    return [Day(first + timedelta(days=i), clicks[first + timedelta(days=i)], orders[first + timedelta(days=i)]) for i in range(days)]
