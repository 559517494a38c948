from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from mall.clock import utcnow
from mall.extensions import db


class HubKind(StrEnum):
    MICRO_HUB = "micro_hub"
    PICKUP_POINT = "pickup_point"
    CENTRAL_RESERVE = "central_reserve"


HUB_KIND_LABELS = {
    HubKind.MICRO_HUB: "Micro-hub",
    HubKind.PICKUP_POINT: "Pickup point",
    HubKind.CENTRAL_RESERVE: "Central reserve",
}


class Hub(db.Model):
    """A shared place that holds stock for every brand."""

    __tablename__ = "hubs"
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(k.value for k in HubKind)!r}", name="kind_known"),
        CheckConstraint("latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180", name="coordinates_valid"),
        CheckConstraint("throughput_per_hour > 0", name="throughput_positive"),
        CheckConstraint("opens_at < closes_at", name="opens_before_closing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    throughput_per_hour: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[time] = mapped_column(Time, default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(Time, default=time(22, 0))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return HUB_KIND_LABELS[HubKind(self.kind)]

    def __repr__(self) -> str:
        return f"<Hub {self.code}>"
