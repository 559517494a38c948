from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from mall.extensions import db
from mall.forms import PlainDecimalField, WholeNumberField, present, strip
from mall.links import codes
from mall.links.services import code_taken


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class TermsForm(FlaskForm):
    """A brand's terms for one creator: commission on the brand's lines, and how long a click counts."""

    commission_percent = PlainDecimalField(
        "Commission (%)",
        places=2,
        validators=[
            InputRequired("Enter the commission, e.g. 10."),
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
