from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.catalog.models import Variant
from mall.clock import utcnow
from mall.drops.models import Drop
from mall.extensions import db
from tenants.scoping import TenantOwned


class EntryState(StrEnum):
    WAITING = "waiting"  # in line
    OFFERED = "offered"  # a unit is held for this shopper until offer_expires_at
    BOUGHT = "bought"
    LAPSED = "lapsed"  # the offer ran out unbought (or the drop ended before a unit came back)
    LEFT = "left"


class WaitlistEntry(TenantOwned, db.Model):
    """A shopper waiting for a unit of one item of a drop to come back; one row per (drop, item, email)."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        UniqueConstraint("drop_id", "variant_id", "email"),
        ForeignKeyConstraint(["tenant_id", "drop_id"], ["drops.tenant_id", "drops.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "variant_id"], ["variants.tenant_id", "variants.id"], ondelete="CASCADE"),
        CheckConstraint(f"state IN {tuple(s.value for s in EntryState)!r}", name="state_known"),
        Index("ix_waitlist_entries_line", "variant_id", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(Integer, index=True)
    variant_id: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # the place in line
    state: Mapped[str] = mapped_column(String(12), default=EntryState.WAITING.value)
    offer_hold_id: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    offer_cart_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    drop: Mapped[Drop] = relationship(primaryjoin="foreign(WaitlistEntry.drop_id) == Drop.id", viewonly=True)
    variant: Mapped[Variant] = relationship(primaryjoin="foreign(WaitlistEntry.variant_id) == Variant.id", viewonly=True)
