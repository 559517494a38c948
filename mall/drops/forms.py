"""The drop form: window, hero variants, limits, fallback and price tiers."""

import re
from datetime import date, datetime
from datetime import time as dt_time

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, FieldList, Form, FormField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, StopValidation, ValidationError
from wtforms.widgets import html_params

from mall.clock import from_local, to_local
from mall.drops import pricing, services
from mall.drops.models import AdmissionMode, Drop
from mall.forms import WholeNumberField, plain_text, present, strip

MINUTES_IN_A_WEEK = 7 * 24 * 60


def within(low: int, high: int, message: str):
    """A range check that lets a blank through (the row's own hooks decide what is required)."""

    def check(form, field):
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)

    return check


class TierForm(Form):
    """One price tier row; a row left blank is simply not a tier."""

    from_minute = WholeNumberField(
        "From minute", validators=[within(0, MINUTES_IN_A_WEEK, "Between 0 and 10080 minutes.")]
    )
    until_minute = WholeNumberField(
        "Until minute", validators=[within(1, MINUTES_IN_A_WEEK, "Between 1 and 10080 minutes.")]
    )
    percent_off = WholeNumberField("% off", validators=[within(0, 95, "Between 0 and 95 percent.")])

    def is_blank(self) -> bool:
        return all(not (f.raw_data and (f.raw_data[0] or "").strip()) for f in self)

    def validate_from_minute(self, field):
        if field.data is None and self.percent_off.data is not None:
            raise ValidationError("Enter the minute this tier starts (0 = at the start).")

    def validate_until_minute(self, field):
        if field.data is not None and self.from_minute.data is not None and field.data <= self.from_minute.data:
            raise ValidationError("A tier must end after it starts.")

    def validate_percent_off(self, field):
        if field.data is None and not self.is_blank():
            raise ValidationError("Enter the percent off.")

    def as_tuple(self) -> tuple[int, int | None, int]:
        return (self.from_minute.data, self.until_minute.data, self.percent_off.data)


DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_TEXT = re.compile(r"([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?")
DATE_HINT, TIME_HINT = "2026-12-05", "18:30"


class DateAndTimeInputs:
    """Two plain text inputs under one name: an ISO date and a 24-hour time. No browser date picker, so what a
    brand sees and types does not depend on the browser's language (Chrome's datetime-local is 12-hour in the US)."""

    def __call__(self, field, **kwargs):
        date_text, time_text = field.date_and_time_text()
        shared = {key: kwargs[key] for key in ("readonly", "disabled") if kwargs.get(key)}
        date = html_params(
            name=field.name, id=field.id, type="text", value=date_text, placeholder=DATE_HINT, inputmode="numeric",
            pattern=r"\d{4}-\d{2}-\d{2}", size=10, autocomplete="off",
            aria_label=f"{field.label.text} date (YYYY-MM-DD)", **shared,
        )
        time = html_params(
            name=field.name, id=f"{field.id}-time", type="text", value=time_text, placeholder=TIME_HINT,
            inputmode="numeric", pattern=r"([01]?\d|2[0-3]):[0-5]\d", size=6, autocomplete="off",
            aria_label=f"{field.label.text} time (24-hour HH:MM)", **shared,
        )
        return Markup(f'<span class="date-and-time"><input {date}> <input {time}></span>')


class LocalTimeField(Field):
    """A wall-clock date and 24-hour time in the mall's timezone; `utc` is the same moment as naive UTC.

    The page posts two values under the field's name (date, time); one "YYYY-MM-DD HH:MM" value is read too."""

    widget = DateAndTimeInputs()

    def date_and_time_text(self) -> tuple[str, str]:
        if self.raw_data:
            parts = _date_and_time_parts(self.raw_data)
            return parts if parts else (" ".join(self.raw_data), "")
        if self.data is None:
            return "", ""
        return self.data.strftime("%Y-%m-%d"), self.data.strftime("%H:%M")

    def process_formdata(self, valuelist):
        parts = _date_and_time_parts(valuelist)
        if parts is None or parts == ("", ""):
            self.data = None
            if parts is None:
                raise ValueError(f"Enter a date and a 24-hour time, e.g. {DATE_HINT} and {TIME_HINT}.")
            return
        self.data = _local_datetime(*parts)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()

    @property
    def utc(self) -> datetime | None:
        return None if self.data is None or self.errors else from_local(self.data)


