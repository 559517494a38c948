"""In Chromium, on a desktop and a phone: an item is all held, a shopper joins its waitlist, the hold runs out,
the offer email is in the outbox, and its link opens the cart with the unit held; the shopper buys it in time."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mall.extensions import db
from mall.outbox.models import OutboxEmail
from mall.stock.engine import now_ms
from mall.waitlist import services
from mall.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=["desktop", "phone"])
def shopper(request, new_context):
    page = new_context().new_page()
    if request.param == "phone":
        page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def all_held_drop(make, engine):
    brand = make.brand(slug="aurora", name="Aurora Knits")
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, hub, 1)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title="Fisherman jumper drop", tiers=())
    assert engine.place_hold(drop.id, variant.id, "someone-elses-cart", 1).ok  # the only unit, in another cart
    return drop


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > page.viewport_size["width"]


def test_a_waiting_shopper_gets_the_unit_that_came_back_and_buys_it(shopper, all_held_drop, engine):
    drop = all_held_drop
    shopper.goto(f"/shop/aurora/drops/{drop.id}")
    shopper.get_by_label("Your email").fill("ada@example.com")
    shopper.get_by_role("button", name="Join the waitlist").click()
    expect(shopper.get_by_text("You're number 1 on the waitlist")).to_be_visible()
    assert not _scrolls_sideways(shopper)

    engine.sweep_expired(now=now_ms() + 11 * 60_000)  # the other cart's 10-minute hold runs out
    assert services.offer_returned_units(db.session, engine).offered == 1
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "ada@example.com"))
    assert "A unit came back for you" in email.subject
    link = re.search(r"https?://[^/\s]+(/waitlist/offers/\S+)", email.body)[1]

    shopper.goto(link)
    expect(shopper).to_have_url(re.compile(r"/cart$"))
    expect(shopper.get_by_text("A unit came back for you")).to_be_visible()
    expect(shopper.locator(".cart-line")).to_contain_text("Fisherman jumper")
    expect(shopper.locator(".cart-hold [data-countdown]")).to_have_text(re.compile(r"\d"))
    assert not _scrolls_sideways(shopper)

    shopper.get_by_role("link", name="Check out").click()
    shopper.get_by_label("Your name").fill("Ada Shopper")
    shopper.get_by_label("Email").fill("ada@example.com")
    shopper.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    shopper.get_by_role("button", name=re.compile("Place order")).click()
    expect(shopper).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))
    expect(shopper.get_by_text("1 × Fisherman jumper — £40.00")).to_be_visible()

    db.session.expire_all()
    assert db.session.scalar(select(WaitlistEntry.state)) == "bought"
    shopper.goto(link)
    expect(shopper.get_by_text("You already bought this unit")).to_be_visible()
