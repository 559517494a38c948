"""The draw: verifiable from the published hash and list, winners held through the engine, unbought wins passed on."""

import hashlib
import html
from datetime import timedelta

from sqlalchemy import select

from mall.checkout.services import place_order
from mall.clock import utcnow
from mall.draw import services
from mall.draw.drawing import run_draws
from mall.draw.fairness import draw_order
from mall.draw.models import DrawEntry
from mall.extensions import db
from mall.stock import ledger
from mall.stock.availability import variant_availability
from tests.checkout.conftest import pickup_details
from tests.draw.conftest import emails, enter_confirmed, make_draw_drop, states

PEOPLE = ["ada", "bob", "cy", "dee", "eve", "fay"]


def _drop_page(client, setup) -> str:
    return client.get(f"/shop/{setup.drop.tenant.slug}/drops/{setup.drop.id}").text


def _books_balance(engine) -> bool:
    db.session.expire_all()
    return all(check.ok for check in ledger.check_invariant(db.session, engine.redis))


def test_the_hash_is_published_before_entries_close_and_the_seed_only_at_the_draw(draw_drop, clock, client):
    draw = draw_drop.draw
    assert draw.hash_published_at < draw.entries_open_at < draw.entries_close_at
    clock.shift(draw_drop.at(10))
    page = _drop_page(client, draw_drop)
    assert draw.seed_hash in page and draw.seed not in page
    assert "Enter the draw" in page and "Add to cart" not in page
    clock.shift(draw_drop.at(49))  # a minute before entries close, the hash is still there, the seed still secret
    verify = client.get(f"/draw/drops/{draw_drop.drop.id}").text
    assert draw.seed_hash in verify and draw.seed not in verify and "secret until the draw" in verify
    assert hashlib.sha256(draw.seed.encode()).hexdigest() == draw.seed_hash


def test_the_draw_recomputes_from_the_revealed_seed_and_the_published_list(draw_drop, clock, client, engine):
    clock.shift(draw_drop.at(10))
    for name in PEOPLE:
        enter_confirmed(draw_drop, f"{name}@example.com")
    clock.shift(draw_drop.at(55))
    before = client.get(f"/draw/drops/{draw_drop.drop.id}").text
    published = before.split("data-entry-ids>")[1].split("</span>")[0]
    published_ids = [int(i) for i in published.split(", ")]
    assert len(published_ids) == 6

    clock.shift(draw_drop.at(60))
    assert run_draws(db.session, engine, utcnow()).drawn == 1
    page = client.get(f"/draw/drops/{draw_drop.drop.id}").text
    seed = page.split("data-seed>")[1].split("</code>")[0]
    assert hashlib.sha256(seed.encode()).hexdigest() == draw_drop.draw.seed_hash  # the seed matches the old hash
    order = draw_order(seed, published_ids)
    assert sorted(order) == sorted(published_ids)
    shown = [int(row.split('"')[0]) for row in page.split('data-entry-id="')[1:]]
    assert shown == order
    db.session.expire_all()
    rows = {e.id: e for e in db.session.scalars(select(DrawEntry))}
    assert [rows[i].position for i in order] == [1, 2, 3, 4, 5, 6]
    assert {i for i in order if rows[i].state == "won"} == set(order[:2])  # two units: the first two in order
    # the snippet on the page, run as it is, prints the same hash and order
    snippet = html.unescape(page.split("data-snippet><code>")[1].split("</code>")[0])
    printed = []
    exec(snippet, {"print": printed.append})
    assert printed == [draw_drop.draw.seed_hash, order]
    mail = emails()
    assert sum("win" in kinds for kinds in mail.values()) == 2
    assert sum("reserve" in kinds for kinds in mail.values()) == 4


def test_no_oversell_and_the_crowd_cannot_hold_a_drop_sold_by_draw(draw_drop, clock, client, engine):
    clock.shift(draw_drop.at(10))
    for name in PEOPLE:
        enter_confirmed(draw_drop, f"{name}@example.com")
    clock.shift(draw_drop.at(60))
    run_draws(db.session, engine, utcnow())
    run_draws(db.session, engine, utcnow())  # twice: nothing more is given
    assert sorted(states().values()).count("won") == 2
    (units,) = variant_availability(db.session, engine, [draw_drop.variant.id]).values()
    assert (units.free, units.held, units.sold) == (0, 2, 0)
    assert _books_balance(engine)

    crowd = engine.place_hold(draw_drop.drop.id, draw_drop.variant.id, "crowd-cart", 1)
    assert not crowd.ok and crowd.reason == "not_live"
    refused = client.submit("/cart/holds", {"drop_id": draw_drop.drop.id, "variant_id": draw_drop.variant.id, "quantity": 1})
    assert refused.status_code == 409
    assert "sells only through its draw" in refused.text and f"/draw/drops/{draw_drop.drop.id}" in refused.text


