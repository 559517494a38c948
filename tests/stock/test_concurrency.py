"""Many shoppers racing for the last units, on whichever database the suite runs on."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from mall.checkout.services import CheckoutError, place_order
from mall.extensions import db, redis_client
from mall.orders.models import Order
from mall.stock import ledger
from mall.drops.stock import drop_terms
from mall.stock.engine import StockEngine
from mall.stock.models import StockLevel
from tests.checkout.conftest import pickup_details


def _race(app, drop_id, variant_id, pickup, shoppers, flush_after=None):
    results = {"held": 0, "ordered": 0, "refused": 0}
    lock = threading.Lock()
    start = threading.Barrier(len(shoppers))

    def shop(n, cart):
        with app.app_context():
            engine = StockEngine(redis_client(), db.session, drop_terms=drop_terms)  # no rate limits: every shopper races
            start.wait()
            hold = engine.place_hold(drop_id, variant_id, cart, 1)
            if flush_after is not None and n == flush_after:
                engine.redis.flushdb()  # Redis loses everything in the middle of the sale
            if not hold.ok:
                return
            with lock:
                results["held"] += 1
            try:
                place_order(db.session, engine, cart, f"key-{cart}-000000000", pickup_details(pickup, f"{cart}@example.com"), [hold.hold_id])
                with lock:
                    results["ordered"] += 1
            except CheckoutError:
                with lock:
                    results["refused"] += 1
            finally:
                db.session.remove()

    threads = [threading.Thread(target=shop, args=(n, f"cart{n:04d}")) for n in range(len(shoppers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _stock(variant_id):
    db.session.expire_all()
    return db.session.execute(
        select(func.sum(StockLevel.on_hand), func.sum(StockLevel.sold)).where(StockLevel.variant_id == variant_id)
    ).one()


def test_forty_shoppers_racing_for_five_units_buy_exactly_five(app, make, engine):
    brand = make.brand()
    hub, pickup = make.hub(), make.hub(kind="pickup_point")
    variant = make.product(brand).variants[0]
    make.stock(variant, hub, 5)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-1))

    results = _race(app, drop.id, variant.id, pickup, range(40))

    on_hand, sold = _stock(variant.id)
    assert (on_hand, sold) == (5, 5)
    assert results["held"] == 5 and results["ordered"] == 5
    assert db.session.scalar(select(func.count(Order.id))) == 5
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))


def test_redis_losing_its_data_mid_sale_never_oversells(app, make, engine):
    brand = make.brand()
    hub, pickup = make.hub(), make.hub(kind="pickup_point")
    variant = make.product(brand).variants[0]
    make.stock(variant, hub, 6)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-1))

    results = _race(app, drop.id, variant.id, pickup, range(30), flush_after=3)

    on_hand, sold = _stock(variant.id)
    assert sold <= on_hand == 6
    assert results["ordered"] == sold
    assert db.session.scalar(select(func.count(Order.id))) == sold
