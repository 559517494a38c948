"""The stock engine's move_hold: a held unit changes hub atomically, and the books still balance."""

from mall.extensions import db
from mall.stock import ledger
from tests.fulfilment.conftest import hold, live_drops


def _books(engine, variant, *hubs):
    avail = engine.availability(variant.id, [h.id for h in hubs])
    held = engine.held(variant.id, [h.id for h in hubs])
    return [(avail[h.id], held[h.id]) for h in hubs]


def _balanced(engine) -> bool:
    return all(row.ok for row in ledger.check_invariant(db.session, engine.redis))


def test_a_hold_moves_to_another_hub_with_both_hubs_books_adjusted(make, engine, hubs, brands):
    knits = brands["knits"]
    make.stock(knits["variant"], hubs["soho"], 3)
    make.stock(knits["variant"], hubs["east"], 4)
    live_drops(make, brands)
    placed = hold(engine, knits, quantity=2)
    assert placed.hub_id == hubs["soho"].id

    moved = engine.move_hold("cart-1", placed.hold_id, hubs["east"].id)

    assert moved.ok and moved.hub_id == hubs["east"].id
    assert _books(engine, knits["variant"], hubs["soho"], hubs["east"]) == [(3, 0), (2, 2)]
    assert engine.cart_holds("cart-1")[0].hub_id == hubs["east"].id
    assert _balanced(engine)


def test_a_move_to_a_hub_without_enough_free_units_changes_nothing(make, engine, hubs, brands):
    knits = brands["knits"]
    make.stock(knits["variant"], hubs["soho"], 3)
    make.stock(knits["variant"], hubs["east"], 1)
    live_drops(make, brands)
    placed = hold(engine, knits, quantity=2)

    refused = engine.move_hold("cart-1", placed.hold_id, hubs["east"].id)

    assert not refused.ok and refused.reason == "sold_out"
    assert _books(engine, knits["variant"], hubs["soho"], hubs["east"]) == [(1, 2), (1, 0)]
    assert engine.cart_holds("cart-1")[0].hub_id == hubs["soho"].id
    assert _balanced(engine)


def test_only_the_cart_that_holds_it_may_move_a_hold_and_only_to_a_hub_of_its_drop(make, engine, hubs, brands):
    knits = brands["knits"]
    make.stock(knits["variant"], hubs["soho"], 3)
    make.stock(knits["variant"], hubs["east"], 3)
    live_drops(make, brands)
    placed = hold(engine, knits)

    assert engine.move_hold("someone-else", placed.hold_id, hubs["east"].id).reason == "gone"
    assert engine.move_hold("cart-1", placed.hold_id, hubs["camden"].id).reason == "not_in_drop"
    assert engine.move_hold("cart-1", placed.hold_id, hubs["soho"].id).ok  # already there: nothing to do
    assert _books(engine, knits["variant"], hubs["soho"], hubs["east"]) == [(2, 1), (3, 0)]


def test_an_expired_hold_is_released_instead_of_moved(make, engine, hubs, brands):
    knits = brands["knits"]
    make.stock(knits["variant"], hubs["soho"], 3)
    make.stock(knits["variant"], hubs["east"], 3)
    live_drops(make, brands)
    placed = hold(engine, knits)

    refused = engine.move_hold("cart-1", placed.hold_id, hubs["east"].id, now=placed.expires_ms + 1)

    assert refused.reason == "expired"
    assert _books(engine, knits["variant"], hubs["soho"], hubs["east"]) == [(3, 0), (3, 0)]
    assert _balanced(engine)


def test_a_claimed_hold_cannot_move(make, engine, hubs, brands):
    knits = brands["knits"]
    make.stock(knits["variant"], hubs["soho"], 3)
    make.stock(knits["variant"], hubs["east"], 3)
    live_drops(make, brands)
    placed = hold(engine, knits)
    assert engine.claim("cart-1", "checkout-key", [placed.hold_id]) == []

    assert engine.move_hold("cart-1", placed.hold_id, hubs["east"].id).reason == "gone"
    assert _books(engine, knits["variant"], hubs["soho"], hubs["east"]) == [(2, 1), (3, 0)]
