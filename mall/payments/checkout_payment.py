"""The shopper's side of a card payment: where to pay, what the order page says, and giving up on a payment."""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.orders.models import Order
from mall.payments import settlement
from mall.payments.models import Payment, PaymentStatus
from mall.payments.providers import ProviderUnavailable, provider
from mall.stock.engine import StockEngine
from mall.templating import money
from mall.urls import external_url


def payment_for(session: Session, order: Order) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.order_id == order.id))


def payment_page_url(session: Session, order: Order) -> str:
    """The provider's hosted page for this order's payment, opened once; the order page if it cannot be paid now."""
    order_page = url_for("checkout.track", token=order.tracking_token)
    payment = session.scalar(
        select(Payment).where(Payment.order_id == order.id).with_for_update().execution_options(populate_existing=True)
    )
    if payment is None or not payment.can_pay_now:
        session.commit()
        return order_page
    if not payment.redirect_url:
        back = external_url("checkout.track", token=order.tracking_token)
        try:
            started = provider(payment.provider).start(payment, success_url=back, cancel_url=back)
        except ProviderUnavailable:
            session.rollback()
            return order_page  # the order page offers "Continue to payment" to try again
        payment.provider_session_id, payment.redirect_url = started.session_id, started.redirect_url
        payment.provider_payment_id = started.payment_ref
    session.commit()
    return payment.redirect_url


def give_up_payment(session: Session, engine: StockEngine, order: Order) -> bool:
    """The shopper cancels an unpaid order: the provider's page is closed and the held units go back on sale."""
    payment = session.scalar(
        select(Payment).where(Payment.order_id == order.id).with_for_update().execution_options(populate_existing=True)
    )
    if payment is None or not payment.is_open:
        session.commit()
        return False
    if payment.provider_session_id:
        provider(payment.provider).cancel(payment)
    return settlement.close_window(session, engine, payment) == "expired"


@dataclass(frozen=True)
class PaymentLine:
    """One sentence about an order's payment, for the order page and the tracking page."""

    text: str
    state: str  # awaiting / paid / declined / cancelled / refunded / on_handover
    pay_until: datetime | None = None  # while the window is open: the countdown's end


def payment_line(session: Session, order: Order) -> PaymentLine:
    payment = payment_for(session, order)
    if payment is None:
        where = "at pickup" if order.fulfilment == "pickup" else "on delivery"
        return PaymentLine(f"pay {where}.", "on_handover")
    if payment.is_open and not payment.can_pay_now:
        return PaymentLine("The time to pay ran out — nothing was charged, and the items are going back on sale.", "cancelled")
    if payment.is_open:
        text = "Your card was declined — try again or use another card." if payment.state == PaymentStatus.FAILED else "Waiting for your card payment."
        return PaymentLine(text, "declined" if payment.state == PaymentStatus.FAILED else "awaiting", payment.window_closes_at)
    if payment.state == PaymentStatus.SUCCEEDED:
        return PaymentLine("Paid by card.", "paid")
    if payment.state == PaymentStatus.PARTLY_REFUNDED:
        return PaymentLine(f"Paid by card; {money(payment.refunded_cents)} refunded.", "paid")
    if payment.state == PaymentStatus.REFUNDED:
        return PaymentLine(f"Refunded in full ({money(payment.refunded_cents)}) to your card.", "refunded")
    return PaymentLine("Payment not completed — nothing was charged, and the items went back on sale.", "cancelled")
