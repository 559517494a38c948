from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange


class RoomSettingsForm(FlaskForm):
    capacity = IntegerField("Shoppers active in one drop at once (an open drop past this queues)",
                            validators=[InputRequired(), NumberRange(1, 1_000_000)])
    overbook_percent = IntegerField("Admit up to this % of the units that can still be bought (100-300)",
                                    validators=[InputRequired(), NumberRange(100, 300)])
    admission_minutes = IntegerField("Minutes an admitted shopper has to add to cart (1-60)",
                                     validators=[InputRequired(), NumberRange(1, 60)])
    expiring_seconds = IntegerField("Count units in holds ending within this many seconds as coming back (0-600)",
                                    validators=[InputRequired(), NumberRange(0, 600)])
    entries_per_ip = IntegerField("Places in one drop's line from one IP address",
                                  validators=[InputRequired(), NumberRange(1, 100_000)])
