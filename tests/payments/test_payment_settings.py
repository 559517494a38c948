"""The operator chooses the ways to pay; checkout offers exactly those."""

import re

from mall.extensions import db
from mall.payments.models import PaymentSettings
from tests.support import text_of


def _checkout_page(client, shop):
    client.submit("/cart/holds", {"drop_id": shop.drop.id, "variant_id": shop.variant.id, "quantity": 1})
    return client.get("/checkout")


def test_checkout_offers_pay_on_handover_and_test_cards_by_default(client, shop):
    page = text_of(_checkout_page(client, shop))
    assert "Pay at pickup or on delivery" in page and "Card (test payments" in page
    assert "Card (Stripe)" not in page  # no keys configured


def test_the_operator_turns_card_payments_off_and_checkout_refuses_them(client, make, shop):
    client.login_as(make.user(operator=True))
    assert "Card (Stripe) — not configured" in text_of(client.get("/operator/payments"))
    saved = client.submit("/operator/payments", {"offered": ["pay_on_handover"], "mall_fee_bp": "250"})
    assert saved.status_code == 303
    with client.application.app_context():
        row = db.session.query(PaymentSettings).one()
        assert (row.offered, row.mall_fee_bp) == ("pay_on_handover", 250)
    page = _checkout_page(client, shop).get_data(as_text=True)
    assert "test_card" not in page
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    holds = re.search(r'name="holds"[^>]*value="([^"]*)"', page).group(1)
    refused = client.submit("/checkout", {
        "idempotency_key": key, "holds": holds, "name": "Ada", "email": "ada@example.com", "fulfilment": "pickup",
        "pickup_hub_id": shop.pickup.id, "payment_provider": "test_card",
    })
    assert refused.status_code == 422 and "Not a valid choice" in text_of(refused)


def test_offering_nothing_is_a_clear_422(client, make):
    client.login_as(make.user(operator=True))
    response = client.submit("/operator/payments", {"mall_fee_bp": "-1"})
    assert response.status_code == 422
    assert "Offer at least one way to pay" in text_of(response)
