"""Each brand's money per order as ledger rows: gross, the mall's fee, refunds; shown on its orders page and CSV."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from mall.checkout.services import place_order
from mall.extensions import db
from mall.payments.models import BrandMoneyEntry, Payment, PaymentSettings
from mall.payments.refunds import RefundRefused, refund_card_payment
from tests.payments.conftest import card_details, place_card_order, webhook
from tests.support import text_of


@pytest.fixture
def fee_250(app_ctx):
    db.session.add(PaymentSettings(offered="pay_on_handover,test_card", mall_fee_bp=250))
    db.session.commit()


def _rows():
    db.session.expire_all()
    return sorted((e.kind, e.amount_cents) for e in db.session.scalars(select(BrandMoneyEntry).execution_options(all_tenants=True)))


def test_an_order_on_hand_over_writes_gross_and_the_mall_fee(app, engine, shop, fee_250):
    outcome = engine.place_hold(shop.drop.id, shop.variant.id, "cart-h", 2)
    details = replace(card_details(shop), payment_provider="pay_on_handover")
    order = place_order(db.session, engine, "cart-h", "handover-key-00001", details, [outcome.hold_id])
    assert _rows() == [("gross", order.total_cents), ("mall_fee", -round(order.total_cents * 0.025))]


def test_a_card_order_books_money_only_once_paid(app, engine, shop, client, fee_250):
    order, payment = place_card_order(app, engine, shop)
    assert _rows() == []
    webhook(client, "payment.succeeded", payment.provider_session_id)
    assert _rows() == [("gross", order.total_cents), ("mall_fee", -round(order.total_cents * 0.025))]


def test_a_refund_goes_through_the_card_provider_and_into_the_ledger(app, engine, shop, client, make, fee_250):
    order, payment = place_card_order(app, engine, shop, qty=2)
    webhook(client, "payment.succeeded", payment.provider_session_id)
    db.session.expire_all()
    payment = refund_card_payment(db.session, order.id, 1_000)
    db.session.commit()
    assert (payment.state, payment.refunded_cents) == ("partly_refunded", 1_000)
    with pytest.raises(RefundRefused):
        refund_card_payment(db.session, order.id, payment.amount_cents)  # more than is left
    db.session.rollback()
    assert db.session.get(Payment, payment.id).refunded_cents == 1_000


def test_the_brand_sees_its_net_and_downloads_its_ledger(app, engine, shop, client, make, fee_250):
    order, payment = place_card_order(app, engine, shop)
    webhook(client, "payment.succeeded", payment.provider_session_id)
    owner = make.user()
    tenant = db.session.get(type(shop.drop).tenant.property.mapper.class_, shop.drop.tenant_id)
    make.member(tenant, owner, role="owner")
    client.login_as(owner)
    slug = tenant.slug
    page = text_of(client.get(f"/brands/{slug}/orders"))
    fee = round(order.total_cents * 0.025)
    net = order.total_cents - fee
    assert f"£{net // 100}.{net % 100:02d}" in page and "Download your money ledger" in page
    csv = client.get(f"/brands/{slug}/orders/money.csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == "date (UTC),order,kind,amount"
    assert [line.split(",")[1:] for line in lines[1:]] == [
        [order.number, "gross", f"{order.total_cents // 100}.{order.total_cents % 100:02d}"],
        [order.number, "mall_fee", f"-{fee // 100}.{fee % 100:02d}"],
    ]
