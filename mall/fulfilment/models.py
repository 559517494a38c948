"""Parcels (one hub -> one shopper, any brands), their items, ETA history and hub staff."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.clock import utcnow
from mall.extensions import db
from tenants.scoping import TenantOwned


class ParcelStatus(StrEnum):
    ROUTED = "routed"
    PICKING = "picking"
    IN_TRANSIT = "in_transit"  # packed at one hub, travelling to the pickup point at another
    READY_FOR_PICKUP = "ready_for_pickup"
    OUT_FOR_DELIVERY = "out_for_delivery"
    HANDED_OVER = "handed_over"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    ParcelStatus.ROUTED: "Waiting to be picked",
    ParcelStatus.PICKING: "Being picked",
    ParcelStatus.IN_TRANSIT: "In transit",
    ParcelStatus.READY_FOR_PICKUP: "Ready for pickup",
    ParcelStatus.OUT_FOR_DELIVERY: "Out for delivery",
    ParcelStatus.HANDED_OVER: "Handed over",
    ParcelStatus.CANCELLED: "Cancelled",
}
IN_QUEUE = (ParcelStatus.ROUTED.value, ParcelStatus.PICKING.value)
FINISHED = (ParcelStatus.HANDED_OVER.value, ParcelStatus.CANCELLED.value)


class Parcel(db.Model):
    """What one hub packs for one order: a pickup at the shopper's point or one delivery."""

    __tablename__ = "parcels"
    __table_args__ = (
        UniqueConstraint("order_id", "hub_id"),
        CheckConstraint("kind IN ('pickup', 'delivery')", name="kind_known"),
        CheckConstraint(f"status IN {tuple(s.value for s in ParcelStatus)!r}", name="status_known"),
        CheckConstraint("kind = 'delivery' OR pickup_hub_id IS NOT NULL", name="pickup_has_point"),
        Index("ix_parcels_hub_queue", "hub_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id"))  # the hub that packs it
    kind: Mapped[str] = mapped_column(String(10))
    pickup_hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), nullable=True, index=True)
    destination_lat: Mapped[float] = mapped_column(Float)
    destination_lon: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=ParcelStatus.ROUTED.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    picking_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # left the packing hub for the pickup point
    ready_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # ready for pickup / out for delivery
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    planned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # the router's estimate at checkout
    committed_eta: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    eta: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    promise_kept_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    eta_error_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # promise kept - committed ETA

    order = relationship("Order")
    hub = relationship("Hub", foreign_keys=[hub_id])
    pickup_hub = relationship("Hub", foreign_keys=[pickup_hub_id])
    items: Mapped[list["ParcelItem"]] = relationship(back_populates="parcel", order_by="ParcelItem.id")
    eta_changes: Mapped[list["EtaChange"]] = relationship(back_populates="parcel", order_by="EtaChange.id")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[ParcelStatus(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED

    @property
    def through_another_hub(self) -> bool:
        """A pickup packed at one hub and carried to the pickup point at another."""
        return self.kind == "pickup" and self.pickup_hub_id is not None and self.pickup_hub_id != self.hub_id

    @property
    def hub_holding_it(self) -> int | None:
        """The hub where the parcel physically is now: only that hub's staff may hand it over (None on the road)."""
        if self.status == ParcelStatus.IN_TRANSIT.value:
            return None
        if self.status == ParcelStatus.READY_FOR_PICKUP.value:
            return self.pickup_hub_id
        return self.hub_id


class ParcelItem(TenantOwned, db.Model):
    """One order line in a parcel; units sold at another hub travel there first (a reserve transfer)."""

    __tablename__ = "parcel_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
    source_hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # a transfer reached the packing hub

    parcel: Mapped[Parcel] = relationship(back_populates="items")
    line = relationship("OrderLine")
    source_hub = relationship("Hub")
    tenant = relationship("Tenant")

    @property
    def is_transfer(self) -> bool:
        return self.source_hub_id != self.parcel.hub_id

    @property
    def awaiting_transfer(self) -> bool:
        return self.is_transfer and self.received_at is None


class EtaChange(db.Model):
    """Every ETA a parcel was given, and why: the shopper sees the history."""

    __tablename__ = "parcel_eta_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"), index=True)
    eta: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    parcel: Mapped[Parcel] = relationship(back_populates="eta_changes")


class HubMember(db.Model):
    """Hub staff: may work the hub's picking list."""

    __tablename__ = "hub_members"
    __table_args__ = (UniqueConstraint("hub_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    hub = relationship("Hub")
    user = relationship("User")
