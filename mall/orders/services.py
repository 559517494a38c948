"""A brand's orders after checkout: finding them, and cancelling a line before hand-over."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from mall.clock import utcnow
from mall.fulfilment.jobs import queue_hub_reestimate
from mall.fulfilment.status import cancel_parcels_of_line
from mall.orders.models import LineStatus, Order, OrderLine, PaymentState, ShopperDropUnits, SubOrder
from mall.orders.state import cancel_refusal, line_progress
from mall.stock import ledger
from mall.stock.engine import StockEngine

PAGE_SIZE = 50
NOT_SOLD = (PaymentState.AWAITING_PAYMENT.value, PaymentState.VOID.value)  # a card order not paid: nothing sold


@dataclass(frozen=True)
class Sales:
    orders: int
    units: int
    revenue_cents: int


def sales_between(session: Session, tenant_id: int, start: datetime, end: datetime) -> Sales:
    """A brand's sales placed in [start, end): its sub-orders, and the units and money of their active lines (the
    post-drop report's rule); a card order still waiting for payment, or void, has sold nothing."""
    orders, units, revenue = session.execute(
        select(
            func.count(func.distinct(SubOrder.id)),
            func.coalesce(func.sum(OrderLine.quantity), 0),
            func.coalesce(func.sum(OrderLine.quantity * OrderLine.unit_price_cents), 0),
        )
        .select_from(SubOrder)
        .join(Order, Order.id == SubOrder.order_id)
        .join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
        .where(
            SubOrder.tenant_id == tenant_id, OrderLine.status == LineStatus.ACTIVE.value,
            SubOrder.created_at >= start, SubOrder.created_at < end, Order.payment_state.not_in(NOT_SOLD),
        )
    ).one()
    return Sales(orders, int(units), int(revenue))


def search_sub_orders(
    session: Session, tenant_id: int, text: str = "", status: str = "", drop_id: int | None = None
) -> list[SubOrder]:
    """The brand's newest sub-orders matching the order number, email or name, a line status and a drop."""
    stmt = (
        select(SubOrder)
        .join(Order, Order.id == SubOrder.order_id)
        .where(SubOrder.tenant_id == tenant_id)
        .options(selectinload(SubOrder.order), selectinload(SubOrder.lines))
        .order_by(SubOrder.id.desc())
        .limit(PAGE_SIZE)
    )
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(Order.number.ilike(like), Order.email.ilike(like), Order.shopper_name.ilike(like)))
    if status in (LineStatus.ACTIVE.value, LineStatus.CANCELLED.value):
        stmt = stmt.where(SubOrder.lines.any(OrderLine.status == status))
    if drop_id:
        stmt = stmt.where(SubOrder.lines.any(OrderLine.drop_id == drop_id))
    return session.scalars(stmt).unique().all()


class CancelRefused(Exception):
    """The line can no longer be cancelled (it was handed over): nothing changed."""


def cancel_line(session: Session, engine: StockEngine, line: OrderLine) -> bool:
    """Cancel before hand-over: the units go back on sale exactly once. False when it was already cancelled.

    A card order still waiting for its payment has sold nothing yet: it ends with its payment window (mall/payments).
    """
    if line.sub_order.order.payment_state == PaymentState.AWAITING_PAYMENT:
        return False
    refusal = cancel_refusal(line, line_progress(session, [line.id]).get(line.id))
    if refusal is not None and line.status == LineStatus.ACTIVE.value:
        session.rollback()
        raise CancelRefused(refusal)
    changed = session.execute(
        update(OrderLine)
        .where(OrderLine.id == line.id, OrderLine.status == LineStatus.ACTIVE.value)
        .values(status=LineStatus.CANCELLED.value, cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        session.rollback()
        return False
    ledger.return_sold_units(session, line.variant_id, line.hub_id, line.quantity)
    order = line.sub_order.order
    for shopper_key in (f"cart:{order.cart_token}", f"email:{order.email}"):
        session.execute(
            update(ShopperDropUnits)
            .where(ShopperDropUnits.drop_id == line.drop_id, ShopperDropUnits.shopper_key == shopper_key)
            .values(units=ShopperDropUnits.units - line.quantity)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    engine.units_returned(line.variant_id, line.hub_id, line.quantity)
    engine.cart_units_back(order.cart_token, line.drop_id, line.quantity)
    for hub_id in cancel_parcels_of_line(session, line.id):
        queue_hub_reestimate(hub_id, "Parcels ahead were cancelled")
    return True
