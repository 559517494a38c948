from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from mall.drops.forms import LocalTimeField
from mall.forms import WholeNumberField, plain_text, present, strip, upper


class EntryForm(FlaskForm):
    """On the drop page, a copy shared by every shopper: its CSRF token is the add-to-cart one, bound to the cart
    cookie (checked in the view), not the session's."""

    class Meta:
        csrf = False

    email = StringField(
        "Your email",
        filters=[strip],
        validators=[
            DataRequired("Enter your email: the link to confirm your entry goes there."),
            Email("Enter a valid email address.", check_deliverability=False),
            Length(max=254, message="That email is too long."),
        ],
    )
    variant_id = IntegerField(validators=[InputRequired("Choose an item."), NumberRange(1, 2**31 - 1)])
    delivery_address = StringField(
        "Delivery address",
        filters=[strip],
        validators=[DataRequired("Enter your delivery address."), Length(max=300), plain_text],
    )
    postcode = StringField(
        "Postcode",
        filters=[strip, upper],
        validators=[DataRequired("Enter your postcode."), Length(max=12, message="That postcode is too long.")],
    )


class DrawSettingsForm(FlaskForm):
    entries_open_at = LocalTimeField("Entries open", validators=[present("Enter when entries open.")])
    entries_close_at = LocalTimeField("Entries close", validators=[present("Enter when entries close.")])
    purchase_minutes = WholeNumberField(
        "Purchase window (minutes)",
        validators=[present("Enter how long a winner has to buy."),
                    NumberRange(1, 240, message="A winner's purchase window must last 1 to 240 minutes.")],
    )


class ButtonForm(FlaskForm):
    """A button only (confirm an entry, open a win, void an entry): the form carries the CSRF token."""