def _date_and_time_parts(values: list[str]) -> tuple[str, str] | None:
    """(date text, time text) from the two inputs, or from one "date time" / "dateTtime" value."""
    values = [(value or "").strip() for value in values]
    if len(values) == 2:
        return values[0], values[1]
    if len(values) == 1:
        date_text, _, time_text = values[0].replace("T", " ").partition(" ")
        return date_text, time_text.strip()
    return None


def _local_datetime(date_text: str, time_text: str) -> datetime:
    if not date_text:
        raise ValueError(f"Enter the date as YYYY-MM-DD, e.g. {DATE_HINT}.")
    if not time_text:
        raise ValueError(f"Enter the time as 24-hour HH:MM, e.g. {TIME_HINT}.")
    try:
        day = date.fromisoformat(date_text) if DATE_TEXT.fullmatch(date_text) else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"“{date_text[:20]}” is not a date: enter it as YYYY-MM-DD, e.g. {DATE_HINT}.")
    if not TIME_TEXT.fullmatch(time_text):
        raise ValueError(f"“{time_text[:20]}” is not a 24-hour time: enter it as HH:MM, e.g. {TIME_HINT} (not 6:30 PM).")
    hour, minute = (int(x) for x in time_text.split(":")[:2])
    moment = datetime.combine(day, dt_time(hour, minute))
    try:
        if to_local(from_local(moment)).replace(tzinfo=None) != moment:
            raise ValueError(f"{time_text} does not exist on {date_text} in this time zone (the clocks go forward); "
                             "choose another time.")
    except OverflowError:
        raise ValueError(f"Enter a date between the years 1 and 9999, e.g. {DATE_HINT}.") from None
    return moment


class DropForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[strip],
        validators=[
            DataRequired("Give the drop a title."),
            Length(max=120, message="Keep the title under 120 characters."),
            plain_text,
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Length(max=2000, message="Keep the description under 2,000 characters."), plain_text],
    )
    hero_variants = SelectMultipleField("Hero variants", coerce=str, validate_choice=False)
    starts_at = LocalTimeField("Starts", validators=[present("Enter when the drop starts.")])
    ends_at = LocalTimeField("Ends", validators=[present("Enter when the drop ends.")])
    hold_minutes = WholeNumberField(
        "Hold length (minutes)",
        default=10,
        validators=[
            present("Enter the hold length."),
            NumberRange(1, 120, message="The hold must be 1 to 120 minutes."),
        ],
    )
    waitlist_offer_minutes = WholeNumberField(
        "Waitlist offer (minutes)",
        default=10,
        validators=[
            present("Enter how long a waitlist offer lasts."),
            NumberRange(1, 120, message="A waitlist offer must last 1 to 120 minutes."),
        ],
    )
    per_shopper_limit = WholeNumberField(
        "Per-shopper limit",
        default=2,
        validators=[
            present("Enter the per-shopper limit."),
            NumberRange(1, 50, message="The limit must be 1 to 50 units."),
        ],
    )
    fallback_variant = SelectField("Fallback variant (optional)", coerce=str, validate_choice=False)
    admission_mode = SelectField(
        "Admission",
        choices=[SelectChoice(mode.value, mode.label) for mode in AdmissionMode],
        default=AdmissionMode.OPEN.value,
        validate_choice=False,
        validators=[AnyOf([m.value for m in AdmissionMode], message="Choose how shoppers get in: open, queue or draw.")],
    )
    tiers = FieldList(FormField(TierForm), min_entries=services.MAX_TIERS, max_entries=services.MAX_TIERS)

    def __init__(self, *args, variants, drop: Drop | None, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.drop, self.now = drop, now
        self.variant_ids = {v.id for v in variants}
        labels = [SelectChoice(str(v.id), f"{v.label} · {v.sku}") for v in variants]
        self.hero_variants.choices = labels
        self.fallback_variant.choices = [SelectChoice("", "No fallback")] + labels
        self.hero_ids: list[int] = []
        self.fallback_id: int | None = None

    def _known_ids(self, values) -> list[int] | None:
        ids = []
        for value in values or []:
            value = (value or "").strip()
            if not value.isascii() or not value.isdigit() or int(value) not in self.variant_ids:
                return None
            ids.append(int(value))
        return list(dict.fromkeys(ids))

    def validate_hero_variants(self, field):
        ids = self._known_ids(field.data)
        if ids is None:
            raise ValidationError("Choose hero variants from your own products.")
        if not ids:
            raise ValidationError("Pick at least one hero variant.")
        self.hero_ids = ids

    def validate_starts_at(self, field):
        if field.utc is None or (self.drop and services.same_minute(field.utc, self.drop.starts_at)):
            return
        if services.window_locked(self.drop, self.now):
            raise ValidationError("This drop is live or has ended; its window can no longer change.")
        problem = services.start_problem(field.utc, self.now)
        if problem:
            raise ValidationError(problem)

    def validate_ends_at(self, field):
        starts, ends = self.starts_at.utc, field.utc
        if starts is None or ends is None:
            return
        if self.drop and services.same_window(self.drop, starts, ends):
            return
        if services.window_locked(self.drop, self.now) and not services.same_minute(ends, self.drop.ends_at):
            raise ValidationError("This drop is live or has ended; its window can no longer change.")
        problem = services.end_problem(starts, ends)
        if problem:
            raise ValidationError(problem)

    def validate_fallback_variant(self, field):
        if not (field.data or "").strip():
            self.fallback_id = None
            return
        ids = self._known_ids([field.data])
        if not ids:
            raise ValidationError("Choose the fallback from your own products.")
        if ids[0] in (self._known_ids(self.hero_variants.data) or []):
            raise ValidationError("The fallback must not be one of the hero variants.")
        self.fallback_id = ids[0]

    def validate_tiers(self, field):
        rows = [entry.form.as_tuple() for entry in field.entries if not entry.form.is_blank()]
        if any(None in (start, percent) for start, _, percent in rows) or any(entry.errors for entry in field.entries):
            return
        if pricing.tiers_overlap([(start, until) for start, until, _ in rows]):
            raise ValidationError("Price tiers overlap: each tier must end before the next one starts.")
        length = self._window_minutes()
        if length is not None and any(start >= length for start, _, _ in rows):
            raise ValidationError(f"A tier starts after the drop ends (the drop lasts {length} minutes).")

    def _window_minutes(self) -> int | None:
        starts, ends = self.starts_at.utc, self.ends_at.utc
        if starts is None or ends is None or ends <= starts:
            return None
        return int((ends - starts).total_seconds() // 60)

    def settings(self) -> services.DropSettings:
        """The validated values, ready for the service."""
        return services.DropSettings(
            title=self.title.data,
            description=self.description.data or "",
            starts_at=self.starts_at.utc,
            ends_at=self.ends_at.utc,
            hold_minutes=self.hold_minutes.data,
            per_shopper_limit=self.per_shopper_limit.data,
            hero_variant_ids=self.hero_ids,
            fallback_variant_id=self.fallback_id,
            tiers=[e.form.as_tuple() for e in self.tiers.entries if not e.form.is_blank()],
            waitlist_offer_minutes=self.waitlist_offer_minutes.data,
            admission_mode=self.admission_mode.data,
        )


def form_data_for(drop: Drop) -> dict:
    """Prefill the form from a saved drop, times shown in the mall's timezone."""
    tiers = [
        {"from_minute": t.from_minute, "until_minute": t.until_minute, "percent_off": t.percent_off} for t in drop.tiers
    ]
    return {
        "title": drop.title,
        "description": drop.description,
        "hero_variants": [str(item.variant_id) for item in drop.items],
        "starts_at": to_local(drop.starts_at).replace(tzinfo=None),
        "ends_at": to_local(drop.ends_at).replace(tzinfo=None),
        "hold_minutes": drop.hold_minutes,
        "per_shopper_limit": drop.per_shopper_limit,
        "waitlist_offer_minutes": drop.waitlist_offer_minutes,
        "fallback_variant": str(drop.fallback_variant_id or ""),
        "admission_mode": drop.admission_mode,
        "tiers": tiers,
    }
