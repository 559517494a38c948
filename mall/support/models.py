"""The support desk: threads between a shopper and one brand, their messages, and the desk's tools."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.clock import utcnow
from mall.extensions import db
from tenants.scoping import TenantOwned


class ThreadStatus(StrEnum):
    OPEN = "open"  # waiting on the brand
    PENDING = "pending"  # waiting on the shopper
    SNOOZED = "snoozed"  # parked until a time, or until the shopper writes
    RESOLVED = "resolved"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Topic(StrEnum):
    ORDER = "order"  # the whole order
    LINES = "lines"  # this brand's lines of the order
    GENERAL = "general"  # the contact form, no order


class MessageKind(StrEnum):
    SHOPPER = "shopper"
    REPLY = "reply"
    NOTE = "note"  # internal: the shopper never sees it
    EVENT = "event"  # an action taken from the thread; internal too


class CompensationKind(StrEnum):
    REFUND = "refund"
    STORE_CREDIT = "store_credit"


class SlaCause(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def _in_sub_order():
    return ForeignKeyConstraint(
        ["tenant_id", "sub_order_id"], ["sub_orders.tenant_id", "sub_orders.id"], ondelete="CASCADE"
    )


def _in_thread():
    return ForeignKeyConstraint(
        ["tenant_id", "thread_id"], ["support_threads.tenant_id", "support_threads.id"], ondelete="CASCADE"
    )


class SupportThread(TenantOwned, db.Model):
    """One conversation between a shopper and one brand; the shopper follows it through `token`."""

    __tablename__ = "support_threads"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        _in_sub_order(),
        CheckConstraint(f"status IN {_values(ThreadStatus)!r}", name="status_known"),
        CheckConstraint(f"priority IN {_values(Priority)!r}", name="priority_known"),
        CheckConstraint(f"topic IN {_values(Topic)!r}", name="topic_known"),
        CheckConstraint("(topic = 'general') = (sub_order_id IS NULL)", name="order_topic_has_order"),
        CheckConstraint("status <> 'snoozed' OR snoozed_until IS NOT NULL", name="snooze_has_time"),
        Index("ix_support_threads_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(160))
    shopper_name: Mapped[str] = mapped_column(String(120))
    shopper_email: Mapped[str] = mapped_column(String(254))
    topic: Mapped[str] = mapped_column(String(10))
    sub_order_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(10), default=ThreadStatus.OPEN.value)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL.value)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_shopper_message_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    brand_read_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    first_response_due_at: Mapped[datetime] = mapped_column(DateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(DateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    first_response_breached_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolution_breached_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    tenant = relationship("Tenant")
    assignee = relationship("User")
    sub_order = relationship(
        "SubOrder", primaryjoin="foreign(SupportThread.sub_order_id) == SubOrder.id", viewonly=True
    )
    messages: Mapped[list["SupportMessage"]] = relationship(
        primaryjoin="SupportThread.id == foreign(SupportMessage.thread_id)", order_by="SupportMessage.id", viewonly=True
    )
    tags: Mapped[list["ThreadTag"]] = relationship(
        primaryjoin="SupportThread.id == foreign(ThreadTag.thread_id)", order_by="ThreadTag.name", viewonly=True
    )

    @property
    def order(self):
        return self.sub_order.order if self.sub_order is not None else None

    @property
    def has_unread(self) -> bool:
        """The shopper wrote since someone at the brand last opened the thread."""
        return self.brand_read_at is None or self.last_shopper_message_at > self.brand_read_at

    @property
    def is_resolved(self) -> bool:
        return self.status == ThreadStatus.RESOLVED.value


class SupportMessage(TenantOwned, db.Model):
    __tablename__ = "support_messages"
    __table_args__ = (
        _in_thread(),
        CheckConstraint(f"kind IN {_values(MessageKind)!r}", name="kind_known"),
        CheckConstraint("length(body) > 0", name="body_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def shopper_can_see(self) -> bool:
        return self.kind in (MessageKind.SHOPPER.value, MessageKind.REPLY.value)


class ThreadTag(TenantOwned, db.Model):
    """A label such as "sold out" or "where is my order"; bulk replies go to every thread with one."""

    __tablename__ = "support_thread_tags"
    __table_args__ = (
        _in_thread(),
        UniqueConstraint("thread_id", "name"),
        Index("ix_support_thread_tags_tenant_name", "tenant_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(40))


class CannedReply(TenantOwned, db.Model):
    __tablename__ = "support_canned_replies"
    __table_args__ = (UniqueConstraint("tenant_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Compensation(TenantOwned, db.Model):
    """A refund or a store credit a brand recorded from a thread, with its reason."""

    __tablename__ = "support_compensations"
    __table_args__ = (
        _in_thread(),
        _in_sub_order(),
        CheckConstraint(f"kind IN {_values(CompensationKind)!r}", name="kind_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(Integer, index=True)
    sub_order_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount_cents: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return "Refund" if self.kind == CompensationKind.REFUND.value else "Store credit"


class SlaAlert(TenantOwned, db.Model):
    """Raised by the SLA job when a thread misses a target; once per thread and cause."""

    __tablename__ = "support_alerts"
    __table_args__ = (
        _in_thread(),
        UniqueConstraint("thread_id", "cause"),
        CheckConstraint(f"cause IN {_values(SlaCause)!r}", name="cause_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(Integer, index=True)
    cause: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    thread = relationship("SupportThread", primaryjoin="foreign(SlaAlert.thread_id) == SupportThread.id", viewonly=True)

    @property
    def cause_label(self) -> str:
        return "first response" if self.cause == SlaCause.FIRST_RESPONSE.value else "resolution"


class SupportBanner(TenantOwned, db.Model):
    """Brand-wide notice and FAQ for surges, shown on the contact form and on live drop pages."""

    __tablename__ = "support_banners"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    headline: Mapped[str] = mapped_column(String(200), default="")
    faq: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def is_empty(self) -> bool:
        return not (self.headline or self.faq)
