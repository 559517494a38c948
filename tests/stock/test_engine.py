from datetime import timedelta

import time_machine

from mall.extensions import db
from mall.stock import ledger


def _ok(check_rows):
    return all(row.ok for row in check_rows)


def test_a_hold_reserves_units_at_the_first_hub_and_captures_the_tier_price(engine, live_drop):
    drop, variant, hub, _ = live_drop
    outcome = engine.place_hold(drop.id, variant.id, "cart-a", 2)
    assert outcome.ok
    assert outcome.hub_id == hub.id
    assert outcome.price_cents == 7_000  # 30% off during the first 20 minutes
    assert engine.availability(variant.id, [hub.id]) == {hub.id: 1}
    assert _ok(ledger.check_invariant(db.session, engine.redis))


def test_holds_spill_to_the_reserve_then_refuse_when_sold_out(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 3).hub_id == hub.id
    assert engine.place_hold(drop.id, variant.id, "b", 2).hub_id == reserve.id
    refused = engine.place_hold(drop.id, variant.id, "c", 1)
    assert not refused.ok and refused.reason == "sold_out"
    assert "Sold out" in refused.message


def test_per_shopper_limit_counts_every_hold_of_the_cart(engine, live_drop):
    drop, variant, _, _ = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 2).ok
    refused = engine.place_hold(drop.id, variant.id, "a", 2)
    assert refused.reason == "limit" and refused.units_left == 1
    assert engine.place_hold(drop.id, variant.id, "a", 1).ok


def test_an_expired_hold_returns_its_units_at_once(engine, live_drop):
    drop, variant, hub, _ = live_drop
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to(drop.starts_at + timedelta(minutes=6))
        assert engine.place_hold(drop.id, variant.id, "a", 3).ok
        traveller.shift(timedelta(minutes=10, seconds=1))
        again = engine.place_hold(drop.id, variant.id, "b", 3)
    assert again.ok and again.hub_id == hub.id
    assert [line.quantity for line in engine.expired_lines("a")] == [3]
    assert engine.cart_holds("a") == []


def test_a_drop_that_is_not_live_takes_no_holds(engine, make, live_drop):
    drop, variant, _, _ = live_drop
    upcoming = make.drop(drop.tenant, [variant], starts_in=timedelta(hours=1))
    refused = engine.place_hold(upcoming.id, variant.id, "a", 1)
    assert refused.reason == "not_live" and "not live" in refused.message


def test_units_come_back_from_the_database_after_redis_loses_everything(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 3).ok
    engine.redis.flushdb()
    again = engine.place_hold(drop.id, variant.id, "b", 3)
    assert again.ok and again.hub_id == hub.id  # the lost hold's units are on sale again
    assert _ok(ledger.check_invariant(db.session, engine.redis))


def test_a_restarted_redis_that_forgot_the_engines_script_still_takes_holds(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 1).ok
    engine.redis.script_flush()  # what a Redis restart does to loaded scripts

    again = engine.place_hold(drop.id, variant.id, "b", 1)

    assert again.ok and again.units_left == 3
    assert _ok(ledger.check_invariant(db.session, engine.redis))


def test_a_brand_cannot_write_off_units_a_shopper_holds(engine, live_drop):
    drop, variant, hub, _ = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 3).ok  # all three micro-hub units held
    assert not engine.adjust_on_hand(variant.id, hub.id, -1)
    assert engine.adjust_on_hand(variant.id, hub.id, +2)
    assert engine.adjust_on_hand(variant.id, hub.id, -2)
    assert engine.availability(variant.id, [hub.id]) == {hub.id: 0}
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))
