"""Creator programme: partnerships with brands, short links, their clicks and the commission they earn."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.clock import utcnow
from mall.extensions import db
from tenants.scoping import TenantOwned


class PartnershipStatus(StrEnum):
    INVITED = "invited"  # the brand asked; the creator has not answered
    APPLIED = "applied"  # the creator asked; the brand has not answered
    APPROVED = "approved"
    DECLINED = "declined"
    ENDED = "ended"


class LinkTarget(StrEnum):
    DROP = "drop"
    BRAND = "brand"


class CreatorPartnership(TenantOwned, db.Model):
    """A creator in one brand's programme, on that brand's terms (commission and attribution window)."""

    __tablename__ = "creator_partnerships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "creator_id"),
        CheckConstraint(f"status IN {tuple(s.value for s in PartnershipStatus)!r}", name="status_known"),
        CheckConstraint("commission_bp BETWEEN 0 AND 5000", name="commission_range"),
        CheckConstraint("window_hours BETWEEN 1 AND 720", name="window_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    commission_bp: Mapped[int] = mapped_column(Integer)  # basis points: 1000 = 10 %
    window_hours: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    creator = relationship("User")
    tenant = relationship("Tenant")

    @property
    def commission_percent(self) -> str:
        return f"{self.commission_bp / 100:g}"


class CreatorLink(TenantOwned, db.Model):
    """A short link `/c/<code>` to one brand's page or one of its drops, owned by a creator."""

    __tablename__ = "creator_links"
    __table_args__ = (
        UniqueConstraint("code"),
        ForeignKeyConstraint(["tenant_id", "drop_id"], ["drops.tenant_id", "drops.id"], ondelete="CASCADE"),
        CheckConstraint("target IN ('drop', 'brand')", name="target_known"),
        CheckConstraint("(target = 'drop') = (drop_id IS NOT NULL)", name="drop_target_has_drop"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(10))
    drop_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    tenant = relationship("Tenant")
    drop = relationship("Drop", primaryjoin="foreign(CreatorLink.drop_id) == Drop.id", viewonly=True)


class LinkClickHour(db.Model):
    """Real clicks on a link in one UTC hour (each visitor counted once per link per hour)."""

    __tablename__ = "link_click_hours"
    __table_args__ = (
        UniqueConstraint("link_id", "hour"),
        CheckConstraint("clicks >= 0", name="clicks_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("creator_links.id", ondelete="CASCADE"), index=True)
    hour: Mapped[datetime] = mapped_column(DateTime)
    clicks: Mapped[int] = mapped_column(Integer, default=0)


class LinkVisitor(db.Model):
    """A visitor (hashed id) who followed a link at least once: unique visitors over the link's life."""

    __tablename__ = "link_visitors"

    link_id: Mapped[int] = mapped_column(ForeignKey("creator_links.id", ondelete="CASCADE"), primary_key=True)
    visitor: Mapped[str] = mapped_column(String(32), primary_key=True)


class ClickFlush(db.Model):
    """A batch of clicks moved from Redis into the database; its id makes a second flush a no-op."""

    __tablename__ = "link_click_flushes"

    batch: Mapped[str] = mapped_column(String(32), primary_key=True)
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    flushed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class CreatorCommission(TenantOwned, db.Model):
    """One brand's share of an attributed order, credited to a creator at the rate agreed when it was placed.

    Revenue is read from the sub-order's active lines, so a cancelled line earns nothing.
    """

    __tablename__ = "creator_commissions"
    __table_args__ = (
        UniqueConstraint("sub_order_id"),
        ForeignKeyConstraint(["tenant_id", "sub_order_id"], ["sub_orders.tenant_id", "sub_orders.id"], ondelete="CASCADE"),
        CheckConstraint("commission_bp BETWEEN 0 AND 5000", name="commission_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sub_order_id: Mapped[int] = mapped_column(Integer)
    link_id: Mapped[int] = mapped_column(ForeignKey("creator_links.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    commission_bp: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
