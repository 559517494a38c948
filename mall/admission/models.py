from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer
from sqlalchemy.orm import Mapped, mapped_column

from mall.clock import utcnow
from mall.extensions import db


class AdmissionSettings(db.Model):
    """The operator's waiting-room settings, one row for the whole mall (defaults until it is saved)."""

    __tablename__ = "admission_settings"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("overbook_percent BETWEEN 100 AND 300", name="overbook_range"),
        CheckConstraint("admission_minutes BETWEEN 1 AND 60", name="admission_minutes_range"),
        CheckConstraint("expiring_seconds BETWEEN 0 AND 600", name="expiring_seconds_range"),
        CheckConstraint("entries_per_ip >= 1", name="entries_per_ip_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # shoppers active in one drop at once: an open drop past it queues; a queue admits no more than it
    capacity: Mapped[int] = mapped_column(Integer, default=500)
    overbook_percent: Mapped[int] = mapped_column(Integer, default=120)
    admission_minutes: Mapped[int] = mapped_column(Integer, default=5)
    expiring_seconds: Mapped[int] = mapped_column(Integer, default=60)
    entries_per_ip: Mapped[int] = mapped_column(Integer, default=20)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
