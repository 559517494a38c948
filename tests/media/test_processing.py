"""What the picture pipeline makes of an upload: upright, metadata-free WebP + JPEG at widths never upscaled."""

import io

import pytest
from PIL import Image

from mall.media.processing import ImageRefused, ImageTooLarge, prepare_image
from tests.media.images import SVG_WITH_SCRIPT, gif_with_two_frames, jpeg_from_a_phone, png, png_bomb

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 40_000_000}


def _open(rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.data))
    image.load()
    return image


def test_a_phone_photo_is_turned_upright_stripped_and_written_at_three_widths_in_two_formats():
    prepared = prepare_image(jpeg_from_a_phone(1600, 1200, orientation=6), **LIMITS)

    assert prepared.source_format == "JPEG"
    assert (prepared.width, prepared.height) == (1200, 1600)  # orientation 6: the landscape pixels stand up
    made = sorted((r.extension, r.width, r.height) for r in prepared.renditions)
    assert made == [
        ("jpg", 320, 427), ("jpg", 640, 853), ("jpg", 1200, 1600),
        ("webp", 320, 427), ("webp", 640, 853), ("webp", 1200, 1600),
    ]
    for rendition in prepared.renditions:
        image = _open(rendition)
        assert image.format == {"jpg": "JPEG", "webp": "WEBP"}[rendition.extension]
        assert image.size == (rendition.width, rendition.height)
        assert not image.getexif(), "EXIF (camera, GPS, orientation) must not survive"
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"PhoneCo" not in rendition.data
    # The white mark was top-left in the stored pixels; turned 90° clockwise it is now top-right.
    upright = _open(next(r for r in prepared.renditions if r.extension == "jpg" and r.width == 320))
    assert upright.getpixel((upright.width - 10, 10))[0] > 200 and upright.getpixel((10, 10))[0] < 100


def test_a_small_image_is_never_upscaled():
    prepared = prepare_image(png(200, 100), **LIMITS)
    assert {(r.width, r.height) for r in prepared.renditions} == {(200, 100)}
    assert prepared.widths == [200]


def test_a_png_named_anything_is_read_as_png_and_keeps_its_transparency_in_webp():
    prepared = prepare_image(png(700, 350, (0, 128, 0, 0), mode="RGBA"), **LIMITS)
    assert prepared.source_format == "PNG"
    assert prepared.widths == [320, 640, 700]
    webp = _open(next(r for r in prepared.renditions if r.extension == "webp"))
    jpeg = _open(next(r for r in prepared.renditions if r.extension == "jpg"))
    assert webp.mode == "RGBA" and webp.getpixel((5, 5))[3] == 0
    assert jpeg.getpixel((5, 5)) == (255, 255, 255)  # JPEG has no transparency: white, as the page behind


def test_a_gif_gives_its_first_frame():
    prepared = prepare_image(gif_with_two_frames(), **LIMITS)
    assert prepared.source_format == "GIF"
    red, _, blue = _open(prepared.renditions[1]).getpixel((10, 10))
    assert red > 200 and blue < 60


def test_the_same_upload_always_gets_the_same_name_and_another_upload_another():
    first, again = prepare_image(png(), **LIMITS), prepare_image(png(), **LIMITS)
    other = prepare_image(png(colour=(1, 2, 3)), **LIMITS)
    assert first.digest == again.digest != other.digest
    assert len(first.digest) == 32


@pytest.mark.parametrize(
    "data, message",
    [
        (b"just some text, renamed to photo.png\n", "not an image we can use"),
        (SVG_WITH_SCRIPT, "SVG and other kinds of file are not accepted"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "not an image we can use"),
        (png()[:200], "damaged or cut short"),
        (b"", "That file is empty"),
        (png_bomb(), "more pixels than the 40 megapixels we accept"),
        (png_bomb(8000, 8000), "8,000 × 8,000 pixels, more than the 40 megapixels we accept"),
    ],
    ids=["text", "svg", "pdf", "truncated", "empty", "bomb past Pillow's guard", "past our pixel limit"],
)
def test_what_is_refused_and_what_the_brand_is_told(data, message):
    with pytest.raises(ImageRefused) as refused:
        prepare_image(data, **LIMITS)
    assert message in str(refused.value)


def test_a_file_past_the_size_limit_is_refused_before_it_is_opened():
    with pytest.raises(ImageTooLarge, match=r"That file is 2 MB; an image may be at most 1 MB\."):
        prepare_image(b"\xff" * (2 * 1024 * 1024), max_bytes=1024 * 1024, max_pixels=40_000_000)
