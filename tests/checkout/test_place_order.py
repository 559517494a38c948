import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mall.checkout.services import CheckoutError, place_order
from mall.extensions import db
from mall.orders.models import Order, OrderLine, SubOrder
from mall.outbox.models import OutboxEmail
from mall.stock import ledger
from mall.stock.models import StockLevel
from tests.checkout.conftest import pickup_details


def _hold_both(engine, mall, cart="cart-1", qty=1):
    return [engine.place_hold(d.id, v.id, cart, qty).hold_id for d, v in zip(mall["drops"], mall["variants"])]


def _sold(variant_id):
    db.session.expire_all()
    return db.session.scalar(select(func.sum(StockLevel.sold)).where(StockLevel.variant_id == variant_id))


def test_one_order_with_a_sub_order_per_brand_and_sold_units(engine, two_brand_mall):
    mall = two_brand_mall
    holds = _hold_both(engine, mall, qty=2)
    order = place_order(db.session, engine, "cart-1", "key-0000000000000001", pickup_details(mall["pickup"]), holds)

    subs = db.session.scalars(select(SubOrder).where(SubOrder.order_id == order.id)).all()
    assert sorted(s.tenant_id for s in subs) == sorted(b.id for b in mall["brands"])
    assert order.total_cents == 2 * 2_800 + 2 * 6_300  # 30% off in the first tier
    assert order.payment_state == "due_on_handover"
    assert [_sold(v.id) for v in mall["variants"]] == [2, 2]
    assert engine.cart_holds("cart-1") == []
    assert db.session.scalar(select(OutboxEmail.subject)) == f"Your Flashmall order {order.number}"
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))


def test_a_retry_with_the_same_key_returns_the_same_order(engine, two_brand_mall):
    mall = two_brand_mall
    holds = _hold_both(engine, mall)
    details = pickup_details(mall["pickup"])
    first = place_order(db.session, engine, "cart-1", "key-0000000000000002", details, holds)
    again = place_order(db.session, engine, "cart-1", "key-0000000000000002", details, holds)
    assert again.id == first.id
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert [_sold(v.id) for v in mall["variants"]] == [1, 1]


def test_the_same_key_with_a_different_body_is_refused(engine, two_brand_mall):
    mall = two_brand_mall
    holds = _hold_both(engine, mall)
    place_order(db.session, engine, "cart-1", "key-0000000000000003", pickup_details(mall["pickup"]), holds)
    with pytest.raises(CheckoutError) as refused:
        place_order(db.session, engine, "cart-1", "key-0000000000000003", pickup_details(mall["pickup"], "eve@example.com"), holds)
    assert refused.value.status == 409
    assert "different details" in refused.value.message


def test_concurrent_duplicate_checkouts_of_one_cart_make_exactly_one_order(app, engine, two_brand_mall):
    mall = two_brand_mall
    holds = _hold_both(engine, mall)
    details = pickup_details(mall["pickup"])
    numbers, errors = [], []

    def submit():
        with app.app_context():
            from mall.stock.access import stock_engine

            try:
                order = place_order(db.session, stock_engine(), "cart-1", "key-0000000000000004", details, holds)
                numbers.append(order.number)
            except CheckoutError as error:
                errors.append(error.message)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert len(set(numbers)) == 1 and numbers, errors
    assert [_sold(v.id) for v in mall["variants"]] == [1, 1]


def test_an_order_beyond_the_units_in_the_database_is_refused_and_nothing_is_half_saved(engine, two_brand_mall):
    mall = two_brand_mall
    holds = _hold_both(engine, mall, qty=2)
    # Someone sold the second brand's units behind Redis's back (e.g. Redis lost its data).
    level = db.session.scalar(select(StockLevel).where(StockLevel.variant_id == mall["variants"][1].id))
    level.sold = 4
    db.session.commit()
    with pytest.raises(CheckoutError) as refused:
        place_order(db.session, engine, "cart-1", "key-0000000000000005", pickup_details(mall["pickup"]), holds)
    assert "just sold out" in refused.value.message
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert db.session.scalar(select(func.count(OrderLine.id))) == 0
    assert _sold(mall["variants"][0].id) == 0
    assert len(engine.cart_holds("cart-1")) == 2  # the holds are back in the cart, not lost


def test_the_per_shopper_limit_also_binds_by_email_across_carts(engine, two_brand_mall):
    mall = two_brand_mall
    drop, variant = mall["drops"][0], mall["variants"][0]
    first = engine.place_hold(drop.id, variant.id, "cart-1", 2).hold_id
    place_order(db.session, engine, "cart-1", "key-0000000000000006", pickup_details(mall["pickup"]), [first])
    second = engine.place_hold(drop.id, variant.id, "cart-2", 2).hold_id  # a new cart, same person
    with pytest.raises(CheckoutError) as refused:
        place_order(db.session, engine, "cart-2", "key-0000000000000007", pickup_details(mall["pickup"]), [second])
    assert "limit per shopper" in refused.value.message


def test_carts_holding_the_same_items_in_opposite_orders_all_check_out_at_once(app, engine, make, two_brand_mall):
    mall = two_brand_mall
    brand = mall["brands"][0]
    first, second = make.product(brand, name="Twin hero", price_cents=3_000, variants=2).variants
    for variant in (first, second):
        make.stock(variant, mall["hub"], 20)
    drop = make.drop(brand, [first, second], starts_in=timedelta(minutes=-1), limit=2)
    carts = {}
    for n in range(8):
        pair = (first, second) if n % 2 else (second, first)  # rows locked in opposite orders, were it not sorted
        carts[f"cart-{n}"] = [engine.place_hold(drop.id, v.id, f"cart-{n}", 1).hold_id for v in pair]
    placed, errors, start = [], [], threading.Barrier(len(carts))

    def check_out(cart, holds):
        with app.app_context():
            from mall.stock.access import stock_engine

            start.wait()
            try:
                details = pickup_details(mall["pickup"], f"{cart}@example.com")
                placed.append(place_order(db.session, stock_engine(), cart, f"key-{cart:0>16}", details, holds).number)
            except Exception as error:  # a deadlock would surface here
                errors.append(repr(error))

    threads = [threading.Thread(target=check_out, args=item) for item in carts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and len(placed) == 8
    assert [_sold(first.id), _sold(second.id)] == [8, 8]
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))
