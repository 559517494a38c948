"""Hub staff and the operator: picking lists across brands, reserve transfers, hub staff, ETA accuracy.

Somebody who does not work at a hub gets a 404: they do not learn the page exists.
"""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from mall.extensions import db, login_manager
from mall.fulfilment import jobs, services, status
from mall.fulfilment.etas import eta_accuracy
from mall.fulfilment.forms import StaffForm
from mall.fulfilment.network import queue_lengths
from mall.hubs.models import Hub
from mall.rendering import render_page

bp = Blueprint("hubs", __name__, url_prefix="/hubs")

ACTIONS = {
    "start-picking": (status.start_picking, "Picking parcel #{id}."),
    "ready": (status.mark_ready, "Parcel #{id} is {label}."),
    "receive": (status.receive_at_point, "Parcel #{id} received: it is ready for pickup."),
    "hand-over": (status.hand_over, "Parcel #{id} was handed over."),
}


@bp.before_request
def signed_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()


def _hub_or_404(code: str) -> Hub:
    hub = services.hub_by_code(db.session, code)
    if hub is None or not services.is_hub_staff(db.session, current_user, hub):
        abort(404)
    return hub


def _operator_only() -> None:
    if not current_user.is_operator:
        abort(404)


@bp.get("")
def index():
    hubs = services.hubs_for(db.session, current_user)
    if not hubs and not current_user.is_operator:
        abort(404)
    accuracy = eta_accuracy(db.session) if current_user.is_operator else []
    return render_page(
        "fulfilment/hubs.html", hubs=hubs, queues=queue_lengths(db.session, [h.id for h in hubs]), accuracy=accuracy
    )


@bp.get("/<code>/picking")
def picking(code: str):
    hub = _hub_or_404(code)
    return render_page("fulfilment/picking.html", block="picking", hub=hub, **_lists(hub))


def _lists(hub: Hub) -> dict:
    return {"rows": services.picking_list(db.session, hub), "outgoing": services.transfers(db.session, from_hub=hub)}


@bp.post("/<code>/parcels/<id:parcel_id>/<action>")
def parcel_action(code: str, parcel_id: int, action: str):
    hub = _hub_or_404(code)
    parcel = services.parcel_at_hub(db.session, hub, parcel_id)
    if parcel is None or action not in ACTIONS:
        abort(404)
    move, done = ACTIONS[action]
    queue_hub = parcel.hub_id
    try:
        status.refuse_other_hub(parcel, hub, action)
        move(db.session, parcel)
    except status.ParcelActionRefused as refused:
        return _after_action(hub, refused.message, refused.status)
    if action == "ready":
        jobs.queue_hub_reestimate(queue_hub, "A parcel ahead of yours was packed")
    db.session.refresh(parcel)
    if parcel.status == "in_transit":
        jobs.queue_parcel_etas([parcel.id], f"Your parcel left {parcel.hub.name} for {parcel.pickup_hub.name}")
        return _after_action(hub, f"Parcel #{parcel.id} is in transit to {parcel.pickup_hub.name}.", 200)
    return _after_action(hub, done.format(id=parcel.id, label=parcel.status_label.lower()), 200)


@bp.post("/<code>/items/<id:item_id>/receive")
def receive(code: str, item_id: int):
    hub = _hub_or_404(code)
    item = services.item_at_hub(db.session, hub, item_id)
    if item is None:
        abort(404)
    parcel_id = item.parcel_id
    try:
        status.receive_transfer(db.session, item)
    except status.ParcelActionRefused as refused:
        return _after_action(hub, refused.message, refused.status)
    jobs.queue_parcel_etas([parcel_id], "Units from the central reserve arrived at the hub")
    return _after_action(hub, f"Received the units for parcel #{parcel_id}.", 200)


def _after_action(hub: Hub, message: str, code: int):
    """htmx gets the refreshed list with the message; a refused plain post gets the page with it; success redirects."""
    if request.htmx or code >= 400:
        return render_page(
            "fulfilment/picking.html", block="picking", status=code, hub=hub, notice=message, refused=code >= 400, **_lists(hub)
        )
    flash(message, "success")
    return redirect(url_for(".picking", code=hub.code), 303)


@bp.get("/transfers")
def transfers():
    _operator_only()
    return render_page(
        "fulfilment/transfers.html", items=services.transfers(db.session), parcels=services.parcels_between_hubs(db.session)
    )


@bp.route("/<code>/staff", methods=["GET", "POST"])
def staff(code: str):
    _operator_only()
    hub = _hub_or_404(code)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            member = services.add_staff(db.session, hub, form.email.data)
        except services.StaffError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{member.user.email} can now work {hub.name}'s picking list.", "success")
            return redirect(url_for(".staff", code=hub.code), 303)
    code_ = 422 if form.is_submitted() else 200
    return render_page("fulfilment/staff.html", status=code_, hub=hub, form=form, members=services.staff_of(db.session, hub))


@bp.post("/<code>/staff/<id:member_id>/remove")
def remove_staff(code: str, member_id: int):
    _operator_only()
    hub = _hub_or_404(code)
    if not services.remove_staff(db.session, hub, member_id):
        abort(404)
    flash("Removed from the hub's staff.", "success")
    return redirect(url_for(".staff", code=hub.code), 303)
