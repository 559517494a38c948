from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mall.clock import utcnow
from mall.extensions import db
from mall.media.processing import rendition_height
from tenants.scoping import TenantOwned


class Image(TenantOwned, db.Model):
    """An uploaded picture, stored as WebP and JPEG renditions named `<digest>-<width>w.<ext>`."""

    __tablename__ = "images"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(32), index=True)
    source_format: Mapped[str] = mapped_column(String(8))  # what the upload really was: JPEG, PNG, WEBP, GIF
    width: Mapped[int] = mapped_column(Integer)  # the upload's size, turned upright (renditions are never wider)
    height: Mapped[int] = mapped_column(Integer)
    widths: Mapped[str] = mapped_column(String(40))  # "320,640,1280"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def rendition_widths(self) -> list[int]:
        return [int(w) for w in self.widths.split(",")]

    def key(self, width: int, extension: str) -> str:
        return f"{self.digest}-{width}w.{extension}"

    def height_at(self, width: int) -> int:
        return rendition_height(self.width, self.height, width)

    @property
    def largest(self) -> tuple[int, int]:
        """The widest rendition's (width, height)."""
        widest = max(self.rendition_widths)
        return widest, self.height_at(widest)

    @property
    def keys(self) -> list[str]:
        return [self.key(w, ext) for w in self.rendition_widths for ext in ("webp", "jpg")]


class BrandImageSlot(StrEnum):
    LOGO = "logo"
    BANNER = "banner"

    @property
    def label(self) -> str:
        return "Logo" if self is BrandImageSlot.LOGO else "Banner"


SLOT_VALUES = tuple(s.value for s in BrandImageSlot)


class BrandImage(TenantOwned, db.Model):
    """A brand's logo or banner: one image per slot; removing the image empties the slot."""

    __tablename__ = "brand_images"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slot"),
        ForeignKeyConstraint(["tenant_id", "image_id"], ["images.tenant_id", "images.id"], ondelete="CASCADE"),
        CheckConstraint(f"slot IN {SLOT_VALUES!r}", name="slot_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot: Mapped[str] = mapped_column(String(8))
    image_id: Mapped[int] = mapped_column(Integer, index=True)

    image: Mapped[Image] = relationship(primaryjoin="Image.id == foreign(BrandImage.image_id)", lazy="joined")
