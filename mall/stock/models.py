"""Stock rows: units of a variant at a hub, the record the stock engine rebuilds Redis from."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, ForeignKeyConstraint, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.catalog.models import Variant
from mall.clock import utcnow
from mall.extensions import db
from mall.hubs.models import Hub
from tenants.scoping import TenantOwned


class StockLevel(TenantOwned, db.Model):
    """Units of one variant at one shared hub.

    The database is the last guard against overselling: sold can never pass on_hand.
    Held units live in the stock engine; available = on_hand - held - sold.
    """

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("variant_id", "hub_id"),
        ForeignKeyConstraint(["tenant_id", "variant_id"], ["variants.tenant_id", "variants.id"], ondelete="CASCADE"),
        CheckConstraint("on_hand >= 0", name="on_hand_nonnegative"),
        CheckConstraint("sold >= 0", name="sold_nonnegative"),
        CheckConstraint("sold <= on_hand", name="never_oversold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(Integer, index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    sold: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    variant: Mapped[Variant] = relationship(
        back_populates="stock_levels", primaryjoin="Variant.id == foreign(StockLevel.variant_id)"
    )
    hub: Mapped[Hub] = relationship()
