"""Card payments: one payment per card order, each provider event recorded once, and the operator's choices."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.clock import utcnow
from mall.extensions import db
from tenants.scoping import TenantOwned


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the last try was declined; the shopper may try again until the window closes
    EXPIRED = "expired"
    REFUNDED = "refunded"
    PARTLY_REFUNDED = "partly_refunded"


OPEN_STATUSES = (PaymentStatus.PENDING.value, PaymentStatus.FAILED.value)


class Payment(db.Model):
    """A card payment for one mall order (one payment for a cross-brand cart), and the held units it pays for."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "provider_session_id"),
        CheckConstraint("amount_cents >= 0", name="amount_nonnegative"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_within_amount"),
        CheckConstraint(
            "state IN ('pending', 'succeeded', 'failed', 'expired', 'refunded', 'partly_refunded')", name="state_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    provider: Mapped[str] = mapped_column(String(30))
    provider_session_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    provider_payment_id: Mapped[str] = mapped_column(String(255), default="")
    redirect_url: Mapped[str] = mapped_column(Text, default="")
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="gbp")
    state: Mapped[str] = mapped_column(String(20), default=PaymentStatus.PENDING.value)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    # The payment window: the cart's holds stay locked into this checkout until it closes.
    checkout_key: Mapped[str] = mapped_column(String(64))
    hold_ids: Mapped[str] = mapped_column(Text, default="")
    window_closes_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    window_closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    order = relationship("Order")

    @property
    def holds(self) -> list[str]:
        return [h for h in self.hold_ids.split(",") if h]

    @property
    def is_open(self) -> bool:
        """Not settled yet: a success still confirms the order (its units are held until the sweep closes it)."""
        return self.state in OPEN_STATUSES and not self.window_closed

    @property
    def can_pay_now(self) -> bool:
        """What the shopper is told: pay before the countdown ends."""
        return self.is_open and utcnow() < self.window_closes_at


class PaymentEvent(db.Model):
    """A provider's notification, once: its event id is unique, so a replay or a duplicate changes nothing."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(30))
    event_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"), nullable=True)
    outcome: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PaymentSettings(db.Model):
    """The operator's choices: which ways to pay the mall offers, and the mall's fee on each brand's sales."""

    __tablename__ = "payment_settings"
    __table_args__ = (CheckConstraint("mall_fee_bp >= 0 AND mall_fee_bp <= 10000", name="fee_within_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offered: Mapped[str] = mapped_column(String(200))  # provider codes, comma-separated
    mall_fee_bp: Mapped[int] = mapped_column(Integer, default=0)  # basis points of a brand's gross
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class BrandMoneyKind(StrEnum):
    GROSS = "gross"  # the brand's share of a confirmed order
    REFUND = "refund"
    CREATOR_COMMISSION = "creator_commission"
    MALL_FEE = "mall_fee"


class BrandMoneyEntry(TenantOwned, db.Model):
    """One movement of a brand's money on one order: gross in, refunds, creator commission and the mall's fee out."""

    __tablename__ = "brand_money_entries"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "sub_order_id"], ["sub_orders.tenant_id", "sub_orders.id"], ondelete="CASCADE"),
        CheckConstraint("kind IN ('gross', 'refund', 'creator_commission', 'mall_fee')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_order_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(Integer)  # positive: to the brand; negative: from the brand's share
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
