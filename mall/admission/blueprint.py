"""The line page (read from Redis only), joining and leaving the line, and the operator's settings."""

import re

from flask import (
    Blueprint, abort, current_app, flash, get_template_attribute, redirect, render_template, request, url_for,
)
from flask_wtf.csrf import CSRFError

from mall.accounts.access import operators_only
from mall.admission import services
from mall.admission.forms import RoomSettingsForm
from mall.admission.line import WaitingRoom
from mall.admission.page import line_page
from mall.admission.shared import drop_now
from mall.admission.settings import FIELDS, current_settings, save_settings
from mall.admission.tokens import cookie_name, sign_admission
from mall.checkout.access import cart_token, client_ip, hold_token_is_valid
from mall.extensions import csrf, db, limiter, redis_client
from mall.links.clicks import is_real_click

bp = Blueprint("admission", __name__)
operator_bp = Blueprint("operator_admission", __name__, url_prefix="/operator")
operator_bp.before_request(operators_only)

POLL_SECONDS = 3


def _line_poll_has_no_limit() -> bool:
    """Flask-Limiter's public request filter: the line page's GET has no limit, so it skips resolving any (the
    crowd's poll is the surge's most frequent request)."""
    return request.endpoint == "admission.line" and request.method == "GET"


limiter.request_filter(_line_poll_has_no_limit)
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}")


def _view_or_404(slug: str, drop_id: int, published: dict | None = None) -> dict:
    view = published if published is not None else services.published_view(drop_id)
    if view is None or view["slug"] != slug:
        abort(404)
    return view


@bp.get("/shop/<slug>/drops/<id:drop_id>/line")
def line(slug, drop_id):
    """The shopper's place in the line; htmx asks for the region alone every few seconds (same address)."""
    cart = cart_token()
    shared = drop_now(drop_id)  # the same for every shopper: this process's copy of the last moment
    view = _view_or_404(slug, drop_id, shared.view)
    snapshot = WaitingRoom(redis_client(), drop_id).snapshot(cart, state=shared.line)  # one round trip
    page = line_page(view, snapshot, shared.units)
    if request.htmx:
        body = get_template_attribute("admission/_line_status.html", "region")(page, view, POLL_SECONDS)
    else:
        body = render_template("admission/line.html", page=page, view=view, poll_seconds=POLL_SECONDS)
    status = 286 if request.htmx and page.over else 200  # 286: htmx stops polling, nothing more will change
    response = current_app.make_response((body, status, {"Cache-Control": "no-store", "Vary": "HX-Request"}))
    if page.phase == "admitted" and cart:
        until = page.place.admitted_until
        response.set_cookie(cookie_name(drop_id), sign_admission(drop_id, cart, until),
                            max_age=max(1, (until - page.now_ms) // 1000), httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.post("/shop/<slug>/drops/<id:drop_id>/line")
@csrf.exempt  # it checks the cart-bound token, as add-to-cart does
def join(slug, drop_id):
    view = _view_or_404(slug, drop_id)
    cart = cart_token()
    if cart is None:
        return _refused(view, "Your browser did not send our cookie: a place in line is kept for a cart, so "
                              "allow cookies for this site and try again.", 403)
    if not hold_token_is_valid(cart, request.form.get("hold_token")):
        raise CSRFError("The form's token is missing or does not match this cart.")
    if not is_real_click("GET", request.user_agent.string):  # the mall's one bot list (a POST is never a "click")
        return _refused(view, "Automated clients get no place in line.", 403)
    email = (request.form.get("email") or "").strip()
    if not EMAIL.fullmatch(email):
        return _refused(view, "Enter your email address (one place in line per email).", 422)
    outcome = services.join_line(db.session, redis_client(), view, cart, email, client_ip())
    if outcome in services.JOIN_REFUSALS and outcome != "already":
        status = 429 if outcome == "ip_limit" else 409
        return _refused(view, services.JOIN_REFUSALS[outcome], status)
    return redirect(url_for("admission.line", slug=slug, drop_id=drop_id), 303)


@bp.post("/shop/<slug>/drops/<id:drop_id>/line/leave")
@csrf.exempt  # the cart-bound token, below
def leave(slug, drop_id):
    _view_or_404(slug, drop_id)
    cart = cart_token()
    if not hold_token_is_valid(cart, request.form.get("hold_token")):
        raise CSRFError("The form's token is missing or does not match this cart.")
    if WaitingRoom(redis_client(), drop_id).leave(cart):
        flash("You left the line. Your place went to the people behind you.")
    return redirect(url_for("storefront.drop", slug=slug, drop_id=drop_id), 303)


def _refused(view: dict, message: str, status: int):
    return render_template("admission/refused.html", view=view, message=message), status


@operator_bp.route("/admission", methods=["GET", "POST"])
def settings():
    current = current_settings(db.session)
    form = RoomSettingsForm(data={name: getattr(current, name) for name in FIELDS})
    if form.validate_on_submit():
        save_settings(db.session, {name: getattr(form, name).data for name in FIELDS})
        flash("Waiting-room settings saved.", "success")
        return redirect(url_for("operator_admission.settings"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admission/operator_settings.html", form=form), status
