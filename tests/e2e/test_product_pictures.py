"""A brand uploads a product picture in Chromium and shoppers see it on the drop page, on a laptop and a phone:
the browser picks the WebP rendition that fits the screen; a file that is not an image is refused in words."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def _photo() -> bytes:
    image = Image.new("RGB", (1600, 1200), (180, 40, 60))
    image.paste((250, 220, 120), (400, 300, 1200, 900))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_brand_uploads_a_product_picture_and_shoppers_see_it_on_the_drop(open_page, make):
    owner = make.user(email="olive@example.com")
    brand = make.brand(owner=owner, slug="acme", name="Acme Tees")
    product = make.product(brand, name="Heavy tee", price_cents=2400)
    make.stock(product.variants[0], make.hub(), 10)
    drop = make.drop(brand, product.variants, starts_in=timedelta(minutes=-5), title="Heavy tee drop")

    page = open_page()
    _log_in(page, "olive@example.com")
    page.goto(f"/brands/acme/products/{product.id}")
    section = page.locator("#product-picture")
    expect(section).to_contain_text("No picture yet.")

    section.get_by_label("Product picture").set_input_files(
        {"name": "notes.png", "mimeType": "image/png", "buffer": b"this is a shopping list, not a picture"}
    )
    section.get_by_role("button", name="Upload picture").click()
    expect(page.locator("#product-picture")).to_contain_text("That file is not an image we can use.")

    page.locator("#product-picture").get_by_label("Product picture").set_input_files(
        {"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": _photo()}
    )
    page.locator("#product-picture").get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Picture saved: shoppers see it on Heavy tee's drops.")).to_be_visible()
    expect(page.locator("#product-picture img")).to_have_attribute("alt", "Heavy tee")
    expect(page.locator("#product-picture").get_by_role("button", name="Replace picture")).to_be_visible()

    shopper = open_page()
    shopper.goto(f"/shop/acme/drops/{drop.id}")
    hero = shopper.locator(".hero-media").get_by_role("img", name="Heavy tee")  # beside the title, above the buy box
    expect(hero).to_be_visible()
    shopper.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())
    source = hero.evaluate("img => img.currentSrc")
    screen = shopper.viewport_size["width"]
    assert re.search(r"/media/[0-9a-f]{32}-(320|640|1280)w\.webp$", source), source
    chosen = int(re.search(r"-(\d+)w\.webp$", source)[1])
    assert chosen >= min(screen, 640) or chosen == 1280  # sharp on this screen, and no larger than it needs
    box = hero.bounding_box()
    assert box["width"] <= screen and box["height"] > 100
    buy = shopper.get_by_role("button", name="Add to cart").first.bounding_box()
    assert buy["y"] + buy["height"] <= shopper.viewport_size["height"]  # the picture leaves the buy box on the first screen

    shopper.goto("/")
    card = shopper.locator("article.drop-card", has_text="Heavy tee drop")
    card_picture = card.locator("picture img")
    expect(card_picture).to_be_visible()
    shopper.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=card_picture.element_handle())
