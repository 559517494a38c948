from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.catalog.models import Variant
from mall.clock import utcnow
from mall.extensions import db
from tenants.scoping import TenantOwned

if TYPE_CHECKING:
    from tenants.models import Tenant


class DropStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


class AdmissionMode(StrEnum):
    """How shoppers get to a drop's stock: all at once, through a waiting room, or by a draw before the start."""

    OPEN = "open"
    QUEUE = "queue"
    DRAW = "draw"

    @property
    def label(self) -> str:
        return ADMISSION_LABELS[self]


ADMISSION_LABELS = {
    AdmissionMode.OPEN: "Open: anyone adds to cart from the start",
    AdmissionMode.QUEUE: "Queue: a waiting room lets shoppers in as the stock allows",
    AdmissionMode.DRAW: "Draw: entries before the start, winners drawn fairly",
}


class Drop(TenantOwned, db.Model):
    """A short, limited sale window for a brand's hero item(s)."""

    __tablename__ = "drops"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "fallback_variant_id"], ["variants.tenant_id", "variants.id"], ondelete="SET NULL"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("hold_minutes BETWEEN 1 AND 120", name="hold_minutes_range"),
        CheckConstraint("per_shopper_limit >= 1", name="limit_positive"),
        CheckConstraint("waitlist_offer_minutes BETWEEN 1 AND 120", name="waitlist_offer_minutes_range"),
        CheckConstraint(f"status IN {tuple(s.value for s in DropStatus)!r}", name="status_known"),
        CheckConstraint(f"admission_mode IN {tuple(m.value for m in AdmissionMode)!r}", name="admission_mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    hold_minutes: Mapped[int] = mapped_column(Integer, default=10)
    per_shopper_limit: Mapped[int] = mapped_column(Integer, default=2)
    # how long a unit that came back is held for the next shopper on the waitlist
    waitlist_offer_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    fallback_variant_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    admission_mode: Mapped[str] = mapped_column(
        String(8), default=AdmissionMode.OPEN.value, server_default=AdmissionMode.OPEN.value
    )
    status: Mapped[str] = mapped_column(String(12), default=DropStatus.DRAFT.value, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    tenant: Mapped["Tenant"] = relationship()
    items: Mapped[list["DropItem"]] = relationship(
        back_populates="drop",
        primaryjoin="Drop.id == foreign(DropItem.drop_id)",
        order_by="DropItem.position",
        cascade="all, delete-orphan",
    )
    tiers: Mapped[list["PriceTier"]] = relationship(
        back_populates="drop",
        primaryjoin="Drop.id == foreign(PriceTier.drop_id)",
        order_by="PriceTier.from_minute",
        cascade="all, delete-orphan",
    )
    fallback_variant: Mapped[Variant | None] = relationship(
        primaryjoin="foreign(Drop.fallback_variant_id) == Variant.id", viewonly=True
    )

    @property
    def admission(self) -> AdmissionMode:
        return AdmissionMode(self.admission_mode)


class DropItem(TenantOwned, db.Model):
    """A hero variant on sale in a drop."""

    __tablename__ = "drop_items"
    __table_args__ = (
        UniqueConstraint("drop_id", "variant_id"),
        ForeignKeyConstraint(["tenant_id", "drop_id"], ["drops.tenant_id", "drops.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "variant_id"], ["variants.tenant_id", "variants.id"], ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(Integer, index=True)
    variant_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    drop: Mapped[Drop] = relationship(back_populates="items", primaryjoin="Drop.id == foreign(DropItem.drop_id)")
    variant: Mapped[Variant] = relationship(primaryjoin="foreign(DropItem.variant_id) == Variant.id")


class PriceTier(TenantOwned, db.Model):
    """`percent_off` applies from `from_minute` after the start until `until_minute` (or the end)."""

    __tablename__ = "price_tiers"
    __table_args__ = (
        UniqueConstraint("drop_id", "from_minute"),
        ForeignKeyConstraint(["tenant_id", "drop_id"], ["drops.tenant_id", "drops.id"], ondelete="CASCADE"),
        CheckConstraint("from_minute >= 0", name="from_nonnegative"),
        CheckConstraint("until_minute IS NULL OR until_minute > from_minute", name="until_after_from"),
        CheckConstraint("percent_off BETWEEN 0 AND 95", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(Integer, index=True)
    from_minute: Mapped[int] = mapped_column(Integer)
    until_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    percent_off: Mapped[int] = mapped_column(Integer)

    drop: Mapped[Drop] = relationship(back_populates="tiers", primaryjoin="Drop.id == foreign(PriceTier.drop_id)")
