from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange


class JoinForm(FlaskForm):
    """On the drop page, a copy shared by every shopper: its CSRF token is the add-to-cart one, bound to the cart
    cookie (checked in the view), not the session's."""

    class Meta:
        csrf = False

    email = StringField(
        "Your email",
        validators=[
            DataRequired("Enter your email to join the waitlist."),
            Email("Enter a valid email address.", check_deliverability=False),
            Length(max=254, message="That email is too long."),
        ],
    )
    variant_id = IntegerField(validators=[InputRequired("Choose an item."), NumberRange(1, 2**31 - 1)])


class LeaveForm(FlaskForm):
    """A button only: the form carries the CSRF token."""
