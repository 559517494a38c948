"""Storing uploads as images, giving them to a product, variant or brand slot, and removing them."""

import logging

from flask import current_app
from sqlalchemy import select

from mall.extensions import db
from mall.media.models import BrandImage, BrandImageSlot, Image
from mall.media.processing import PreparedImage, prepare_image
from mall.media.storage import media_storage

log = logging.getLogger(__name__)


def read_upload(stream) -> bytes:
    """The uploaded file's bytes, reading at most one byte past the limit (so too large is told, not read whole)."""
    limit = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
    return stream.read(limit + 1)


def prepare_upload(data: bytes) -> PreparedImage:
    config = current_app.config
    return prepare_image(data, max_bytes=config["MEDIA_MAX_UPLOAD_BYTES"], max_pixels=config["MEDIA_MAX_PIXELS"])


def store_prepared(tenant_id: int, prepared: PreparedImage) -> Image:
    """Write the renditions (content-addressed: an identical upload writes nothing new), then add the row."""
    storage = media_storage()
    for rendition in prepared.renditions:
        key = f"{prepared.digest}-{rendition.width}w.{rendition.extension}"
        storage.save(key, rendition.data, rendition.content_type)
    image = Image(
        tenant_id=tenant_id,
        digest=prepared.digest,
        source_format=prepared.source_format,
        width=prepared.width,
        height=prepared.height,
        widths=",".join(str(w) for w in prepared.widths),
    )
    db.session.add(image)
    db.session.flush()
    return image


def give_image(holder, data: bytes) -> Image:
    """Make the upload `holder`'s picture (a product or variant); the picture it replaces is deleted."""
    prepared = prepare_upload(data)  # refused uploads stop here, before anything is written
    old = holder.image
    holder.image = store_prepared(holder.tenant_id, prepared)
    db.session.commit()
    if old is not None:
        delete_image(old)
    return holder.image


def take_image_away(holder) -> bool:
    old = holder.image
    if old is None:
        return False
    holder.image = None
    db.session.commit()
    delete_image(old)
    return True


def delete_image(image: Image) -> None:
    """Delete the row, then the files unless another upload (of any brand) has the very same content."""
    digest, keys = image.digest, image.keys
    db.session.delete(image)
    db.session.commit()
    still_used = db.session.scalar(
        select(Image.id).where(Image.digest == digest).limit(1).execution_options(all_tenants=True)
    )
    if still_used is None:
        storage = media_storage()
        for key in keys:
            try:
                storage.delete(key)
            except Exception:  # a file left behind is harmless: nothing links to it any more
                log.warning("Could not delete media file %s", key, exc_info=True)


# -- a brand's logo and banner ------------------------------------------------------------------------
def brand_images(tenant_id: int) -> dict[str, Image]:
    """The brand's pictures by slot ("logo", "banner"); a slot without a picture is absent."""
    rows = db.session.scalars(select(BrandImage).where(BrandImage.tenant_id == tenant_id))
    return {row.slot: row.image for row in rows}


def set_brand_image(tenant_id: int, slot: BrandImageSlot, data: bytes) -> Image:
    prepared = prepare_upload(data)
    row = _slot_row(tenant_id, slot)
    old = row.image if row else None
    image = store_prepared(tenant_id, prepared)
    if row is None:
        row = BrandImage(tenant_id=tenant_id, slot=slot.value)
        db.session.add(row)
    row.image_id = image.id
    db.session.commit()
    if old is not None:
        delete_image(old)
    return image


def remove_brand_image(tenant_id: int, slot: BrandImageSlot) -> bool:
    row = _slot_row(tenant_id, slot)
    if row is None:
        return False
    delete_image(row.image)  # the slot's row goes with it (ON DELETE CASCADE)
    return True


def _slot_row(tenant_id: int, slot: BrandImageSlot) -> BrandImage | None:
    return db.session.scalar(select(BrandImage).where(BrandImage.tenant_id == tenant_id, BrandImage.slot == slot.value))
