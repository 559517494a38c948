import re

from flask_wtf import FlaskForm
from wtforms import ColorField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from mall.brands.services import RESERVED_SLUGS, SETTINGS_FIELDS, is_member, slug_available
from mall.forms import strip
from tenants.models import ROLE_VALUES, Role

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-f]{6}$")
POLICY_MAX = 4000
WEEK_MINUTES = 7 * 24 * 60



def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _policy(label: str) -> TextAreaField:
    return TextAreaField(
        label, filters=[strip], validators=[Length(max=POLICY_MAX, message=f"Keep it under {POLICY_MAX} characters.")]
    )


def _support_target(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired("Enter a number of minutes."),
            NumberRange(1, WEEK_MINUTES, f"Use 1 to {WEEK_MINUTES} minutes (one week)."),
        ],
    )


class BrandBasicsForm(FlaskForm):
    name = StringField(
        "Brand name",
        filters=[strip],
        validators=[
            DataRequired("Give your brand a name."),
            Length(max=80, message="Keep the name under 80 characters."),
        ],
    )
    tagline = StringField(
        "Tagline",
        filters=[strip],
        validators=[Optional(), Length(max=160, message="Keep the tagline under 160 characters.")],
    )
    colour = ColorField("Brand colour", default="#6d28d9", filters=[strip, _lower])

    def validate_colour(self, field):
        if not COLOUR_PATTERN.match(field.data or ""):
            raise ValidationError("Use a colour like #6d28d9 (a # and six hex digits).")


class NewBrandForm(BrandBasicsForm):
    slug = StringField(
        "Shop address",
        filters=[strip, _lower],
        validators=[
            DataRequired("Choose an address for your shop."),
            Length(min=2, max=40, message="Use 2 to 40 characters."),
        ],
    )

    def validate_slug(self, field):
        if not SLUG_PATTERN.match(field.data):
            raise ValidationError(
                "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit."
            )
        if field.data in RESERVED_SLUGS:
            raise ValidationError(f"“{field.data}” is reserved by the mall. Choose another address.")
        if not slug_available(field.data):
            raise ValidationError("Another brand already uses this address. Choose another.")


class BrandSettingsForm(BrandBasicsForm):
    returns_policy = _policy("Returns policy")
    warranty_policy = _policy("Warranty policy")
    cancellation_policy = _policy("Cancellation policy")
    cancellation_window_minutes = IntegerField(
        "Cancellation window (minutes)",
        validators=[
            InputRequired("Enter a number of minutes (0 for no cancellations)."),
            NumberRange(0, 1440, "Use 0 to 1440 minutes (one day)."),
        ],
    )
    first_response_minutes = _support_target("First response target (minutes)")
    resolution_minutes = _support_target("Resolution target (minutes)")

    def validate_resolution_minutes(self, field):
        first = self.first_response_minutes.data
        if isinstance(first, int) and isinstance(field.data, int) and field.data < first:
            raise ValidationError("Resolving a request cannot take less time than the first response.")

    def tenant_values(self) -> dict:
        return {name: self[name].data for name in SETTINGS_FIELDS}


class InviteForm(FlaskForm):
    email = EmailField(
        "Their email",
        filters=[strip, _lower],
        validators=[
            DataRequired("Enter the email address to invite."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address, like someone@example.com."),
        ],
    )
    role = SelectField("Role", choices=list(ROLE_VALUES), default=Role.SUPPORT.value)

    def __init__(self, tenant, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def validate_email(self, field):
        if is_member(self.tenant, field.data):
            raise ValidationError("This person is already on the team.")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=list(ROLE_VALUES))
