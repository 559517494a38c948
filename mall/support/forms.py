import re

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from mall.forms import plain_text, strip, upper
from mall.support.models import CompensationKind, Priority, ThreadStatus

MESSAGE_MAX = 4000
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9 '&.-]{0,39}$")
ORDER_NUMBER = re.compile(r"^FM-[A-Z0-9]{8}$")
AMOUNT = re.compile(r"^[0-9]{1,7}(?:\.[0-9]{1,2})?$")
AFTER_REPLY = [
    SelectChoice(ThreadStatus.PENDING.value, "Send and wait for the shopper"),
    SelectChoice(ThreadStatus.RESOLVED.value, "Send and mark resolved"),
    SelectChoice(ThreadStatus.OPEN.value, "Send and keep open"),
]


def _tag_name(value):
    return re.sub(r"\s+", " ", value).strip().lower() if isinstance(value, str) else value


def _text(label: str, required: str, limit: int, field=StringField):
    return field(
        label,
        filters=[strip],
        validators=[
            DataRequired(required),
            Length(max=limit, message=f"Keep it under {limit} characters."),
            plain_text,
        ],
    )


def _message(label: str, required: str) -> TextAreaField:
    return _text(label, required, MESSAGE_MAX, TextAreaField)


class AskAboutOrderForm(FlaskForm):
    about = RadioField("This is about", default="lines", validators=[InputRequired("Choose what this is about.")])
    message = _message("Your question", "Write your question.")

    def __init__(self, brand_name: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.about.choices = [SelectChoice("lines", f"My {brand_name} items"), SelectChoice("order", "My whole order")]


class ContactForm(FlaskForm):
    name = _text("Your name", "Tell us your name.", 120)
    email = EmailField(
        "Email", filters=[strip],
        validators=[DataRequired("Tell us where to answer."), Email("Enter a valid email address."), Length(max=254)],
    )
    order_number = StringField("Order number (optional)", filters=[strip, upper], validators=[Optional()])
    subject = _text("Subject", "Give your question a subject.", 160)
    message = _message("Your question", "Write your question.")

    def validate_order_number(self, field):
        if field.data and not ORDER_NUMBER.match(field.data):
            raise ValidationError("Order numbers look like FM-ABCD2345.")


class ShopperReplyForm(FlaskForm):
    message = _message("Your reply", "Write your reply.")


class ReplyForm(FlaskForm):
    body = _message("Reply to the shopper", "Write a reply.")
    then = SelectField("Then", choices=AFTER_REPLY, default=ThreadStatus.PENDING.value)


class NoteForm(FlaskForm):
    note = _message("Internal note", "Write a note.")


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(s.value, s.value.capitalize()) for s in ThreadStatus if s != ThreadStatus.SNOOZED],
    )


class PriorityForm(FlaskForm):
    priority = SelectField("Priority", choices=[SelectChoice(p.value, p.value.capitalize()) for p in Priority])


class AssignForm(FlaskForm):
    assignee = SelectField("Assigned to", coerce=int)

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = [SelectChoice(0, "Nobody")] + [SelectChoice(m.user_id, m.user.name) for m in members]


class SnoozeForm(FlaskForm):
    until = DateTimeLocalField(
        "Snooze until", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired("Choose a date and time.")],
    )


class TagForm(FlaskForm):
    name = StringField("Tag", filters=[_tag_name], validators=[DataRequired("Type a tag.")])

    def validate_name(self, field):
        if not TAG_PATTERN.match(field.data or ""):
            raise ValidationError("Use up to 40 letters, digits, spaces or - & . ' — e.g. “sold out”.")


class CompensationForm(FlaskForm):
    kind = RadioField(
        "Record a", default=CompensationKind.REFUND.value,
        choices=[
            SelectChoice(CompensationKind.REFUND.value, "Refund"),
            SelectChoice(CompensationKind.STORE_CREDIT.value, "Store credit"),
        ],
    )
    amount = StringField("Amount (£)", filters=[strip], validators=[DataRequired("Enter an amount, e.g. 12.50.")])
    reason = _text("Reason", "Give a reason.", 300)

    def validate_amount(self, field):
        text = field.data.replace("£", "").replace(",", "").strip()
        if not AMOUNT.match(text) or self.amount_cents(text) == 0:
            raise ValidationError("Enter an amount in pounds above zero, e.g. 12.50.")

    def amount_cents(self, text: str | None = None) -> int:
        pounds, _, pence = (text or self.amount.data.replace("£", "").replace(",", "").strip()).partition(".")
        return int(pounds) * 100 + int((pence or "0").ljust(2, "0"))


class CannedReplyForm(FlaskForm):
    title = _text("Title", "Give it a short title.", 80)
    body = _message("Text", "Write the reply text.")


class BulkReplyForm(FlaskForm):
    tag = SelectField("Threads tagged")
    canned_reply = SelectField("Answer with", coerce=int)
    then = SelectField("Then", choices=AFTER_REPLY, default=ThreadStatus.PENDING.value)

    def __init__(self, tags, replies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag.choices = [SelectChoice(name, f"{name} ({count} open)") for name, count in tags]
        self.canned_reply.choices = [SelectChoice(r.id, r.title) for r in replies]


class BannerForm(FlaskForm):
    headline = StringField(
        "Banner", filters=[strip],
        validators=[Length(max=200, message="Keep the banner under 200 characters."), plain_text],
    )
    faq = TextAreaField(
        "FAQ", filters=[strip],
        validators=[Length(max=MESSAGE_MAX, message=f"Keep the FAQ under {MESSAGE_MAX} characters."), plain_text],
    )
