"""A shopper holds two brands' hero items, checks out once for pickup and follows the private tracking link."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_live_drops(make):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    drops = []
    for slug, name, product, units in (("aurora", "Aurora Knits", "Fisherman jumper", 5), ("sole", "Sole Club", "Runner", 1)):
        brand = make.brand(slug=slug, name=name)
        variant = make.product(brand, name=product, price_cents=4000).variants[0]
        make.stock(variant, hub, units)
        drops.append(make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title=f"{product} drop", limit=2))
    return drops


def _add_to_cart(page, slug, drop):
    page.goto(f"/shop/{slug}/drops/{drop.id}")
    page.get_by_role("button", name="Add to cart").first.click()


def test_shopper_buys_from_two_brands_for_pickup(page, two_live_drops):
    aurora, sole = two_live_drops
    _add_to_cart(page, "aurora", aurora)
    expect(page.locator(".hold-result.ok")).to_contain_text("Held for you")
    _add_to_cart(page, "sole", sole)
    expect(page.locator(".hold-result.ok")).to_contain_text("Held for you")

    page.goto("/cart")
    expect(page.locator(".cart-brand")).to_have_count(2)
    countdowns = page.locator(".cart-hold [data-countdown]")
    expect(countdowns).to_have_count(2)
    expect(countdowns.first).to_have_text(re.compile(r"^\d+ min( \d+ s)?$"))
    first = countdowns.first.inner_text()
    expect(countdowns.first).not_to_have_text(first, timeout=2500)

    page.get_by_role("link", name="Check out").click()
    page.get_by_label("Your name").fill("Ada Shopper")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    page.get_by_role("button", name=re.compile("Place order")).click()

    expect(page).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))
    expect(page.get_by_text("your order is confirmed")).to_be_visible()
    expect(page.locator("section.card", has_text="Aurora Knits")).to_contain_text("Fisherman jumper")
    expect(page.locator("section.card", has_text="Sole Club")).to_contain_text("Runner")
    expect(page.get_by_text("Camden Pickup", exact=True)).to_be_visible()


def test_a_second_shopper_cannot_hold_the_unit_the_first_one_holds(new_context, two_live_drops):
    _, sole = two_live_drops
    first, second = new_context().new_page(), new_context().new_page()
    second.goto(f"/shop/sole/drops/{sole.id}")  # opened while the last unit was still free
    _add_to_cart(first, "sole", sole)
    expect(first.locator(".hold-result.ok")).to_contain_text("Held for you")

    second.get_by_role("button", name="Add to cart").first.click()
    expect(second.locator(".hold-result.refused")).to_contain_text("Sold out")
    # The live panel catches up on its next poll: the unit is held, and may come back.
    expect(second.locator("#availability")).to_contain_text("All held — 1 may come back by", timeout=15_000)
    second.goto("/cart")
    expect(second.get_by_text("Your cart is empty")).to_be_visible()
