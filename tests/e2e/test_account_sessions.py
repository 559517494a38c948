"""In Chromium, on a desktop and a phone-sized screen: changing the password or logging out in one browser signs
out every other browser of that account, and a throttled login shows the form again, saying when to try again."""

import re

import pytest
from playwright.sync_api import expect

from mall.extensions import limiter
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a brand new secret phrase"
DASHBOARD = re.compile(r"/brands/acme/$")
ASKED_TO_LOG_IN = re.compile(r"/login\?next=/brands/acme/$")



@pytest.fixture
def owner(make):
    # A long address with nowhere to break: the Account page shows it, and it must not widen a phone screen.
    owner = make.user(email="oliveowner.orders.and.returns@acmeteesandsweatshirts.example.com", name="Olive Owner")
    make.brand(owner=owner, slug="acme", name="Acme Tees")
    return owner


def _log_in(page, email, password):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def _is_turned_away(page, email, password, message="Email or password is wrong."):
    _log_in(page, email, password)
    expect(page.get_by_label("Password")).to_have_value("")  # the answer is in: the password is never sent back
    expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()


def _sign_in_to_the_dashboard(page, email):
    page.goto("/login")
    _log_in(page, email, PASSWORD)
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", name="Acme Tees")).to_be_visible()


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > page.viewport_size["width"]


def test_changing_the_password_signs_out_every_other_browser(open_page, owner):
    here, elsewhere = open_page(), open_page()
    _sign_in_to_the_dashboard(here, owner.email)
    _sign_in_to_the_dashboard(elsewhere, owner.email)

    here.get_by_role("link", name="Account", exact=True).click()
    expect(here.get_by_role("heading", name="Your account")).to_be_visible()
    expect(here.get_by_text(f"Signed in as Olive Owner ({owner.email}).")).to_be_visible()
    assert not _scrolls_sideways(here)
    here.get_by_label("Current password").fill("not my password at all")
    here.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    here.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    here.get_by_role("button", name="Change password").click()
    expect(here.get_by_role("alert").filter(has_text="That is not your current password.")).to_be_visible()
    assert not _scrolls_sideways(here)
    elsewhere.reload()
    expect(elsewhere).to_have_url(DASHBOARD)  # a wrong current password changes nothing

    here.get_by_label("Current password").fill(PASSWORD)
    here.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    here.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    here.get_by_role("button", name="Change password").click()
    expect(here.get_by_text("Your password is changed. Every other browser is signed out.")).to_be_visible()

    elsewhere.reload()
    expect(elsewhere).to_have_url(ASKED_TO_LOG_IN)
    expect(elsewhere.get_by_text("Please log in to continue.")).to_be_visible()
    here.goto("/brands/acme/")
    expect(here).to_have_url(DASHBOARD)
    expect(here.get_by_role("heading", name="Acme Tees")).to_be_visible()

    _is_turned_away(elsewhere, owner.email, PASSWORD)
    _log_in(elsewhere, owner.email, NEW_PASSWORD)
    expect(elsewhere).to_have_url(DASHBOARD)
    expect(elsewhere.get_by_role("heading", name="Acme Tees")).to_be_visible()


def test_logging_out_in_one_browser_signs_out_the_other(open_page, owner):
    here, elsewhere = open_page(), open_page()
    _sign_in_to_the_dashboard(here, owner.email)
    _sign_in_to_the_dashboard(elsewhere, owner.email)

    here.get_by_role("button", name="Log out").click()
    expect(here.get_by_text("You are logged out.")).to_be_visible()
    expect(here.get_by_role("link", name="Log in")).to_be_visible()

    elsewhere.reload()
    expect(elsewhere).to_have_url(ASKED_TO_LOG_IN)
    expect(elsewhere.get_by_role("button", name="Log out")).to_have_count(0)
    here.goto("/brands/acme/")
    expect(here).to_have_url(ASKED_TO_LOG_IN)


def test_a_throttled_login_shows_the_form_again_with_the_email_and_when_to_try_again(
    open_page, owner, app, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per minute")
    signed_in = open_page()
    _sign_in_to_the_dashboard(signed_in, owner.email)  # the first of the three this account may try
    page = open_page()
    page.goto("/brands/acme/")
    expect(page).to_have_url(ASKED_TO_LOG_IN)

    _is_turned_away(page, owner.email, "first wrong guess")
    _is_turned_away(page, owner.email, "second wrong guess")
    _is_turned_away(page, owner.email, "third wrong guess", message="Too many attempts to log in.")

    throttled = page.get_by_role("alert")
    expect(throttled).to_contain_text(re.compile(r"Try again in \d+ seconds?\."))
    wait = int(re.search(r"Try again in (\d+) second", throttled.inner_text()).group(1))
    assert 1 <= wait <= 60
    expect(page.get_by_label("Email")).to_have_value(owner.email)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert not _scrolls_sideways(page)

    signed_in.reload()
    expect(signed_in).to_have_url(DASHBOARD)  # someone guessing does not sign the owner out

    with app.app_context():
        limiter.reset()  # the minute has passed
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(DASHBOARD)  # the kept form still goes where the owner was headed
    expect(page.get_by_role("heading", name="Acme Tees")).to_be_visible()
