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

from mall.catalog.models import Variant
from mall.clock import utcnow
from mall.drops.models import Drop
from mall.extensions import db
from tenants.scoping import TenantOwned


class Draw(TenantOwned, db.Model):
    """A drop's draw: when entries open and close, how long a winner has to buy, and the seed behind the result.

    The seed stays secret until the draw (`drawn_at`); its SHA-256 is public from `hash_published_at`."""

    __tablename__ = "draws"
    __table_args__ = (
        UniqueConstraint("drop_id"),
        ForeignKeyConstraint(["tenant_id", "drop_id"], ["drops.tenant_id", "drops.id"], ondelete="CASCADE"),
        CheckConstraint("entries_open_at < entries_close_at", name="entries_window"),
        CheckConstraint("purchase_minutes BETWEEN 1 AND 240", name="purchase_minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(Integer)
    entries_open_at: Mapped[datetime] = mapped_column(DateTime)
    entries_close_at: Mapped[datetime] = mapped_column(DateTime)
    purchase_minutes: Mapped[int] = mapped_column(Integer, default=15)
    seed: Mapped[str] = mapped_column(String(64))
    seed_hash: Mapped[str] = mapped_column(String(64))
    hash_published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    drawn_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # no more wins passed on

    drop: Mapped[Drop] = relationship(primaryjoin="foreign(Draw.drop_id) == Drop.id", viewonly=True)

    def draw_due_at(self) -> datetime:
        """Winners get their holds once entries are closed and the drop has started (holds exist only while live)."""
        return max(self.entries_close_at, self.drop.starts_at)

    def accepts_entries(self, now: datetime) -> bool:
        return self.entries_open_at <= now < self.entries_close_at


class EntryState(StrEnum):
    PENDING = "pending"  # waiting for the emailed link: not drawn
    CONFIRMED = "confirmed"
    VOIDED = "voided"  # by the brand, before the draw
    RESERVE = "reserve"  # drawn, waiting in the draw's order for a unit
    WON = "won"  # a unit is held for this entrant until win_expires_at
    BOUGHT = "bought"
    LAPSED = "lapsed"  # the win ran out unbought; the unit went to the next entrant
    LOST = "lost"  # the draw closed before a unit reached this entrant


class DrawEntry(TenantOwned, db.Model):
    """One shopper's entry: one per email and one per cart in a draw."""

    __tablename__ = "draw_entries"
    __table_args__ = (
        UniqueConstraint("draw_id", "email"),
        UniqueConstraint("draw_id", "cart_token"),
        ForeignKeyConstraint(["tenant_id", "variant_id"], ["variants.tenant_id", "variants.id"], ondelete="CASCADE"),
        CheckConstraint(f"state IN {tuple(s.value for s in EntryState)!r}", name="state_known"),
        Index("ix_draw_entries_order", "draw_id", "state", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(Integer, ForeignKey("draws.id", ondelete="CASCADE"))
    drop_id: Mapped[int] = mapped_column(Integer, index=True)
    variant_id: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(254))
    cart_token: Mapped[str] = mapped_column(String(64))
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    delivery_address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(12), default="")
    address_key: Mapped[str] = mapped_column(String(300), default="")  # fraud_checks.normalise_address
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(12), default=EntryState.PENDING.value)
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1 = first in the draw's order
    won_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    backfill: Mapped[bool] = mapped_column(Boolean, default=False)  # won a unit another winner left unbought
    win_hold_id: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    win_cart_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    win_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    draw: Mapped[Draw] = relationship(viewonly=True)
    variant: Mapped[Variant] = relationship(primaryjoin="foreign(DrawEntry.variant_id) == Variant.id", viewonly=True)
