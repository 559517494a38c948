"""The drop's fallback variant in the stock engine: holdable under the drop's terms, never counted as the drop's
own units; and when held units may come back at the latest."""

from datetime import UTC, datetime, timedelta

from mall.drops.selling import SellState, drop_sell_state
from mall.drops.stock import drop_availability, drops_selling
from mall.extensions import db
from mall.stock.engine import now_ms


def _with_fallback(make, drop, hub, units=4, price_cents=2_000):
    scarf = make.product(drop.tenant, name="Scarf", price_cents=price_cents).variants[0]
    make.stock(scarf, hub, units)
    drop.fallback_variant_id = scarf.id
    db.session.commit()
    return scarf


def test_the_fallback_is_holdable_under_the_drops_window_limit_hold_length_and_tiers(engine, make, live_drop):
    drop, variant, hub, _ = live_drop
    scarf = _with_fallback(make, drop, hub)

    held = engine.place_hold(drop.id, scarf.id, "ada", 2)

    assert held.ok and held.hub_id == hub.id
    assert held.price_cents == 1_400  # 30% off in the drop's first tier, as for its items
    assert held.expires_ms - now_ms() <= 10 * 60_000  # the drop's hold length
    assert engine.place_hold(drop.id, variant.id, "ada", 2).reason == "limit"  # one limit of 3 over the whole drop
    assert engine.place_hold(drop.id, variant.id, "ada", 1).ok


def test_a_variant_that_is_neither_item_nor_fallback_is_not_in_the_drop(engine, make, live_drop):
    drop, _, hub, _ = live_drop
    other = make.product(drop.tenant, name="Hat").variants[0]
    make.stock(other, hub, 5)
    assert engine.place_hold(drop.id, other.id, "ada", 1).reason == "not_in_drop"


def test_the_drops_own_units_are_its_items_only(engine, make, live_drop):
    drop, variant, hub, _ = live_drop
    scarf = _with_fallback(make, drop, hub)
    assert engine.place_hold(drop.id, variant.id, "ada", 3).ok
    assert engine.place_hold(drop.id, scarf.id, "bob", 1).ok

    assert engine.drop_units_left(drop.id) == 2  # the hero's 2 in reserve, not the scarf's 3 free
    stock = drop_availability(db.session, engine, drop.id)
    assert (stock.units_left, stock.held, stock.sold) == (2, 3, 0)
    assert set(stock.by_variant) == {variant.id}


def test_a_stock_change_of_the_fallback_reloads_the_drops_that_sell_it(make, live_drop):
    drop, variant, hub, _ = live_drop
    scarf = _with_fallback(make, drop, hub)
    assert drops_selling(db.session, scarf.id) == [drop.id]
    assert drops_selling(db.session, variant.id) == [drop.id]


def test_held_units_come_back_by_the_latest_expiry_of_their_holds(engine, live_drop):
    drop, variant, _, _ = live_drop
    first = engine.place_hold(drop.id, variant.id, "ada", 3)
    last = engine.place_hold(drop.id, variant.id, "bob", 2, now=now_ms() + 90_000)

    assert engine.holds_last_expiry([variant.id, 999]) == {variant.id: last.expires_ms, 999: None}
    assert last.expires_ms > first.expires_ms

    sell = drop_sell_state(db.session, engine, drop, drop_availability(db.session, engine, drop.id), _utc(now_ms()))
    assert sell.state == SellState.ALL_HELD and (sell.free, sell.held) == (0, 5)
    assert sell.back_by >= _utc(last.expires_ms) and sell.back_by - _utc(last.expires_ms) < timedelta(minutes=1)
    assert sell.headline.startswith("All held — 5 may come back by ")


def test_an_all_held_hero_with_a_fallback_offers_it_and_a_sold_out_fallback_is_not_offered(engine, make, live_drop):
    drop, variant, hub, _ = live_drop
    scarf = _with_fallback(make, drop, hub, units=1)
    now = _utc(now_ms())
    assert drop_sell_state(db.session, engine, drop, drop_availability(db.session, engine, drop.id), now).fallback is None

    assert engine.place_hold(drop.id, variant.id, "ada", 3).ok and engine.place_hold(drop.id, variant.id, "bob", 2).ok
    offer = drop_sell_state(db.session, engine, drop, drop_availability(db.session, engine, drop.id), now).fallback
    assert offer.variant.id == scarf.id and offer.free == 1 and offer.price_cents == 1_400

    assert engine.place_hold(drop.id, scarf.id, "cy", 1).ok
    assert drop_sell_state(db.session, engine, drop, drop_availability(db.session, engine, drop.id), now).fallback is None


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
