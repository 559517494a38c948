"""In Chromium: a brand sets up its drop's draw (the seed's hash published at once), sees two entries flagged for
sharing a delivery address, and voids one before the draw."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mall.clock import utcnow
from mall.draw import services
from mall.draw.models import DrawEntry
from mall.extensions import db
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def aurora(make):
    make.hub(code="MH-SOHO", name="Soho Micro-hub")
    owner = make.user(email="owner@example.com", name="Olive Owner")
    brand = make.brand(owner=owner, slug="aurora", name="Aurora Knits")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    drop = make.drop(brand, [variant], starts_in=timedelta(hours=3), title="Fisherman jumper drop", tiers=())
    drop.admission_mode = "draw"
    db.session.commit()
    return drop, variant


def _enter(drop, variant, email, address, ip):
    details = services.EntryDetails(email, variant.id, address, "N1 1AA")
    entry = services.enter(db.session, drop, details, f"cart-{email}", ip, utcnow())
    services.confirm(db.session, entry, utcnow())
    return entry


def test_a_brand_sets_up_the_draw_and_voids_a_flagged_entry(open_page, aurora):
    drop, variant = aurora
    page = open_page()
    page.goto("/login")
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/brands/aurora/drops/{drop.id}")
    page.get_by_role("link", name="Draw settings and entries").click()
    page.get_by_label("Purchase window (minutes)").fill("20")
    page.get_by_role("button", name="Save the draw").click()
    expect(page.get_by_text("Draw saved.")).to_be_visible()
    draw = services.draw_of(db.session, drop.id)
    expect(page.locator("code.hash")).to_have_text(draw.seed_hash)
    assert draw.purchase_minutes == 20 and draw.entries_close_at == drop.starts_at.replace(second=0)  # the form has minutes

    draw.entries_open_at = utcnow() - timedelta(minutes=1)  # entries open now
    db.session.commit()
    ada = _enter(drop, variant, "ada@example.com", "12 High St", "10.0.0.1")
    bob = _enter(drop, variant, "bob@example.com", "12 high st.", "10.0.0.2")
    page.reload()
    expect(page.locator(f'tr[data-entry-id="{ada.id}"]')).to_contain_text(f"same address as #{bob.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'tr[data-entry-id="{bob.id}"]').get_by_role("button", name="Void").click()
    expect(page.get_by_text(f"Entry #{bob.id} is voided")).to_be_visible()
    expect(page.locator(f'tr[data-entry-id="{ada.id}"]')).not_to_contain_text("same address")
    db.session.expire_all()
    assert db.session.scalar(select(DrawEntry.state).where(DrawEntry.id == bob.id)) == "voided"
