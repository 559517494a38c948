"""Support threads: opening them, writing in them and triaging them. Views, jobs and tests call these."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.clock import utcnow
from mall.orders.models import Order, SubOrder
from mall.support import emails
from mall.support.models import MessageKind, Priority, SupportMessage, SupportThread, ThreadStatus, Topic
from mall.support.placeholders import fill_placeholders, placeholder_values
from mall.templating import local_time
from tenants.models import Membership, Tenant


class SupportRuleBroken(Exception):
    """A request the desk's rules refuse; the message is shown to the person as is."""


def _due_times(tenant: Tenant, start: datetime) -> tuple[datetime, datetime]:
    # Targets run on the clock, around the clock: business hours are not modelled.
    first = start + timedelta(minutes=tenant.first_response_minutes)
    return first, start + timedelta(minutes=tenant.resolution_minutes)


def open_thread(
    session: Session,
    tenant: Tenant,
    *,
    name: str,
    email: str,
    subject: str,
    body: str,
    sub_order: SubOrder | None = None,
    topic: Topic = Topic.GENERAL,
) -> SupportThread:
    """A shopper's new question; they get an email with the private link to follow it."""
    now = utcnow()
    first_due, resolution_due = _due_times(tenant, now)
    thread = SupportThread(
        tenant_id=tenant.id,
        token=secrets.token_urlsafe(24),
        subject=subject[:160],
        shopper_name=name[:120],
        shopper_email=email.lower(),
        topic=(topic if sub_order is not None else Topic.GENERAL).value,
        sub_order_id=sub_order.id if sub_order is not None else None,
        created_at=now,
        last_message_at=now,
        last_shopper_message_at=now,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
    )
    session.add(thread)
    session.flush()
    _write(session, thread, MessageKind.SHOPPER, name[:120], body, now)
    emails.commit_and_send(session, [emails.thread_opened(thread)])
    return thread


def open_about_order(session: Session, order: Order, sub_order: SubOrder, topic: Topic, body: str) -> SupportThread:
    brand = sub_order.tenant
    subject = f"Order {order.number}" if topic == Topic.ORDER else f"Order {order.number} — {brand.name} items"
    return open_thread(
        session, brand, name=order.shopper_name, email=order.email, subject=subject, body=body,
        sub_order=sub_order, topic=topic,
    )


def find_order_for_contact(session: Session, tenant: Tenant, number: str, email: str) -> SubOrder:
    """An order named on the contact form counts only if it is this shopper's and has this brand's items."""
    sub_order = session.scalar(
        select(SubOrder)
        .join(Order, Order.id == SubOrder.order_id)
        .where(Order.number == number.upper(), Order.email == email.lower(), SubOrder.tenant_id == tenant.id)
        .execution_options(all_tenants=True)
    )
    if sub_order is None:
        raise SupportRuleBroken(f"We could not find order {number} with {tenant.name} items for that email address.")
    return sub_order


def shopper_reply(session: Session, thread: SupportThread, body: str) -> SupportMessage:
    """The shopper wrote: the thread is the brand's turn again, whatever its state (a snooze ends too)."""
    now = utcnow()
    message = _write(session, thread, MessageKind.SHOPPER, thread.shopper_name, body, now)
    thread.last_shopper_message_at = now
    if thread.is_resolved and thread.resolution_breached_at is None:
        thread.resolution_due_at = _due_times(thread.tenant, now)[1]  # a new question gets a fresh target
    _set_status(thread, ThreadStatus.OPEN, now)
    session.commit()
    return message


def brand_reply(session: Session, thread: SupportThread, author: User, body: str, then: str) -> SupportMessage:
    """Placeholders are filled from the thread's order; the shopper gets the reply by email too."""
    message, email = write_reply(session, thread, author, body, then, utcnow())
    emails.commit_and_send(session, [email])
    return message


def write_reply(session: Session, thread: SupportThread, author: User, body: str, then: str, now: datetime):
    """The reply and its email, not yet committed (bulk replies commit many at once)."""
    text = fill_placeholders(body, placeholder_values(thread))
    message = _write(session, thread, MessageKind.REPLY, author.name, text, now, author)
    record_first_response(thread, now)
    _set_status(thread, ThreadStatus(then), now)
    session.flush()
    return message, emails.brand_replied(thread, message)


