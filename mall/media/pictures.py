"""What a page needs to draw an image: srcsets for <picture>, its size, and absolute URLs for link previews."""

from dataclasses import dataclass

from flask import current_app

from mall.media.models import Image
from mall.media.storage import media_storage

FALLBACK_WIDTH = 640  # the <img src> for browsers that read no srcset


@dataclass(frozen=True)
class Picture:
    webp_srcset: str
    jpeg_srcset: str
    src: str
    width: int
    height: int


def picture_of(image: Image) -> Picture:
    storage = media_storage()
    widths = image.rendition_widths
    fallback = min(widths, key=lambda w: abs(w - FALLBACK_WIDTH))
    return Picture(
        webp_srcset=", ".join(f"{storage.url(image.key(w, 'webp'))} {w}w" for w in widths),
        jpeg_srcset=", ".join(f"{storage.url(image.key(w, 'jpg'))} {w}w" for w in widths),
        src=storage.url(image.key(fallback, "jpg")),
        width=image.largest[0],
        height=image.largest[1],
    )


def absolute_image_url(image: Image) -> str:
    """The widest JPEG, as a full URL (link previews are fetched by other sites' crawlers)."""
    url = media_storage().url(image.key(max(image.rendition_widths), "jpg"))
    if url.startswith("/"):
        return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url
    return url
