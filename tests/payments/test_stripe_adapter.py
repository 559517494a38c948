"""The Stripe adapter without network: the official library's API base (its public `base_addresses` switch) points
at a local server answering with recorded Stripe API responses, and webhook payloads are signed with a test
secret and verified by the library's own Webhook.construct_event."""

import hashlib
import hmac
import json
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from mall.extensions import db
from mall.orders.models import Order
from mall.outbox.models import OutboxEmail
from mall.payments.models import Payment, PaymentEvent, PaymentSettings
from tests.payments.conftest import books_balance, stock_row

RECORDED = Path(__file__).with_name("stripe_recorded")
WEBHOOK_SECRET = "whsec_test_flashmall"
SESSION_ID = "cs_test_a1Flashmall0000000000000000000000000000000000000000"


class RecordedStripe:
    """Answers the API calls the adapter makes with responses recorded from Stripe's test mode."""

    ROUTES: ClassVar[dict[tuple[str, str], str]] = {
        ("POST", "/v1/checkout/sessions"): "checkout_session_created.json",
        ("POST", f"/v1/checkout/sessions/{SESSION_ID}/expire"): "checkout_session_expired.json",
        ("POST", "/v1/refunds"): "refund_created.json",
    }

    def __init__(self):
        self.calls: list[tuple[str, str, dict]] = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.calls.append((request.method, request.path, request.form.to_dict()))
        name = self.ROUTES.get((request.method, request.path))
        if name is None:
            body = {"error": {"type": "invalid_request_error", "message": f"Unrecorded {request.path}"}}
            return Response(json.dumps(body), 404, content_type="application/json")(environ, start_response)
        return Response((RECORDED / name).read_text(), 200, content_type="application/json")(environ, start_response)


@pytest.fixture
def stripe_api(app, monkeypatch):
    recorded = RecordedStripe()
    server = make_server("127.0.0.1", 0, recorded, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for key, value in {
        "STRIPE_SECRET_KEY": "sk_test_flashmall",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": f"http://127.0.0.1:{server.server_port}",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    yield recorded
    server.shutdown()


@pytest.fixture
def stripe_offered(app_ctx):
    db.session.add(PaymentSettings(offered="pay_on_handover,stripe", mall_fee_bp=0))
    db.session.commit()


def signed(event_name: str, payment_id: int, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict]:
    """A recorded event for this payment, signed as Stripe signs: HMAC-SHA256 of "<timestamp>.<payload>"."""
    event = json.loads((RECORDED / f"event_{event_name}.json").read_text())
    event["data"]["object"]["metadata"]["payment"] = str(payment_id)
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, {"Stripe-Signature": f"t={timestamp},v1={digest}"}


def post_event(client, event_name, payment_id, secret=WEBHOOK_SECRET):
    payload, headers = signed(event_name, payment_id, secret)
    return client.post("/payments/webhooks/stripe", data=payload, headers=headers, content_type="application/json")


def _stripe_card_order(app, engine, shop, stripe_api, qty=2):
    from dataclasses import replace

    from mall.checkout.services import place_order
    from mall.payments import checkout_payment
    from tests.payments.conftest import card_details

    outcome = engine.place_hold(shop.drop.id, shop.variant.id, "cart-s", qty)
    details = replace(card_details(shop), payment_provider="stripe")
    order = place_order(db.session, engine, "cart-s", "stripe-checkout-key-0001", details, [outcome.hold_id])
    with app.test_request_context():
        url = checkout_payment.payment_page_url(db.session, order)
    return order, db.session.scalar(select(Payment).where(Payment.order_id == order.id)), url


def test_one_hosted_checkout_session_per_order(app, engine, shop, stripe_api, stripe_offered):
    order, payment, url = _stripe_card_order(app, engine, shop, stripe_api)
    assert url.startswith("https://checkout.stripe.com/c/pay/" + SESSION_ID)
    assert payment.provider_session_id == SESSION_ID
    [(method, path, form)] = stripe_api.calls
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert form["mode"] == "payment" and form["line_items[0][price_data][unit_amount]"] == str(order.total_cents)
    assert form["metadata[payment]"] == str(payment.id) and form["client_reference_id"] == order.number
    with app.test_request_context():  # opening the page again reuses the session
        from mall.payments import checkout_payment

        assert checkout_payment.payment_page_url(db.session, order) == url
    assert len(stripe_api.calls) == 1


def test_a_completed_session_confirms_the_order_once(app, engine, shop, client, stripe_api, stripe_offered):
    _order, payment, _ = _stripe_card_order(app, engine, shop, stripe_api)
    assert post_event(client, "checkout_session_completed", payment.id).json["outcome"] == "confirmed"
    assert post_event(client, "checkout_session_completed", payment.id).json["outcome"] == "duplicate"
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert (payment.order.payment_state, payment.state) == ("paid", "succeeded")
    assert payment.provider_payment_id == "pi_3QFlashmall0000000000000"
    assert stock_row(shop.variant, shop.hub).sold == 2
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 1
    assert books_balance(engine)


def test_a_bad_stripe_signature_is_400_and_changes_nothing(app, engine, shop, client, stripe_api, stripe_offered):
    order, payment, _ = _stripe_card_order(app, engine, shop, stripe_api)
    forged = post_event(client, "checkout_session_completed", payment.id, secret="whsec_someone_else")
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_state == "awaiting_payment"
    assert stock_row(shop.variant, shop.hub).sold == 0
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 0


def test_a_failed_payment_intent_then_an_expired_session_releases_the_units(
    app, engine, shop, client, stripe_api, stripe_offered
):
    order, payment, _ = _stripe_card_order(app, engine, shop, stripe_api)
    assert post_event(client, "payment_intent_payment_failed", payment.id).json["outcome"] == "declined"
    assert post_event(client, "checkout_session_expired", payment.id).json["outcome"] == "expired"
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_state == "void"
    assert engine.availability(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 2}
    assert books_balance(engine)


def test_a_late_completed_session_after_a_sell_out_is_refunded_through_the_api(
    app, engine, shop, client, stripe_api, stripe_offered
):
    order, payment, _ = _stripe_card_order(app, engine, shop, stripe_api)
    assert post_event(client, "checkout_session_expired", payment.id).json["outcome"] == "expired"
    engine.place_hold(shop.drop.id, shop.variant.id, "someone-else", 2)  # the released units are taken meanwhile
    late = post_event(client, "checkout_session_completed", payment.id)
    assert late.status_code == 200 and late.json["outcome"] == "refunded: sold out"
    refund_calls = [form for method, path, form in stripe_api.calls if path == "/v1/refunds"]
    assert refund_calls == [{"payment_intent": "pi_3QFlashmall0000000000000", "amount": str(order.total_cents)}]
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).state == "refunded"
    assert stock_row(shop.variant, shop.hub).sold == 0
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(OutboxEmail.subject.contains("refunded"))) == 1
    assert books_balance(engine)


def test_closing_an_overdue_window_expires_the_stripe_session(app, engine, shop, stripe_api, stripe_offered):
    from datetime import timedelta

    import time_machine

    from mall.payments.settlement import close_overdue_windows

    _order, payment, _ = _stripe_card_order(app, engine, shop, stripe_api)
    with time_machine.travel(payment.window_closes_at + timedelta(seconds=1), tick=False):
        assert close_overdue_windows(db.session, engine) == 1
    assert ("POST", f"/v1/checkout/sessions/{SESSION_ID}/expire") in [(m, p) for m, p, _ in stripe_api.calls]
    assert engine.availability(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 2}
