"""The post-drop report: what a drop did, built once it is over, stored as JSON (see jobs.py).

Definitions (each is also said on the page):
- the window is [starts_at, ends_at); drop views count inside it, holds can only happen inside it;
- an order of the drop has at least one line of it; each line is one hold that was checked out;
- units and revenue count active lines; cancelled lines are reported on their own;
- a line's tier is the tier whose price it was sold at (the price was fixed when the hold was placed);
- fulfilment compares, per parcel with the drop's items, the moment the promise was kept (ready at the
  pickup point, or handed over at the door) with its committed ETA, both from the order's placing;
- support covers the brand's threads opened about an order of the drop;
- a repeat buyer bought (an active line) in a drop of any brand that started after this drop ended;
- a draw's entrants are its confirmed entries; its buyers, the winners who bought; a backfill, a win passed on from
  a winner who did not buy in time.
"""

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.admission.services import line_figures
from mall.catalog.models import Variant
from mall.draw.services import draw_figures
from mall.drops.models import Drop
from mall.drops.pricing import discounted, tier_windows
from mall.drops.stock import drop_availability
from mall.extensions import redis_client
from mall.fulfilment.models import Parcel, ParcelItem
from mall.monitor import queries
from mall.monitor.activity_log import stored_minutes
from mall.orders.models import LineStatus, Order, OrderLine, SubOrder
from mall.stock.access import stock_engine
from mall.templating import local_time
from tenants.models import Tenant

VERSION = 2  # 2: units as free / held / sold (the stock engine's figures)


def build_report(session: Session, drop: Drop, now: datetime) -> dict:
    lines = _lines(session, drop.id)
    minutes = _minutes(session, drop, lines)
    in_window = [m for m in minutes if datetime.fromisoformat(m["minute"]) < drop.ends_at]
    revenue = sum(line.quantity * line.unit_price_cents for line in lines if line.status == LineStatus.ACTIVE.value)
    return {
        "version": VERSION,
        "built_at": now.isoformat(),
        "drop": {
            "id": drop.id, "title": drop.title, "starts_at": drop.starts_at.isoformat(),
            "ends_at": drop.ends_at.isoformat(), "hold_minutes": drop.hold_minutes,
        },
        "funnel": {
            "views": sum(m["views"] for m in in_window),
            "holds": sum(m["holds"] for m in minutes),
            "held_units": sum(m["held_units"] for m in minutes),
            "expired": sum(m["expired"] for m in minutes),
            "released": sum(m["released"] for m in minutes),
            "checked_out": len(lines),
            "orders": len({line.order_id for line in lines}),
        },
        "units": _units(session, drop, lines),
        "revenue_cents": revenue,
        "tiers": _tiers(session, drop, lines),
        "fulfilment": _fulfilment(session, drop.id),
        "support": _support(session, drop),
        "creators": _creators(session, drop, revenue),
        "repeat_buyers": _repeat_buyers(session, drop, lines),
        "draw": draw_figures(session, drop),  # entrants vs buyers and backfills, for a drop sold by draw
        "line": line_figures(redis_client(), drop),  # how long people waited, if the drop had a line
        "minutes": minutes,
    }


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def rates(data: dict) -> dict[str, str]:
    """The report's ratios, from its stored counts (the page and the CSV say the same)."""
    funnel, creators = data["funnel"], data["creators"]
    fulfilment, repeat = data["fulfilment"], data["repeat_buyers"]
    return {
        "orders_per_view": percent(funnel["orders"], funnel["views"]),
        "holds_per_view": percent(funnel["holds"], funnel["views"]),
        "orders_per_hold": percent(funnel["orders"], funnel["holds"]),
        "holds_checked_out": percent(funnel["checked_out"], funnel["holds"]),
        "holds_expired": percent(funnel["expired"], funnel["holds"]),
        "creator_orders": percent(creators["orders"], funnel["orders"]),
        "creator_revenue": percent(creators["revenue_cents"], data["revenue_cents"]),
        "on_time": percent(fulfilment["on_time"], fulfilment["kept"]),
        "repeat_buyers": percent(repeat["repeat_buyers"], repeat["shoppers"]),
    }


