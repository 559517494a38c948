"""Fulfilment for shoppers: parcel tracking that refreshes itself, and an ETA for their area before buying.

Hub staff pages live in hub_views (/hubs/...), the brand's parcels in brand_views (/brands/<slug>/parcels).
"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from mall.clock import utcnow
from mall.drops.services import shoppable_drop
from mall.extensions import db
from mall.fulfilment import services
from mall.fulfilment.brand_views import bp as brand_bp
from mall.fulfilment.estimates import estimate_for_area
from mall.fulfilment.forms import AreaForm
from mall.fulfilment.hub_views import bp as hubs_bp
from tenants.lookups import brand_by_slug

bp = Blueprint("fulfilment", __name__)
bp.register_blueprint(hubs_bp)
bp.register_blueprint(brand_bp)


@bp.app_template_global()
def order_parcels(order):
    """For the order page's include: the order's parcels with their timelines and ETAs."""
    return services.order_parcels(db.session, order, utcnow())


@bp.app_template_global()
def my_hubs():
    if not current_user.is_authenticated or current_user.is_operator:
        return []
    return services.hubs_for(db.session, current_user)


@bp.get("/orders/<token>/parcels")
def order_parcels_region(token: str):
    """The tracking page's parcel region: htmx polls it; without JavaScript it is a page of its own."""
    order = services.order_by_token(db.session, token)
    if order is None:
        abort(404)
    view = services.order_parcels(db.session, order, utcnow())
    if request.htmx:
        # 286 tells htmx to stop polling: every parcel is handed over or cancelled.
        return render_template("fulfilment/_parcels.html", order=order, view=view), 286 if view.finished else 200
    return render_template("fulfilment/parcels_page.html", order=order, view=view)


@bp.get("/eta/<slug>/<id:drop_id>")
def drop_estimate(slug: str, drop_id: int):
    brand = brand_by_slug(slug)
    drop = shoppable_drop(db.session, brand.id, drop_id) if brand is not None else None
    if drop is None:
        abort(404)
    form = AreaForm(request.args)
    template = "fulfilment/_drop_eta_result.html" if request.htmx else "fulfilment/drop_eta_page.html"
    if not form.validate():
        return render_template(template, form=form, drop=drop, brand=brand, estimate=None), 422
    latitude, longitude = form.point()
    estimate = estimate_for_area(db.session, drop, latitude, longitude, utcnow())
    return render_template(template, form=form, drop=drop, brand=brand, estimate=estimate)
