"""In Chromium: a low-stock alert raised by the alerts job appears in the brand owner's dashboard badge without a
reload, links to its drop, and is acknowledged from the alerts list."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mall.alerts.jobs import evaluate_alerts
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_drop(make):
    owner = make.user(email="owner@aurora.example.com", name="Olive Owner")
    brand = make.brand(owner=owner, slug="aurora", name="Aurora Knits")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, make.hub(code="MH-SOHO", name="Soho Micro-hub"), 60)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), limit=5, title="Fisherman drop")
    return owner, drop, variant


def _log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_a_low_stock_alert_appears_in_the_badge_live_and_is_acknowledged(page, engine, live_drop):
    owner, drop, variant = live_drop
    _log_in(page, owner.email)
    page.goto("/brands/aurora/")
    badge = page.locator("#alerts-nav")
    expect(badge).to_have_text("Alerts")
    page.evaluate("window.stillTheSamePage = true")

    for n in range(30):  # half the drop held within a minute: 30 left at 6 a minute, sold out in 5 minutes
        assert engine.place_hold(drop.id, variant.id, f"cart-{n}", 1, ip=f"203.0.113.{n}").ok
    assert evaluate_alerts()["raised"] == 1

    expect(badge.locator(".alert-count")).to_have_text("1", timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True, "the dashboard reloaded instead of updating the badge"

    badge.click()
    alert = page.locator(".alert-item")
    expect(alert).to_contain_text("Low stock")
    expect(alert).to_contain_text("Fisherman drop: 30 units left")
    expect(alert.get_by_role("link", name="Open the drop")).to_have_attribute("href", f"/brands/aurora/drops/{drop.id}")

    alert.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Acknowledged: Low stock.")).to_be_visible()
    expect(page.locator("#alert-results")).to_contain_text("No alerts here.")
    expect(page.locator("#alerts-nav")).to_have_text("Alerts")
    page.get_by_role("link", name=re.compile(r"^Acknowledged")).click()
    expect(page.locator(".alert-item")).to_contain_text("acknowledged by Olive Owner")
