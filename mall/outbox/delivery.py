"""Delivering outbox emails: SMTP when configured, otherwise they stay in the outbox for the operator to read."""

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update

from mall.clock import utcnow
from mall.extensions import db
from mall.jobs.queues import enqueue
from mall.outbox.models import OutboxEmail


def queue_delivery(dedupe_key: str) -> None:
    """Call after the commit that wrote the email: a job delivers it, or the periodic sweep if queueing fails."""
    try:
        enqueue("default", deliver_email, dedupe_key, job_id=f"email-{dedupe_key.replace(':', '-')}")
    except Exception:  # the order stands; the email stays queued and the sweep delivers it later
        current_app.logger.exception("Could not queue email %s", dedupe_key)


def queue_deliveries(dedupe_keys: list[str], chunk: int = 500) -> None:
    """Many emails written in one commit (a draw's results): a job per `chunk` of them, not one each."""
    for start in range(0, len(dedupe_keys), chunk):
        try:
            enqueue("default", deliver_emails, dedupe_keys[start:start + chunk])
        except Exception:  # they stay queued; the sweep delivers them later
            current_app.logger.exception("Could not queue %d emails", len(dedupe_keys[start:start + chunk]))


def deliver_emails(dedupe_keys: list[str]) -> int:
    """Safe to run twice, as deliver_email is."""
    return sum(deliver_email(key) == "sent" for key in dedupe_keys)


def deliver_email(dedupe_key: str) -> str:
    """Safe to run twice: only a queued email is sent, and it is marked sent in the same step."""
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key))
    if email is None or email.status != "queued":
        return "nothing to do"
    host = current_app.config.get("SMTP_HOST")
    if not host:
        _mark(email.id, "outbox")
        return "kept in outbox"
    claimed = db.session.execute(
        update(OutboxEmail).where(OutboxEmail.id == email.id, OutboxEmail.status == "queued").values(status="sending")
    ).rowcount
    db.session.commit()
    if not claimed:
        return "nothing to do"
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message.set_content(email.body)
    try:
        with smtplib.SMTP(host, current_app.config["SMTP_PORT"], timeout=20) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        _mark(email.id, "queued")
        raise
    _mark(email.id, "sent")
    return "sent"


def deliver_queued_emails() -> int:
    """Emails whose delivery job was lost (e.g. Redis restarted) are picked up here."""
    keys = db.session.scalars(select(OutboxEmail.dedupe_key).where(OutboxEmail.status == "queued").limit(200)).all()
    for key in keys:
        deliver_email(key)
    return len(keys)


def _mark(email_id: int, status: str) -> None:
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id)
        .values(status=status, sent_at=utcnow() if status == "sent" else None)
    )
    db.session.commit()
