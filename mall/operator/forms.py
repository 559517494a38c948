"""Operator forms: the shared hubs every brand stocks."""

import re
from collections.abc import Callable

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from mall.forms import finite
from mall.hubs.models import HUB_KIND_LABELS

HUB_CODE = re.compile(r"^[A-Z0-9-]+$")
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step


class HubForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired(), Length(max=20)], filters=[lambda v: v.strip().upper() if v else v]
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=80)], filters=[lambda v: v.strip() if v else v])
    kind = SelectField("Kind", choices=[SelectChoice(k.value, label) for k, label in HUB_KIND_LABELS.items()])
    address = StringField(
        "Address", validators=[DataRequired(), Length(max=200)], filters=[lambda v: v.strip() if v else v]
    )
    latitude = FloatField("Latitude", validators=[InputRequired(), finite, NumberRange(-90, 90)])
    longitude = FloatField("Longitude", validators=[InputRequired(), finite, NumberRange(-180, 180)])
    throughput_per_hour = IntegerField(
        "Throughput per hour", validators=[InputRequired(), NumberRange(1, 100_000)]
    )
    opens_at = TimeField("Opens", format=TIME_FORMATS, validators=[InputRequired()])
    closes_at = TimeField("Closes", format=TIME_FORMATS, validators=[InputRequired()])
    active = BooleanField("Active (takes stock and orders)", default=True)

    def __init__(self, *args, code_taken: Callable[[str], bool] = lambda code: False, **kwargs):
        super().__init__(*args, **kwargs)
        self._code_taken = code_taken

    def validate_code(self, field):
        if not HUB_CODE.match(field.data or ""):
            raise ValidationError("Use uppercase letters, digits and dashes only, e.g. MH-SHOREDITCH.")
        if self._code_taken(field.data):
            raise ValidationError("Another hub already uses this code.")

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError("Closing time must be after opening time.")
