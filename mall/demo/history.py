"""The demo's past drops, played through the mall's own services: holds, checkout, routing, ETAs, the hub's
steps and cancellations. The services stamp the present, so each past drop is opened for a moment with the
clock at the order's minute, and afterwards every stamp of the order moves back by the same amount."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.catalog.models import Variant
from mall.checkout.services import CheckoutDetails, place_order
from mall.clock import utcnow
from mall.demo.stories import CANCELLED, LATE, PART_CANCELLED, PAST_ORDERS, READY, SHOPPERS, WAITING
from mall.drops.models import Drop, DropStatus
from mall.fulfilment import status
from mall.fulfilment.etas import COMMITTED, commit_etas, promise_kept
from mall.fulfilment.models import EtaChange, Parcel, ParcelItem, ParcelStatus
from mall.hubs.models import Hub
from mall.links.models import CreatorCommission
from mall.orders.models import Order, OrderLine, SubOrder
from mall.orders.services import cancel_line
from mall.payments.models import BrandMoneyEntry
from mall.stock.engine import StockEngine

PAYMENT = "pay_on_handover"


@dataclass(frozen=True)
class PastOrder:
    drop: Drop
    number: int  # its place in the drop's list of orders: part of its idempotency key
    shopper: str
    lines: list[tuple[str, int]]
    minute: int
    outcome: str
    via_link: bool

    @property
    def key(self) -> str:
        return demo_order_key(self.drop, self.number)

    @property
    def into_drop(self) -> timedelta:
        return timedelta(minutes=self.minute, seconds=7 * self.number + 11)


def demo_order_key(drop: Drop, number: int) -> str:
    return f"demo-drop{drop.id}-order{number}"


def has_sales(session: Session, drop: Drop) -> bool:
    """A past drop that has orders keeps its window on a later seed: its history happened then."""
    query = select(OrderLine.id).where(OrderLine.drop_id == drop.id).limit(1).execution_options(all_tenants=True)
    return session.scalar(query) is not None


def play_past_drop(session: Session, engine: StockEngine, drop: Drop, link_id=None, on_open=None) -> int:
    """Place the drop's missing demo orders; returns how many were placed. `on_open(drop)` runs once while the
    drop is open (a creator makes a link to it then) and may return the link id the linked orders carry."""
    orders = [PastOrder(drop, n, *spec) for n, spec in enumerate(PAST_ORDERS.get(drop.title, []))]
    missing = [o for o in orders if session.scalar(select(Order.id).where(Order.idempotency_key == o.key)) is None]
    if not missing:
        return 0
    window = (drop.starts_at, drop.ends_at, drop.status)
    placed = 0
    try:
        for order in missing:
            _open_at_minute(session, engine, drop, order.minute)
            if on_open is not None:
                link_id, on_open = on_open(drop), None
            placed += _play(session, engine, order, window[0], link_id if order.via_link else None)
    finally:
        drop.starts_at, drop.ends_at, drop.status = window
        session.commit()
        engine.forget_drop(drop.id)
    return placed


def _open_at_minute(session: Session, engine: StockEngine, drop: Drop, minute: int) -> None:
    length = drop.ends_at - drop.starts_at
    drop.starts_at = utcnow() - timedelta(minutes=minute, seconds=1)
    drop.ends_at = drop.starts_at + length
    drop.status = DropStatus.LIVE.value
    session.commit()
    engine.forget_drop(drop.id)  # the engine reads the drop's window and prices afresh on the next hold


def _play(session: Session, engine: StockEngine, order: PastOrder, real_start: datetime, link_id) -> bool:
    name, email, postcode, pickup_code, address = SHOPPERS[order.shopper]
    cart = order.key.replace("order", "cart")
    ip = f"203.0.113.{10 + list(SHOPPERS).index(order.shopper)}"
    hold_ids = []
    for sku, units in order.lines:
        variant_id = session.scalar(select(Variant.id).where(Variant.tenant_id == order.drop.tenant_id, Variant.sku == sku))
        outcome = engine.place_hold(order.drop.id, variant_id, cart, units, ip=ip)
        if not outcome.ok:  # stock sold by hand since an older seed: this part of the story is skipped
            for hold_id in hold_ids:
                engine.release_hold(cart, hold_id)
            return False
        hold_ids.append(outcome.hold_id)
    pickup = session.scalar(select(Hub.id).where(Hub.code == pickup_code)) if pickup_code else None
    details = CheckoutDetails(name, email, "pickup" if pickup else "delivery", pickup, address, postcode, PAYMENT)
    placed = place_order(session, engine, cart, order.key, details, hold_ids, ip, attributed_link_id=link_id)
    parcels = _parcels(session, placed.id)
    commit_etas(session, [p.id for p in parcels], COMMITTED)  # what the worker would do a moment later
    _fulfil(session, engine, placed, parcels, order.outcome)
    _move_back(session, placed, real_start + order.into_drop - placed.created_at)
    for parcel in _parcels(session, placed.id):
        _stamp_timeline(parcel, order.outcome)
    session.commit()
    return True


def _parcels(session: Session, order_id: int) -> list[Parcel]:
    return list(session.scalars(select(Parcel).where(Parcel.order_id == order_id).order_by(Parcel.id)))


def _fulfil(session: Session, engine: StockEngine, order: Order, parcels: list[Parcel], outcome: str) -> None:
    lines = session.scalars(
        select(OrderLine).join(SubOrder).where(SubOrder.order_id == order.id).order_by(OrderLine.id)
    ).all()
    if outcome in (CANCELLED, PART_CANCELLED):
        for line in lines if outcome == CANCELLED else lines[-1:]:
            cancel_line(session, engine, line)
    if outcome in (WAITING, CANCELLED):
        return
    for parcel in parcels:
        session.refresh(parcel)
        if parcel.status == ParcelStatus.CANCELLED.value:
            continue
        for item in status.active_items(parcel):
            if item.awaiting_transfer:
                status.receive_transfer(session, item)
        status.start_picking(session, parcel)
        status.mark_ready(session, parcel)
        session.refresh(parcel)
        if parcel.status == ParcelStatus.IN_TRANSIT.value:
            status.receive_at_point(session, parcel)
            session.refresh(parcel)
        if outcome != READY:
            status.hand_over(session, parcel)


def _move_back(session: Session, order: Order, delta: timedelta) -> None:
    """Every stamp the services wrote for this order, moved by `delta` (the order happened then)."""
    subs = session.scalars(select(SubOrder).where(SubOrder.order_id == order.id)).all()
    sub_ids = [s.id for s in subs]
    parcels = _parcels(session, order.id)
    parcel_ids = [p.id for p in parcels]
    rows = [order, *subs]
    rows += session.scalars(select(OrderLine).where(OrderLine.sub_order_id.in_(sub_ids))).all()
    rows += parcels
    rows += session.scalars(select(ParcelItem).where(ParcelItem.parcel_id.in_(parcel_ids))).all()
    rows += session.scalars(select(EtaChange).where(EtaChange.parcel_id.in_(parcel_ids))).all()
    rows += session.scalars(select(CreatorCommission).where(CreatorCommission.order_id == order.id)).all()
    rows += session.scalars(select(BrandMoneyEntry).where(BrandMoneyEntry.sub_order_id.in_(sub_ids))).all()
    for row in rows:
        shift_stamps(row, delta)


def shift_stamps(row, delta: timedelta) -> None:
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime):
            setattr(row, column.key, value + delta)


def _stamp_timeline(parcel: Parcel, outcome: str) -> None:
    """The hub's steps took minutes and hours, not the seed's milliseconds: on time, or late against the promise."""
    if parcel.status in (ParcelStatus.ROUTED.value, ParcelStatus.CANCELLED.value):
        return
    created = parcel.created_at
    promised = parcel.committed_eta or created + timedelta(hours=3)
    late = outcome == LATE
    kept = promised + timedelta(minutes=47) if late else created + (promised - created) * 0.8
    picking = created + (kept - created) * 0.3
    ready = created + (kept - created) * 0.7 if parcel.kind == "delivery" else kept
    parcel.picking_at = picking
    if parcel.sent_at is not None:
        parcel.sent_at = picking + (ready - picking) / 2
    parcel.ready_at = ready
    for item in parcel.items:
        if item.received_at is not None:
            item.received_at = picking - timedelta(minutes=5)
    if parcel.handed_over_at is not None:
        parcel.handed_over_at = kept if parcel.kind == "delivery" else kept + timedelta(hours=2, minutes=13)
    if parcel.committed_eta is not None:
        for name, value in promise_kept(parcel, kept).items():
            setattr(parcel, name, value)