def _lines(session: Session, drop_id: int) -> list:
    return session.execute(
        select(
            OrderLine.id, OrderLine.quantity, OrderLine.unit_price_cents, OrderLine.status, OrderLine.variant_id,
            OrderLine.hub_id, Order.id.label("order_id"), Order.email, Order.created_at,
        )
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .join(Order, Order.id == SubOrder.order_id)
        .where(OrderLine.drop_id == drop_id)
        .order_by(OrderLine.id)
    ).all()


def _minutes(session: Session, drop: Drop, lines: list) -> list[dict]:
    """Each minute from the start until the last hold could have run out: activity and orders placed."""
    end = drop.ends_at + timedelta(minutes=drop.hold_minutes)
    orders: dict[datetime, set] = defaultdict(set)
    for line in lines:
        orders[line.created_at.replace(second=0, microsecond=0)].add(line.order_id)
    return [
        {
            "minute": minute.isoformat(), "label": local_time(minute, "%H:%M"), "views": c.views, "holds": c.holds,
            "held_units": c.held_units, "expired": c.expired, "released": c.released, "orders": len(orders[minute]),
        }
        for minute, c in stored_minutes(session, drop.id, drop.starts_at, end)
    ]


def _units(session: Session, drop: Drop, lines: list) -> dict:
    """The hero variants' units per active hub and in all, as the stock engine counts them (on hand = free + held +
    sold, sold over every drop and order), beside the units sold in this drop (active lines) and cancelled."""
    sold_here = defaultdict(int)
    cancelled = 0
    for line in lines:
        if line.status == LineStatus.ACTIVE.value:
            sold_here[line.hub_id] += line.quantity
        else:
            cancelled += line.quantity
    stock = drop_availability(session, stock_engine(), drop.id)
    hubs = [
        {"hub": h.name, "on_hand": h.on_hand, "free": h.free, "held": h.held, "sold": h.sold,
         "sold_in_drop": sold_here[h.hub_id]}
        for h in sorted(stock.hubs, key=lambda h: h.name)
    ]
    return {
        "sold": sum(sold_here.values()),
        "cancelled": cancelled,
        "on_hand": stock.total.on_hand,
        "free": stock.total.free,
        "held": stock.total.held,
        "sold_all": stock.total.sold,
        "hubs": hubs,
    }


def _tiers(session: Session, drop: Drop, lines: list) -> list[dict]:
    windows = tier_windows(drop)
    variant_ids = {line.variant_id for line in lines}
    prices = dict(session.execute(select(Variant.id, Variant.price_cents).where(Variant.id.in_(variant_ids))).all())
    rows = [
        {"label": f"{w.percent_off}% off, {local_time(w.starts_at, '%H:%M')}–{local_time(w.ends_at, '%H:%M')}",
         "percent_off": w.percent_off, "units": 0, "revenue_cents": 0, "cancelled_units": 0, "cancelled_revenue_cents": 0}
        for w in windows
    ]
    extra: dict[str, dict] = {}
    for line in lines:
        index = _tier_index(windows, prices.get(line.variant_id), line)
        if index is None:
            label = "List price" if line.unit_price_cents == prices.get(line.variant_id) else "Other price"
            row = extra.setdefault(label, {"label": label, "percent_off": None, "units": 0, "revenue_cents": 0,
                                           "cancelled_units": 0, "cancelled_revenue_cents": 0})
        else:
            row = rows[index]
        prefix = "" if line.status == LineStatus.ACTIVE.value else "cancelled_"
        row[prefix + "units"] += line.quantity
        row[prefix + "revenue_cents"] += line.quantity * line.unit_price_cents
    return rows + list(extra.values())


def _tier_index(windows, list_price: int | None, line) -> int | None:
    """The tier the line's price belongs to; by the time of the order when prices cannot tell (a price edit)."""
    if list_price is not None:
        for i, w in enumerate(windows):
            if discounted(list_price, w.percent_off) == line.unit_price_cents:
                return i
        if line.unit_price_cents == list_price:
            return None
    for i, w in enumerate(windows):
        if w.starts_at <= line.created_at < w.ends_at:
            return i
    return None


