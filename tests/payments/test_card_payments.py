"""Card payments tied to holds: units are sold only when the payment succeeds, each event counts once, and a
payment too late for the stock is refunded, never oversold."""

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from mall.checkout.jobs import recover_stale_claims
from mall.extensions import db
from mall.orders.models import Order, PaymentState, ShopperDropUnits
from mall.outbox.models import OutboxEmail
from mall.payments.models import Payment, PaymentEvent
from mall.payments.settlement import close_overdue_windows
from tests.payments.conftest import books_balance, place_card_order, stock_row, webhook
from tests.support import text_of


def _refresh(order, payment):
    db.session.expire_all()
    return db.session.get(Order, order.id), db.session.get(Payment, payment.id)


def test_a_card_order_waits_for_payment_with_its_units_held_not_sold(app, engine, shop, client):
    order, _payment = place_card_order(app, engine, shop, qty=2)
    assert order.payment_state == PaymentState.AWAITING_PAYMENT
    assert stock_row(shop.variant, shop.hub).sold == 0
    assert engine.held(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 2}
    assert engine.availability(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 0}
    page = text_of(client.get(f"/orders/{order.tracking_token}"))
    assert "waiting for payment" in page and "Continue to payment" in page
    assert books_balance(engine)


def test_paying_on_the_test_page_confirms_the_order_and_sells_the_units(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop, qty=2)
    response = client.submit(payment.redirect_url, {"card_number": "4242 4242 4242 4242"})
    assert response.status_code == 303 and response.headers["Location"] == f"/orders/{order.tracking_token}"
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state) == ("paid", "succeeded")
    assert stock_row(shop.variant, shop.hub).sold == 2
    assert engine.held(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 0}
    assert db.session.scalar(select(OutboxEmail.subject).where(OutboxEmail.to_address == "ada@example.com")).startswith(
        "Your Flashmall order"
    )
    page = text_of(client.get(f"/orders/{order.tracking_token}"))
    assert "your order is confirmed" in page.lower() and "Paid by card" in page
    assert books_balance(engine)


def test_a_declined_card_then_a_good_one(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop)
    declined = client.submit(payment.redirect_url, {"card_number": "4000000000000002"})
    assert declined.status_code == 402 and "Your card was declined" in text_of(declined)
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state) == ("awaiting_payment", "failed")
    assert stock_row(shop.variant, shop.hub).sold == 0
    assert client.submit(payment.redirect_url, {"card_number": "4242424242424242"}).status_code == 303
    order, payment = _refresh(order, payment)
    assert order.payment_state == "paid" and stock_row(shop.variant, shop.hub).sold == 1


def test_a_card_that_asks_to_confirm(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop)
    step = client.submit(payment.redirect_url, {"card_number": "4000002500003155"})
    assert "Your bank asks you to confirm this payment" in text_of(step)
    assert _refresh(order, payment)[0].payment_state == "awaiting_payment"
    confirmed = client.submit(payment.redirect_url + "/confirm", {"answer": "confirm"})
    assert confirmed.status_code == 303
    assert _refresh(order, payment)[0].payment_state == "paid"


def test_an_unknown_card_number_is_a_clear_422(app, engine, shop, client):
    _order, payment = place_card_order(app, engine, shop)
    response = client.submit(payment.redirect_url, {"card_number": "1234"})
    assert response.status_code == 422 and "test card numbers" in text_of(response)


def test_cancelling_the_payment_puts_the_units_back_on_sale(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop, qty=2)
    response = client.submit(payment.redirect_url + "/cancel")
    assert response.status_code == 303
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state) == ("void", "expired")
    assert engine.availability(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 2}
    assert engine.place_hold(shop.drop.id, shop.variant.id, "cart-b", 2).ok  # someone else can hold them now
    units = db.session.scalars(select(ShopperDropUnits.units)).all()
    assert units and all(u == 0 for u in units)  # the unpaid order no longer counts against the shopper's limit
    assert "Payment not completed" in text_of(client.get(f"/orders/{order.tracking_token}"))
    assert books_balance(engine)


def test_a_bad_signature_is_400_and_changes_nothing(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop)
    forged = webhook(client, "payment.succeeded", payment.provider_session_id, signature="t=1,v1=deadbeef")
    assert forged.status_code == 400
    unsigned = client.post("/payments/webhooks/test_card", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 400
    garbage = client.post("/payments/webhooks/nobody", data=b"\x00\xff")
    assert garbage.status_code == 400
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state) == ("awaiting_payment", "pending")
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 0
    assert stock_row(shop.variant, shop.hub).sold == 0


def test_the_same_event_twice_confirms_once(app, engine, shop, client):
    _order, payment = place_card_order(app, engine, shop, qty=2)
    first = webhook(client, "payment.succeeded", payment.provider_session_id, event_id="evt_same")
    again = webhook(client, "payment.succeeded", payment.provider_session_id, event_id="evt_same")
    other = webhook(client, "payment.succeeded", payment.provider_session_id)  # a second success for the same payment
    assert [r.json["outcome"] for r in (first, again, other)] == ["confirmed", "duplicate", "already settled"]
    assert stock_row(shop.variant, shop.hub).sold == 2
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert books_balance(engine)


