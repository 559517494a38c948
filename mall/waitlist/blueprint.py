"""The shopper's waitlist: join from a drop page, see your place in line or leave, and open an emailed offer."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from mall.checkout.access import cart_token, client_ip, hold_token_is_valid, use_cart
from mall.drops.models import Drop
from mall.drops.services import shoppable_drop_by_id
from mall.extensions import csrf, db, limiter
from mall.stock.access import stock_engine
from mall.templating import local_time
from mall.waitlist import services
from mall.waitlist.forms import JoinForm, LeaveForm
from mall.waitlist.links import entry_token, read_entry_token, read_offer_token
from mall.waitlist.models import WaitlistEntry

bp = Blueprint("waitlist", __name__, url_prefix="/waitlist")


def _join_limit() -> str:
    return current_app.config.get("WAITLIST_RATE_LIMIT", "10 per minute")


def _drop_or_404(drop_id: int) -> Drop:
    drop = shoppable_drop_by_id(db.session, drop_id)
    if drop is None:
        abort(404)
    return drop


def _entry_or_404(token: str) -> WaitlistEntry:
    entry_id = read_entry_token(token)
    entry = db.session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.id == entry_id).execution_options(all_tenants=True)
    ) if entry_id else None
    if entry is None:
        abort(404)
    return entry


@bp.post("/drops/<id:drop_id>/join")
@csrf.exempt  # the drop page is one copy for every shopper: it carries the add-to-cart token, checked below
@limiter.limit(_join_limit, key_func=client_ip)
def join(drop_id: int):
    if not hold_token_is_valid(cart_token(), request.form.get("hold_token")):
        raise CSRFError("The page's token is missing or does not match this browser. Reload the drop and try again.")
    drop = _drop_or_404(drop_id)
    form = JoinForm()
    if not form.validate():
        message = next(iter(form.errors.values()))[0]
        return render_template("waitlist/refused.html", drop=drop, message=message), 422
    try:
        entry = services.join(db.session, stock_engine(), drop, form.variant_id.data, form.email.data)
    except services.WaitlistError as error:
        return render_template("waitlist/refused.html", drop=drop, message=error.message), error.status
    return redirect(url_for(".entry_page", token=entry_token(entry.id)), 303)


@bp.get("/entries/<token>")
def entry_page(token: str):
    entry = _entry_or_404(token)
    place = services.position(db.session, entry) if entry.state == "waiting" else None
    return render_template("waitlist/entry.html", entry=entry, place=place, token=token, form=LeaveForm())


@bp.post("/entries/<token>/leave")
def leave(token: str):
    entry = _entry_or_404(token)
    if not LeaveForm().validate():
        abort(400)
    if services.leave(db.session, stock_engine(), entry):
        flash("You left the waitlist.")
    else:
        flash("You are no longer waiting in this line.", "error")
    return redirect(url_for(".entry_page", token=token), 303)


@bp.get("/offers/<token>")
def open_offer(token: str):
    """The emailed link: this browser's cart becomes the offer's, holding the unit, and the cart opens."""
    found = read_offer_token(token)
    entry = services.live_offer(db.session, stock_engine(), *found) if found else None
    if entry is None:
        gone = db.session.scalar(
            select(WaitlistEntry).where(WaitlistEntry.id == found[0]).execution_options(all_tenants=True)
        ) if found else None
        return render_template("waitlist/offer_gone.html", entry=gone), 410 if found else 404
    cart = cart_token()
    if cart and cart != entry.offer_cart_token:
        services.bring_offer_to_cart(db.session, stock_engine(), entry, cart)
    flash(f"A unit came back for you: held in your cart until {local_time(entry.offer_expires_at, '%H:%M')}.")
    response = redirect(url_for("checkout.cart"), 303)
    return response if cart == entry.offer_cart_token else use_cart(response, entry.offer_cart_token)
