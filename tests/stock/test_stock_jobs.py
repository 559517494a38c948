from datetime import timedelta

import time_machine
from sqlalchemy import select

from mall.checkout.jobs import recover_stale_claims
from mall.checkout.services import place_order
from mall.extensions import db
from mall.orders.models import Order
from mall.stock import ledger
from mall.stock.jobs import sweep_expired_holds
from tests.checkout.conftest import pickup_details


def test_the_sweep_returns_expired_holds_without_any_shopper_visiting(app_ctx, engine, live_drop):
    drop, variant, hub, _ = live_drop
    with time_machine.travel(drop.starts_at + timedelta(minutes=1), tick=False) as traveller:
        assert engine.place_hold(drop.id, variant.id, "a", 3).ok
        traveller.shift(timedelta(minutes=11))
        assert sweep_expired_holds()["expired"] == 1
        assert sweep_expired_holds()["expired"] == 0  # twice is harmless
    assert engine.availability(variant.id, [hub.id]) == {hub.id: 3}


def test_a_checkout_that_died_mid_way_is_settled_either_way(app_ctx, engine, live_drop, make):
    drop, variant, hub, _ = live_drop
    pickup = make.hub(kind="pickup_point")
    with time_machine.travel(drop.starts_at + timedelta(minutes=1), tick=False) as traveller:
        lost = engine.place_hold(drop.id, variant.id, "a", 1).hold_id
        assert engine.claim("a", "key-died-before-the-db-000", [lost]) == []
        placed = engine.place_hold(drop.id, variant.id, "b", 1).hold_id
        order = place_order(db.session, engine, "b", "key-placed-000000000000", pickup_details(pickup), [placed])
        traveller.shift(timedelta(minutes=3))
        assert recover_stale_claims() == 1
    assert [h.id for h in engine.cart_holds("a")] == [lost]  # back in the cart, not lost
    assert db.session.scalar(select(Order.id)) == order.id


def test_the_sweep_repairs_counters_that_drifted_after_redis_lost_data(app_ctx, engine, live_drop):
    drop, variant, hub, _ = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 1).ok
    # A checkout that claimed before a flush committed after the reload: Redis shows units already sold.
    engine.redis.incrby(f"fm:avail:{variant.id}:{hub.id}", 12)
    assert not all(row.ok for row in ledger.check_invariant(db.session, engine.redis))

    assert sweep_expired_holds()["repaired"] == 1
    assert engine.availability(variant.id, [hub.id]) == {hub.id: 2}  # 3 on hand, 1 held
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))
    assert sweep_expired_holds()["repaired"] == 0