def record_first_response(thread: SupportThread, now: datetime) -> None:
    if thread.first_responded_at is None:
        thread.first_responded_at = now
        if now > thread.first_response_due_at and thread.first_response_breached_at is None:
            thread.first_response_breached_at = now


def add_note(session: Session, thread: SupportThread, author: User, body: str) -> SupportMessage:
    message = _write(session, thread, MessageKind.NOTE, author.name, body, utcnow(), author)
    session.commit()
    return message


def add_event(session: Session, thread: SupportThread, author: User | None, text: str) -> SupportMessage:
    """An action taken from the thread, written into it; the caller commits."""
    name = author.name if author is not None else "Flashmall"
    return _write(session, thread, MessageKind.EVENT, name, text, utcnow(), author)


def set_status(session: Session, thread: SupportThread, author: User, status: str) -> None:
    if status == ThreadStatus.SNOOZED.value:
        raise SupportRuleBroken("Choose a time to snooze until.")
    if status == thread.status:
        return
    _set_status(thread, ThreadStatus(status), utcnow())
    add_event(session, thread, author, f"Status changed to {status}.")
    session.commit()


def snooze(session: Session, thread: SupportThread, author: User, until: datetime) -> None:
    now = utcnow()
    if until <= now:
        raise SupportRuleBroken("Choose a time in the future.")
    _set_status(thread, ThreadStatus.SNOOZED, now)
    thread.snoozed_until = until
    add_event(session, thread, author, f"Snoozed until {local_time(until)}; a reply from the shopper wakes it.")
    session.commit()


def set_priority(session: Session, thread: SupportThread, author: User, priority: str) -> None:
    if priority == thread.priority:
        return
    thread.priority = Priority(priority).value
    add_event(session, thread, author, f"Priority set to {priority}.")
    session.commit()


def assign(session: Session, thread: SupportThread, author: User, assignee_id: int | None) -> None:
    """Only a member of the thread's brand can be assigned; `None` leaves it unassigned."""
    assignee = None
    if assignee_id:
        membership = session.scalar(
            select(Membership).where(Membership.tenant_id == thread.tenant_id, Membership.user_id == assignee_id)
        )
        if membership is None:
            raise SupportRuleBroken("Choose someone from your team.")
        assignee = membership.user
    if (assignee.id if assignee else None) == thread.assignee_id:
        return
    thread.assignee_id = assignee.id if assignee else None
    add_event(session, thread, author, f"Assigned to {assignee.name}." if assignee else "Unassigned.")
    session.commit()


def escalate(session: Session, thread: SupportThread, author: User) -> bool:
    """Raises priority to urgent and emails every owner of the brand, once per escalation even on a double click."""
    claimed = session.execute(
        update(SupportThread)
        .where(SupportThread.id == thread.id, SupportThread.escalated.is_(False))
        .values(escalated=True, priority=Priority.URGENT.value)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not claimed:
        session.rollback()
        return False
    event = add_event(session, thread, author, "Escalated to the owners; priority is now urgent.")
    session.flush()
    emails.commit_and_send(session, emails.escalated(session, thread, author.name, event.id))
    return True


def de_escalate(session: Session, thread: SupportThread, author: User) -> bool:
    if not thread.escalated:
        return False
    thread.escalated = False
    add_event(session, thread, author, "Escalation withdrawn.")
    session.commit()
    return True


def mark_read(session: Session, thread: SupportThread) -> None:
    if thread.has_unread:
        thread.brand_read_at = utcnow()
        session.commit()


def _set_status(thread: SupportThread, status: ThreadStatus, now: datetime) -> None:
    if status == ThreadStatus.RESOLVED:
        if thread.resolved_at is None:
            thread.resolved_at = now
            if now > thread.resolution_due_at and thread.resolution_breached_at is None:
                thread.resolution_breached_at = now
    else:
        thread.resolved_at = None
    if status != ThreadStatus.SNOOZED:
        thread.snoozed_until = None
    thread.status = status.value


def _write(
    session: Session, thread, kind: MessageKind, name: str, body: str, now: datetime, author: User | None = None
) -> SupportMessage:
    message = SupportMessage(
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        kind=kind.value,
        author_id=author.id if author is not None else None,
        author_name=name,
        body=body,
        created_at=now,
    )
    session.add(message)
    if kind != MessageKind.EVENT:
        thread.last_message_at = now
    return message
