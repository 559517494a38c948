"""Units free / held / sold per variant per hub and per drop, as every feature reads them (mall.stock.availability)."""

from datetime import timedelta

import time_machine
from sqlalchemy import select, update

from mall.checkout.services import place_order
from mall.drops.models import Drop
from mall.extensions import db
from mall.drops.stock import drop_availability
from mall.stock.availability import Availability, loaded_drop_availability, variant_availability, variant_units_left
from mall.stock.models import StockLevel
from mall.storefront.services import drop_loading_options
from tests.checkout.conftest import pickup_details


def _per_hub(engine, drop) -> dict[int, Availability]:
    return {hub.hub_id: hub.units for hub in drop_availability(db.session, engine, drop.id).hubs}


def _whole(units: Availability) -> bool:
    return units.on_hand == units.free + units.held + units.sold


def test_before_any_hold_every_unit_is_free(engine, live_drop):
    drop, variant, hub, reserve = live_drop

    assert _per_hub(engine, drop) == {hub.id: Availability(3, 0, 0, 3), reserve.id: Availability(2, 0, 0, 2)}
    stock = drop_availability(db.session, engine, drop.id)
    assert (stock.units_left, stock.held, stock.sold, stock.sold_out) == (5, 0, 0, False)
    assert [h.hub_id for h in stock.hubs] == [hub.id, reserve.id]  # most free first


def test_holds_move_units_from_free_to_held_at_their_hub(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 3).hub_id == hub.id
    assert engine.place_hold(drop.id, variant.id, "b", 1).hub_id == reserve.id

    per_hub = _per_hub(engine, drop)

    assert per_hub == {hub.id: Availability(0, 3, 0, 3), reserve.id: Availability(1, 1, 0, 2)}
    assert all(_whole(units) for units in per_hub.values())
    stock = drop_availability(db.session, engine, drop.id)
    assert stock.by_variant == {variant.id: Availability(1, 4, 0, 5)}
    assert stock.units_left == 1 and stock.held == 4
    assert [h.hub_id for h in stock.hubs] == [reserve.id, hub.id]
    assert variant_units_left(db.session, engine, [variant.id, 999_999]) == {variant.id: 1, 999_999: 0}


def test_a_sale_turns_held_units_into_sold_ones(engine, live_drop, make):
    drop, variant, hub, reserve = live_drop
    pickup = make.hub(kind="pickup_point")
    placed = engine.place_hold(drop.id, variant.id, "a", 2)

    place_order(db.session, engine, "a", "key-0000000000000001", pickup_details(pickup), [placed.hold_id])

    stock = drop_availability(db.session, engine, drop.id)
    assert stock.total == Availability(free=3, held=0, sold=2, on_hand=5)
    assert all(_whole(h.units) for h in stock.hubs)  # whichever hub the order was packed from


def test_an_expired_hold_gives_its_units_back_to_free(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    with time_machine.travel(drop.starts_at + timedelta(minutes=1), tick=False) as traveller:
        assert engine.place_hold(drop.id, variant.id, "a", 3).ok
        assert _per_hub(engine, drop)[hub.id] == Availability(0, 3, 0, 3)
        traveller.shift(timedelta(minutes=11))
        engine.sweep_expired()

        assert _per_hub(engine, drop)[hub.id] == Availability(3, 0, 0, 3)


def test_after_redis_lost_its_keys_the_database_decides_until_the_drop_is_loaded_again(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 2).ok
    engine.redis.flushdb()  # Redis restarted empty: the hold is gone, and so are the counters

    assert _per_hub(engine, drop) == {hub.id: Availability(3, 0, 0, 3), reserve.id: Availability(2, 0, 0, 2)}
    assert engine.place_hold(drop.id, variant.id, "b", 1).ok  # reloads the drop from the database
    assert _per_hub(engine, drop)[hub.id] == Availability(2, 1, 0, 3)


def test_free_never_exceeds_what_the_database_allows(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 1).ok
    # Sold in the database while Redis still counts the units free (a checkout in flight, a manual fix).
    db.session.execute(
        update(StockLevel).where(StockLevel.variant_id == variant.id, StockLevel.hub_id == hub.id).values(sold=2)
    )
    db.session.commit()

    assert _per_hub(engine, drop)[hub.id] == Availability(0, 1, 2, 3)


def test_a_drop_loaded_with_its_stock_rows_reads_the_same_without_a_query(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.place_hold(drop.id, variant.id, "a", 2).ok
    db.session.expire_all()
    loaded = db.session.scalar(select(Drop).where(Drop.id == drop.id).options(*drop_loading_options()))

    assert loaded_drop_availability(engine, loaded) == drop_availability(db.session, engine, drop.id)


def test_an_inactive_hub_is_left_out_of_a_drop_but_shown_when_asked_for(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    reserve.active = False
    db.session.commit()

    assert set(_per_hub(engine, drop)) == {hub.id}
    asked = variant_availability(db.session, engine, [variant.id], [hub.id, reserve.id])
    assert asked[(variant.id, reserve.id)] == Availability(2, 0, 0, 2)


def test_the_engine_tells_a_drops_units_left_only_once_it_has_loaded_the_drop(engine, live_drop):
    drop, variant, hub, reserve = live_drop
    assert engine.drop_units_left(drop.id) is None  # not loaded: the caller falls back to the database

    assert engine.place_hold(drop.id, variant.id, "a", 3).ok
    assert engine.drop_units_left(drop.id) == 2
    assert engine.place_hold(drop.id, variant.id, "b", 2).ok
    assert engine.drop_units_left(drop.id) == 0

    engine.redis.delete(f"fm:avail:{variant.id}:{hub.id}")  # Redis lost one counter
    assert engine.drop_units_left(drop.id) is None
