"""The first brand's support inbox: threads in every state, written through the support services, then moved
back to when they were written (hours ago)."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.accounts.models import User
from mall.clock import utcnow
from mall.demo.history import demo_order_key, shift_stamps
from mall.demo.stories import SHOPPERS, THREADS
from mall.drops.models import Drop
from mall.orders.models import Order, SubOrder
from mall.support import services
from mall.support.models import SupportMessage, SupportThread, ThreadStatus, Topic
from tenants.models import Tenant

REPLY_AFTER = timedelta(minutes=9)  # the brand answers inside its first-response target


def seed_threads(session: Session, tenant: Tenant, agent: User) -> int:
    """Writes the threads not there yet; returns how many."""
    written = 0
    for about, shopper, subject, topic, hours_ago, messages, state in THREADS:
        name, email = SHOPPERS[shopper][:2]
        sub_order = _sub_order(session, tenant, about)
        if about is not None and sub_order is None:
            continue  # its order was not placed (see history.py)
        order = sub_order.order if sub_order is not None else None
        same = SupportThread.sub_order_id == sub_order.id if sub_order is not None else SupportThread.subject == subject
        exists = select(SupportThread.id).where(SupportThread.tenant_id == tenant.id, SupportThread.shopper_email == email)
        if session.scalar(exists.where(same)) is not None:
            continue
        first = messages[0][1]
        if order is not None:
            thread = services.open_about_order(session, order, sub_order, Topic(topic), first)
        else:
            thread = services.open_thread(session, tenant, name=name, email=email, subject=subject, body=first)
        _converse(session, thread, agent, messages[1:], state)
        _move_back(session, thread, timedelta(hours=hours_ago))
        written += 1
    return written


def _sub_order(session: Session, tenant: Tenant, about) -> SubOrder | None:
    if about is None:
        return None
    title, number = about
    drop = session.scalar(select(Drop).where(Drop.tenant_id == tenant.id, Drop.title == title))
    return session.scalar(
        select(SubOrder)
        .join(Order, Order.id == SubOrder.order_id)
        .where(Order.idempotency_key == demo_order_key(drop, number), SubOrder.tenant_id == tenant.id)
    )


def _converse(session: Session, thread: SupportThread, agent: User, messages, state: str) -> None:
    for n, (who, text) in enumerate(messages):
        last = n == len(messages) - 1
        if who == "shopper":
            services.shopper_reply(session, thread, text)
        else:
            then = ThreadStatus.PENDING.value if not last or state != "resolved" else ThreadStatus.RESOLVED.value
            services.brand_reply(session, thread, agent, text, then)
    if state == "resolved" and thread.status != ThreadStatus.RESOLVED.value:
        services.set_status(session, thread, agent, ThreadStatus.RESOLVED.value)
    elif state == "snoozed":
        services.snooze(session, thread, agent, utcnow() + timedelta(days=2))


def _move_back(session: Session, thread: SupportThread, ago: timedelta) -> None:
    """The thread opened `ago`; each message came a while after the one before, replies inside the target."""
    opened = utcnow() - ago
    messages = session.scalars(
        select(SupportMessage).where(SupportMessage.thread_id == thread.id).order_by(SupportMessage.id)
    ).all()
    snoozed_until = thread.snoozed_until
    shift_stamps(thread, opened - thread.created_at)
    thread.snoozed_until = snoozed_until  # a snooze runs to a time still ahead
    moment, stamps = opened, []
    for message in messages:
        if stamps:
            moment += REPLY_AFTER if message.kind == "reply" else min((utcnow() - moment) / 3, timedelta(hours=5))
        message.created_at = moment
        stamps.append((message.kind, moment))
    shopper = [at for kind, at in stamps if kind == "shopper"]
    replies = [at for kind, at in stamps if kind == "reply"]
    written = [at for kind, at in stamps if kind in ("shopper", "reply")]
    thread.last_shopper_message_at = shopper[-1]
    thread.last_message_at = written[-1]
    thread.first_responded_at = replies[0] if replies else None
    if thread.resolved_at is not None:
        thread.resolved_at = stamps[-1][1]
    session.commit()
