"""Per-minute drop activity kept in the database, and the post-drop report as built."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKeyConstraint, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mall.clock import utcnow
from mall.extensions import db
from tenants.scoping import TenantOwned

ACTIVITY_COLUMNS = ("views", "holds", "held_units", "expired", "expired_units", "released")


def _in_drop():
    return ForeignKeyConstraint(["tenant_id", "drop_id"], ["drops.tenant_id", "drops.id"], ondelete="CASCADE")


class DropActivityMinute(TenantOwned, db.Model):
    """One UTC minute of a drop's activity counters (mall/stock/activity.py), copied from Redis by a job."""

    __tablename__ = "drop_activity_minutes"
    __table_args__ = (
        _in_drop(),
        UniqueConstraint("drop_id", "minute"),
        CheckConstraint(" AND ".join(f"{c} >= 0" for c in ACTIVITY_COLUMNS), name="counts_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(Integer)
    minute: Mapped[datetime] = mapped_column(DateTime)  # naive UTC, the minute's first second
    views: Mapped[int] = mapped_column(Integer, default=0)
    holds: Mapped[int] = mapped_column(Integer, default=0)
    held_units: Mapped[int] = mapped_column(Integer, default=0)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    expired_units: Mapped[int] = mapped_column(Integer, default=0)
    released: Mapped[int] = mapped_column(Integer, default=0)


class DropReport(TenantOwned, db.Model):
    """The post-drop report of one drop: its figures as JSON, rebuilt in place (one row per drop)."""

    __tablename__ = "drop_reports"
    __table_args__ = (_in_drop(), UniqueConstraint("drop_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # a rebuild someone asked for
