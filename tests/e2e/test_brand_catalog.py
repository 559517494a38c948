"""A new seller, in a real browser: sign up -> create a brand -> product -> stock at two hubs -> drop with tiers
-> scheduled -> on the mall's "Upcoming"."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mall.clock import utcnow
from mall.drops.models import Drop
from mall.extensions import db
from mall.stock.models import StockLevel
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_new_seller_builds_and_schedules_a_drop_the_mall_then_shows(page, make):
    soho = make.hub(name="Soho micro-hub", kind="micro_hub")
    reserve = make.hub(name="Central reserve", kind="central_reserve")
    make.hub(name="Camden pickup", kind="pickup_point")

    page.goto("/signup")
    page.get_by_label("Your name").fill("Olive Owner")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Brand name").fill("Acme Tees")
    page.get_by_label("Shop address").fill("acme")
    page.get_by_role("button", name="Create brand").click()
    expect(page).to_have_url(re.compile(r"/brands/acme/$"))

    page.goto("/brands/acme/products")
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Product name").fill("Heavy tee")
    page.get_by_label("Description").fill("300gsm organic cotton.")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_text("Created Heavy tee.")).to_be_visible()

    page.get_by_label("SKU").fill("tee-blk-m")
    page.get_by_label("Variant name").fill("Black, M")
    page.get_by_label("Price (£)").fill("24.99")
    page.get_by_role("button", name="Add variant").click()
    variants = page.locator("#variants")
    expect(variants.get_by_role("row").filter(has_text="TEE-BLK-M")).to_contain_text("£24.99")

    variants.get_by_role("link", name="Stock").click()
    expect(page.get_by_text("Soho micro-hub")).to_be_visible()
    page.get_by_label("Units on hand at Soho micro-hub").fill("12")
    page.get_by_label("Units on hand at Central reserve").fill("30")
    page.get_by_role("button", name="Save stock").click()
    expect(page.get_by_text("Stock for TEE-BLK-M saved.")).to_be_visible()
    expect(page.locator("tfoot")).to_contain_text("42")

    page.get_by_role("link", name="Drops", exact=True).click()
    page.get_by_role("link", name="New drop").click()
    starts = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    page.get_by_label("Title").fill("Midnight tee drop")
    page.get_by_label("Hero variants").select_option(label="Heavy tee — Black, M · TEE-BLK-M")
    page.get_by_label("Starts date").fill(starts.strftime("%Y-%m-%d"))
    page.get_by_label("Starts time").fill(starts.strftime("%H:%M"))
    page.get_by_label("Ends date").fill((starts + timedelta(hours=1)).strftime("%Y-%m-%d"))
    page.get_by_label("Ends time").fill((starts + timedelta(hours=1)).strftime("%H:%M"))
    page.get_by_label("Hold length (minutes)").fill("10")
    page.get_by_label("Per-shopper limit").fill("2")
    page.get_by_label("Tier 1 From minute").fill("0")
    page.get_by_label("Tier 1 Until minute").fill("20")
    page.get_by_label("Tier 1 % off").fill("30")
    page.get_by_label("Tier 2 From minute").fill("20")
    page.get_by_label("Tier 2 % off").fill("15")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("as a draft")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="30%")).to_contain_text("£17.49")

    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("“Midnight tee drop” is scheduled.")).to_be_visible()

    page.get_by_role("link", name="← Drops").click()
    upcoming = page.locator("section.drop-group").filter(has=page.get_by_role("heading", name=re.compile(r"^Upcoming")))
    expect(upcoming.get_by_role("link", name="Midnight tee drop")).to_be_visible()
    expect(upcoming.locator("[data-countdown]")).to_have_text(re.compile(r"^\d+ h( \d+ min)?$|^\d+ d( \d+ h)?$"))

    db.session.expire_all()
    drop = db.session.scalar(select(Drop))
    assert (drop.status, [t.percent_off for t in drop.tiers]) == ("scheduled", [30, 15])
    levels = {lv.hub_id: lv.on_hand for lv in db.session.scalars(select(StockLevel))}
    assert levels == {soho.id: 12, reserve.id: 30}

    page.goto("/")
    mall_upcoming = page.locator("section", has=page.get_by_role("heading", name=re.compile(r"^Upcoming")))
    card = mall_upcoming.locator("article", has_text="Midnight tee drop")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Acme Tees")
    expect(card.locator("[data-countdown]")).to_have_text(re.compile(r"^\d+ h( \d+ min)?$|^\d+ d( \d+ h)?$"))
