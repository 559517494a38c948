"""A refund recorded from a support thread on a card order goes back to the card through the provider first."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from mall.checkout.services import place_order
from mall.extensions import db
from mall.payments import checkout_payment
from mall.payments.models import BrandMoneyEntry, Payment
from mall.payments.providers import ProviderUnavailable
from mall.payments.test_provider import TestCardProvider
from mall.support.models import Compensation
from tests.checkout.conftest import pickup_details
from tests.payments.conftest import webhook
from tests.support import text_of
from tests.support_inbox.conftest import Mall, ask, inbox_url, latest_thread
from tests.support_inbox.conftest import mall as support_mall  # noqa: F401  (the fixture, reused)


@pytest.fixture
def card_mall(app, support_mall: Mall, engine, client) -> Mall:  # noqa: F811
    """The support mall's brands, with a second order paid by card on the test provider."""
    brands = [support_mall.aurora, support_mall.sole]
    holds = [engine.place_hold(b.drop.id, b.variant.id, "cart-card", 1).hold_id for b in brands]
    details = replace(pickup_details(support_mall.pickup), payment_provider="test_card")
    order = place_order(db.session, engine, "cart-card", "key-card-support-0000000", details, holds)
    with app.test_request_context():
        checkout_payment.payment_page_url(db.session, order)
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert webhook(client, "payment.succeeded", payment.provider_session_id).json["outcome"] == "confirmed"
    return replace(support_mall, order=order)


def _refund(client, mall, amount):
    ask(client, mall.order, "aurora", "It arrived torn")
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    url = inbox_url(mall.aurora, f"/{thread.id}/compensations")
    return client.submit(url, {"kind": "refund", "amount": amount, "reason": "Torn"})


def test_a_support_refund_goes_back_to_the_card_and_into_the_brands_ledger(client, card_mall):
    assert _refund(client, card_mall, "12.50").status_code == 303
    db.session.expire_all()
    payment = db.session.scalar(select(Payment).where(Payment.order_id == card_mall.order.id))
    assert (payment.state, payment.refunded_cents) == ("partly_refunded", 1250)
    refunds = db.session.scalars(
        select(BrandMoneyEntry.amount_cents).where(BrandMoneyEntry.kind == "refund").execution_options(all_tenants=True)
    ).all()
    assert refunds == [-1250]


def test_when_the_card_provider_cannot_be_reached_nothing_is_recorded(client, card_mall, monkeypatch):
    def unreachable(self, payment, amount_cents):
        raise ProviderUnavailable("timeout")

    monkeypatch.setattr(TestCardProvider, "refund", unreachable)
    response = _refund(client, card_mall, "12.50")
    assert response.status_code == 422 and "could not be reached; nothing was refunded" in text_of(response)
    db.session.expire_all()
    assert db.session.scalar(select(Compensation)) is None
    assert db.session.scalar(select(Payment.refunded_cents).where(Payment.order_id == card_mall.order.id)) == 0
