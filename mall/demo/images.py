"""The demo's pictures, drawn here with Pillow (nothing is downloaded): a picture per product, a logo and a
banner per brand. Drawn the same way every run, so the files keep their names; a re-seed draws only what is
missing and leaves a picture a brand uploaded itself alone."""

import io
import zlib

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from mall.catalog.models import Product
from mall.demo.catalogue import BRANDS, PRODUCTS
from mall.extensions import db
from mall.media.models import BrandImage, BrandImageSlot
from mall.media.services import prepare_upload, store_prepared
from tenants.models import Tenant

PRODUCT_SIZE = (1200, 900)
LOGO_SIZE = (480, 480)
BANNER_SIZE = (1600, 480)
SHAPES = ("circle", "square", "diamond", "ring", "stripes")


def seed_images() -> int:
    """Draw and store every missing demo picture; returns how many were drawn."""
    drawn = 0
    tenants = {t.slug: t for t in db.session.scalars(select(Tenant).where(Tenant.slug.in_(PRODUCTS)))}
    for slug, name, colour, *_ in BRANDS:
        tenant = tenants[slug]
        slots = set(db.session.scalars(select(BrandImage.slot).where(BrandImage.tenant_id == tenant.id)))
        for slot, draw in ((BrandImageSlot.LOGO, draw_logo), (BrandImageSlot.BANNER, draw_banner)):
            if slot.value not in slots:
                image = store_prepared(tenant.id, prepare_upload(draw(name, colour)))
                db.session.add(BrandImage(tenant_id=tenant.id, slot=slot.value, image_id=image.id))
                drawn += 1
        for product in db.session.scalars(select(Product).where(Product.tenant_id == tenant.id, Product.image_id.is_(None))):
            product.image = store_prepared(tenant.id, prepare_upload(draw_product(product.name, colour)))
            drawn += 1
    db.session.flush()
    return drawn


def draw_product(name: str, colour: str) -> bytes:
    """A soft brand-coloured backdrop, one shape chosen by the name, and the name across the bottom."""
    base = _rgb(colour)
    image = Image.new("RGB", PRODUCT_SIZE, _mix(base, (255, 255, 255), 0.82))
    draw = ImageDraw.Draw(image)
    width, height = PRODUCT_SIZE
    shape = SHAPES[zlib.crc32(name.encode()) % len(SHAPES)]
    box = (width // 2 - 250, 110, width // 2 + 250, 610)
    if shape == "circle":
        draw.ellipse(box, fill=base)
    elif shape == "square":
        draw.rounded_rectangle(box, radius=60, fill=base)
    elif shape == "diamond":
        cx, cy = width // 2, 360
        draw.polygon([(cx, cy - 260), (cx + 260, cy), (cx, cy + 260), (cx - 260, cy)], fill=base)
    elif shape == "ring":
        draw.ellipse(box, outline=base, width=70)
    else:
        for i in range(5):
            draw.rectangle((box[0], box[1] + i * 100, box[2], box[1] + i * 100 + 60), fill=base)
    draw.ellipse((box[0] + 60, box[1] + 40, box[0] + 160, box[1] + 140), fill=_mix(base, (255, 255, 255), 0.5))
    draw.rectangle((0, height - 190, width, height), fill=_mix(base, (0, 0, 0), 0.35))
    _centred(draw, name, (width // 2, height - 95), 64, (255, 255, 255))
    return _png(image)


def draw_logo(name: str, colour: str) -> bytes:
    image = Image.new("RGB", LOGO_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, LOGO_SIZE[0] - 20, LOGO_SIZE[1] - 20), fill=_rgb(colour))
    _centred(draw, _initials(name), (LOGO_SIZE[0] // 2, LOGO_SIZE[1] // 2), 180, (255, 255, 255))
    return _png(image)


def draw_banner(name: str, colour: str) -> bytes:
    base = _rgb(colour)
    width, height = BANNER_SIZE
    image = Image.new("RGB", BANNER_SIZE)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 8):  # a left-to-right wash from the brand colour to a darker shade
        draw.rectangle((x, 0, x + 8, height), fill=_mix(base, (0, 0, 0), 0.45 * x / width))
    for i in range(6):
        r = 60 + 40 * i
        draw.ellipse((width - 300 - r, height // 2 - r, width - 300 + r, height // 2 + r), outline=_mix(base, (255, 255, 255), 0.4), width=6)
    _centred(draw, name, (width // 2 - 150, height // 2), 96, (255, 255, 255))
    return _png(image)


def _centred(draw: ImageDraw.ImageDraw, text: str, centre: tuple[int, int], size: int, fill) -> None:
    font = ImageFont.load_default(size=size)
    draw.text(centre, text, font=font, fill=fill, anchor="mm")


def _initials(name: str) -> str:
    words = [w for w in name.replace("&", " ").split() if w[0].isalnum()]
    return "".join(w[0] for w in words[:2]).upper()


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _mix(a, b, share: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
