"""What a shared link shows on a social app: Open Graph and Twitter card values for drop and brand pages.

A creator's `/c/<code>` answers a redirect to the drop (or the brand), so the crawler reads these same tags.
Every URL is absolute, and every fact (price, stock, end) is the one the page itself says at this moment.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from mall.clock import iso_utc
from mall.drops.models import DropStatus
from mall.drops.selling import SellState
from mall.media.models import Image
from mall.media.services import brand_images
from mall.storefront.services import DropView
from mall.templating import local_time, money
from mall.urls import public_url
from tenants.models import Tenant

DESCRIPTION_LIMIT = 200
AVAILABILITY = {  # Open Graph product:availability
    SellState.LIVE: "in stock", SellState.UPCOMING: "preorder", SellState.ALL_HELD: "out of stock",
    SellState.SOLD_OUT: "out of stock", SellState.ENDED: "out of stock",
}


@dataclass(frozen=True)
class LinkPreview:
    title: str
    description: str
    url: str
    kind: str  # og:type
    image: Image | None = None
    image_alt: str = ""
    product: dict[str, str] = field(default_factory=dict)  # product:* properties
    labels: list[tuple[str, str]] = field(default_factory=list)  # twitter:label/data pairs


def drop_preview(brand: Tenant, view: DropView) -> LinkPreview:
    drop = view.drop
    prices = [hero for group in view.heroes for hero in group.variants]
    cheapest = min(prices, key=lambda hero: hero.price_cents) if prices else None
    image, alt = _hero_image(view)
    if image is None:
        image, alt = _brand_image(brand, brand_images(brand.id))
    product = {}
    labels = []
    if cheapest is not None and view.is_open:
        product["product:price:amount"] = f"{cheapest.price_cents / 100:.2f}"
        product["product:price:currency"] = current_app.config["PAYMENT_CURRENCY"].upper()
        labels.append(("Price", money(cheapest.price_cents)))
    if view.is_open:
        product["product:availability"] = AVAILABILITY[view.sell.state]
        product["product:sale_price_dates:start"] = iso_utc(drop.starts_at)
        product["product:sale_price_dates:end"] = iso_utc(drop.ends_at)
        labels.append(("Ends" if view.status == DropStatus.LIVE else "Starts",
                       local_time(drop.ends_at if view.status == DropStatus.LIVE else drop.starts_at)))
    return LinkPreview(
        title=f"{drop.title} · {brand.name}",
        description=_clip(f"{_drop_moment(view, cheapest)} {drop.description}".strip()),
        url=public_url("storefront.drop", slug=brand.slug, drop_id=drop.id),
        kind="product" if product else "website",
        image=image,
        image_alt=alt,
        product=product,
        labels=labels,
    )


def brand_preview(brand: Tenant, images: dict[str, Image], live_drops: int) -> LinkPreview:
    image, alt = _brand_image(brand, images)
    live = f"{live_drops} drop{'s' if live_drops != 1 else ''} live now." if live_drops else "Drops from small brands."
    return LinkPreview(
        title=f"{brand.name} on Flashmall",
        description=_clip(f"{brand.tagline} {live}".strip()),
        url=public_url("storefront.brand", slug=brand.slug),
        kind="website",
        image=image,
        image_alt=alt,
    )


def _drop_moment(view: DropView, cheapest) -> str:
    drop, sell = view.drop, view.sell
    if view.status == DropStatus.CANCELLED:
        return "This drop was cancelled."
    if view.status == DropStatus.ENDED:
        return f"This drop ended {local_time(drop.ends_at)}."
    price = f"{money(cheapest.price_cents)} " if cheapest else ""
    if view.status == DropStatus.SCHEDULED:
        return f"{price}at launch · starts {local_time(drop.starts_at)}."
    if not sell.buyable:
        return f"{sell.headline}."
    return f"{price}now · {sell.free} left · ends {local_time(drop.ends_at)}."


def _hero_image(view: DropView) -> tuple[Image | None, str]:
    for group in view.heroes:
        if group.picture is not None:
            return group.picture, group.product.name
    return None, ""


def _brand_image(brand: Tenant, images: dict[str, Image]) -> tuple[Image | None, str]:
    if "banner" in images:
        return images["banner"], brand.name
    if "logo" in images:
        return images["logo"], f"{brand.name} logo"
    return None, ""


def _clip(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1].rstrip() + "…"
