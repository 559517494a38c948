"""What a payment's outcome does to its order and its held units. Every notification, whichever provider sent it,
is applied here once (by event id), in any order: a success sells the units in the same transaction that confirms
the order; a closed window releases the holds; a success too late for the stock is refunded, never oversold."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.checkout import services as checkout
from mall.clock import utcnow
from mall.draw.drawing import wins_bought
from mall.orders.models import LineStatus, Order, OrderLine, PaymentState, SubOrder
from mall.payments import emails
from mall.payments.models import OPEN_STATUSES, Payment, PaymentEvent, PaymentStatus
from mall.payments.providers import BadNotification, Notification, provider
from mall.stock.engine import StockEngine
from mall.stock.replies import Taken


def receive_notification(session: Session, engine: StockEngine, provider_code: str, body: bytes, headers) -> str:
    """The webhook's work, for every provider (the test provider's page calls it too). Raises BadNotification."""
    chosen = provider(provider_code)
    if chosen is None or not chosen.takes_payment_first or not chosen.available():
        raise BadNotification("No such payment provider.")  # unconfigured: no secret, so nothing it sends is trusted
    return apply_notification(session, engine, provider_code, chosen.read_notification(body, headers))


def apply_notification(session: Session, engine: StockEngine, provider_code: str, note: Notification) -> str:
    """Apply one verified event exactly once; returns what happened, in words for the event log."""
    event = PaymentEvent(provider=provider_code, event_id=note.event_id, kind=note.kind)
    session.add(event)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return "duplicate"
    payment = _locked_payment(session, provider_code, note)
    if payment is None or note.kind == "ignored":
        event.outcome = "ignored"
        session.commit()
        return event.outcome
    event.payment_id = payment.id
    if note.payment_ref:
        payment.provider_payment_id = note.payment_ref
    if note.kind == "succeeded":
        return payment_succeeded(session, engine, payment, event)
    if note.kind == "failed":
        if payment.state == PaymentStatus.PENDING:
            payment.state = PaymentStatus.FAILED.value
        event.outcome = "declined"
        session.commit()
        return event.outcome
    event.outcome = close_window(session, engine, payment)
    return event.outcome


def _locked_payment(session: Session, provider_code: str, note: Notification) -> Payment | None:
    if not note.session_id:
        return None
    return session.scalar(
        select(Payment)
        .where(Payment.provider == provider_code, Payment.provider_session_id == note.session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def payment_succeeded(session: Session, engine: StockEngine, payment: Payment, event: PaymentEvent | None = None) -> str:
    if payment.state not in (*OPEN_STATUSES, PaymentStatus.EXPIRED.value):
        outcome = "already settled"
        if event is not None:
            event.outcome = outcome
        session.commit()
        return outcome
    order = session.get(Order, payment.order_id)
    holds = payment.holds
    intact = not payment.window_closed and engine.claimed_by(payment.checkout_key, holds) == holds
    taken: list[tuple[int, int, int]] = []
    payment_ref = payment.provider_payment_id  # from this event: a rollback below must not lose what to refund
    try:
        if not intact:
            taken = _take_units_again(session, engine, payment, order)
        parcel_ids = checkout.confirm_paid_order(session, order)
        wins_bought(session, holds)  # a draw's win paid by card is bought now
    except checkout.CheckoutError:
        session.rollback()
        for variant_id, hub_id, quantity in taken:
            engine.units_returned(variant_id, hub_id, quantity)
        return _refund_unsellable(session, engine, payment, event, payment_ref)
    order.payment_state = PaymentState.PAID.value
    payment.state = PaymentStatus.SUCCEEDED.value
    payment.window_closed = True
    if event is not None:
        event.outcome = "confirmed" if intact else "confirmed late"
    session.commit()
    if intact:
        engine.finalize(payment.checkout_key, holds)
    checkout.order_confirmed(order, parcel_ids)
    return "confirmed" if intact else "confirmed late"


def _take_units_again(session: Session, engine: StockEngine, payment: Payment, order: Order) -> list[tuple[int, int, int]]:
    """The holds are gone (window closed, or Redis lost them): buy the units again from those nobody holds."""
    engine.release_claimed(payment.checkout_key, payment.holds)
    if payment.window_closed:
        _reopen_lines(session, order)
        checkout.count_again_towards_limits(session, order)
    taken = []
    for line in _lines(session, order, LineStatus.ACTIVE.value):
        answer = engine.take_available(line.variant_id, line.hub_id, line.quantity)
        if answer == Taken.NOT_ENOUGH:
            for variant_id, hub_id, quantity in taken:
                engine.units_returned(variant_id, hub_id, quantity)
            raise checkout.CheckoutError("The units were sold to someone else meanwhile.", 409)
        if answer == Taken.TAKEN:  # not loaded in Redis: the database's conditional write alone decides
            taken.append((line.variant_id, line.hub_id, line.quantity))
    return taken


def _refund_unsellable(
    session: Session, engine: StockEngine, payment: Payment, event: PaymentEvent | None, payment_ref: str
) -> str:
    """Paid, but the stock is gone: the whole payment goes back, with an apology. The event is recorded again
    because the failed sale's rollback took it away."""
    if event is not None:
        event = PaymentEvent(provider=event.provider, event_id=event.event_id, kind=event.kind, payment_id=payment.id)
        session.add(event)
    payment = session.scalar(
        select(Payment).where(Payment.id == payment.id).with_for_update().execution_options(populate_existing=True)
    )
    if payment.state not in (*OPEN_STATUSES, PaymentStatus.EXPIRED.value):
        session.commit()
        return "already settled"
    order = session.get(Order, payment.order_id)
    payment.provider_payment_id = payment_ref or payment.provider_payment_id
    engine.release_claimed(payment.checkout_key, payment.holds)
    provider(payment.provider).refund(payment, payment.amount_cents)  # ProviderUnavailable: nothing is recorded
    if not payment.window_closed:
        checkout.uncount_towards_limits(session, order)
        _cancel_lines(session, order)
    payment.state = PaymentStatus.REFUNDED.value
    payment.refunded_cents = payment.amount_cents
    payment.window_closed = True
    order.payment_state = PaymentState.REFUNDED.value
    session.add(emails.apology(order))
    if event is not None:
        event.outcome = "refunded: sold out"
    session.commit()
    emails.send(emails.apology_key(order))
    return "refunded: sold out"