def test_events_out_of_order_leave_a_paid_order_paid(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop)
    webhook(client, "payment.succeeded", payment.provider_session_id)
    webhook(client, "payment.failed", payment.provider_session_id)
    webhook(client, "session.expired", payment.provider_session_id)
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state) == ("paid", "succeeded")
    assert stock_row(shop.variant, shop.hub).sold == 1
    assert books_balance(engine)


def test_the_sweep_waits_for_the_payment_window_then_releases_the_units(app, engine, shop):
    order, payment = place_card_order(app, engine, shop, qty=2)
    with time_machine.travel(payment.window_closes_at - timedelta(minutes=1), tick=False):
        recover_stale_claims()  # the claim is older than a dead checkout's, but the window is open
        assert engine.held(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 2}
        assert _refresh(order, payment)[0].payment_state == "awaiting_payment"
    with time_machine.travel(payment.window_closes_at + timedelta(seconds=1), tick=False):
        recover_stale_claims()
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state) == ("void", "expired")
    assert engine.availability(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 2}
    assert stock_row(shop.variant, shop.hub).sold == 0
    assert books_balance(engine)


def test_a_late_success_with_stock_still_free_confirms_the_order(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop)
    with time_machine.travel(payment.window_closes_at + timedelta(seconds=1), tick=False):
        assert close_overdue_windows(db.session, engine) == 1
        assert webhook(client, "payment.succeeded", payment.provider_session_id).json["outcome"] == "confirmed late"
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state) == ("paid", "succeeded")
    assert stock_row(shop.variant, shop.hub).sold == 1
    assert engine.availability(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 1}
    assert books_balance(engine)


def test_a_late_success_after_the_stock_sold_out_is_refunded_with_an_apology(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop, qty=2)
    with time_machine.travel(payment.window_closes_at + timedelta(seconds=1), tick=False):
        close_overdue_windows(db.session, engine)
        _rival, rival_payment = place_card_order(app, engine, shop, cart="cart-b", qty=2, email="bo@example.com")
        assert webhook(client, "payment.succeeded", rival_payment.provider_session_id).json["outcome"] == "confirmed"
        late = webhook(client, "payment.succeeded", payment.provider_session_id)
    assert late.status_code == 200 and late.json["outcome"] == "refunded: sold out"
    order, payment = _refresh(order, payment)
    assert (order.payment_state, payment.state, payment.refunded_cents) == ("refunded", "refunded", payment.amount_cents)
    level = stock_row(shop.variant, shop.hub)
    assert (level.on_hand, level.sold) == (2, 2)  # the rival's two; never more sold than stocked
    apology = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.com"))
    assert "refunded" in apology.subject and order.number in apology.body
    assert "Refunded in full" in text_of(client.get(f"/orders/{order.tracking_token}"))
    assert books_balance(engine)


def test_a_success_after_redis_lost_the_holds_takes_the_units_again(app, engine, shop, client):
    _order, payment = place_card_order(app, engine, shop)
    engine.redis.flushdb()  # the holds are gone; the database still has every unit unsold
    assert webhook(client, "payment.succeeded", payment.provider_session_id).json["outcome"] == "confirmed late"
    assert stock_row(shop.variant, shop.hub).sold == 1
    assert books_balance(engine)


def test_a_line_of_an_unpaid_card_order_cannot_be_cancelled_as_if_sold(app, engine, shop):
    from mall.orders.models import OrderLine
    from mall.orders.services import cancel_line

    place_card_order(app, engine, shop, qty=2)
    line = db.session.scalar(select(OrderLine))
    assert not cancel_line(db.session, engine, line)
    assert engine.availability(shop.variant.id, [shop.hub.id]) == {shop.hub.id: 0}  # still held for the payment
    assert books_balance(engine)


def test_once_the_countdown_ends_the_page_takes_no_payment(app, engine, shop, client):
    order, payment = place_card_order(app, engine, shop)
    with time_machine.travel(payment.window_closes_at + timedelta(seconds=1), tick=False):
        late = client.submit(payment.redirect_url, {"card_number": "4242424242424242"})
        assert "its time ran out" in text_of(late)
        assert "The time to pay ran out" in text_of(client.get(f"/orders/{order.tracking_token}"))
    order, payment = _refresh(order, payment)
    assert order.payment_state == "awaiting_payment" and stock_row(shop.variant, shop.hub).sold == 0


def test_an_unconfigured_provider_trusts_no_notification(app, engine, shop, client, monkeypatch):
    _order, payment = place_card_order(app, engine, shop)
    with app.app_context():
        from mall.payments import test_provider

        body, headers = test_provider.notification("payment.succeeded", payment.provider_session_id)
    monkeypatch.setitem(app.config, "TEST_PAYMENTS_SECRET", "")
    forged = client.post("/payments/webhooks/test_card", data=body, headers=headers, content_type="application/json")
    assert forged.status_code == 400
    assert stock_row(shop.variant, shop.hub).sold == 0
