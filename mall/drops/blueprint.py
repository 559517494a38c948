"""Brand dashboard: drops — list, create, edit, schedule, cancel."""

from flask import flash, g, redirect, url_for

from mall.catalog.services import stock_matrix, variants_of
from mall.clock import utcnow
from mall.drops import pricing, services
from mall.drops.forms import DropForm, form_data_for
from mall.drops.models import Drop
from mall.extensions import db
from mall.rendering import render_page
from tenants.dashboard import MANAGERS, brand_blueprint, requires_role
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("drops", __name__)


@bp.context_processor
def _roles():
    membership = g.get("membership")
    return {
        "can_manage": membership is not None and membership.role in MANAGERS,
        "effective_status": pricing.effective_status,
        "discounted": pricing.discounted,
    }


@bp.get("/drops")
def index():
    now = utcnow()
    return render_page("drops/index.html", groups=services.grouped_drops(db.session, g.tenant.id, now), now=now)


@bp.route("/drops/new", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def new():
    form = DropForm(variants=variants_of(g.tenant.id), drop=None, now=utcnow())
    if form.validate_on_submit():
        drop = services.create_drop(db.session, g.tenant.id, form.settings())
        flash(f"Saved “{drop.title}” as a draft. Schedule it when it is ready.")
        return redirect(url_for(".detail", drop_id=drop.id), code=303)
    return _form_page(form, None)


@bp.route("/drops/<id:drop_id>/edit", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def edit(drop_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    form = DropForm(variants=variants_of(g.tenant.id), drop=drop, now=utcnow(), data=form_data_for(drop))
    if form.validate_on_submit():
        services.update_drop(db.session, drop, form.settings())
        flash(f"Saved “{drop.title}”.")
        return redirect(url_for(".detail", drop_id=drop.id), code=303)
    return _form_page(form, drop)


def _form_page(form: DropForm, drop: Drop | None):
    return render_page(
        "drops/form.html",
        status=422 if form.errors else 200,
        form=form,
        drop=drop,
        window_locked=services.window_locked(drop, form.now),
    )


@bp.get("/drops/<id:drop_id>")
def detail(drop_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    return _detail_page(drop)


@bp.post("/drops/<id:drop_id>/schedule")
@requires_role(*MANAGERS)
def schedule(drop_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    try:
        services.schedule_drop(db.session, drop, utcnow())
    except services.DropRefused as refused:
        return _detail_page(drop, refusal=str(refused), status=409)
    flash(f"“{drop.title}” is scheduled.")
    return redirect(url_for(".detail", drop_id=drop.id), code=303)


@bp.post("/drops/<id:drop_id>/cancel")
@requires_role(*MANAGERS)
def cancel(drop_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    try:
        services.cancel_drop(db.session, drop, utcnow())
    except services.DropRefused as refused:
        return _detail_page(drop, refusal=str(refused), status=409)
    flash(f"“{drop.title}” is cancelled.")
    return redirect(url_for(".detail", drop_id=drop.id), code=303)


def _detail_page(drop: Drop, refusal: str | None = None, status: int = 200):
    now = utcnow()
    heroes = [item.variant for item in drop.items]
    return render_page(
        "drops/detail.html",
        status=status,
        drop=drop,
        now=now,
        status_now=pricing.effective_status(drop, now),
        tier_windows=pricing.tier_windows(drop),
        stock=stock_matrix(heroes),
        refusal=refusal,
    )
