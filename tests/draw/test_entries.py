"""Entering a draw: one entry per email and per cart, confirmed by email; flags and voiding before the draw."""

import pytest
from sqlalchemy import select

from mall.clock import utcnow
from mall.draw import services
from mall.draw.drawing import run_draws
from mall.draw.models import DrawEntry
from mall.extensions import db
from mall.outbox.models import OutboxEmail
from tests.draw.conftest import emails, enter, enter_confirmed, states


def test_one_entry_per_email_and_per_cart(draw_drop, clock):
    clock.shift(draw_drop.at(10))
    enter(draw_drop, "Ada@Example.com", cart="cart-one")
    with pytest.raises(services.DrawError, match="That email has already entered"):
        enter(draw_drop, "ada@example.com ", cart="cart-two")
    with pytest.raises(services.DrawError, match="This browser has already entered"):
        enter(draw_drop, "bob@example.com", cart="cart-one")
    assert states() == {"ada@example.com": "pending"}
    assert emails() == {"ada@example.com": ["confirm"]}


def test_entries_only_inside_the_window(draw_drop, clock):
    with pytest.raises(services.DrawError, match="not opened yet"):
        enter(draw_drop, "early@example.com")
    clock.shift(draw_drop.at(50))
    with pytest.raises(services.DrawError, match="closed"):
        enter(draw_drop, "late@example.com")
    assert states() == {}


def test_the_confirmation_email_carries_the_link_that_confirms(draw_drop, clock, client):
    clock.shift(draw_drop.at(10))
    entry = enter(draw_drop, "ada@example.com")
    body = db.session.scalar(select(OutboxEmail.body).where(OutboxEmail.to_address == "ada@example.com"))
    link = next(word for word in body.split() if "/draw/confirm/" in word)
    path = link[link.index("/draw/"):]
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my entry" in page.text
    assert states()["ada@example.com"] == "pending"  # opening the link (a mail scanner, say) confirms nothing
    done = client.submit(path)
    assert done.status_code == 303
    assert states()["ada@example.com"] == "confirmed"
    entry_page = client.get(done.headers["Location"])
    assert "Your entry is confirmed" in entry_page.text
    # the entry page's own link (seen by whoever entered) cannot confirm another entry: each purpose is signed apart
    assert client.get(f"/draw/confirm/{done.headers['Location'].rsplit('/', 1)[1]}").status_code == 404
    assert entry.id


def test_unconfirmed_entries_are_not_drawn(draw_drop, clock):
    clock.shift(draw_drop.at(10))
    enter_confirmed(draw_drop, "ada@example.com")
    enter(draw_drop, "bob@example.com")  # never confirmed
    clock.shift(draw_drop.at(50))
    with pytest.raises(services.DrawError, match="Entries closed before"):
        services.confirm(db.session, db.session.scalar(select(DrawEntry).where(DrawEntry.email == "bob@example.com")), utcnow())
    clock.shift(draw_drop.at(60))
    run_draws(db.session, _engine(), utcnow())
    assert states() == {"ada@example.com": "won", "bob@example.com": "pending"}
    assert db.session.scalar(select(DrawEntry.position).where(DrawEntry.email == "bob@example.com")) is None


def test_shared_address_or_ip_is_flagged_and_voiding_works_only_before_the_draw(draw_drop, clock):
    clock.shift(draw_drop.at(10))
    ada = enter_confirmed(draw_drop, "ada@example.com", address="12 High St", postcode="n1 1aa", ip="10.0.0.1")
    bob = enter_confirmed(draw_drop, "bob@example.com", address="12  high st.", postcode="N11AA", ip="10.0.0.2")
    cy = enter_confirmed(draw_drop, "cy@example.com", address="3 Other Rd", postcode="E2 2BB", ip="10.0.0.2")
    dee = enter_confirmed(draw_drop, "dee@example.com", address="9 Far Way", postcode="W3 3CC", ip="10.0.0.9")
    flags = services.flags(services.entries(db.session, draw_drop.draw))
    assert flags[ada.id] == [f"same address as #{bob.id}"]
    assert flags[bob.id] == [f"same address as #{ada.id}", f"same IP as #{cy.id}"]
    assert flags[cy.id] == [f"same IP as #{bob.id}"]
    assert dee.id not in flags

    clock.shift(draw_drop.at(55))  # entries closed, the draw not made yet: the brand still voids
    services.void(db.session, draw_drop.draw, bob.id, utcnow())
    assert states()["bob@example.com"] == "voided"
    assert services.flags(services.entries(db.session, draw_drop.draw)) == {}  # a voided entry flags nobody

    clock.shift(draw_drop.at(60))
    run_draws(db.session, _engine(), utcnow())
    assert states()["bob@example.com"] == "voided"  # not drawn
    with pytest.raises(services.DrawError, match="can no longer be voided"):
        services.void(db.session, draw_drop.draw, cy.id, utcnow())
    assert states()["cy@example.com"] in ("won", "reserve")


def _engine():
    from mall.stock.access import stock_engine

    return stock_engine()
