"""The shopper's draw: enter from the drop page, confirm through the emailed link, open a win, and check the result."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from mall.checkout.access import cart_token, client_ip, hold_token_is_valid, use_cart
from mall.clock import utcnow
from mall.draw import services
from mall.draw.fairness import draw_order, recompute_snippet
from mall.draw.forms import ButtonForm, EntryForm
from mall.draw.links import entry_link_token, read_entry_link
from mall.draw.models import DrawEntry, EntryState
from mall.drops.models import Drop
from mall.drops.services import shoppable_drop_by_id
from mall.extensions import csrf, db, limiter
from mall.stock.access import stock_engine
from mall.templating import local_time

bp = Blueprint("draw", __name__, url_prefix="/draw")

OUTCOMES = {
    "reserve": "next in line", "won": "won — buying now", "bought": "won — bought",
    "lapsed": "won — not bought in time, passed on", "lost": "not reached",
}


def _entry_limit() -> str:
    return current_app.config.get("DRAW_ENTRY_RATE_LIMIT", "10 per minute")


def _drop_or_404(drop_id: int) -> Drop:
    drop = shoppable_drop_by_id(db.session, drop_id)
    if drop is None:
        abort(404)
    return drop


def _entry_or_404(purpose: str, token: str) -> DrawEntry:
    entry_id = read_entry_link(purpose, token)
    entry = services.entry_by_id(db.session, entry_id) if entry_id else None
    if entry is None:
        abort(404)
    return entry


@bp.post("/drops/<id:drop_id>/entries")
@csrf.exempt  # the drop page is one copy for every shopper: it carries the add-to-cart token, checked below
@limiter.limit(_entry_limit, key_func=client_ip)
def enter(drop_id: int):
    cart = cart_token()
    if not hold_token_is_valid(cart, request.form.get("hold_token")):
        raise CSRFError("The page's token is missing or does not match this browser. Reload the drop and try again.")
    drop = _drop_or_404(drop_id)
    form = EntryForm()
    if not form.validate():
        message = next(iter(form.errors.values()))[0]
        return render_template("draw/refused.html", drop=drop, message=message), 422
    details = services.EntryDetails(
        form.email.data, form.variant_id.data, form.delivery_address.data, form.postcode.data
    )
    try:
        entry = services.enter(db.session, drop, details, cart, client_ip(), utcnow())
    except services.DrawError as error:
        return render_template("draw/refused.html", drop=drop, message=error.message), error.status
    return redirect(url_for(".entry_page", token=entry_link_token("entry", entry.id)), 303)


@bp.get("/entries/<token>")
def entry_page(token: str):
    entry = _entry_or_404("entry", token)
    return render_template("draw/entry.html", entry=entry, draw=entry.draw, drop=entry.draw.drop)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_page(token: str):
    """The emailed link opens a page with one button, so a mail scanner's visit confirms nothing."""
    entry = _entry_or_404("confirm", token)
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        try:
            services.confirm(db.session, entry, utcnow())
        except services.DrawError as error:
            return _confirm_page(entry, form, error.message), error.status
        flash("Your entry is confirmed: it is in the draw.")
        return redirect(url_for(".entry_page", token=entry_link_token("entry", entry.id)), 303)
    return _confirm_page(entry, form, None)


def _confirm_page(entry: DrawEntry, form: ButtonForm, message: str | None) -> str:
    return render_template(
        "draw/confirm.html", entry=entry, drop=entry.draw.drop, form=form, message=message,
        entry_token=entry_link_token("entry", entry.id),
    )


@bp.route("/wins/<token>", methods=["GET", "POST"])
def win_page(token: str):
    """The winner's emailed link: a page with the held unit, and a button that puts it in this browser's cart."""
    entry = _entry_or_404("win", token)
    engine = stock_engine()
    engine.sweep_expired()  # a win that ran out a moment ago is over, swept or not
    live = entry.state == EntryState.WON and bool(entry.win_hold_id) and engine.hold_exists(entry.win_hold_id)
    form = ButtonForm()
    if request.method == "GET" or not live:
        status = 200 if live or request.method == "GET" else 410
        return render_template("draw/win.html", entry=entry, drop=entry.draw.drop, live=live, form=form), status
    if not form.validate():
        abort(400)
    cart = cart_token()
    if cart and cart != entry.win_cart_token:
        if engine.hand_over_hold(entry.win_cart_token, cart, entry.win_hold_id):
            entry.win_cart_token = cart
            db.session.commit()
    flash(f"You won: your unit is held in your cart until {local_time(entry.win_expires_at, '%H:%M')}.")
    response = redirect(url_for("checkout.cart"), 303)
    return response if cart == entry.win_cart_token else use_cart(response, entry.win_cart_token)


@bp.get("/drops/<id:drop_id>")
def verification(drop_id: int):
    """Public: the hash, and once drawn the seed, the entries (ids only) and the order anyone can recompute."""
    drop = _drop_or_404(drop_id)
    draw = services.public_draw(db.session, drop)
    if draw is None:
        abort(404)
    rows = services.entries(db.session, draw)
    taking_part = [e for e in rows if e.state not in (EntryState.PENDING, EntryState.VOIDED)]
    ids = [e.id for e in taking_part]
    drawn = draw.drawn_at is not None
    return render_template(
        "draw/verification.html", drop=drop, draw=draw, entries=taking_part, drawn=drawn,
        order=draw_order(draw.seed, ids) if drawn else None,
        snippet=recompute_snippet(draw.seed, ids) if drawn else None,
        voided=sum(e.state == EntryState.VOIDED for e in rows), by_id={e.id: e for e in taking_part},
        outcomes=OUTCOMES,
    )
