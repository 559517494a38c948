"""Fulfilment forms: the shopper's area for an estimate, and hub staff."""

from flask_wtf import FlaskForm
from wtforms import FloatField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from mall.forms import finite, plain_text, strip
from mall.fulfilment.geo import estimate_refusal, postcode_point


class AreaForm(FlaskForm):
    """A GET form: a postcode, or coordinates from the browser's "use my location"."""

    class Meta:
        csrf = False  # it changes nothing; it only asks for an estimate

    postcode = StringField("Your postcode", filters=[strip], validators=[Optional(), Length(max=12), plain_text])
    lat = FloatField("Latitude", validators=[Optional(), finite, NumberRange(-90, 90)])
    lon = FloatField("Longitude", validators=[Optional(), finite, NumberRange(-180, 180)])

    def validate_postcode(self, field):
        refusal = estimate_refusal(field.data)
        if refusal is not None:
            raise ValidationError(f"{refusal} Check it, or use your location.")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.postcode.data and (self.lat.data is None or self.lon.data is None):
            self.postcode.errors.append("Enter your postcode, or use your location.")
            return False
        return True

    def point(self) -> tuple[float, float]:
        if self.postcode.data:
            return postcode_point(self.postcode.data)
        return float(self.lat.data), float(self.lon.data)


class StaffForm(FlaskForm):
    email = StringField(
        "Email of their account", filters=[strip], validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
