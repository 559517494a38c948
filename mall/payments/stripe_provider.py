"""Stripe through the official library: one hosted Checkout Session per mall order (one payment for a cross-brand
cart), webhooks verified with the signing secret, refunds through the API. Keys come from the environment.

STRIPE_API_BASE (normally unset) is the library's public `base_addresses` switch: the tests point it at recorded
Stripe API responses, so no test touches the network."""

import stripe
from flask import current_app

from mall.payments.providers import (
    BadNotification,
    Notification,
    ProviderUnavailable,
    Started,
)

# Stripe event type -> what the mall does with it
EVENT_KINDS = {
    "checkout.session.completed": "succeeded",
    "checkout.session.async_payment_succeeded": "succeeded",
    "checkout.session.async_payment_failed": "failed",
    "checkout.session.expired": "expired",
    "payment_intent.payment_failed": "failed",
}


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE") or None
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"], base_addresses={"api": base} if base else None, max_network_retries=2
    )


class StripeCheckout:
    code = "stripe"
    label = "Card (Stripe)"
    takes_payment_first = True

    def available(self) -> bool:
        config = current_app.config
        return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))

    def start(self, payment, success_url: str, cancel_url: str) -> Started:
        order = payment.order
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": payment.currency,
                        "unit_amount": payment.amount_cents,
                        "product_data": {"name": f"Flashmall order {order.number}"},
                    },
                }
            ],
            "customer_email": order.email,
            "client_reference_id": order.number,
            "metadata": {"order": order.number, "payment": str(payment.id)},
            "payment_intent_data": {"metadata": {"order": order.number, "payment": str(payment.id)}},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        try:
            session = _client().v1.checkout.sessions.create(params, {"idempotency_key": f"fm-payment-{payment.id}"})
        except stripe.StripeError as error:
            raise ProviderUnavailable(str(error)) from error
        return Started(session.id, session.url, session.payment_intent or "")

    def read_notification(self, body: bytes, headers) -> Notification:
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature", ""), current_app.config.get("STRIPE_WEBHOOK_SECRET", "")
            )
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise BadNotification("The Stripe event's signature or body is not valid.") from error
        kind = EVENT_KINDS.get(event.type, "ignored")
        data = event.data.object.to_dict()
        if event.type.startswith("checkout.session."):
            if event.type == "checkout.session.completed" and data.get("payment_status") not in ("paid", "no_payment_required"):
                kind = "ignored"  # a delayed payment method: async_payment_succeeded follows
            return Notification(event.id, kind, session_id=data.get("id") or "", payment_ref=data.get("payment_intent") or "")
        metadata = data.get("metadata") or {}
        session_id = _session_of_payment(metadata.get("payment", "")) if kind != "ignored" else ""
        return Notification(event.id, kind, session_id=session_id, payment_ref=data.get("id") or "")

    def refund(self, payment, amount_cents: int) -> str:
        try:
            refund = _client().v1.refunds.create(
                {"payment_intent": payment.provider_payment_id, "amount": amount_cents},
                {"idempotency_key": f"fm-refund-{payment.id}-{payment.refunded_cents}-{amount_cents}"},
            )
        except stripe.StripeError as error:
            raise ProviderUnavailable(str(error)) from error
        return refund.id

    def cancel(self, payment) -> None:
        try:
            _client().v1.checkout.sessions.expire(payment.provider_session_id)
        except stripe.StripeError:
            current_app.logger.info("Stripe session %s could not be expired (already complete?)", payment.provider_session_id)

    def state(self, payment) -> str:
        try:
            session = _client().v1.checkout.sessions.retrieve(payment.provider_session_id)
        except stripe.StripeError as error:
            raise ProviderUnavailable(str(error)) from error
        return f"{session.status} / {session.payment_status}"


def _session_of_payment(payment_id: str) -> str:
    """A payment_intent event names no Checkout Session: the mall's payment id in its metadata leads to it."""
    from mall.extensions import db
    from mall.payments.models import Payment

    if not payment_id.isdigit():
        return ""
    payment = db.session.get(Payment, int(payment_id))
    return payment.provider_session_id or "" if payment is not None and payment.provider == StripeCheckout.code else ""
