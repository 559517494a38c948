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


class PaymentState(StrEnum):
    DUE_ON_HANDOVER = "due_on_handover"
    AWAITING_PAYMENT = "awaiting_payment"  # a card order inside its payment window: nothing sold yet
    PAID = "paid"
    REFUNDED = "refunded"
    VOID = "void"


class LineStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Order(db.Model):
    """One shopper checkout across brands; each brand sees only its sub-order."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("fulfilment IN ('pickup', 'delivery')", name="fulfilment_known"),
        CheckConstraint("total_cents >= 0", name="total_nonnegative"),
        CheckConstraint(
            "(fulfilment = 'pickup' AND pickup_hub_id IS NOT NULL) OR (fulfilment = 'delivery' AND delivery_address <> '')",
            name="fulfilment_has_destination",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    cart_token: Mapped[str] = mapped_column(String(64), index=True)
    shopper_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    fulfilment: Mapped[str] = mapped_column(String(10))
    pickup_hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), nullable=True)
    delivery_address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(12), default="")
    payment_provider: Mapped[str] = mapped_column(String(30))
    payment_state: Mapped[str] = mapped_column(String(20))
    total_cents: Mapped[int] = mapped_column(Integer)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # The creator link whose click brought this shopper (last click within its window); see mall/links.
    creator_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("creator_links.id", ondelete="SET NULL"), nullable=True, index=True
    )

    sub_orders: Mapped[list["SubOrder"]] = relationship(back_populates="order", order_by="SubOrder.id")
    pickup_hub = relationship("Hub")


class SubOrder(TenantOwned, db.Model):
    """One brand's share of an order."""

    __tablename__ = "sub_orders"
    __table_args__ = (UniqueConstraint("tenant_id", "id"), UniqueConstraint("order_id", "tenant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    subtotal_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    order: Mapped[Order] = relationship(back_populates="sub_orders")
    tenant = relationship("Tenant")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="sub_order", primaryjoin="SubOrder.id == foreign(OrderLine.sub_order_id)", order_by="OrderLine.id"
    )


class OrderLine(TenantOwned, db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "sub_order_id"], ["sub_orders.tenant_id", "sub_orders.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "variant_id"], ["variants.tenant_id", "variants.id"]),
        ForeignKeyConstraint(["tenant_id", "drop_id"], ["drops.tenant_id", "drops.id"]),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="price_nonnegative"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_order_id: Mapped[int] = mapped_column(Integer, index=True)
    drop_id: Mapped[int] = mapped_column(Integer, index=True)
    variant_id: Mapped[int] = mapped_column(Integer, index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=LineStatus.ACTIVE.value)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    sub_order: Mapped[SubOrder] = relationship(
        back_populates="lines", primaryjoin="SubOrder.id == foreign(OrderLine.sub_order_id)"
    )
    variant = relationship("Variant", primaryjoin="foreign(OrderLine.variant_id) == Variant.id", viewonly=True)
    drop = relationship("Drop", primaryjoin="foreign(OrderLine.drop_id) == Drop.id", viewonly=True)
    hub = relationship("Hub")

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


class ShopperDropUnits(db.Model):
    """Units a shopper (by cart token and by email) has bought in a drop; the DB caps them at the drop's limit."""

    __tablename__ = "shopper_drop_units"
    __table_args__ = (
        UniqueConstraint("drop_id", "shopper_key"),
        CheckConstraint("units >= 0", name="units_nonnegative"),
        CheckConstraint("units <= cap", name="within_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    drop_id: Mapped[int] = mapped_column(ForeignKey("drops.id", ondelete="CASCADE"))
    shopper_key: Mapped[str] = mapped_column(String(300))
    units: Mapped[int] = mapped_column(Integer, default=0)
    cap: Mapped[int] = mapped_column(Integer)
