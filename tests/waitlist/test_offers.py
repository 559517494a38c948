"""Units that come back go to the waitlist first, one shopper at a time, and only then to the crowd."""

from datetime import timedelta

from sqlalchemy import select

from mall.checkout.services import place_order
from mall.extensions import db
from mall.orders.models import OrderLine
from mall.orders.services import cancel_line
from mall.outbox.models import OutboxEmail
from mall.stock import ledger
from mall.stock.availability import variant_availability
from mall.waitlist import services
from mall.waitlist.models import EntryState, WaitlistEntry
from tests.checkout.conftest import pickup_details


def _books_balance(engine) -> bool:
    db.session.expire_all()
    return all(check.ok for check in ledger.check_invariant(db.session, engine.redis))


def _state(email: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(WaitlistEntry.state).where(WaitlistEntry.email == email))


def _offer_emails() -> dict[str, str]:
    db.session.expire_all()
    return {e.to_address: e.body for e in db.session.scalars(select(OutboxEmail)) if e.dedupe_key.startswith("waitlist")}


def _all_held(engine, drop, variant) -> None:
    assert engine.place_hold(drop.id, variant.id, "crowd-first", 1).ok
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).reason == "sold_out"


def test_an_expired_hold_goes_to_the_first_waiting_shopper_only(engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    _all_held(engine, drop, variant)
    ada = services.join(db.session, engine, drop, variant.id, "Ada@Example.com")
    bob = services.join(db.session, engine, drop, variant.id, "bob@example.com")
    assert (services.position(db.session, ada), services.position(db.session, bob)) == (1, 2)

    clock.shift(timedelta(minutes=11))  # the crowd's hold runs out
    assert engine.sweep_expired() == 1
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).reason == "sold_out"
    (units,) = variant_availability(db.session, engine, [variant.id]).values()  # one hub
    assert (units.free, units.held, units.sold) == (0, 1, 0)  # kept for the waitlist: held, not free
    assert _books_balance(engine)

    done = services.offer_returned_units(db.session, engine)
    assert done.offered == 1
    assert (_state("ada@example.com"), _state("bob@example.com")) == ("offered", "waiting")
    emails = _offer_emails()
    assert list(emails) == ["ada@example.com"]
    assert "/waitlist/offers/" in emails["ada@example.com"] and "Fisherman jumper" in emails["ada@example.com"]
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).reason == "sold_out"
    assert services.offer_returned_units(db.session, engine).offered == 0  # one unit, one offer, one email
    assert len(_offer_emails()) == 1
    assert _books_balance(engine)


def test_a_lapsed_offer_moves_on_to_the_next_shopper_and_only_then_to_the_crowd(engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    _all_held(engine, drop, variant)
    services.join(db.session, engine, drop, variant.id, "ada@example.com")
    services.join(db.session, engine, drop, variant.id, "bob@example.com")
    clock.shift(timedelta(minutes=11))
    services.offer_returned_units(db.session, engine)
    assert _state("ada@example.com") == "offered"

    clock.shift(timedelta(minutes=6))  # Ada's 5-minute offer lapses
    assert services.offer_returned_units(db.session, engine).offered == 1
    assert (_state("ada@example.com"), _state("bob@example.com")) == ("lapsed", "offered")
    assert set(_offer_emails()) == {"ada@example.com", "bob@example.com"}
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).reason == "sold_out"

    clock.shift(timedelta(minutes=6))  # Bob's lapses too: nobody waits, the unit goes on sale
    assert services.offer_returned_units(db.session, engine).offered == 0
    assert _state("bob@example.com") == "lapsed"
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).ok
    assert _books_balance(engine)


