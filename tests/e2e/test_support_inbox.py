"""In Chromium: a shopper asks a brand about an order; the brand's agent sees it arrive without reloading,
answers with a canned reply that carries the order's real ETA, and the shopper reads it on the private link."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mall.checkout.services import place_order
from mall.extensions import db
from mall.support.models import CannedReply
from mall.support.placeholders import eta_text
from tests.checkout.conftest import pickup_details
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

CANNED = "Hi {shopper_name}, your order {order_number}: {eta} Pickup at {pickup_point}."


@pytest.fixture
def ordered(make, engine):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    pickup = make.hub(kind="pickup_point", code="PP-CAMDEN", name="Camden Pickup", address="1 Camden High St")
    brand = make.brand(owner=make.user(email="owner@aurora.example.com"), slug="aurora", name="Aurora Knits")
    agent = make.member(brand, make.user(email="agent@aurora.example.com", name="Ana Agent"), role="support")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, hub, 5)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-2))
    hold = engine.place_hold(drop.id, variant.id, "cart-e2e-support", 1).hold_id
    order = place_order(db.session, engine, "cart-e2e-support", "key-e2e-support-0000000", pickup_details(pickup), [hold])
    db.session.add(CannedReply(tenant_id=brand.id, title="Where is my order", body=CANNED))
    db.session.commit()
    return order, agent


def _log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_shopper_asks_agent_answers_live_with_the_real_eta(new_context, ordered):
    order, agent = ordered
    agent_page, shopper = new_context().new_page(), new_context().new_page()

    _log_in(agent_page, agent.email)
    agent_page.goto("/brands/aurora/inbox")
    inbox = agent_page.locator("#inbox-list")
    expect(inbox).to_contain_text("No conversations here.")
    agent_page.evaluate("window.stillTheSamePage = true")

    shopper.goto(f"/orders/{order.tracking_token}")
    shopper.get_by_role("link", name="Ask Aurora Knits about this order").click()
    shopper.get_by_label("Your question").fill("Where is my jumper? <b>Soon?</b>")
    shopper.get_by_role("button", name="Send to Aurora Knits").click()
    expect(shopper).to_have_url(re.compile(r"/support/[A-Za-z0-9_-]{32}$"))
    private_link = shopper.url
    expect(shopper.locator("#thread-messages")).to_contain_text("Where is my jumper? <b>Soon?</b>")

    subject = f"Order {order.number} — Aurora Knits items"
    expect(inbox.get_by_role("link", name=subject)).to_be_visible(timeout=15_000)
    expect(inbox).to_contain_text("New message")
    assert agent_page.evaluate("window.stillTheSamePage") is True, "the inbox reloaded instead of updating in place"

    inbox.get_by_role("link", name=subject).click()
    expect(agent_page.locator(".order-panel")).to_contain_text("Fisherman jumper")
    agent_page.get_by_label("Canned reply").select_option(label="Where is my order")
    agent_page.get_by_role("button", name="Insert").click()
    eta = eta_text(order)
    expected = f"Hi Ada Shopper, your order {order.number}: {eta} Pickup at Camden Pickup, 1 Camden High St."
    expect(agent_page.get_by_label("Reply to the shopper")).to_have_value(expected)
    agent_page.get_by_role("button", name="Send reply").click()
    expect(agent_page.get_by_text("Reply sent")).to_be_visible()

    expect(shopper.locator("#thread-messages")).to_contain_text(expected, timeout=15_000)
    assert shopper.url == private_link
    shopper.reload()
    expect(shopper.locator("#thread-messages")).to_contain_text(eta)
