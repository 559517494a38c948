"""Refunds a person decides on (from a support thread): the card provider gives the money back first."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.payments.models import Payment, PaymentStatus
from mall.payments.providers import ProviderUnavailable, provider


class RefundRefused(Exception):
    pass


def refund_card_payment(session: Session, order_id: int, amount_cents: int) -> Payment | None:
    """Refund part or all of an order's card payment through its provider; None when the order was not paid by
    card (pay on hand-over: the refund is settled at the counter). Raises RefundRefused; the caller commits."""
    payment = session.scalar(
        select(Payment).where(Payment.order_id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if payment is None:
        return None
    if payment.state not in (PaymentStatus.SUCCEEDED.value, PaymentStatus.PARTLY_REFUNDED.value):
        raise RefundRefused("This order's card payment did not go through, so there is nothing to refund.")
    if amount_cents > payment.amount_cents - payment.refunded_cents:
        raise RefundRefused("That is more than is left of the card payment.")
    try:
        provider(payment.provider).refund(payment, amount_cents)
    except ProviderUnavailable as error:
        raise RefundRefused("The card provider could not be reached; nothing was refunded. Try again.") from error
    payment.refunded_cents += amount_cents
    full = payment.refunded_cents == payment.amount_cents
    payment.state = (PaymentStatus.REFUNDED if full else PaymentStatus.PARTLY_REFUNDED).value
    return payment