def test_a_cancelled_order_line_goes_to_the_waitlist(engine, make, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    pickup = make.hub(kind="pickup_point")
    assert engine.place_hold(drop.id, variant.id, "buyer", 1).ok
    order = place_order(db.session, engine, "buyer", "k" * 16, pickup_details(pickup), [engine.cart_holds("buyer")[0].id])
    services.join(db.session, engine, drop, variant.id, "ada@example.com")

    line = db.session.scalar(select(OrderLine).where(OrderLine.sub_order.has(order_id=order.id)))
    assert cancel_line(db.session, engine, line)
    assert engine.place_hold(drop.id, variant.id, "crowd", 1).reason == "sold_out"
    assert _books_balance(engine)
    assert services.offer_returned_units(db.session, engine).offered == 1
    assert _state("ada@example.com") == "offered"


def test_an_offer_is_bought_like_any_hold_and_the_entry_says_so(engine, make, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    pickup = make.hub(kind="pickup_point")
    _all_held(engine, drop, variant)
    services.join(db.session, engine, drop, variant.id, "ada@example.com")
    clock.shift(timedelta(minutes=11))
    services.offer_returned_units(db.session, engine)
    entry = db.session.scalar(select(WaitlistEntry))
    holds = engine.cart_holds(entry.offer_cart_token)
    assert [(h.id, h.quantity, h.price_cents) for h in holds] == [(entry.offer_hold_id, 1, 10_000)]

    place_order(db.session, engine, entry.offer_cart_token, "o" * 16, pickup_details(pickup, "ada@example.com"),
                [entry.offer_hold_id])
    assert _state("ada@example.com") == EntryState.BOUGHT
    assert services.offer_returned_units(db.session, engine).lapsed == 0
    assert _state("ada@example.com") == EntryState.BOUGHT
    assert _books_balance(engine)


def test_when_the_last_waiting_shopper_leaves_the_kept_units_go_on_sale(engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    _all_held(engine, drop, variant)
    ada = services.join(db.session, engine, drop, variant.id, "ada@example.com")
    clock.shift(timedelta(minutes=11))
    engine.sweep_expired()
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).reason == "sold_out"
    assert services.leave(db.session, engine, ada)
    assert not services.leave(db.session, engine, ada)  # once
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).ok
    assert _books_balance(engine)


def test_joining_twice_keeps_the_place_and_free_units_are_not_waited_for(engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    try:
        services.join(db.session, engine, drop, variant.id, "ada@example.com")
    except services.WaitlistError as error:
        assert "units free right now" in error.message
    else:
        raise AssertionError("joined while a unit was free")
    _all_held(engine, drop, variant)
    first = services.join(db.session, engine, drop, variant.id, "ada@example.com")
    again = services.join(db.session, engine, drop, variant.id, " ADA@example.com ")
    assert first.id == again.id and services.waiting_count(db.session, variant.id) == 1


def test_the_drop_ending_closes_its_waitlist_and_frees_the_kept_units(engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    _all_held(engine, drop, variant)
    services.join(db.session, engine, drop, variant.id, "ada@example.com")
    clock.shift(timedelta(minutes=11))
    engine.sweep_expired()
    clock.shift(timedelta(hours=3))
    assert services.offer_returned_units(db.session, engine).closed == 1
    assert _state("ada@example.com") == "lapsed"
    assert engine.waitlist_units(variant.id) == 0
    assert _books_balance(engine)


def test_a_count_of_waiting_shoppers_that_drifted_is_healed_by_the_next_job_run(engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    _all_held(engine, drop, variant)
    services.join(db.session, engine, drop, variant.id, "ada@example.com")
    engine.redis.incr(f"fm:waiting:{variant.id}")  # a race counted one shopper too many
    clock.shift(timedelta(minutes=11))
    assert services.offer_returned_units(db.session, engine).offered == 1  # Ada: nobody else waits
    clock.shift(timedelta(minutes=6))
    services.offer_returned_units(db.session, engine)  # Ada's offer lapses; the unit is kept for nobody...
    assert _state("ada@example.com") == "lapsed"
    assert engine.place_hold(drop.id, variant.id, "crowd-late", 1).ok  # ...so it went on sale in the same run
    assert _books_balance(engine)
