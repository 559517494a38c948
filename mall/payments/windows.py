"""The payment window: a card order's claimed holds stay locked into its checkout until the payment ends or
the window closes. Opened by checkout inside the order's own transaction."""

from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from mall.clock import utcnow
from mall.payments.models import Payment


def window_minutes() -> int:
    return int(current_app.config.get("PAYMENT_WINDOW_MINUTES", 10))


def open_payment_window(session: Session, order, checkout_key: str, hold_ids: list[str]) -> Payment:
    payment = Payment(
        order_id=order.id,
        provider=order.payment_provider,
        amount_cents=order.total_cents,
        currency=current_app.config.get("PAYMENT_CURRENCY", "gbp"),
        checkout_key=checkout_key,
        hold_ids=",".join(hold_ids),
        window_closes_at=utcnow() + timedelta(minutes=window_minutes()),
    )
    session.add(payment)
    session.flush()
    return payment
