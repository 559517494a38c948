"""The shopper's cart, checkout and private order page. No account needed."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from mall.admission.gate import check_hold
from mall.admission.line import WaitingRoom
from mall.checkout import services
from mall.checkout.access import (
    cart_token,
    client_ip,
    hold_token_is_valid,
    last_order,
    remember_cart,
    remember_last_order,
    shoppers_hold_token,
)
from mall.checkout.cart import cart_summary, load_cart
from mall.checkout.fast_paths import hold_choice, hold_reply, skips_rate_limiter
from mall.checkout.forms import CheckoutForm, QuantityForm
from mall.draw.gate import draw_refusal
from mall.drops.models import Drop
from mall.extensions import csrf, db, limiter, redis_client
from mall.hubs.models import Hub, HubKind
from mall.ids import is_row_id
from mall.links.attribution import attributed_link_id
from mall.orders.models import Order, PaymentState, SubOrder
from mall.orders.state import state_of_lines
from mall.payments import checkout_payment
from mall.payments.offer import offered_providers
from mall.stock.access import stock_engine
from mall.stock.replies import limit_message

bp = Blueprint("checkout", __name__)
bp.after_app_request(remember_cart)  # any page with an add-to-cart form may hand out the cart cookie
bp.add_app_template_global(shoppers_hold_token, "hold_token")
limiter.request_filter(skips_rate_limiter)  # the hold's tries are counted inside the engine's Lua call


def _checkout_limit():
    from flask import current_app

    return current_app.config["CHECKOUT_RATE_LIMIT"]


def _cart_key():
    return cart_token() or client_ip()


@bp.post("/cart/holds")
@csrf.exempt  # it checks its own token, bound to the cart cookie, below
def hold():
    form, token = request.form, cart_token()
    if not hold_token_is_valid(token, form.get("hold_token")):
        raise CSRFError("The add-to-cart token is missing or does not match this cart.")
    choice = hold_choice(form)
    if choice is None:
        return _hold_reply(None, _bad_choice_message(form.get("drop_id", "")), 422)
    admission = check_hold(choice.drop_id, choice.variant_id, token, request.cookies)  # the drop's line, if on
    if admission.refused:
        return _hold_reply(None, admission.refusal, 403, line_url=admission.line_url)
    engine = stock_engine()
    outcome = engine.place_hold(choice.drop_id, choice.variant_id, token, choice.quantity, ip=client_ip())
    if outcome.ok:
        if admission.admitted:
            WaitingRoom(redis_client(), choice.drop_id).admission_used(token)
        if form.get("replaces"):
            engine.forget_expired(token, form["replaces"])
        return _hold_reply(outcome, "", 200)
    if outcome.reason == "slow_down":
        return _hold_reply(outcome, outcome.message, 429, {"Retry-After": str(max(1, outcome.retry_after_ms // 1000))})
    if outcome.reason == "limit":
        limit = _per_shopper_limit(choice.drop_id) or 0
        return _hold_reply(outcome, limit_message(limit, limit - outcome.units_left), 409)
    if outcome.reason == "not_live" and (refusal := draw_refusal(db.session, choice.drop_id)):
        return _hold_reply(outcome, refusal, 409)  # the engine refused it: the drop sells only through its draw
    return _hold_reply(outcome, outcome.message, 409)


def _per_shopper_limit(drop_id: int) -> int | None:
    return db.session.scalar(
        select(Drop.per_shopper_limit).where(Drop.id == drop_id).execution_options(all_tenants=True)
    )


def _bad_choice_message(drop_id: str) -> str:
    readable = drop_id.isascii() and drop_id.isdigit() and len(drop_id) <= 10 and is_row_id(int(drop_id))
    limit = _per_shopper_limit(int(drop_id)) if readable else None
    if limit is None:
        return "Choose an item of this drop and a quantity."
    return f"Choose a quantity between 1 and {limit}, the most this drop allows per shopper."


def _hold_reply(outcome, message: str, status: int, headers=None, line_url: str = ""):
    if request.htmx:
        held = outcome is not None and outcome.ok
        # the checkout page's "Hold again" listens for this to refresh its items and re-enable "Place order"
        headers = {**(headers or {}), "HX-Trigger": "hold-placed"} if held else headers or {}
        return hold_reply(outcome.expires_ms if held else None, message, line_url), status, headers
    if outcome is not None and outcome.ok:
        flash("Held for you — check out before the countdown ends.")
        return redirect(url_for("checkout.cart"), 303)
    return render_template("checkout/hold_refused.html", message=message, line_url=line_url), status, headers or {}


@bp.get("/cart")
def cart():
    view = load_cart(stock_engine(), cart_token())
    template = "checkout/_cart.html" if request.htmx else "checkout/cart.html"
    return render_template(template, cart=view, last_order=last_order()), {"Cache-Control": "no-store"}


@bp.app_template_global("cart_summary")
def shoppers_cart_summary():
    return cart_summary(stock_engine(), cart_token())


@bp.get("/cart/bar")
def cart_bar():
    """The sticky cart bar alone: htmx asks for it after an add-to-cart, when its countdown ends, and on pages
    rendered once for every shopper (which cannot carry this shopper's cart)."""
    # only a page that listens asks, so the bar it gets back keeps listening even while the cart is empty
    bar = render_template("checkout/_cart_bar.html", cart_bar_listens=True)
    return bar, {"Cache-Control": "no-store", "Vary": "Cookie"}


@bp.post("/cart/holds/<hold_id>/release")
def release(hold_id: str):
    token = cart_token()
    if token and stock_engine().release_hold(token, hold_id):
        flash("Removed from your cart; the units went back on sale.")
    return redirect(url_for("checkout.cart"), 303)


@bp.post("/cart/holds/<hold_id>/quantity")
def change_quantity(hold_id: str):
    form, token = QuantityForm(), cart_token()
    if not token:
        abort(404)
    view = load_cart(stock_engine(), token)
    line = next((line for line in view.lines if line.hold.id == hold_id), None)
    if line is None:
        flash("That hold is no longer in your cart.", "error")
        return redirect(url_for("checkout.cart"), 303)
    limit = line.drop.per_shopper_limit
    if not form.validate() or form.quantity.data > limit:
        flash(f"Choose a quantity between 1 and {limit}, the most this drop allows per shopper.", "error")
        return render_template("checkout/cart.html", cart=view), 422
    outcome = stock_engine().resize_hold(token, hold_id, form.quantity.data, limit)
    if not outcome.ok:
        flash(limit_message(limit, limit - outcome.units_left) if outcome.reason == "limit" else outcome.message, "error")
        return render_template("checkout/cart.html", cart=load_cart(stock_engine(), token)), 409
    return redirect(url_for("checkout.cart"), 303)


@bp.route("/checkout", methods=["GET", "POST"])
@limiter.limit(_checkout_limit, methods=["POST"], key_func=client_ip)
@limiter.limit(_checkout_limit, methods=["POST"], key_func=_cart_key)
def checkout():
    engine, token = stock_engine(), cart_token()
    form = CheckoutForm()
    form.pickup_hub_id.choices = [SelectChoice(0, "Choose a pickup point")] + [
        SelectChoice(h.id, f"{h.name} — {h.address}") for h in _pickup_points()
    ]
    form.payment_provider.choices = [SelectChoice(p.code, p.label) for p in offered_providers(db.session)]
    if request.method == "GET":
        view = load_cart(engine, token)
        for line in view.lines:
            engine.extend_hold(token, line.hold.id)  # once per hold: time to type an address
        view = load_cart(engine, token)
        form.idempotency_key.data = secrets.token_urlsafe(24)
        return _checkout_page(form, view, 200)
    if not form.validate():
        return _checkout_page(form, load_cart(engine, token), 422)
    details = services.CheckoutDetails(
        name=form.name.data.strip(),
        email=form.email.data.strip(),
        fulfilment=form.fulfilment.data,
        pickup_hub_id=form.pickup_hub_id.data or None,
        delivery_address=(form.delivery_address.data or "").strip(),
        postcode=(form.postcode.data or "").strip().upper(),
        payment_provider=form.payment_provider.data,
    )
    try:
        order = services.place_order(
            db.session, engine, token or "", form.idempotency_key.data, details, form.hold_ids(), client_ip(),
            attributed_link_id=attributed_link_id(),  # the creator link of the last click, if its window is open
        )
    except services.CheckoutError as error:
        form.form_errors.append(error.message)
        return _checkout_page(form, load_cart(engine, token), error.status)
    if order.payment_state == PaymentState.AWAITING_PAYMENT:
        return redirect(checkout_payment.payment_page_url(db.session, order), 303)
    remember_last_order(order)
    return redirect(url_for("checkout.track", token=order.tracking_token), 303)


def _checkout_page(form: CheckoutForm, view, status: int):
    """The form as typed (a refused submission keeps every field) beside the cart's holds as they are now."""
    page = render_template("checkout/checkout.html", form=form, cart=view, last_order=last_order())
    return page, status, {"Cache-Control": "no-store"}  # the back button after an order asks again


@bp.get("/checkout/items")
def checkout_items():
    """The checkout page's items and "Place order" button, refreshed in place after "Hold again"."""
    view = load_cart(stock_engine(), cart_token())
    return render_template("checkout/_checkout_items.html", cart=view), {"Cache-Control": "no-store"}


def _pickup_points() -> list[Hub]:
    return list(
        db.session.scalars(
            select(Hub).where(Hub.kind == HubKind.PICKUP_POINT.value, Hub.active.is_(True)).order_by(Hub.name)
        )
    )


@bp.get("/orders/<token>")
def track(token: str):
    order = db.session.scalar(
        select(Order)
        .where(Order.tracking_token == token)
        .options(selectinload(Order.sub_orders).selectinload(SubOrder.lines))
    )
    if order is None:
        abort(404)
    state = state_of_lines(db.session, order, [line for sub in order.sub_orders for line in sub.lines])
    return render_template(
        "checkout/order.html", order=order, state=state, payment_line=checkout_payment.payment_line(db.session, order)
    )
