"""In Chromium, on a desktop and a phone: a shopper enters a drop's draw, confirms through the emailed link, wins,
opens the winning email's link, buys the held unit, and checks the draw on its public verification page."""

import hashlib
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mall.clock import utcnow
from mall.draw import services
from mall.draw.drawing import run_draws
from mall.draw.models import DrawEntry
from mall.extensions import db
from mall.outbox.models import OutboxEmail

pytestmark = pytest.mark.e2e


@pytest.fixture
def draw_drop(make, engine):
    """A drop sold by draw, starting in an hour; its draw set up a minute ago and taking entries now."""
    brand = make.brand(slug="aurora", name="Aurora Knits")
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, hub, 1)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=60), title="Fisherman jumper drop", tiers=(), limit=1)
    drop.admission_mode = "draw"
    db.session.commit()
    now = utcnow()
    draw = services.save_draw(
        db.session, drop, services.DrawSettings(now + timedelta(minutes=1), now + timedelta(minutes=50), 15), now
    )
    draw.hash_published_at -= timedelta(minutes=2)  # as if set up two minutes ago: entries opened since
    draw.entries_open_at -= timedelta(minutes=2)
    db.session.commit()
    return drop


def _time_for_the_draw(drop, engine) -> None:
    """Entries close and the drop starts (the rows' times moved back, as the clock would move on)."""
    draw = services.draw_of(db.session, drop.id)
    now = utcnow()
    draw.entries_close_at = now - timedelta(seconds=30)
    drop.starts_at = now - timedelta(seconds=30)
    db.session.commit()
    engine.forget_drop(drop.id)


def _link(to: str, path: str) -> str:
    db.session.expire_all()
    bodies = db.session.scalars(select(OutboxEmail.body).where(OutboxEmail.to_address == to)).all()
    return next(m[1] for body in bodies if (m := re.search(rf"https?://[^/\s]+({path}\S+)", body)))


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > page.viewport_size["width"]


def test_a_shopper_enters_confirms_wins_and_buys_then_checks_the_draw(open_page, draw_drop, engine):
    drop, shopper = draw_drop, open_page()
    seed_hash = services.draw_of(db.session, drop.id).seed_hash
    shopper.goto(f"/shop/aurora/drops/{drop.id}")
    expect(shopper.get_by_role("heading", name="This drop sells by draw")).to_be_visible()
    expect(shopper.locator("[data-seed-hash]")).to_have_text(seed_hash)
    expect(shopper.get_by_role("button", name="Add to cart")).to_have_count(0)
    shopper.get_by_label("Your email").fill("ada@example.com")
    shopper.get_by_label("Delivery address").fill("12 High St")
    shopper.get_by_label("Postcode", exact=True).fill("N1 1AA")
    shopper.get_by_role("button", name="Enter the draw").click()
    expect(shopper.get_by_text("Check your email.")).to_be_visible()
    assert not _scrolls_sideways(shopper)

    shopper.goto(_link("ada@example.com", "/draw/confirm/"))
    shopper.get_by_role("button", name="Confirm my entry").click()
    expect(shopper.get_by_text("Your entry is confirmed.")).to_be_visible()

    _time_for_the_draw(drop, engine)
    assert run_draws(db.session, engine, utcnow()).won == 1
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.subject.like("You won%")))
    assert email.to_address == "ada@example.com" and "held for you until" in email.body
    shopper.goto(_link("ada@example.com", "/draw/wins/"))
    expect(shopper.get_by_role("heading", name="You won the draw")).to_be_visible()
    shopper.get_by_role("button", name="Open my cart and buy").click()
    expect(shopper).to_have_url(re.compile(r"/cart$"))
    expect(shopper.locator(".cart-line")).to_contain_text("Fisherman jumper")
    assert not _scrolls_sideways(shopper)

    shopper.get_by_role("link", name="Check out").click()
    shopper.get_by_label("Your name").fill("Ada Shopper")
    shopper.get_by_label("Email").fill("ada@example.com")
    shopper.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    shopper.get_by_role("button", name=re.compile("Place order")).click()
    expect(shopper).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))
    expect(shopper.get_by_text("1 × Fisherman jumper — £40.00")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(DrawEntry.state)) == "bought"

    shopper.goto(f"/draw/drops/{drop.id}")
    seed = shopper.locator("[data-seed]").inner_text()
    assert hashlib.sha256(seed.encode()).hexdigest() == seed_hash
    entry_id = db.session.scalar(select(DrawEntry.id))
    expect(shopper.locator(f'tr[data-entry-id="{entry_id}"]')).to_contain_text("won — bought")
    expect(shopper.locator("[data-snippet]")).to_contain_text("def draw_order(seed")
    assert "ada@example.com" not in shopper.content()  # entries by id only
    assert not _scrolls_sideways(shopper)
