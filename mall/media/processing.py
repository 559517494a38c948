"""Turning an uploaded file into the renditions the mall serves: Pillow only, no Flask.

The content decides what a file is (never its name or the browser's content type). Only JPEG, PNG, WebP and
GIF (its first frame) are read; anything else, an image too large to decode safely, or a broken file is
refused with a sentence a brand can act on. Metadata (EXIF, GPS, ICC, comments) is dropped after the EXIF
orientation is applied, and each width is written as WebP with a JPEG fallback, never wider than the upload.
"""

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 80
JPEG_QUALITY = 82
# Bumped whenever the output of the same upload changes, so a content-hashed name never gets new bytes.
PIPELINE_VERSION = b"flashmall-images-1"
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


class ImageRefused(ValueError):
    """The upload is not an image the mall will store; the message says why, for the person who sent it."""


class ImageTooLarge(ImageRefused):
    """The file is larger than the upload limit (answered as 413)."""


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    extension: str  # "webp" or "jpg"
    data: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


@dataclass(frozen=True)
class PreparedImage:
    digest: str  # names every rendition: the same upload always gives the same names and bytes
    source_format: str
    width: int  # the upload's size, turned upright
    height: int
    renditions: list[Rendition]

    @property
    def widths(self) -> list[int]:
        return sorted({r.width for r in self.renditions})


def rendition_widths(width: int) -> list[int]:
    """The widths written for an image `width` pixels wide: the standard ones below it, and it (capped) itself."""
    return sorted({min(w, width) for w in WIDTHS})


def rendition_height(width: int, height: int, target_width: int) -> int:
    return max(1, round(height * target_width / width))


def prepare_image(data: bytes, *, max_bytes: int, max_pixels: int) -> PreparedImage:
    if len(data) > max_bytes:
        raise ImageTooLarge(f"That file is {_megabytes(len(data))}; an image may be at most {_megabytes(max_bytes)}.")
    if not data:
        raise ImageRefused("That file is empty. Choose a JPEG, PNG, WebP or GIF image.")
    image = _open_checked(data, max_pixels)
    digest = hashlib.sha256(PIPELINE_VERSION + data).hexdigest()[:32]
    upright = _upright_pixels(image)
    renditions = []
    for target in rendition_widths(upright.width):
        size = (target, rendition_height(upright.width, upright.height, target))
        resized = upright if size == upright.size else upright.resize(size, Image.Resampling.LANCZOS)
        renditions.append(Rendition(*size, "webp", _encode(resized, "WEBP")))
        renditions.append(Rendition(*size, "jpg", _encode(_flattened(resized), "JPEG")))
    return PreparedImage(digest, image.format, upright.width, upright.height, renditions)


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """The image, decoded, once its content has been checked: the size is read from the header first."""
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            _refuse_too_many_pixels(probe, max_pixels)
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        image.seek(0)  # a GIF's first frame
        image.load()
    except ImageRefused:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard, for a header far past any limit
        raise ImageRefused(_too_many_pixels_message(max_pixels)) from None
    except UnidentifiedImageError:
        raise ImageRefused(
            "That file is not an image we can use. Upload a JPEG, PNG, WebP or GIF "
            "(SVG and other kinds of file are not accepted)."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRefused("That image is damaged or cut short, so we could not read it. Try saving it again.") from None
    return image


def _refuse_too_many_pixels(image: Image.Image, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRefused(
            f"That image is {width:,} × {height:,} pixels, more than the {max_pixels / 1e6:g} megapixels we accept. "
            "Export it smaller and upload it again."
        )


def _too_many_pixels_message(max_pixels: int) -> str:
    return f"That image has more pixels than the {max_pixels / 1e6:g} megapixels we accept. Export it smaller."


def _upright_pixels(image: Image.Image) -> Image.Image:
    """The pixels turned the way the camera meant, copied into a fresh image that carries no metadata at all."""
    turned = ImageOps.exif_transpose(image)
    mode = "RGBA" if _has_alpha(turned) else "RGB"
    pixels = turned.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    return clean


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _flattened(image: Image.Image) -> Image.Image:
    # JPEG has no transparency: see-through parts become white, as on the page behind them.
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
