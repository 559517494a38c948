"""In Chromium, on a desktop and a phone-sized screen: two shoppers wait in a queued drop's line; the first is let
in and buys the last unit; the other's line page then says sold out and offers the fallback and the waitlist."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mall.admission.services import run_tick
from mall.extensions import db
from mall.stock.access import stock_engine
from tests.admission.conftest import room_settings

pytestmark = pytest.mark.e2e


@pytest.fixture
def last_unit_drop(make):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    brand = make.brand(slug="aurora", name="Aurora Knits")
    jumper = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(jumper, hub, 1)
    hat = make.product(brand, name="Wool hat", price_cents=2000).variants[0]
    make.stock(hat, hub, 3)
    drop = make.drop(brand, [jumper], starts_in=timedelta(minutes=-2), title="Fisherman drop", limit=1, tiers=())
    drop.admission_mode = "queue"
    drop.fallback_variant_id = hat.id
    db.session.commit()
    room_settings(overbook_percent=100)  # one unit: one shopper at a time
    return drop


def _join(page, drop, email):
    page.goto(f"/shop/aurora/drops/{drop.id}")
    notice = page.locator(".line-notice")
    expect(notice).to_contain_text("This drop has a line")
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
    notice.get_by_label("Your email").fill(email)
    notice.get_by_role("button", name="Join the line").click()
    expect(page).to_have_url(re.compile(rf"/shop/aurora/drops/{drop.id}/line$"))


def test_the_first_in_line_buys_the_last_unit_and_the_next_sees_sold_out_with_the_fallback(open_page, last_unit_drop):
    drop = last_unit_drop
    ada, bob = open_page(), open_page()
    _join(ada, drop, "ada@example.com")
    _join(bob, drop, "bob@example.com")
    expect(bob.locator("[data-position]")).to_have_text("2")
    expect(bob.locator("[data-ahead]")).to_have_text("1")
    expect(bob.locator(".line-stock")).to_contain_text("1 left")

    run_tick(db.session, stock_engine())  # the admission tick: one unit, so Ada only
    expect(ada.locator(".line-status")).to_contain_text("your turn", timeout=15_000)  # htmx refreshes the region
    expect(bob.locator("[data-position]")).to_have_text("1", timeout=15_000)
    ada.get_by_role("link", name="Shop Fisherman drop now").click()
    ada.get_by_role("button", name="Add to cart").first.click()
    expect(ada.locator(".hold-result.ok")).to_contain_text("Held for you")
    ada.goto("/cart")
    ada.get_by_role("link", name="Check out").click()
    ada.get_by_label("Your name").fill("Ada Shopper")
    ada.get_by_label("Email").fill("ada@example.com")
    ada.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    ada.get_by_role("button", name=re.compile("Place order")).click()
    expect(ada).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))

    run_tick(db.session, stock_engine())  # publishes the sold-out view (with its fallback); lets nobody in
    status = bob.locator(".line-status")
    expect(status).to_contain_text("Sold out", timeout=15_000)
    expect(status).to_contain_text("Wool hat")
    expect(status.get_by_role("button", name="Join the waitlist")).to_be_visible()
    expect(status).not_to_contain_text("your turn")
    status.locator(".fallback-card").get_by_role("button", name="Add to cart").click()
    expect(bob.locator(".hold-result.ok")).to_contain_text("Held for you")  # the fallback needs no turn
