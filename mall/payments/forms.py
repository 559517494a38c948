from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, widgets
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from mall.payments.test_provider import card_outcome


class TestCardForm(FlaskForm):
    __test__ = False
    card_number = StringField("Card number", validators=[DataRequired(), Length(max=30)])

    def validate_card_number(self, field):
        if card_outcome(field.data or "") is None:
            raise ValidationError("Use one of the test card numbers listed on this page.")


class PaymentOfferForm(FlaskForm):
    offered = SelectMultipleField(
        "Ways to pay", widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput()
    )
    mall_fee_bp = IntegerField(
        "Mall fee on each brand's sales (basis points: 250 = 2.5%)", validators=[InputRequired(), NumberRange(0, 10_000)]
    )

    def validate_offered(self, field):
        if not field.data:
            raise ValidationError("Offer at least one way to pay.")
