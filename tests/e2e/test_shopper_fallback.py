"""In Chromium, on a desktop and a phone-sized screen: a drop whose hero sold out says so, offers its fallback item
at the drop's price, and the shopper holds it, checks out and gets the order confirmed."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mall.extensions import db

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=["desktop", "phone"])
def shopper(request, new_context):
    page = new_context().new_page()
    if request.param == "phone":
        page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def sold_out_drop(make):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    brand = make.brand(slug="aurora", name="Aurora Knits")
    jumper = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    level = make.stock(jumper, hub, 5)
    level.sold = 5  # every jumper already bought
    scarf = make.product(brand, name="Fisherman scarf", price_cents=2000).variants[0]
    make.stock(scarf, hub, 3)
    drop = make.drop(brand, [jumper], starts_in=timedelta(minutes=-2), title="Fisherman drop", limit=2,
                     tiers=((0, None, 25),))
    drop.fallback_variant_id = scarf.id
    db.session.commit()
    return drop


def test_a_sold_out_hero_offers_the_fallback_which_is_held_and_bought(shopper, sold_out_drop):
    shopper.goto("/")
    card = shopper.locator(".drop-card", has_text="Fisherman drop")
    expect(card.locator(".badge")).to_have_text("Sold out")
    expect(card).to_contain_text("Instead: Fisherman scarf")
    expect(card).not_to_contain_text("Shop the drop")
    card.get_by_role("link", name="Shop the fallback").click()

    expect(shopper.locator(".drop-head .badge")).to_have_text("Sold out")
    expect(shopper.get_by_text("off now")).to_have_count(0)
    hero = shopper.locator(".hero-card", has_text="Fisherman jumper")
    expect(hero).to_contain_text("Sold out")
    expect(hero.get_by_role("button", name="Add to cart")).to_have_count(0)
    fallback = shopper.locator(".fallback-card")
    expect(fallback).to_contain_text("Fisherman scarf")
    expect(fallback).to_contain_text("£15.00")  # 25% off £20.00, the drop's tier
    fallback.get_by_role("button", name="Add to cart").click()
    expect(shopper.locator(".hold-result.ok")).to_contain_text("Held for you")

    shopper.goto("/cart")
    expect(shopper.locator(".cart-line")).to_contain_text("Fisherman scarf")
    expect(shopper.locator(".cart-total")).to_contain_text("£15.00")
    shopper.get_by_role("link", name="Check out").click()
    shopper.get_by_label("Your name").fill("Ada Shopper")
    shopper.get_by_label("Email").fill("ada@example.com")
    shopper.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    shopper.get_by_role("button", name=re.compile("Place order")).click()

    expect(shopper).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))
    expect(shopper.get_by_text("your order is confirmed")).to_be_visible()
    expect(shopper.locator("section.card", has_text="Aurora Knits")).to_contain_text("Fisherman scarf")
