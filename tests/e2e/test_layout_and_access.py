"""Every main page on a phone (390 x 844) and a laptop (1366 x 900): no sideways scrolling, every button readable
against its background (WCAG contrast from the computed colours), and axe-core finding nothing serious or critical.
The drop page puts its title, price and Add to cart on the first screen of a phone."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from mall.checkout.services import place_order
from mall.extensions import db
from mall.fulfilment.models import HubMember
from mall.support.models import Topic
from mall.support.services import add_note, brand_reply, open_about_order
from mall.support.surge import add_tag
from tests.checkout.conftest import pickup_details
from tests.e2e.page_checks import horizontal_overflow, low_contrast_buttons, serious_axe_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SCREENS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}
ALL_DAY = {"opens_at": time(0, 0), "closes_at": time(23, 59)}


@pytest.fixture(params=list(SCREENS))
def screen(request):
    return request.param


@pytest.fixture
def open_screen(browser, live_server, screen):
    """A fresh browser at the screen size; CSP is bypassed only so the test can inject axe-core's script."""
    contexts = []

    def open_screen():
        context = browser.new_context(base_url=live_server, viewport=SCREENS[screen], bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_screen
    for context in contexts:
        context.close()


@pytest.fixture
def shop(make, engine):
    soho = make.hub(code="MH-SOHO", name="Soho Micro-hub", **ALL_DAY)
    pickup = make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St", **ALL_DAY)
    owner = make.user(email="owner@aurora.example.com", name="Olive Owner")
    brand = make.brand(owner=owner, slug="aurora", name="Aurora Knits")
    product = make.product(brand, name="Fisherman jumper", price_cents=4000)
    product.description = "Hand-knitted in Shetland wool. " * 6
    variant = product.variants[0]
    make.stock(variant, soho, 20)
    live = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title="Fisherman jumper drop", limit=3)
    make.drop(brand, [variant], starts_in=timedelta(hours=3), title="Winter drop")
    hold = engine.place_hold(live.id, variant.id, "cart-layout-order", 1).hold_id
    order = place_order(db.session, engine, "cart-layout-order", "key-layout-order-000000", pickup_details(pickup), [hold])
    thread = open_about_order(db.session, order, order.sub_orders[0], Topic.LINES, "Where is my jumper?")
    brand_reply(db.session, thread, owner, "It is being packed at Soho.", "pending")
    add_note(db.session, thread, owner, "Check the Soho queue first.")
    add_tag(db.session, thread, "where-is-it")
    db.session.commit()
    picker = make.user(email="picker@example.com", name="Pat Picker")
    make._save(HubMember(hub_id=soho.id, user_id=picker.id))
    make.user(email="ops@example.com", operator=True)
    return {"drop": live, "order": order, "thread": thread}


def _log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _problems(page, path) -> list[str]:
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    found = [] if response.ok else [f"{path}: answered {response.status}"]
    overflow = horizontal_overflow(page)
    if overflow > 0:
        found.append(f"{path}: {overflow} px wider than the screen")
    found += [f"{path}: button {b['text']!r} contrast {b['ratio']}" for b in low_contrast_buttons(page)]
    found += [f"{path}: {v}" for v in serious_axe_violations(page)]
    return found


def test_shopper_pages(open_screen, screen, shop):
    page = open_screen()
    drop_path = f"/shop/aurora/drops/{shop['drop'].id}"
    problems = _problems(page, "/") + _problems(page, "/shop/aurora") + _problems(page, drop_path)

    buy = page.get_by_role("button", name="Add to cart").first
    box, height = buy.bounding_box(), SCREENS[screen]["height"]
    assert box["y"] + box["height"] <= height, f"Add to cart ends at {box['y'] + box['height']:.0f} px, below the first screen"
    for shown in (page.locator("h1"), page.locator(".buy-box .price").first):
        assert shown.bounding_box()["y"] + shown.bounding_box()["height"] <= height
    buy.click()
    expect(page.locator(".hold-result.ok")).to_contain_text("Held for you")

    problems += _problems(page, "/cart") + _problems(page, "/checkout")
    problems += _problems(page, f"/orders/{shop['order'].tracking_token}")
    assert problems == []


def test_brand_pages(open_screen, shop):
    page = open_screen()
    _log_in(page, "owner@aurora.example.com")
    problems = []
    for path in ("/", "/drops", "/products", "/inbox", f"/inbox/{shop['thread'].id}", f"/drops/{shop['drop'].id}/live",
                 "/creators", "/orders"):
        problems += _problems(page, f"/brands/aurora{path}")
    assert problems == []


def test_hub_and_operator_pages(open_screen, shop):
    picker = open_screen()
    _log_in(picker, "picker@example.com")
    problems = _problems(picker, "/hubs") + _problems(picker, "/hubs/MH-SOHO/picking")
    operator = open_screen()
    _log_in(operator, "ops@example.com")
    for path in ("/operator/hubs", "/operator/brands", "/operator/payments", "/operator/alerts", "/operator/jobs/failed",
                 "/hubs", "/hubs/MH-SOHO/picking"):
        problems += _problems(operator, path)
    assert problems == []


def _content_x_and_current(page, path) -> tuple[float, str]:
    page.goto(path)
    x = page.locator("main h1").first.bounding_box()["x"]
    return x, page.locator('.dash-nav a[aria-current="page"]').inner_text().strip()


def test_staff_pages_share_one_layout_with_the_page_marked_and_no_shopper_links(new_context, shop):
    owner, operator, picker = (new_context().new_page() for _ in range(3))
    _log_in(owner, "owner@aurora.example.com")
    _log_in(operator, "ops@example.com")
    _log_in(picker, "picker@example.com")

    seen = [
        _content_x_and_current(owner, "/brands/aurora/drops"),
        _content_x_and_current(owner, "/brands/aurora/inbox"),
        _content_x_and_current(owner, f"/brands/aurora/drops/{shop['drop'].id}/live"),
        _content_x_and_current(operator, "/operator/hubs"),
        _content_x_and_current(operator, "/operator/jobs/failed"),
        _content_x_and_current(operator, "/hubs/MH-SOHO/picking"),
        _content_x_and_current(picker, "/hubs/MH-SOHO/picking"),
    ]

    assert [current for _, current in seen] == [
        "Drops", "Inbox", "Drops", "Hubs", "Failed jobs", "Fulfilment", "Soho Micro-hub"]
    assert len({round(x) for x, _ in seen}) == 1, seen  # the content column starts at the same x on every page
    topbar = owner.locator("header.topbar")
    expect(topbar.get_by_role("link", name="Cart")).to_have_count(0)
    expect(topbar.get_by_role("link", name="New brand")).to_have_count(0)
    owner.goto("/")
    expect(owner.locator("header.topbar").get_by_role("link", name="Cart")).to_have_count(1)  # a shopper page has it
