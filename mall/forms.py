"""Form building blocks every feature shares: filters, validators and the number fields."""

import math
import re
import unicodedata
from decimal import Decimal

from wtforms import DecimalField, IntegerField
from wtforms.validators import StopValidation, ValidationError


def strip(value):
    return value.strip() if isinstance(value, str) else value


def upper(value):
    return value.upper() if isinstance(value, str) else value


def plain_text(form, field) -> None:
    """Control characters break pages and PostgreSQL refuses NUL; tabs and newlines are fine."""
    if isinstance(field.data, str) and any(
        unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in field.data
    ):
        raise ValidationError("Remove the invisible control characters from this text.")


def finite(form, field) -> None:
    """float() accepts "nan" and "inf", which slip past range checks."""
    if field.data is not None and not math.isfinite(field.data):
        raise StopValidation("Enter a number.")


def present(message: str):
    """Required, but 0 counts as a value (DataRequired would refuse it)."""

    def check(form, field):
        if field.data is None:
            raise StopValidation(message)

    return check


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")


class WholeNumberField(IntegerField):
    """An integer input whose blank means 'no value' and whose bad text gets a plain message."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        if not text:
            self.data = None
            return
        if not _WHOLE_NUMBER.fullmatch(text):
            self.data = None
            raise ValueError("Enter a whole number, e.g. 12.")
        self.data = int(text)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


_PLAIN_DECIMAL = re.compile(r"[+-]?([0-9]{1,12})(?:\.([0-9]{0,12}))?")


class PlainDecimalField(DecimalField):
    """A decimal typed as digits and one dot: no exponent, NaN or infinity, at most `places` decimals.

    Decimal() alone takes "9e99" and "1e400", which no later rounding to `places` survives.
    """

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        self.data = None
        if not text:
            return
        match = _PLAIN_DECIMAL.fullmatch(text)
        if not match:
            raise ValueError("Enter a number written with digits and at most one dot, e.g. 7.5.")
        if len((match[2] or "").rstrip("0")) > self.places:
            raise ValueError(f"Use at most {self.places} decimals, e.g. 7.5.")
        self.data = Decimal(text)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
