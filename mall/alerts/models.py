"""Alerts: one row per cause while it lasts, for a brand (tenant-owned) or for the mall operator (no tenant)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.clock import utcnow
from mall.extensions import db
from tenants.scoping import TenantOwned


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    SEVERE = "severe"


SEVERITY_RANK = {Severity.INFO.value: 0, Severity.WARNING.value: 1, Severity.SEVERE.value: 2}


class Kind(StrEnum):
    LOW_STOCK = "low_stock"
    SOLD_OUT = "sold_out"
    HOLD_HOARDING = "hold_hoarding"
    ORDER_VELOCITY = "order_velocity"
    CONVERGING_ADDRESS = "converging_address"
    ETA_BREACH = "eta_breach"
    SLA_BREACH = "sla_breach"
    HUB_OVERLOAD = "hub_overload"  # operator
    FAILED_JOB = "failed_job"  # operator


KIND_LABELS = {
    Kind.LOW_STOCK: "Low stock",
    Kind.SOLD_OUT: "Sold out",
    Kind.HOLD_HOARDING: "Hold hoarding",
    Kind.ORDER_VELOCITY: "Order velocity",
    Kind.CONVERGING_ADDRESS: "Carts converging on one address",
    Kind.ETA_BREACH: "Parcel past its ETA",
    Kind.SLA_BREACH: "Support target missed",
    Kind.HUB_OVERLOAD: "Hub overloaded",
    Kind.FAILED_JOB: "Failed job",
}
OPERATOR_KINDS = (Kind.HUB_OVERLOAD.value, Kind.FAILED_JOB.value)


class LinkKind(StrEnum):
    """What an alert points at; the URL is built from these ids, never stored."""

    DROP = "drop"
    VARIANT = "variant"
    SUB_ORDER = "sub_order"
    THREAD = "thread"
    HUB = "hub"
    JOB = "job"


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


class Alert(TenantOwned, db.Model):
    """Raised once per cause: `open_key` is unique while the alert is unresolved and cleared when it resolves.

    Brand alerts carry their tenant; operator alerts have none, so the tenancy backstop (which filters
    on tenant_id) never shows them to a brand.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("(tenant_id IS NULL) = (kind IN ('hub_overload', 'failed_job'))", name="operator_kinds_have_no_tenant"),
        CheckConstraint(f"kind IN {_values(Kind)!r}", name="kind_known"),
        CheckConstraint(f"severity IN {_values(Severity)!r}", name="severity_known"),
        CheckConstraint(f"link_kind IN {_values(LinkKind)!r}", name="link_kind_known"),
        CheckConstraint("(resolved_at IS NULL) = (open_key IS NOT NULL)", name="open_key_while_unresolved"),
        CheckConstraint("acknowledged_by_id IS NULL OR acknowledged_at IS NOT NULL", name="ack_has_time"),
        Index("ix_alerts_tenant_open", "tenant_id", "resolved_at", "acknowledged_at"),  # the badge and the list
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable, unlike other tenant-owned rows: operator alerts belong to no brand.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(8))
    cause_key: Mapped[str] = mapped_column(String(200))
    open_key: Mapped[str | None] = mapped_column(String(220), nullable=True, unique=True)
    message: Mapped[str] = mapped_column(String(400))
    drop_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    link_kind: Mapped[str] = mapped_column(String(12))
    link_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    link_ref: Mapped[str] = mapped_column(String(120), default="")
    raised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    tenant = relationship("Tenant")
    acknowledged_by = relationship("User")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[Kind(self.kind)]

    @property
    def status(self) -> str:
        if self.resolved_at is not None:
            return "resolved"
        return "acknowledged" if self.acknowledged_at is not None else "open"


def open_key_for(tenant_id: int | None, cause_key: str) -> str:
    """One namespace per brand and one for the operator, so two brands' causes never collide."""
    return f"{tenant_id if tenant_id is not None else 'op'}|{cause_key}"


# A brand that never saved its alert settings gets these.
DEFAULT_THRESHOLDS = {
    "low_stock_minutes": 10,  # warn when the units left would sell out within this many minutes at the hold rate
    "low_stock_units": 0,  # ... or when fewer units than this are left (0: off)
    "sold_out": True,
    "hoard_holds": 3,  # holds left to expire unbought by one IP, cart or email in a drop
    "velocity_orders": 5,  # orders from one email, address or IP within the window
    "converging_carts": 3,  # different carts ordering to one delivery address within the window
    "fraud_window_minutes": 60,
    "eta_grace_minutes": 15,  # a parcel this late past its committed ETA
    "email_severity": "severe",  # email alerts this severe or worse: severe | warning | never
    "email_to": "owners",  # owners | managers (owners and managers)
}


class AlertSettings(TenantOwned, db.Model):
    """A brand's thresholds; a brand without a row uses DEFAULT_THRESHOLDS."""

    __tablename__ = "alert_settings"
    __table_args__ = (
        CheckConstraint("low_stock_minutes >= 0 AND low_stock_units >= 0", name="low_stock_nonnegative"),
        CheckConstraint("hoard_holds >= 1 AND velocity_orders >= 1 AND converging_carts >= 2", name="fraud_thresholds_positive"),
        CheckConstraint("fraud_window_minutes BETWEEN 5 AND 1440", name="fraud_window_range"),
        CheckConstraint("eta_grace_minutes >= 0", name="eta_grace_nonnegative"),
        CheckConstraint("email_severity IN ('severe', 'warning', 'never')", name="email_severity_known"),
        CheckConstraint("email_to IN ('owners', 'managers')", name="email_to_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    low_stock_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLDS["low_stock_minutes"])
    low_stock_units: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLDS["low_stock_units"])
    sold_out: Mapped[bool] = mapped_column(Boolean, default=DEFAULT_THRESHOLDS["sold_out"])
    hoard_holds: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLDS["hoard_holds"])
    velocity_orders: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLDS["velocity_orders"])
    converging_carts: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLDS["converging_carts"])
    fraud_window_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLDS["fraud_window_minutes"])
    eta_grace_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLDS["eta_grace_minutes"])
    email_severity: Mapped[str] = mapped_column(String(8), default=DEFAULT_THRESHOLDS["email_severity"])
    email_to: Mapped[str] = mapped_column(String(8), default=DEFAULT_THRESHOLDS["email_to"])
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
