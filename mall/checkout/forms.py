from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from mall.fulfilment.geo import estimate_refusal


class QuantityForm(FlaskForm):
    quantity = IntegerField("Quantity", validators=[InputRequired(), NumberRange(min=1, max=50)])


class CheckoutForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = StringField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    fulfilment = RadioField(
        "How do you want it?",
        choices=[SelectChoice("pickup", "Pick up at a pickup point"), SelectChoice("delivery", "Deliver to my address")],
        default="pickup",
        validators=[InputRequired()],
    )
    pickup_hub_id = SelectField("Pickup point", coerce=int, validators=[Optional()])
    delivery_address = TextAreaField("Delivery address", validators=[Length(max=400)])
    postcode = StringField("Postcode", validators=[Length(max=12)])
    payment_provider = RadioField(
        "Payment",
        choices=[],  # the ways to pay the operator offers, set by the view (mall/payments/offer.py)
        default="pay_on_handover",
        validators=[InputRequired()],
    )
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    holds = HiddenField(validators=[Regexp(r"^[0-9,]*$")])

    def validate_pickup_hub_id(self, field):
        if self.fulfilment.data == "pickup" and not field.data:
            raise ValidationError("Choose a pickup point.")

    def validate_delivery_address(self, field):
        if self.fulfilment.data == "delivery" and len((field.data or "").strip()) < 8:
            raise ValidationError("Enter the full delivery address.")

    def validate_postcode(self, field):
        refusal = estimate_refusal(field.data) if self.fulfilment.data == "delivery" else None
        if refusal is not None:
            raise ValidationError(f"{refusal} Check it, or choose a pickup point.")

    def hold_ids(self) -> list[str]:
        return [part for part in (self.holds.data or "").split(",") if part][:50]
