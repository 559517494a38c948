from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.clock import utcnow
from mall.extensions import db


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    SUPPORT = "support"


ROLE_VALUES = tuple(r.value for r in Role)


class Tenant(db.Model):
    """A brand: the unit of tenancy."""

    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("length(slug) >= 2", name="slug_length"),
        CheckConstraint("first_response_minutes > 0 AND resolution_minutes > 0", name="support_targets_positive"),
        CheckConstraint("cancellation_window_minutes >= 0", name="cancellation_window_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    tagline: Mapped[str] = mapped_column(String(160), default="")
    colour: Mapped[str] = mapped_column(String(7), default="#6d28d9")
    logo_url: Mapped[str] = mapped_column(String(300), default="")
    returns_policy: Mapped[str] = mapped_column(Text, default="")
    warranty_policy: Mapped[str] = mapped_column(Text, default="")
    cancellation_policy: Mapped[str] = mapped_column(Text, default="")
    cancellation_window_minutes: Mapped[int] = mapped_column(Integer, default=30)
    first_response_minutes: Mapped[int] = mapped_column(Integer, default=15)
    resolution_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="tenant", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class Membership(db.Model):
    """A user's role in one brand; a user may belong to several brands."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="memberships")
    user: Mapped["User"] = relationship()  # noqa: F821


from mall.accounts.models import User  # noqa: E402  (resolves the relationship's target)
