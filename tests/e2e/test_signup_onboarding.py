import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_new_seller_signs_up_and_opens_a_brand(page, app):
    page.goto("/")
    page.get_by_role("link", name="Sell on Flashmall").click()

    page.get_by_label("Your name").fill("Ada Baker")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill("sourdough starter")
    page.get_by_label("Confirm password").fill("sourdough starter")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/brands/new$"))
    expect(page.get_by_text("Welcome to Flashmall, Ada Baker!")).to_be_visible()
    page.get_by_label("Brand name").fill("Crumb & Co")
    page.get_by_label("Shop address").fill("crumb-and-co")
    page.get_by_label("Tagline").fill("Bread that sells out.")
    page.get_by_role("button", name="Create brand").click()

    expect(page).to_have_url(re.compile(r"/brands/crumb-and-co/$"))
    expect(page.get_by_role("heading", name="Crumb & Co")).to_be_visible()
    expect(page.get_by_text("You are owner of this brand")).to_be_visible()


def test_bad_onboarding_input_is_shown_next_to_the_field(page, app):
    page.goto("/signup")
    page.get_by_label("Your name").fill("Ada Baker")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill("sourdough starter")
    page.get_by_label("Confirm password").fill("sourdough starter")
    page.get_by_role("button", name="Create account").click()

    page.get_by_label("Brand name").fill("Crumb & Co")
    page.get_by_label("Shop address").fill("admin")
    page.get_by_role("button", name="Create brand").click()

    expect(page.get_by_role("alert").filter(has_text="reserved by the mall")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/brands/new$"))
