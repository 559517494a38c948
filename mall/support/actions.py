"""What an agent can do to the order from a thread: cancel a line, record a refund or a store credit."""

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.orders.models import Order, OrderLine, PaymentState, SubOrder
from mall.orders.services import cancel_line
from mall.payments.brand_money import record_refund
from mall.payments.refunds import RefundRefused, refund_card_payment
from mall.stock.engine import StockEngine
from mall.support.models import Compensation, CompensationKind, SupportThread
from mall.support.services import SupportRuleBroken, add_event
from mall.templating import money

_CLOSED_PAYMENTS = (PaymentState.REFUNDED.value, PaymentState.VOID.value)


def cancel_line_from_thread(
    session: Session, engine: StockEngine, thread: SupportThread, line: OrderLine, author: User
) -> bool:
    """The stock engine returns the units exactly once; the event is written in the same transaction."""
    if thread.sub_order_id is None or line.sub_order_id != thread.sub_order_id:
        raise SupportRuleBroken("That line is not part of this conversation's order.")
    add_event(session, thread, author, f"Cancelled {line.quantity} × {line.variant.label}; the units are back on sale.")
    # cancel_line commits the pending event with the cancellation, or rolls both back if it was already cancelled.
    return cancel_line(session, engine, line)


def record_compensation(
    session: Session, thread: SupportThread, author: User, kind: str, amount_cents: int, reason: str
) -> Compensation:
    """Refunds and credits each stay within the brand's share of the order."""
    if thread.sub_order_id is None:
        raise SupportRuleBroken("This conversation is not about an order.")
    sub_order = session.scalar(select(SubOrder).where(SubOrder.id == thread.sub_order_id).with_for_update())
    order = sub_order.order
    kind = CompensationKind(kind)
    if kind == CompensationKind.REFUND and order.payment_state in _CLOSED_PAYMENTS:
        raise SupportRuleBroken(f"This order is already {order.payment_state}; there is nothing left to refund.")
    left = sub_order.subtotal_cents - _recorded(session, sub_order.id, kind)
    if amount_cents > left:
        what = "refund" if kind == CompensationKind.REFUND else "give as store credit"
        raise SupportRuleBroken(f"That is more than the {money(left)} left to {what} on this order.")
    if kind == CompensationKind.REFUND:
        try:  # a card payment gives the money back through its provider before anything is recorded
            refund_card_payment(session, order.id, amount_cents)
        except RefundRefused as error:
            session.rollback()
            raise SupportRuleBroken(str(error)) from error
        record_refund(session, sub_order, amount_cents)
    compensation = Compensation(
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        sub_order_id=sub_order.id,
        kind=kind.value,
        amount_cents=amount_cents,
        reason=reason,
        recorded_by_id=author.id,
    )
    session.add(compensation)
    add_event(session, thread, author, f"{compensation.kind_label} of {money(amount_cents)} recorded. Reason: {reason}")
    if kind == CompensationKind.REFUND:
        session.flush()
        _mark_order_refunded_when_complete(session, order)
    session.commit()
    return compensation


def compensations_for(session: Session, thread: SupportThread) -> list[Compensation]:
    if thread.sub_order_id is None:
        return []
    return list(
        session.scalars(
            select(Compensation).where(Compensation.sub_order_id == thread.sub_order_id).order_by(Compensation.id)
        )
    )


def _recorded(session: Session, sub_order_id: int, kind: CompensationKind) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(Compensation.amount_cents), 0)).where(
            Compensation.sub_order_id == sub_order_id, Compensation.kind == kind.value
        )
    )


def _mark_order_refunded_when_complete(session: Session, order: Order) -> None:
    # Every brand's refunds count towards the whole order; only the total is read across brands.
    refunded = session.scalar(
        select(func.coalesce(func.sum(Compensation.amount_cents), 0))
        .join(SubOrder, SubOrder.id == Compensation.sub_order_id)
        .where(SubOrder.order_id == order.id, Compensation.kind == CompensationKind.REFUND.value)
        .execution_options(all_tenants=True)
    )
    if order.total_cents > 0 and refunded >= order.total_cents:
        session.execute(
            update(Order).where(Order.id == order.id).values(payment_state=PaymentState.REFUNDED.value)
            .execution_options(synchronize_session=False)
        )
