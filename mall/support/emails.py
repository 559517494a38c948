"""Support emails: written into the outbox inside the change's transaction, queued after commit."""

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.outbox.delivery import queue_delivery
from mall.outbox.models import OutboxEmail
from mall.urls import external_url
from tenants.models import Membership, Role


def thread_link(thread) -> str:
    return external_url("support.thread", token=thread.token)


def thread_opened(thread) -> OutboxEmail:
    return OutboxEmail(
        to_address=thread.shopper_email,
        subject=f"{thread.tenant.name} got your question: {thread.subject}"[:200],
        body=render_template("support/email_opened.txt", thread=thread, link=thread_link(thread)),
        dedupe_key=f"support-opened:{thread.id}",
    )


def brand_replied(thread, message) -> OutboxEmail:
    return OutboxEmail(
        to_address=thread.shopper_email,
        subject=f"{thread.tenant.name} replied: {thread.subject}"[:200],
        body=render_template("support/email_reply.txt", thread=thread, message=message, link=thread_link(thread)),
        dedupe_key=f"support-reply:{message.id}",
    )


def escalated(session: Session, thread, by_name: str, event_id: int) -> list[OutboxEmail]:
    """One email per owner of the brand, keyed to the escalation's event in the thread."""
    owners = session.scalars(
        select(Membership).where(Membership.tenant_id == thread.tenant_id, Membership.role == Role.OWNER.value)
    ).all()
    link = external_url("support.inbox.thread", slug=thread.tenant.slug, thread_id=thread.id)
    return [
        OutboxEmail(
            to_address=owner.user.email,
            subject=f"Escalated: {thread.subject}"[:200],
            body=render_template("support/email_escalated.txt", thread=thread, by_name=by_name, link=link),
            dedupe_key=f"support-escalated:{thread.id}:{owner.user_id}:{event_id}",
        )
        for owner in owners
    ]


def commit_and_send(session: Session, emails: list[OutboxEmail]) -> None:
    """Commit once, then queue delivery: an email never leaves for a change that did not happen."""
    session.add_all(emails)
    session.commit()
    for email in emails:
        queue_delivery(email.dedupe_key)
