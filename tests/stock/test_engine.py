from datetime import timedelta

import pytest
import time_machine

from mall.extensions import db, redis_client
from mall.stock import ledger
from mall.drops.stock import drop_terms
from mall.stock.engine import StockEngine
from mall.stock.records import HOLD_FIELDS, hold_key, parse_hold


def _ok(check_rows):
    return all(row.ok for row in check_rows)


def _counting_tries(per_cart: int) -> StockEngine:
    """An engine that lets each cart try to add to cart `per_cart` times in 10 s (the test engine counts no tries)."""
    return StockEngine(redis_client(), db.session, drop_terms=drop_terms, cart_rate=per_cart, rate_window_ms=10_000)


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


def test_a_hold_is_written_by_the_lua_in_the_field_order_python_reads(engine, live_drop):
    drop, variant, hub, _ = live_drop
    placed = engine.place_hold(drop.id, variant.id, "a", 2, ip="192.0.2.7")

    record = parse_hold(engine.redis.get(hold_key(placed.hold_id)))

    assert set(record) == set(HOLD_FIELDS)
    assert (record["drop"], record["variant"], record["hub"], record["qty"]) == tuple(
        str(n) for n in (drop.id, variant.id, hub.id, 2)
    )
    assert (record["cart"], record["ip"], record["state"], record["extended"], record["claimed_by"]) == (
        "a", "192.0.2.7", "active", "0", "-"
    )
    assert record["price"] == str(placed.price_cents) and record["expires"] == str(placed.expires_ms)


def test_a_brand_cannot_write_off_units_a_shopper_holds(engine, live_drop):
    drop, variant, hub, _ = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 3).ok  # all three micro-hub units held
    assert not engine.adjust_on_hand(variant.id, hub.id, -1)
    assert engine.adjust_on_hand(variant.id, hub.id, +2)
    assert engine.adjust_on_hand(variant.id, hub.id, -2)
    assert engine.availability(variant.id, [hub.id]) == {hub.id: 0}
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))


def test_add_to_cart_tries_per_cart_count_refused_ones_and_reopen_after_the_window(live_drop):
    drop, variant, _, _ = live_drop
    engine = _counting_tries(3)
    with time_machine.travel(drop.starts_at + timedelta(minutes=6), tick=False) as traveller:
        assert engine.place_hold(drop.id, variant.id, "a", 1).ok
        assert engine.place_hold(drop.id, variant.id, "a", 5).reason == "limit"  # refused, still a try
        traveller.shift(timedelta(seconds=4))
        assert engine.place_hold(drop.id, variant.id, "a", 1).ok
        slowed = engine.place_hold(drop.id, variant.id, "a", 1)
        assert slowed.reason == "slow_down" and slowed.retry_after_ms == 6_000  # the window opened 4 s ago
        assert engine.place_hold(drop.id, variant.id, "b", 1).ok  # another shopper is not slowed down
        traveller.shift(timedelta(seconds=6))
        assert engine.place_hold(drop.id, variant.id, "a", 1).ok
    assert [hold.quantity for hold in engine.cart_holds("a")] == [1, 1, 1]


def test_a_carts_record_outlives_its_drop_by_a_day_and_tries_alone_only_their_window(engine, make, live_drop):
    drop, variant, _, _ = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 1).ok
    day_after_end = (drop.ends_at + timedelta(days=1) - drop.starts_at - timedelta(minutes=5)).total_seconds() * 1000
    assert abs(engine.redis.pttl("fm:shopper:a") - day_after_end) < 60_000

    upcoming = make.drop(drop.tenant, [variant], starts_in=timedelta(hours=1))
    assert _counting_tries(5).place_hold(upcoming.id, variant.id, "b", 1).reason == "not_live"
    assert 0 < engine.redis.pttl("fm:shopper:b") <= 10_000  # a refused try is remembered for its window only


def test_a_cancelled_line_frees_its_units_under_the_shoppers_limit(engine, live_drop):
    drop, variant, _, _ = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 3).ok
    assert engine.place_hold(drop.id, variant.id, "a", 1).reason == "limit"
    engine.cart_units_back("a", drop.id, 2)
    assert engine.place_hold(drop.id, variant.id, "a", 2).ok
    engine.cart_units_back("forgotten", drop.id, 2)  # a cart Redis lost: nothing to give back, nothing created
    assert not engine.redis.exists("fm:shopper:forgotten")


def test_tokens_with_spaces_never_reach_the_hold_records(engine, live_drop):
    drop, variant, _, _ = live_drop
    with pytest.raises(ValueError):
        engine.place_hold(drop.id, variant.id, "two words", 1)
    held = engine.place_hold(drop.id, variant.id, "a", 1, ip="203.0.113.9 ")
    assert held.ok and engine.cart_holds("a")[0].quantity == 1
    with pytest.raises(ValueError):
        engine.claim("a", "key with spaces", [held.hold_id])
