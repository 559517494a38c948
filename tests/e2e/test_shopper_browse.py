"""A shopper browses the mall in Chromium: home -> brand -> drop, countdowns tick, stock updates live."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mall.extensions import db

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_drop(make):
    brand = make.brand(slug="aurora", name="Aurora Knits", tagline="Jumpers for cold mornings.",
                       returns_policy="Return unworn knits within 30 days.")
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    product = make.product(brand, name="Fisherman jumper", price_cents=4000)
    level = make.stock(product.variants[0], hub, 10)
    drop = make.drop(brand, product.variants, starts_in=timedelta(minutes=-5), lasts=timedelta(hours=1),
                     title="Fisherman jumper drop")
    return drop, level


def test_shopper_browses_to_a_drop_and_sees_stock_change_live(page, live_drop):
    drop, level = live_drop

    page.goto("/")
    card = page.locator("article.drop-card", has_text="Fisherman jumper drop")
    expect(card).to_be_visible()
    expect(card.locator("[data-countdown]")).to_have_text(re.compile(r"^\d+ min( \d+ s)?$"))
    expect(card).to_contain_text("£28.00")

    card.get_by_role("link", name="Aurora Knits").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aurora Knits")
    expect(page.get_by_text("Jumpers for cold mornings.")).to_be_visible()

    page.get_by_role("link", name="Fisherman jumper drop").click()
    expect(page).to_have_url(re.compile(rf"/shop/aurora/drops/{drop.id}$"))
    countdown = page.locator(".drop-head .timer [data-countdown]")
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=2500)

    region = page.locator("#availability")
    expect(region).to_contain_text("10 available")
    expect(region.get_by_role("link", name="Refresh availability")).to_be_visible()

    page.evaluate("window.stillTheSamePage = true")  # a reload would wipe this
    level.on_hand = 4
    db.session.commit()
    expect(region).to_contain_text("4 available", timeout=8000)
    assert page.evaluate("window.stillTheSamePage === true")
    expect(page).to_have_url(re.compile(rf"/shop/aurora/drops/{drop.id}$"))
