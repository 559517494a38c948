"""In Chromium, on a desktop and a phone-sized screen: countdowns tick in the one time format the server renders;
a hold that runs out on the checkout page disables "Place order" and "Hold again" brings it back with what the
shopper typed; after ordering, the cart page and the back button lead to the order."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from mall.timefmt import duration

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
ONE_FORMAT = re.compile(r"^(\d+ d( \d+ h)?|\d+ h( \d+ min)?|\d+ min( \d+ s)?|\d+ s)$")
PARITY_SECONDS = [0, 1, 59, 60, 61, 196, 600, 3599, 3600, 3659, 4920, 86399, 86400, 172_620, 2_592_000]


@pytest.fixture(params=["desktop", "phone"])
def page(request, new_context):
    page = new_context().new_page()
    if request.param == "phone":
        page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def one_minute_drop(make):
    """A live drop whose holds last one minute, and a pickup point."""
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    brand = make.brand(slug="aurora", name="Aurora Knits")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, hub, 5)
    return make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title="Jumper drop", limit=2, hold_minutes=1)


def _hold_on_the_drop_page(page, drop):
    page.goto(f"/shop/aurora/drops/{drop.id}")
    page.get_by_role("button", name="Add to cart").first.click()
    expect(page.locator(".hold-result.ok")).to_contain_text("Held for you")


def test_countdowns_tick_in_the_servers_format(page, one_minute_drop):
    _hold_on_the_drop_page(page, one_minute_drop)
    assert page.evaluate(f"{PARITY_SECONDS}.map(durationText)") == [duration(s) for s in PARITY_SECONDS]

    page.goto("/cart")
    countdown = page.locator(".cart-hold [data-countdown]")
    first = countdown.inner_text()
    assert ONE_FORMAT.match(first), first  # as the server rendered it
    expect(countdown).not_to_have_text(first, timeout=2500)
    expect(countdown).to_have_text(re.compile(r"^\d+ s$"))  # under a minute left: seconds, ticking


def test_a_hold_that_runs_out_at_checkout_is_held_again_in_place_keeping_the_typed_fields(page, one_minute_drop):
    page.clock.install()
    _hold_on_the_drop_page(page, one_minute_drop)
    page.goto("/cart")
    page.get_by_role("link", name="Check out").click()
    page.get_by_label("Your name").fill("Ada Shopper")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    place_order = page.get_by_role("button", name=re.compile("Place order"))
    expect(place_order).to_be_enabled()
    expect(page.get_by_role("button", name="Hold again")).to_be_hidden()

    later = datetime.now(UTC) + timedelta(seconds=65)
    with time_machine.travel(later, tick=True):  # the server's clock: the hold has run out there too
        page.clock.fast_forward(65_000)
        expect(place_order).to_be_disabled()
        expect(page.locator("#checkout-items")).to_contain_text("no longer — the hold expired")
        page.get_by_role("button", name="Hold again").click()

        expect(place_order).to_be_enabled()
        expect(page.locator("#checkout-items [data-countdown]")).to_have_text(ONE_FORMAT)
        expect(page.get_by_label("Your name")).to_have_value("Ada Shopper")
        expect(page.get_by_label("Email")).to_have_value("ada@example.com")
        expect(page.get_by_label("Pickup point", exact=True)).to_have_value(re.compile(r"^[1-9]\d*$"))
        place_order.click()
        expect(page).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))
        tracking = page.url

        page.go_back()
        expect(page.get_by_role("link", name="track it")).to_be_visible()
        expect(page.get_by_label("Your name")).to_have_count(0)
        expect(page.get_by_text(re.compile(r"Your order FM-\S+ was placed"))).to_be_visible()

        page.goto("/cart")
        expect(page.get_by_text(re.compile(r"Your order FM-\S+ was placed"))).to_be_visible()
        page.get_by_role("link", name="track it").click()
        expect(page).to_have_url(tracking)


@pytest.mark.parametrize("screen", [{"width": 1200, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_a_brand_in_a_us_english_browser_types_the_window_as_an_iso_date_and_24_hour_time(
    request, browser, live_server, make, app, monkeypatch, screen
):
    from tests.factories import PASSWORD

    monkeypatch.setitem(app.config, "MALL_TIMEZONE", "Europe/London")
    owner = make.user(email="olive@example.com")
    brand = make.brand(owner=owner, slug="acme", name="Acme Tees")
    make.product(brand, name="Heavy tee")
    context = browser.new_context(base_url=live_server, locale="en-US", timezone_id="America/Los_Angeles",
                                  viewport=screen)
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/brands/acme/drops/new")

    day = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%d")
    page.get_by_label("Title").fill("Evening tee drop")
    page.get_by_label("Hero variants").select_option(index=0)
    expect(page.get_by_label("Starts date")).to_have_attribute("placeholder", "2026-12-05")
    expect(page.get_by_label("Starts time")).to_have_attribute("type", "text")
    page.get_by_label("Starts date").fill(day)
    page.get_by_label("Starts time").fill("6:30 PM")
    page.get_by_label("Ends date").fill(day)
    page.get_by_label("Ends time").fill("20:00")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("“6:30 PM” is not a 24-hour time")).to_be_visible()
    expect(page.get_by_label("Starts date")).to_have_value(day)  # what was typed stays

    page.get_by_label("Starts time").fill("18:30")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("as a draft")).to_be_visible()
    expect(page.locator("dd", has_text="Europe/London")).to_contain_text("18:30")
    page.get_by_role("link", name="Edit").first.click()
    expect(page.get_by_label("Starts time")).to_have_value("18:30")
    expect(page.get_by_label("Ends time")).to_have_value("20:00")
