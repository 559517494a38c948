"""The drop page as a moment: an upcoming drop turns live on the page without a reload, the sticky cart bar counts the
hold down on every shopper page, and checkout asks only for the chosen way's details (with or without JavaScript)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def drops(make):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    brand = make.brand(slug="aurora", name="Aurora Knits")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, hub, 10)
    live = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title="Fisherman jumper drop", tiers=())
    return {"live": live, "variant": variant, "brand": brand, "make": make}


def test_an_upcoming_drop_turns_live_on_the_page_without_a_reload(open_page, drops):
    soon = drops["make"].drop(drops["brand"], [drops["variant"]], starts_in=timedelta(seconds=4), title="Dawn drop",
                              tiers=())
    page = open_page()
    page.goto(f"/shop/aurora/drops/{soon.id}")
    expect(page.locator(".drop-head")).to_contain_text("Starts in")
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
    page.evaluate("window.stillTheSamePage = true")

    expect(page.get_by_role("button", name="Add to cart")).to_be_visible(timeout=15_000)
    expect(page.locator(".drop-head")).to_contain_text("Ends in")
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the drop in; the page was not reloaded


def test_the_cart_bar_shows_the_hold_and_its_countdown_on_every_shopper_page(open_page, drops):
    page = open_page()
    page.goto(f"/shop/aurora/drops/{drops['live'].id}")
    bar = page.locator("#cart-bar")
    expect(bar).to_be_empty()  # nothing held yet: no bar

    page.get_by_label("Qty").select_option("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(bar).to_contain_text("2 items held")
    countdown = bar.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^(10 min|9 min \d+ s)$"))

    page.goto("/")
    expect(bar).to_contain_text("2 items held")
    expect(countdown).to_be_in_viewport()  # sticky: on screen without scrolling, on a phone too
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=5_000)  # it counts down in the browser
    bar.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(".cart-line")).to_have_count(1)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_checkout_asks_only_for_the_chosen_ways_details(browser, live_server, drops, javascript):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                  java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(f"/shop/aurora/drops/{drops['live'].id}")
        page.get_by_role("button", name="Add to cart").click()
        if javascript:
            expect(page.locator(".hold-result.ok")).to_contain_text("Held for you")
        else:
            expect(page).to_have_url(re.compile(r"/cart$"))  # the form posts and the cart page says it is held
        page.goto("/checkout")
        pickup_point, address = page.get_by_label("Pickup point", exact=True), page.get_by_label("Delivery address")

        expect(pickup_point).to_be_visible()  # pickup is the default way
        expect(address).to_be_hidden()
        expect(page.get_by_label("Postcode")).to_be_hidden()

        page.get_by_label("Deliver to my address").check()
        expect(pickup_point).to_be_hidden()
        expect(address).to_be_visible()
        expect(page.get_by_label("Postcode")).to_be_visible()
    finally:
        context.close()