def _fulfilment(session: Session, drop_id: int) -> dict:
    with_drop_items = (
        select(ParcelItem.parcel_id)
        .join(OrderLine, OrderLine.id == ParcelItem.order_line_id)
        .where(OrderLine.drop_id == drop_id, OrderLine.status == LineStatus.ACTIVE.value)
    )
    parcels = session.execute(
        select(Parcel.committed_eta, Parcel.promise_kept_at, Parcel.ready_at, Parcel.handed_over_at, Order.created_at)
        .join(Order, Order.id == Parcel.order_id)
        .where(Parcel.id.in_(with_drop_items))
    ).all()
    kept = []
    for p in parcels:
        done = p.promise_kept_at or p.handed_over_at
        if done is not None and p.committed_eta is not None:
            kept.append((_minutes_between(p.created_at, done), _minutes_between(p.created_at, p.committed_eta)))
    return {
        "parcels": len(parcels),
        "kept": len(kept),
        "waiting": len(parcels) - len(kept),
        "avg_actual_minutes": _mean([actual for actual, _ in kept]),
        "avg_committed_minutes": _mean([committed for _, committed in kept]),
        "avg_late_minutes": _mean([actual - committed for actual, committed in kept]),
        "on_time": sum(1 for actual, committed in kept if actual <= committed),
    }


def _support(session: Session, drop: Drop) -> dict:
    threads = queries.threads_about(session, drop.tenant_id, drop.id)
    first = [_minutes_between(t.created_at, t.first_responded_at) for t in threads if t.first_responded_at]
    resolved = [_minutes_between(t.created_at, t.resolved_at) for t in threads if t.resolved_at]
    return {
        "threads": len(threads),
        "answered": len(first),
        "resolved": len(resolved),
        "breached": sum(1 for t in threads if t.first_response_breached_at or t.resolution_breached_at),
        "avg_first_response_minutes": _mean(first),
        "median_first_response_minutes": _median(first),
        "avg_resolution_minutes": _mean(resolved),
        "median_resolution_minutes": _median(resolved),
    }


def _creators(session: Session, drop: Drop, revenue: int) -> dict:
    links = [vars(r) for r in queries.link_results(session, drop.tenant_id, drop.id)]
    return {
        "orders": sum(link["orders"] for link in links),
        "revenue_cents": sum(link["revenue_cents"] for link in links),
        "commission_cents": sum(link["commission_cents"] for link in links),
        "links": links,
    }


def _repeat_buyers(session: Session, drop: Drop, lines: list) -> dict:
    shoppers = {line.email for line in lines if line.status == LineStatus.ACTIVE.value}
    rows = session.execute(
        select(Tenant.name, Order.email, Order.id)
        .select_from(OrderLine)
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .join(Order, Order.id == SubOrder.order_id)
        .join(Drop, Drop.id == OrderLine.drop_id)
        .join(Tenant, Tenant.id == Drop.tenant_id)
        .where(
            OrderLine.status == LineStatus.ACTIVE.value,
            Drop.starts_at >= drop.ends_at,
            Order.email.in_(_shopper_emails(drop.id)),
        )
        .execution_options(all_tenants=True)  # later drops of every brand in the mall
    ).all()
    buyers: dict[str, set] = defaultdict(set)
    orders: dict[str, set] = defaultdict(set)
    for brand, email, order_id in rows:
        buyers[brand].add(email)
        orders[brand].add(order_id)
    return {
        "shoppers": len(shoppers),
        "repeat_buyers": len({email for _, email, _ in rows}),
        "by_brand": [
            {"brand": brand, "buyers": len(buyers[brand]), "orders": len(orders[brand])}
            for brand in sorted(buyers, key=lambda b: (-len(buyers[b]), b))
        ],
    }


def _shopper_emails(drop_id: int):
    return (
        select(Order.email)
        .join(SubOrder, SubOrder.order_id == Order.id)
        .join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
        .where(OrderLine.drop_id == drop_id, OrderLine.status == LineStatus.ACTIVE.value)
    )


def _minutes_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None
