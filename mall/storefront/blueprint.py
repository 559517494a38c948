"""The public mall: no account needed."""

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from mall.admission.drop_page import line_notice
from mall.checkout.access import cart_token
from mall.clock import utcnow
from mall.draw.services import public_draw
from mall.drops.models import DropStatus
from mall.drops.pricing import effective_status, mall_price_steps
from mall.drops.services import shoppable_drop
from mall.extensions import db
from mall.links.clicks import is_real_click
from mall.media.services import brand_images
from mall.stock.access import drop_activity
from mall.storefront import cache, previews, services
from tenants.lookups import brand_by_slug
from tenants.models import Tenant

bp = Blueprint("storefront", __name__)


def _brand_or_404(slug: str) -> Tenant:
    brand = brand_by_slug(slug)
    if brand is None:
        abort(404)
    return brand


def _drop_or_404(brand: Tenant, drop_id: int, with_items: bool = True):
    drop = shoppable_drop(db.session, brand.id, drop_id, services.drop_loading_options() if with_items else ())
    if drop is None:
        abort(404)
    return drop


@bp.get("/")
def home():
    live, upcoming = services.mall_front(utcnow())
    steps = mall_price_steps(card.drop for card in live + upcoming)
    return render_template(
        "storefront/home.html", live=live, upcoming=upcoming, brands=services.all_brands(), price_steps=steps
    )


@bp.get("/favicon.ico")
def favicon():
    """Browsers and crawlers ask for it at the root whatever the page links."""
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=86400)


@bp.get("/shop/<slug>")
def brand(slug):
    brand = _brand_or_404(slug)
    shelves = services.brand_shelves(brand, utcnow())
    images = brand_images(brand.id)
    preview = previews.brand_preview(brand, images, len(shelves.live))
    return render_template("storefront/brand.html", brand=brand, shelves=shelves, brand_images=images, preview=preview)


@bp.get("/shop/<slug>/drops/<id:drop_id>")
def drop(slug, drop_id):
    real = is_real_click(request.method, request.user_agent.string)  # crawlers and HEADs are not shoppers
    line = line_notice(drop_id, cart_token(), request.cookies, real)  # a queued drop: the line, not the buy box
    if cache.is_anonymous_view():
        body, _ = cache.shared_rendering(
            ("drop", slug, drop_id, line is not None), lambda: (_drop_page(slug, drop_id, shared=True, line=line), 200)
        )
        body = cache.with_own_tokens(body)
    else:
        body = _drop_page(slug, drop_id, shared=False, line=line)
    if real:
        drop_activity().record_view(drop_id)  # a copy is only ever rendered for a shoppable drop
    return body


def _drop_page(slug: str, drop_id: int, *, shared: bool, line=None) -> str:
    """The drop page; `shared` renders the copy every anonymous shopper gets (stock read fresh, token left out)."""
    brand = _brand_or_404(slug)
    drop = _drop_or_404(brand, drop_id)
    availability = services.availability_by_hub(drop)
    view = services.drop_view(drop, availability, utcnow())
    return render_template(
        "storefront/drop.html",
        brand=brand,
        drop=drop,
        view=view,
        status=view.status,
        sell=view.sell,
        availability=availability,
        standalone=False,
        preview=previews.drop_preview(brand, view),
        draw=public_draw(db.session, drop),
        now=utcnow(),
        line=line if line is not None and line.slug == brand.slug else None,
        **(cache.shared_page_context() if shared else {}),
    )


@bp.get("/shop/<slug>/drops/<id:drop_id>/availability")
def availability(slug, drop_id):
    # A click without JavaScript lands here, so that shopper gets a way back to the drop.
    standalone = not request.htmx
    # Nothing in the fragment is the visitor's own, so every visitor shares this process's copy.
    return cache.shared_rendering(
        ("availability", slug, drop_id, standalone), lambda: _availability_fragment(slug, drop_id, standalone)
    )


def _availability_fragment(slug: str, drop_id: int, standalone: bool) -> tuple[str, int]:
    brand = _brand_or_404(slug)
    drop = _drop_or_404(brand, drop_id, with_items=False)
    now = utcnow()
    status = effective_status(drop, now)
    availability = services.drop_availability(drop.id)
    body = render_template(
        "storefront/_availability.html",
        brand=brand,
        drop=drop,
        availability=availability,
        sell=services.sell_state(drop, availability, now),
        standalone=standalone,
    )
    # 286 tells htmx to stop polling: an ended or cancelled drop's stock no longer moves.
    over = status in (DropStatus.ENDED, DropStatus.CANCELLED)
    return body, 286 if over and not standalone else 200
