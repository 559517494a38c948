"""Form building blocks every feature shares: filters, validators and a whole-number field."""

import re
import unicodedata

from wtforms import IntegerField
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
