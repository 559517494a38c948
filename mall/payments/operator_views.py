"""The operator's payment settings: which ways to pay the mall offers, and the mall's fee."""

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from mall.accounts.access import operators_only
from mall.extensions import db
from mall.payments.forms import PaymentOfferForm
from mall.payments.offer import current_offer, save_offer
from mall.payments.providers import all_providers

bp = Blueprint("operator_payments", __name__, url_prefix="/operator")
bp.before_request(operators_only)


@bp.route("/payments", methods=["GET", "POST"])
def settings():
    providers = all_providers()
    offer = current_offer(db.session)
    form = PaymentOfferForm(data={"offered": offer.codes, "mall_fee_bp": offer.mall_fee_bp})
    form.offered.choices = [
        SelectChoice(p.code, p.label if p.available() else f"{p.label} — not configured") for p in providers.values()
    ]
    if form.validate_on_submit():
        save_offer(db.session, form.offered.data, form.mall_fee_bp.data)
        flash("Payment settings saved.", "success")
        return redirect(url_for("operator_payments.settings"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("payments/operator_settings.html", form=form, providers=providers), status
