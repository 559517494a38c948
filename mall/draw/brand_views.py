"""A drop's draw on the brand's dashboard: its settings, its entries with the flags, and voiding before the draw."""

from datetime import timedelta

from flask import flash, g, redirect, url_for

from mall.clock import to_local, utcnow
from mall.draw import services
from mall.draw.forms import ButtonForm, DrawSettingsForm
from mall.drops.models import Drop
from mall.extensions import db
from mall.rendering import render_page
from tenants.dashboard import MANAGERS, brand_blueprint, requires_role
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("draws", __name__)


@bp.route("/drops/<id:drop_id>/draw", methods=["GET", "POST"])
def settings(drop_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    draw = services.draw_of(db.session, drop.id)
    form = _settings_form(drop, draw, typed=True)
    if form.is_submitted():
        if g.membership.role not in MANAGERS:
            return _page(drop, draw, form, "Only owners and managers change a draw.", 403)
        if not form.validate():
            return _page(drop, draw, form, None, 422)
        choice = services.DrawSettings(form.entries_open_at.utc, form.entries_close_at.utc, form.purchase_minutes.data)
        try:
            draw = services.save_draw(db.session, drop, choice, utcnow())
        except services.DrawError as error:
            return _page(drop, draw, form, error.message, error.status)
        flash("Draw saved. Its seed's hash is published on the drop page.")
        return redirect(url_for(".settings", drop_id=drop.id), 303)
    return _page(drop, draw, form, None, 200)


@bp.post("/drops/<id:drop_id>/draw/entries/<id:entry_id>/void")
@requires_role(*MANAGERS)
def void(drop_id: int, entry_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    draw = services.draw_of(db.session, drop.id)
    if draw is None:
        return _page(drop, draw, _settings_form(drop, draw), "No such entry in this draw.", 404)
    if not ButtonForm().validate():
        return _page(drop, draw, _settings_form(drop, draw), "The form's token expired: reload and try again.", 400)
    try:
        services.void(db.session, draw, entry_id, utcnow())
    except services.DrawError as error:
        return _page(drop, draw, _settings_form(drop, draw), error.message, error.status)
    flash(f"Entry #{entry_id} is voided: it will not be drawn.")
    return redirect(url_for(".settings", drop_id=drop.id), 303)


def _settings_form(drop: Drop, draw, typed: bool = False) -> DrawSettingsForm:
    """Prefilled in the mall's time zone: the saved draw's times, or entries from the next quarter hour to the start."""
    if draw is not None:
        opens, closes, minutes = draw.entries_open_at, draw.entries_close_at, draw.purchase_minutes
    else:
        soon = utcnow().replace(second=0, microsecond=0)
        opens, closes, minutes = soon + timedelta(minutes=15 - soon.minute % 15), drop.starts_at, 15
    local = {"entries_open_at": opens, "entries_close_at": closes}
    extra = {} if typed else {"formdata": None}  # typed: the POSTed settings win over the saved ones
    return DrawSettingsForm(**extra, data={**{k: to_local(v).replace(tzinfo=None) for k, v in local.items()},
                                  "purchase_minutes": minutes})


def _page(drop: Drop, draw, form: DrawSettingsForm, refusal: str | None, status: int):
    rows = services.entries(db.session, draw) if draw else []
    now = utcnow()
    return render_page(
        "draw/brand.html", status=status, drop=drop, draw=draw, form=form, refusal=refusal, entries=rows,
        flags=services.flags(rows), counts=services.counts(db.session, draw) if draw else None, now=now,
        can_manage=g.membership.role in MANAGERS, button=ButtonForm(),
        voidable=draw is not None and draw.drawn_at is None and now < draw.draw_due_at(),
    )
