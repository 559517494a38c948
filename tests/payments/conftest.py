from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from mall.checkout.services import place_order
from mall.extensions import db
from mall.payments import checkout_payment, test_provider
from mall.payments.models import Payment
from mall.stock import ledger
from mall.stock.models import StockLevel
from tests.checkout.conftest import pickup_details


@dataclass
class CardShop:
    drop: object
    variant: object
    hub: object
    pickup: object


@pytest.fixture
def shop(make):
    """One live drop of one item, 2 units at one micro-hub, a pickup point; holds last 10 minutes."""
    brand = make.brand(name="North Knits")
    hub = make.hub(kind="micro_hub", code="HUB-A")
    pickup = make.hub(kind="pickup_point", code="PICK-1", name="Camden pickup")
    variant = make.product(brand, name="Hero jumper", price_cents=5_000).variants[0]
    make.stock(variant, hub, 2)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-1), lasts=timedelta(days=1), limit=2, hold_minutes=10)
    return CardShop(drop, variant, hub, pickup)


def card_details(shop, email="ada@example.com"):
    return replace(pickup_details(shop.pickup, email), payment_provider="test_card")


_keys = iter(range(10**6))


def place_card_order(app, engine, shop, cart="cart-a", qty=1, email="ada@example.com"):
    """Hold `qty` units for `cart`, place a card order and open its test payment page; returns (order, payment)."""
    outcome = engine.place_hold(shop.drop.id, shop.variant.id, cart, qty)
    assert outcome.ok, outcome
    key = f"card-key-{next(_keys):08d}"
    order = place_order(db.session, engine, cart, key, card_details(shop, email), [outcome.hold_id])
    with app.test_request_context():
        url = checkout_payment.payment_page_url(db.session, order)
    assert url.startswith("/pay/test/")
    return order, db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def webhook(client, event_type, session_id, event_id=None, signature=None):
    """POST a test provider event to the webhook endpoint, signed like the pretend bank signs it."""
    import json

    with client.application.app_context():
        body, headers = test_provider.notification(event_type, session_id)
        if event_id is not None:
            body = json.dumps({**json.loads(body), "id": event_id}).encode()
            headers = {test_provider.SIGNATURE_HEADER: test_provider.sign(body)}
    if signature is not None:
        headers = {test_provider.SIGNATURE_HEADER: signature}
    return client.post("/payments/webhooks/test_card", data=body, headers=headers, content_type="application/json")


def stock_row(variant, hub) -> StockLevel:
    db.session.expire_all()
    return db.session.scalar(select(StockLevel).where(StockLevel.variant_id == variant.id, StockLevel.hub_id == hub.id))


def books_balance(engine) -> bool:
    db.session.expire_all()
    return all(check.ok for check in ledger.check_invariant(db.session, engine.redis))
