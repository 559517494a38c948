from datetime import datetime

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
from mall.media.models import Image
from tenants.scoping import TenantOwned


class Product(TenantOwned, db.Model):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("tenant_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    image: Mapped[Image | None] = relationship()

    variants: Mapped[list["Variant"]] = relationship(
        back_populates="product",
        primaryjoin="Product.id == foreign(Variant.product_id)",
        order_by="Variant.id",
        cascade="all, delete-orphan",
    )


class Variant(TenantOwned, db.Model):
    """A sellable SKU; the composite key keeps it inside its product's brand."""

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "sku"),
        ForeignKeyConstraint(["tenant_id", "product_id"], ["products.tenant_id", "products.id"], ondelete="CASCADE"),
        CheckConstraint("price_cents >= 0", name="price_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer, index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80), default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    image: Mapped[Image | None] = relationship()

    product: Mapped[Product] = relationship(
        back_populates="variants", primaryjoin="Product.id == foreign(Variant.product_id)"
    )
    stock_levels: Mapped[list["StockLevel"]] = relationship(
        back_populates="variant",
        primaryjoin="Variant.id == foreign(StockLevel.variant_id)",
        cascade="all, delete-orphan",
    )

    @property
    def shown_image(self) -> Image | None:
        """The variant's own picture, else its product's."""
        return self.image or self.product.image

    @property
    def label(self) -> str:
        return f"{self.product.name} — {self.name}" if self.name else self.product.name
