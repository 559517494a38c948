"""A shopper buys from two brands for pickup and gets one parcel with one ETA; hub staff mark it ready;
the shopper's tracking page shows it on its way to the point without a reload."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mall.extensions import db
from mall.fulfilment.jobs import commit_parcel_etas
from mall.fulfilment.models import HubMember, Parcel
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

ALL_DAY = {"opens_at": time(0, 0), "closes_at": time(23, 59)}


@pytest.fixture
def pooled_mall(make):
    soho = make.hub(code="MH-SOHO", name="Soho Micro-hub", latitude=51.5136, longitude=-0.1365, **ALL_DAY)
    make.hub(
        code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St",
        latitude=51.5390, longitude=-0.1426, **ALL_DAY,
    )
    drops = []
    for slug, name, product in (("aurora", "Aurora Knits", "Fisherman jumper"), ("sole", "Sole Club", "Runner")):
        brand = make.brand(slug=slug, name=name)
        variant = make.product(brand, name=product, price_cents=4000).variants[0]
        make.stock(variant, soho, 5)
        drops.append(make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title=f"{product} drop", limit=2))
    staff = make.user(email="picker@example.com", name="Pat Picker")
    make._save(HubMember(hub_id=soho.id, user_id=staff.id))
    return drops


def _add_to_cart(page, slug, drop):
    page.goto(f"/shop/{slug}/drops/{drop.id}")
    page.get_by_role("button", name="Add to cart").first.click()
    expect(page.locator(".hold-result.ok")).to_contain_text("Held for you")


def test_two_brands_one_pickup_parcel_marked_ready_by_hub_staff_updates_live(new_context, pooled_mall):
    aurora, sole = pooled_mall
    shopper = new_context().new_page()
    _add_to_cart(shopper, "aurora", aurora)
    _add_to_cart(shopper, "sole", sole)
    shopper.goto("/checkout")
    shopper.get_by_label("Your name").fill("Ada Shopper")
    shopper.get_by_label("Email").fill("ada@example.com")
    shopper.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    shopper.get_by_role("button", name=re.compile("Place order")).click()
    expect(shopper).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))

    parcels = shopper.locator("#parcels article.parcel")
    expect(parcels).to_have_count(1)
    expect(parcels.first).to_contain_text("Fisherman jumper")
    expect(parcels.first).to_contain_text("Runner")
    expect(parcels.first).to_contain_text("Packing at Soho Micro-hub for pickup at Camden Pickup, 1 Camden High St")
    shopper.evaluate("window.stillTheSamePage = true")

    [parcel_id] = db.session.scalars(select(Parcel.id)).all()
    commit_parcel_etas([parcel_id])  # what the worker does after checkout
    expect(parcels.first.locator(".eta-time")).to_have_count(1, timeout=15_000)
    expect(parcels.first).to_contain_text("Ready for pickup by")

    staff = new_context().new_page()
    staff.goto("/login")
    staff.get_by_label("Email").fill("picker@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.get_by_role("link", name="Hub work").click()
    staff.get_by_role("link", name=re.compile("Picking list")).click()
    card = staff.locator(f"#parcel-{parcel_id}")
    expect(card).to_contain_text("Aurora Knits")
    expect(card).to_contain_text("Sole Club")
    card.get_by_role("button", name=re.compile("Send to Camden Pickup")).click()
    expect(staff.locator("#picking-list")).to_contain_text(f"Parcel #{parcel_id} is in transit to Camden Pickup.")

    badge = parcels.first.locator(".parcel-status")
    expect(badge).to_have_text("In transit", timeout=15_000)
    expect(parcels.first).to_contain_text("In transit to Camden Pickup")
    assert shopper.evaluate("window.stillTheSamePage") is True  # updated in place, no reload
