"""Card payments on the web: the providers' webhooks, the built-in test provider's hosted page, and the shopper's
"continue to payment" / "cancel payment" buttons on the order page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from mall.extensions import csrf, db, limiter
from mall.orders.models import Order
from mall.payments import checkout_payment, settlement, test_provider
from mall.payments.forms import TestCardForm
from mall.payments.models import Payment
from mall.payments.providers import BadNotification, ProviderUnavailable
from mall.request_checks import takes_signed_body
from mall.stock.access import stock_engine

bp = Blueprint("payments", __name__)


@bp.post("/payments/webhooks/<provider_code>")
@csrf.exempt  # signed by the provider instead (verified in settlement.receive_notification)
@limiter.exempt  # a provider retries on its own schedule; a refused retry would only delay the order
@takes_signed_body  # a JSON body, read and verified by the provider's own code
def webhook(provider_code: str):
    try:
        outcome = settlement.receive_notification(
            db.session, stock_engine(), provider_code, request.get_data(), request.headers
        )
    except BadNotification as error:
        return {"error": str(error)}, 400
    except ProviderUnavailable:
        db.session.rollback()
        return {"error": "The provider could not be reached; send this event again."}, 503
    return {"outcome": outcome}, 200


def _order(token: str) -> Order:
    return db.session.scalar(select(Order).where(Order.tracking_token == token)) or abort(404)


@bp.post("/orders/<token>/pay")
def pay(token: str):
    order = _order(token)
    return redirect(checkout_payment.payment_page_url(db.session, order), 303)


@bp.post("/orders/<token>/payment/cancel")
def cancel(token: str):
    order = _order(token)
    if checkout_payment.give_up_payment(db.session, stock_engine(), order):
        flash("Payment cancelled — nothing was charged, and your items went back on sale.")
    return redirect(url_for("checkout.track", token=order.tracking_token), 303)


# -- the built-in test provider's hosted page ------------------------------------------------------

def _test_payment(session_id: str) -> Payment:
    payment = db.session.scalar(
        select(Payment).where(Payment.provider == "test_card", Payment.provider_session_id == session_id)
    )
    return payment or abort(404)


def _test_page(payment: Payment, form, status=200, step="card"):
    order = db.session.get(Order, payment.order_id)
    return render_template(
        "payments/test_page.html", payment=payment, order=order, form=form, step=step, cards=test_provider.CARDS
    ), status


def _notify(payment: Payment, event_type: str) -> str:
    """The pretend bank tells the mall, signed, through the webhook's own code."""
    body, headers = test_provider.notification(event_type, payment.provider_session_id)
    return settlement.receive_notification(db.session, stock_engine(), "test_card", body, headers)


def _after_payment(payment: Payment):
    order = db.session.get(Order, payment.order_id)
    return redirect(url_for("checkout.track", token=order.tracking_token), 303)


@bp.route("/pay/test/<session_id>", methods=["GET", "POST"])
def test_page(session_id: str):
    payment = _test_payment(session_id)
    form = TestCardForm()
    if request.method == "GET" or not payment.can_pay_now:
        return _test_page(payment, form)
    if not form.validate():
        return _test_page(payment, form, 422)
    outcome = test_provider.card_outcome(form.card_number.data)
    if outcome == "asks to confirm":
        return _test_page(payment, form, step="confirm")
    if outcome == "declines":
        _notify(payment, "payment.failed")
        form.card_number.errors.append("Your card was declined. Try another card.")
        return _test_page(_test_payment(session_id), form, 402)
    _notify(payment, "payment.succeeded")
    return _after_payment(payment)


@bp.post("/pay/test/<session_id>/confirm")
def test_confirm(session_id: str):
    payment = _test_payment(session_id)
    if payment.can_pay_now:
        if request.form.get("answer") == "confirm":
            _notify(payment, "payment.succeeded")
            return _after_payment(payment)
        _notify(payment, "payment.failed")
        form = TestCardForm(formdata=None)
        form.card_number.errors.append("You did not confirm the payment, so it was declined. Try again.")
        return _test_page(_test_payment(session_id), form, 402)
    return _after_payment(payment)


@bp.post("/pay/test/<session_id>/cancel")
def test_cancel(session_id: str):
    payment = _test_payment(session_id)
    if payment.is_open:
        _notify(payment, "session.expired")
        flash("Payment cancelled — nothing was charged, and your items went back on sale.")
    return _after_payment(payment)
