from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, EmailField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from mall.extensions import db
from mall.forms import WholeNumberField, present, strip
from mall.links import codes
from mall.links.services import code_taken


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _finite(form, field):
    # Decimal accepts "NaN" and "Infinity", which no range check can compare.
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("Enter a number, e.g. 10.")


class TermsForm(FlaskForm):
    """A brand's terms for one creator: commission on the brand's lines, and how long a click counts."""

    commission_percent = DecimalField(
        "Commission (%)",
        places=2,
        validators=[
            InputRequired("Enter the commission, e.g. 10."),
            _finite,
            NumberRange(min=0, max=50, message="Use a commission between 0 and 50%%."),
        ],
    )
    window_hours = WholeNumberField(
        "Attribution window (hours)",
        validators=[
            present("Enter how many hours a click keeps counting, e.g. 24."),
            NumberRange(min=1, max=720, message="Use 1 to 720 hours (30 days)."),
        ],
    )

    def validate_commission_percent(self, field):
        if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
            raise ValidationError("Use at most two decimals, e.g. 7.5.")

    @property
    def commission_bp(self) -> int:
        return int(self.commission_percent.data * 100)


class InviteCreatorForm(TermsForm):
    email = EmailField(
        "Creator's email",
        filters=[strip],
        validators=[
            DataRequired("Enter the creator's email address."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address, like creator@example.com."),
        ],
    )


class ApplyForm(FlaskForm):
    brand = SelectField("Brand", coerce=str, validate_choice=False)  # the service explains a brand that is not open


class NewLinkForm(FlaskForm):
    """Where the link goes (a brand page or one of its open drops) and an optional custom code."""

    target = SelectField("Where should the link go?", coerce=str, validate_choice=True)
    code = StringField(
        "Custom link name (optional)",
        filters=[strip, _lower],
        validators=[Optional(), Length(max=codes.MAX_SLUG, message=f"Use at most {codes.MAX_SLUG} characters.")],
    )

    def validate_target(self, field):
        if not field.data:
            raise ValidationError("Choose where the link should go.")

    def validate_code(self, field):
        problem = codes.slug_problem(field.data)
        if problem:
            raise ValidationError(problem)
        if code_taken(db.session, field.data):
            raise ValidationError("Another link already uses that name. Choose another.")

    def destination(self) -> tuple[int, int | None]:
        """(brand id, drop id or None) from a choice like 'b:3' or 'd:3:17'."""
        kind, tenant_id, *rest = self.target.data.split(":")
        return int(tenant_id), (int(rest[0]) if kind == "d" else None)
