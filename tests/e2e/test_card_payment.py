"""In Chromium, on a desktop and a phone-sized screen, with the built-in test provider: a shopper pays by card and
sees the confirmed order; a declined card then a good one; and a cancelled payment returns the units, so another
browser can hold them."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import after_the_shared_copy_expires

pytestmark = pytest.mark.e2e




@pytest.fixture
def one_unit_drop(make):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    brand = make.brand(slug="sole", name="Sole Club")
    variant = make.product(brand, name="Runner", price_cents=4000).variants[0]
    make.stock(variant, hub, 1)
    return make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title="Runner drop", limit=1)


def _hold_and_check_out_by_card(page, drop):
    page.goto(f"/shop/sole/drops/{drop.id}")
    page.get_by_role("button", name="Add to cart").first.click()
    expect(page.locator(".hold-result.ok")).to_contain_text("Held for you")
    page.goto("/checkout")
    page.get_by_label("Your name").fill("Ada Shopper")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    page.get_by_label(re.compile("Card \\(test payments")).check()
    page.get_by_role("button", name=re.compile("Place order")).click()
    expect(page).to_have_url(re.compile(r"/pay/test/ts_[A-Za-z0-9_-]+$"))
    expect(page.get_by_role("heading", name=re.compile(r"Pay £"))).to_be_visible()
    expect(page.locator(".test-pay [data-countdown]")).to_have_text(re.compile(r"^(\d+ min( \d+ s)?|\d+ s)$"))  # the mall's one duration format


def _pay_with(page, number):
    page.get_by_label("Card number").fill(number)
    page.get_by_role("button", name=re.compile(r"^Pay £")).click()


def test_pay_by_card_and_see_the_confirmed_order(open_page, one_unit_drop):
    page = open_page()
    _hold_and_check_out_by_card(page, one_unit_drop)
    _pay_with(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/orders/[A-Za-z0-9_-]{32}$"))
    expect(page.get_by_text("your order is confirmed")).to_be_visible()
    expect(page.get_by_text("Paid by card")).to_be_visible()


def test_a_declined_card_then_a_retry(open_page, one_unit_drop):
    page = open_page()
    _hold_and_check_out_by_card(page, one_unit_drop)
    _pay_with(page, "4000000000000002")
    expect(page.get_by_role("alert").filter(has_text="Your card was declined")).to_be_visible()
    _pay_with(page, "4242424242424242")
    expect(page.get_by_text("your order is confirmed")).to_be_visible()


def test_cancelling_the_payment_returns_the_unit_to_other_shoppers(open_page, new_context, one_unit_drop, app):
    page, other = open_page(), new_context().new_page()
    _hold_and_check_out_by_card(page, one_unit_drop)
    other.goto(f"/shop/sole/drops/{one_unit_drop.id}")
    # held for the payment: the drop page says so, with no button to buy it
    expect(other.locator("[data-item-state]").first).to_contain_text("All held")
    expect(other.get_by_role("button", name="Add to cart")).to_have_count(0)

    page.get_by_role("button", name="Cancel payment").click()
    expect(page.locator(".order-payment")).to_contain_text("Payment not completed")
    after_the_shared_copy_expires(other, app)
    other.goto(f"/shop/sole/drops/{one_unit_drop.id}")
    other.get_by_role("button", name="Add to cart").first.click()
    expect(other.locator(".hold-result.ok")).to_contain_text("Held for you")
