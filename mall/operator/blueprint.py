"""Platform operator pages: shared hubs and the brand list. Nobody else learns this area exists."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from mall.accounts.access import operators_only
from mall.clock import utcnow
from mall.extensions import db
from mall.hubs.models import Hub
from mall.operator import services
from mall.operator.forms import HubForm
from mall.outbox.models import OutboxEmail

bp = Blueprint("operator", __name__, url_prefix="/operator")


bp.before_request(operators_only)


@bp.get("/hubs")
def hubs():
    return render_template("operator/hubs.html", rows=services.hubs_with_stock(db.session))


@bp.route("/hubs/new", methods=["GET", "POST"])
def new_hub():
    form = HubForm(code_taken=lambda code: services.hub_code_taken(db.session, code))
    return _hub_form(form, Hub(), "New hub")


@bp.route("/hubs/<id:hub_id>/edit", methods=["GET", "POST"])
def edit_hub(hub_id):
    hub = db.session.get(Hub, hub_id) or abort(404)
    form = HubForm(obj=hub, code_taken=lambda code: services.hub_code_taken(db.session, code, hub.id))
    return _hub_form(form, hub, f"Edit {hub.code}")


def _hub_form(form: HubForm, hub: Hub, heading: str):
    if form.validate_on_submit():
        try:
            services.save_hub(db.session, hub, form.data)
        except services.HubCodeTaken:
            form.code.errors.append("Another hub already uses this code.")
        else:
            flash(f"Hub {hub.code} saved.", "success")
            return redirect(url_for("operator.hubs"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("operator/hub_form.html", form=form, hub=hub, heading=heading), status


@bp.get("/brands")
def brands():
    return render_template("operator/brands.html", rows=services.brands_overview(db.session, utcnow()))


@bp.get("/outbox")
def outbox():
    """Emails the mall sent or would send: where they wait when no SMTP server is configured."""
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(100)).all()
    return render_template("operator/outbox.html", emails=emails)
