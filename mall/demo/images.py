"""The demo's pictures, drawn here with Pillow (nothing is downloaded): a picture per product, a logo and a
banner per brand. Drawn the same way every run, so the files keep their names; a re-seed draws only what is
missing and leaves a picture a brand uploaded itself alone."""

import io
import zlib
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from mall.catalog.models import Product
from mall.demo.catalogue import BRANDS, PRODUCTS
from mall.extensions import db
from mall.media.models import BrandImage, BrandImageSlot
from mall.media.processing import PreparedImage, prepare_image
from mall.media.services import store_prepared
from tenants.models import Tenant

PRODUCT_SIZE = (960, 720)
LOGO_SIZE = (320, 320)
BANNER_SIZE = (1280, 384)
SHAPES = ("circle", "square", "diamond", "ring", "stripes")


def seed_images() -> int:
    """Draw and store every missing demo picture; returns how many were drawn."""
    tenants = {t.slug: t for t in db.session.scalars(select(Tenant).where(Tenant.slug.in_(PRODUCTS)))}
    missing = []  # (tenant, what gets the picture, draw, text, colour)
    for slug, name, colour, *_ in BRANDS:
        tenant = tenants[slug]
        slots = set(db.session.scalars(select(BrandImage.slot).where(BrandImage.tenant_id == tenant.id)))
        for slot, draw in ((BrandImageSlot.LOGO, draw_logo), (BrandImageSlot.BANNER, draw_banner)):
            if slot.value not in slots:
                missing.append((tenant, slot, draw, name, colour))
        for product in db.session.scalars(select(Product).where(Product.tenant_id == tenant.id, Product.image_id.is_(None))):
            missing.append((tenant, product, draw_product, product.name, colour))
    limits = {"max_bytes": current_app.config["MEDIA_MAX_UPLOAD_BYTES"], "max_pixels": current_app.config["MEDIA_MAX_PIXELS"]}

    def prepared(job) -> PreparedImage:
        _, _, draw, text, colour = job
        return prepare_image(draw(text, colour), **limits)

    # Pillow draws and encodes outside the GIL: the first seed takes half the time on two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for (tenant, holder, *_), picture in zip(missing, pool.map(prepared, missing)):
            image = store_prepared(tenant.id, picture)
            if isinstance(holder, BrandImageSlot):
                db.session.add(BrandImage(tenant_id=tenant.id, slot=holder.value, image_id=image.id))
            else:
                holder.image = image
    db.session.flush()
    return len(missing)


def draw_product(name: str, colour: str) -> bytes:
    """A soft brand-coloured backdrop, one shape chosen by the name, and the name across the bottom."""
    base = _rgb(colour)
    image = Image.new("RGB", PRODUCT_SIZE, _mix(base, (255, 255, 255), 0.82))
    draw = ImageDraw.Draw(image)
    width, height = PRODUCT_SIZE
    shape = SHAPES[zlib.crc32(name.encode()) % len(SHAPES)]
    half = height * 5 // 18
    box = (width // 2 - half, height // 8, width // 2 + half, height // 8 + 2 * half)
    if shape == "circle":
        draw.ellipse(box, fill=base)
    elif shape == "square":
        draw.rounded_rectangle(box, radius=60, fill=base)
    elif shape == "diamond":
        cx, cy, r = width // 2, (box[1] + box[3]) // 2, half + half // 25
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=base)
    elif shape == "ring":
        draw.ellipse(box, outline=base, width=half // 4)
    else:
        step = 2 * half // 5
        for i in range(5):
            draw.rectangle((box[0], box[1] + i * step, box[2], box[1] + i * step + step * 3 // 5), fill=base)
    dot = half * 2 // 5
    draw.ellipse((box[0] + dot // 2, box[1] + dot // 3, box[0] + dot * 3 // 2, box[1] + dot * 4 // 3),
                 fill=_mix(base, (255, 255, 255), 0.5))
    band = height * 19 // 90
    draw.rectangle((0, height - band, width, height), fill=_mix(base, (0, 0, 0), 0.35))
    _centred(draw, name, (width // 2, height - band // 2), height // 14, (255, 255, 255))
    return _png(image)


def draw_logo(name: str, colour: str) -> bytes:
    image = Image.new("RGB", LOGO_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    size = LOGO_SIZE[0]
    draw.ellipse((size // 24, size // 24, size - size // 24, size - size // 24), fill=_rgb(colour))
    _centred(draw, _initials(name), (size // 2, size // 2), size * 3 // 8, (255, 255, 255))
    return _png(image)


def draw_banner(name: str, colour: str) -> bytes:
    base = _rgb(colour)
    width, height = BANNER_SIZE
    image = Image.new("RGB", BANNER_SIZE)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 8):  # a left-to-right wash from the brand colour to a darker shade
        draw.rectangle((x, 0, x + 8, height), fill=_mix(base, (0, 0, 0), 0.45 * x / width))
    cx = width * 13 // 16
    for i in range(6):
        r = height // 8 + height * i // 12
        draw.ellipse((cx - r, height // 2 - r, cx + r, height // 2 + r), outline=_mix(base, (255, 255, 255), 0.4), width=5)
    _centred(draw, name, (width * 2 // 5, height // 2), height // 5, (255, 255, 255))
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
    image.save(out, "PNG", compress_level=1)  # read once, by the seed itself
    return out.getvalue()
