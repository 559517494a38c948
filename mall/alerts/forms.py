from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange

from mall.forms import WholeNumberField, present


def _whole(label: str, low: int, high: int, unit: str) -> WholeNumberField:
    return WholeNumberField(
        label, validators=[present(f"Enter a number of {unit}."), NumberRange(low, high, f"Use {low} to {high} {unit}.")]
    )


class AlertSettingsForm(FlaskForm):
    low_stock_minutes = _whole("Low stock: warn when selling out within (minutes)", 0, 1440, "minutes")
    low_stock_units = _whole("Low stock: warn when fewer units than this are left", 0, 100_000, "units")
    sold_out = BooleanField("Tell us when a hero item sells out")
    hoard_holds = _whole("Hold hoarding: holds let expire unbought by one IP, cart or email", 1, 1000, "holds")
    velocity_orders = _whole("Order velocity: orders from one email, address or IP", 1, 1000, "orders")
    converging_carts = _whole("Converging carts: different carts ordering to one address", 2, 1000, "carts")
    fraud_window_minutes = _whole("Window for order velocity and converging carts (minutes)", 5, 1440, "minutes")
    eta_grace_minutes = _whole("ETA breach: a parcel this late past its committed ETA (minutes)", 0, 1440, "minutes")
    email_severity = SelectField(
        "Email alerts",
        choices=[
            SelectChoice("severe", "Severe alerts only"),
            SelectChoice("warning", "Warnings and severe alerts"),
            SelectChoice("never", "Never"),
        ],
    )
    email_to = SelectField(
        "Send them to", choices=[SelectChoice("owners", "Owners"), SelectChoice("managers", "Owners and managers")]
    )

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class AcknowledgeForm(FlaskForm):
    """Button-only POST: the form exists for its CSRF token."""