def close_window(session: Session, engine: StockEngine, payment: Payment) -> str:
    """The payment ended unpaid (expired, cancelled, abandoned): the order is void and the holds are released."""
    if payment.state not in OPEN_STATUSES:
        session.commit()
        return "already settled"
    order = session.get(Order, payment.order_id)
    payment.state = PaymentStatus.EXPIRED.value
    payment.window_closed = True
    if order.payment_state == PaymentState.AWAITING_PAYMENT:
        order.payment_state = PaymentState.VOID.value
        checkout.uncount_towards_limits(session, order)
        _cancel_lines(session, order)
    session.commit()
    engine.release_claimed(payment.checkout_key, payment.holds)
    return "expired"


def close_overdue_windows(session: Session, engine: StockEngine, *, now=None) -> int:
    """The sweep: each payment window past its end is closed at the provider and here; its units go back on sale."""
    overdue = session.scalars(
        select(Payment.id).where(
            Payment.window_closed.is_(False),
            Payment.state.in_(OPEN_STATUSES),
            Payment.window_closes_at <= (now or utcnow()),
        )
    ).all()
    for payment_id in overdue:
        payment = session.scalar(
            select(Payment).where(Payment.id == payment_id).with_for_update().execution_options(populate_existing=True)
        )
        if payment.provider_session_id:
            provider(payment.provider).cancel(payment)
        close_window(session, engine, payment)
    return len(overdue)


def settle_stale_claims(session: Session, engine: StockEngine, order: Order, hold_ids: list[str]) -> None:
    """Holds found claimed long after checkout: inside an open payment window they wait; otherwise they follow
    the payment's outcome."""
    payment = session.scalar(select(Payment).where(Payment.order_id == order.id))
    if payment is None or payment.state == PaymentStatus.SUCCEEDED:
        engine.finalize(order.idempotency_key, hold_ids)
    elif payment.window_closed or payment.state not in OPEN_STATUSES:
        engine.release_claimed(order.idempotency_key, hold_ids)


def _lines(session: Session, order: Order, status: str) -> list[OrderLine]:
    return list(
        session.scalars(
            select(OrderLine)
            .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
            .where(SubOrder.order_id == order.id, OrderLine.status == status)
            .order_by(OrderLine.id)
            .execution_options(all_tenants=True)
        )
    )


def _cancel_lines(session: Session, order: Order) -> None:
    for line in _lines(session, order, LineStatus.ACTIVE.value):
        line.status, line.cancelled_at = LineStatus.CANCELLED.value, utcnow()


def _reopen_lines(session: Session, order: Order) -> None:
    for line in _lines(session, order, LineStatus.CANCELLED.value):
        line.status, line.cancelled_at = LineStatus.ACTIVE.value, None