def test_an_unbought_win_passes_to_the_next_entrant_then_the_draw_closes(make, clock, client, engine):
    setup = make_draw_drop(make, units=1)
    clock.shift(setup.at(10))
    for name in ("ada", "bob", "cy"):
        enter_confirmed(setup, f"{name}@example.com")
    clock.shift(setup.at(60))
    run_draws(db.session, engine, utcnow())
    order = [e.email for e in services.entries(db.session, setup.draw)]
    first, second, third = order
    assert states() == {first: "won", second: "reserve", third: "reserve"}

    clock.shift(timedelta(minutes=14))
    assert run_draws(db.session, engine, utcnow()).lapsed == 0  # still inside the purchase window
    clock.shift(timedelta(minutes=2))  # the 15-minute window ran out unbought
    done = run_draws(db.session, engine, utcnow())
    assert (done.lapsed, done.won) == (1, 1)
    assert states() == {first: "lapsed", second: "won", third: "reserve"}
    winner = db.session.scalar(select(DrawEntry).where(DrawEntry.email == second))
    assert winner.backfill and emails()[second] == ["confirm", "reserve", "win"]

    order_placed = place_order(
        db.session, engine, winner.win_cart_token, "draw-key-1", pickup_details(setup.pickup, second),
        [winner.win_hold_id],
    )
    assert order_placed.total_cents == 10_000
    assert states()[second] == "bought"
    closed = run_draws(db.session, engine, utcnow())
    assert closed.closed == 1
    assert states() == {first: "lapsed", second: "bought", third: "lost"}
    assert emails()[third] == ["confirm", "reserve", "lost"]
    (units,) = variant_availability(db.session, engine, [setup.variant.id]).values()
    assert (units.free, units.held, units.sold) == (0, 0, 1)
    assert _books_balance(engine)


def test_another_brands_draw_is_404(make, clock, client):
    setup = make_draw_drop(make, units=1)
    clock.shift(setup.at(10))
    entry = enter_confirmed(setup, "ada@example.com")
    other = make.brand(slug="bravo", name="Bravo Boots")
    manager = make.user()
    make.member(other, manager, role="manager")
    client.login_as(manager)
    assert client.get(f"/brands/bravo/drops/{setup.drop.id}/draw").status_code == 404
    assert client.submit(f"/brands/bravo/drops/{setup.drop.id}/draw/entries/{entry.id}/void").status_code == 404
    assert client.submit(f"/brands/bravo/drops/{setup.drop.id}/draw", {"purchase_minutes": 5}).status_code == 404
    assert states() == {"ada@example.com": "confirmed"}


def test_the_brand_sees_entries_and_voids_one_before_the_draw(make, clock, client):
    setup = make_draw_drop(make, units=1)
    owner = make.user()
    make.member(setup.drop.tenant, owner, role="owner")
    clock.shift(setup.at(10))
    ada = enter_confirmed(setup, "ada@example.com", ip="10.1.1.1")
    enter_confirmed(setup, "bob@example.com", ip="10.1.1.1")
    client.login_as(owner)
    page = client.get(f"/brands/aurora/drops/{setup.drop.id}/draw")
    assert page.status_code == 200 and "same IP as" in page.text and "ada@example.com" in page.text
    voided = client.submit(f"/brands/aurora/drops/{setup.drop.id}/draw/entries/{ada.id}/void")
    assert voided.status_code == 303
    assert states()["ada@example.com"] == "voided"
    again = client.submit(f"/brands/aurora/drops/{setup.drop.id}/draw/entries/{ada.id}/void")
    assert again.status_code == 409 and "already voided" in again.text


def test_the_monitor_and_the_report_show_entrants_winners_buyers_and_backfills(make, clock, client, engine):
    from mall.monitor.jobs import build_drop_report
    from mall.monitor.report import build_report

    setup = make_draw_drop(make, units=1)
    owner = make.user()
    make.member(setup.drop.tenant, owner, role="owner")
    clock.shift(setup.at(10))
    for name in ("ada", "bob", "cy"):
        enter_confirmed(setup, f"{name}@example.com")
    clock.shift(setup.at(60))
    run_draws(db.session, engine, utcnow())
    clock.shift(timedelta(minutes=16))
    run_draws(db.session, engine, utcnow())  # the first win lapsed and passed on
    winner = db.session.scalar(select(DrawEntry).where(DrawEntry.state == "won"))
    place_order(db.session, engine, winner.win_cart_token, "draw-key-2", pickup_details(setup.pickup, winner.email),
                [winner.win_hold_id])

    client.login_as(owner)
    monitor = client.get(f"/brands/aurora/drops/{setup.drop.id}/live").text
    assert "3</strong> confirmed entries" in monitor
    assert "2</strong> winners" in monitor and "1 passed on" in monitor
    assert "1</strong> bought" in monitor and "1 not in time" in monitor

    report = build_report(db.session, setup.drop, utcnow())["draw"]
    assert (report["entrants"], report["winners"], report["buyers"], report["backfills"]) == (3, 2, 1, 1)
    build_drop_report(setup.drop.tenant_id, setup.drop.id)
    page = client.get(f"/brands/aurora/drops/{setup.drop.id}/report").text
    assert "Backfills (wins passed on to the next entrant)" in page and "33% of entrants" in page


def test_a_drop_switched_away_from_its_draw_closes_it_and_has_no_waitlist_while_drawn(make, clock, engine):
    from mall.waitlist import services as waitlist

    setup = make_draw_drop(make, units=1)
    clock.shift(setup.at(10))
    for name in ("ada", "bob"):
        enter_confirmed(setup, f"{name}@example.com")
    clock.shift(setup.at(60))
    run_draws(db.session, engine, utcnow())
    try:
        waitlist.join(db.session, engine, setup.drop, setup.variant.id, "cy@example.com")
    except waitlist.WaitlistError as refused:
        assert "only through its draw" in refused.message
    else:
        raise AssertionError("a drop sold by draw took a waitlist entry")

    setup.drop.admission_mode = "open"
    db.session.commit()
    assert run_draws(db.session, engine, utcnow()).closed == 1
    assert sorted(states().values()) == ["lost", "won"]
