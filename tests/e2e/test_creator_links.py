"""A creator joins, a brand invites them, they make a link; a shopper follows it in a fresh browser and buys;
the creator sees the order and commission, and the QR code they download decodes to the link."""

import re
import struct
import zlib
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mall.extensions import db
from mall.links.clicks import flush_clicks
from mall.links.table import link_table
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def north(make):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St")
    owner = make.user(email="owner@example.com", name="Olive Owner")
    brand = make.brand(owner=owner, slug="north", name="North Knits")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, hub, 5)
    return make.drop(brand, [variant], starts_in=timedelta(minutes=-2), title="Jumper drop", tiers=())


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_creator_link_brings_an_order_and_its_commission(new_context, north):
    creator = new_context().new_page()
    creator.goto("/creators/join")
    creator.get_by_label("Your name").fill("Ada Creator")
    creator.get_by_label("Email").fill("ada@example.com")
    creator.get_by_label("Password", exact=True).fill(PASSWORD)
    creator.get_by_label("Confirm password").fill(PASSWORD)
    creator.get_by_role("button", name="Join as a creator").click()
    expect(creator.get_by_role("heading", name="Your creator links")).to_be_visible()

    owner = new_context().new_page()
    log_in(owner, "owner@example.com")
    owner.goto("/brands/north/")
    owner.locator(".dash-nav").get_by_role("link", name="Creators").click()
    owner.get_by_label("Creator's email").fill("ada@example.com")
    owner.get_by_label("Commission (%)").fill("10")
    owner.get_by_label("Attribution window (hours)").fill("24")
    owner.get_by_role("button", name="Invite").click()
    expect(owner.get_by_text("Ada Creator is invited at 10% for 24 h.")).to_be_visible()

    creator.reload()
    expect(creator.get_by_text("North Knits invites you: 10% commission")).to_be_visible()
    creator.get_by_role("button", name="Accept").click()
    creator.get_by_role("link", name="New link").click()
    creator.get_by_label("Where should the link go?").select_option(label="Drop: Jumper drop")
    creator.get_by_label("Custom link name (optional)").fill("ada-jumper")
    creator.get_by_role("button", name="Create link").click()
    expect(creator.get_by_role("heading", name="/c/ada-jumper")).to_be_visible()
    share_url = creator.get_by_label("Your link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/c/ada-jumper", share_url)

    creator.context.grant_permissions(["clipboard-read", "clipboard-write"])
    creator.get_by_role("button", name="Copy link").click()
    expect(creator.get_by_role("button", name="Copied!")).to_be_visible()
    assert creator.evaluate("navigator.clipboard.readText()") == share_url

    shopper = new_context().new_page()
    shopper.goto(share_url)
    expect(shopper).to_have_url(re.compile(rf"/shop/north/drops/{north.id}$"))
    shopper.get_by_role("button", name="Add to cart").first.click()
    expect(shopper.locator(".hold-result.ok")).to_contain_text("Held for you")
    shopper.goto("/cart")
    shopper.get_by_role("link", name="Check out").click()
    shopper.get_by_label("Your name").fill("Sam Shopper")
    shopper.get_by_label("Email").fill("sam@example.com")
    shopper.get_by_label("Pickup point", exact=True).select_option(label="Camden Pickup — 1 Camden High St")
    shopper.get_by_role("button", name=re.compile("Place order")).click()
    expect(shopper.get_by_text("your order is confirmed")).to_be_visible()

    flush_clicks(db.session, link_table())  # what the worker does every few seconds
    creator.reload()
    stats = creator.locator(".link-stats")
    expect(stats).to_contain_text("1 click")
    expect(stats).to_contain_text("1 order")
    expect(stats).to_contain_text("£40.00 revenue")
    expect(stats).to_contain_text("£4.00 commission")
    expect(creator.locator(".link-chart circle.order-dot")).to_have_count(1)

    qr_image = creator.get_by_role("img", name=f"QR code for {share_url}")
    expect(qr_image).to_be_visible()
    assert creator.evaluate("img => img.naturalWidth", qr_image.element_handle()) > 0
    png_url = creator.get_by_role("link", name="Download PNG").get_attribute("href")
    download = creator.context.request.get(png_url)
    assert download.ok and download.headers["content-type"] == "image/png"
    assert decode_qr(download.body()) == share_url

    owner.reload()
    row = owner.locator("tr", has_text="Ada Creator")
    expect(row).to_contain_text("approved")
    expect(row).to_contain_text("£40.00")
    expect(row).to_contain_text("£4.00")


def decode_qr(png: bytes) -> str:
    import zxingcpp

    width, height, pixels = grey_pixels(png)
    found = zxingcpp.read_barcode(memoryview(pixels).cast("B", (height, width)))
    assert found is not None, "no QR code found in the PNG"
    return found.text


def grey_pixels(png: bytes) -> tuple[int, int, bytes]:
    """A greyscale PNG (any bit depth up to 8, as segno writes it) as one byte per pixel."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert colour == 0 and depth <= 8 and interlace == 0, header
    raw = zlib.decompress(idat)
    stride = (width * depth + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        unfilter(kind, line, previous, max(1, depth // 8))
        rows.append(bytes(line))
        previous = line
    top = (1 << depth) - 1
    out = bytearray()
    for line in rows:
        for x in range(width):
            bit = x * depth
            value = (line[bit // 8] >> (8 - depth - bit % 8)) & top
            out.append(value * 255 // top)
    return width, height, bytes(out)


def unfilter(kind: int, line: bytearray, previous: bytes, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        corner = previous[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 2:
            line[i] = (line[i] + up) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 255
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
