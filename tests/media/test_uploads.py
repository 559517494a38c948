"""Uploading pictures as a brand: the content decides, refusals are clear 4xx answers that store nothing,
stored pictures are served for a year under names that never change, and another brand's answer 404."""

import io
from pathlib import Path

import pytest
from PIL import Image as PILImage
from sqlalchemy import func, select

from mall.extensions import db
from mall.media.models import BrandImage, Image
from mall.catalog.models import Product, Variant
from tests.media.images import SVG_WITH_SCRIPT, jpeg_from_a_phone, png, png_bomb
from tests.support import text_of


def _upload(client, url, data: bytes, filename: str, field="image"):
    return client.submit(url, {field: (io.BytesIO(data), filename)})


def _images() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Image))


def _picture_of(model, row_id) -> Image | None:
    db.session.expire_all()
    return db.session.get(model, row_id).image


def test_a_png_named_jpg_is_stored_as_the_png_it_is_and_shown_on_the_product_page(signed_in, product, media_files):
    response = _upload(signed_in, f"/brands/acme/products/{product.id}/image", png(900, 600), "photo.jpg")

    assert response.status_code == 303
    image = _picture_of(Product, product.id)
    assert (image.source_format, image.width, image.height, image.rendition_widths) == ("PNG", 900, 600, [320, 640, 900])
    assert media_files() >= set(image.keys) and len(image.keys) == 6
    page = signed_in.get(response.headers["Location"])
    assert "Picture saved" in text_of(page)
    html = page.get_data(as_text=True)
    assert f'srcset="/media/{image.digest}-320w.webp 320w, /media/{image.digest}-640w.webp 640w' in html
    assert 'width="900" height="600"' in html


BAD_FILES = [
    ("a text file named .png", b"Dear brand, this is not a picture.\n", "photo.png", 422, "not an image we can use"),
    ("an SVG with a script", SVG_WITH_SCRIPT, "logo.svg", 422, "SVG and other kinds of file are not accepted"),
    ("a decompression bomb", png_bomb(), "bomb.png", 422, "more pixels than the 40 megapixels we accept"),
    ("a picture past the pixel limit", png_bomb(8000, 8000), "huge.png", 422, "more than the 40 megapixels"),
    ("a cut-off file", png()[:300], "cut.png", 422, "damaged or cut short"),
]


@pytest.mark.parametrize("name, data, filename, status, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_refused_upload_is_a_clear_4xx_and_stores_nothing(signed_in, product, media_files, name, data, filename, status, message):
    files_before = media_files()

    response = _upload(signed_in, f"/brands/acme/products/{product.id}/image", data, filename)

    assert response.status_code == status
    assert message in text_of(response)
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)  # the form is there to try again
    assert _images() == 0 and _picture_of(Product, product.id) is None
    assert media_files() == files_before


def test_a_50_mb_file_is_a_413_that_says_the_limit_and_stores_nothing(signed_in, product, media_files):
    files_before = media_files()

    response = _upload(signed_in, f"/brands/acme/products/{product.id}/image", b"\xff" * (50 * 1024 * 1024), "big.jpg")

    assert response.status_code == 413
    assert "That file is too large: an image may be at most 10 MB." in text_of(response)
    assert _images() == 0 and media_files() == files_before


def test_a_file_just_past_the_limit_inside_the_request_allowance_is_also_told_the_limit(app, signed_in, product):
    just_over = app.config["MEDIA_MAX_UPLOAD_BYTES"] + 1000
    response = _upload(signed_in, f"/brands/acme/products/{product.id}/image", b"\xff" * just_over, "big.jpg")
    assert response.status_code == 413
    assert "an image may be at most 10 MB" in text_of(response)
    assert _images() == 0


def test_other_forms_keep_their_small_limit(client):
    response = client.submit("/login", {"email": "a@example.com", "password": "x" * 300_000})
    assert response.status_code == 413 and "at most 256 KB" in text_of(response)


def test_no_file_is_asked_for_again(signed_in, product):
    response = signed_in.submit(f"/brands/acme/products/{product.id}/image", {})
    assert response.status_code == 422
    assert "Choose an image file" in text_of(response)


def test_an_upload_without_the_csrf_token_is_refused(signed_in, product):
    response = signed_in.post(f"/brands/acme/products/{product.id}/image", data={"image": (io.BytesIO(png()), "a.png")})
    assert response.status_code == 400 and _images() == 0


def test_stored_files_have_the_expected_widths_and_no_exif(app, signed_in, product):
    assert _upload(signed_in, f"/brands/acme/products/{product.id}/image", jpeg_from_a_phone(2400, 1800), "IMG_0001.JPG").status_code == 303
    image = _picture_of(Product, product.id)
    assert image.rendition_widths == [320, 640, 1280]
    for key in image.keys:
        [path] = Path(app.config["MEDIA_ROOT"]).rglob(key)
        with PILImage.open(path) as stored:
            width = int(key.split("-")[1].removesuffix("w.webp").removesuffix("w.jpg"))
            assert stored.size == (width, image.height_at(width))
            assert stored.format == ("WEBP" if key.endswith(".webp") else "JPEG")
            assert not stored.getexif()
        assert b"PhoneCo" not in path.read_bytes()


def test_files_are_served_for_a_year_as_immutable_with_their_content_type(signed_in, client, product):
    _upload(signed_in, f"/brands/acme/products/{product.id}/image", png(), "a.png")
    image = _picture_of(Product, product.id)

    for extension, content_type in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        response = client.get(f"/media/{image.key(640, extension)}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.mimetype == content_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert PILImage.open(io.BytesIO(response.data)).size == (640, 427)
    for missing in (image.key(999, "jpg"), "../../secret.jpg", "abc.svg", f"{image.digest}-640w.png"):
        assert client.get(f"/media/{missing}").status_code == 404


def test_replacing_a_picture_deletes_the_old_files_and_removing_it_deletes_the_rest(signed_in, product, media_files):
    url = f"/brands/acme/products/{product.id}/image"
    _upload(signed_in, url, png(colour=(1, 1, 1)), "one.png")
    first = _picture_of(Product, product.id)
    first_keys = set(first.keys)
    _upload(signed_in, url, png(colour=(2, 2, 2)), "two.png")
    second_keys = set(_picture_of(Product, product.id).keys)

    assert _images() == 1 and not first_keys & media_files() and second_keys <= media_files()

    response = signed_in.submit(f"{url}/remove")
    assert response.status_code == 303
    assert _picture_of(Product, product.id) is None and _images() == 0
    assert not second_keys & media_files()


def test_the_same_file_on_two_products_is_stored_once_and_kept_until_the_last_is_removed(signed_in, make, brand, product, media_files):
    other = make.product(brand, name="Light tee")
    for item in (product, other):
        _upload(signed_in, f"/brands/acme/products/{item.id}/image", png(), "same.png")
    keys = set(_picture_of(Product, product.id).keys)

    signed_in.submit(f"/brands/acme/products/{product.id}/image/remove")
    assert keys <= media_files()  # still the other product's picture
    signed_in.submit(f"/brands/acme/products/{other.id}/image/remove")
    assert not keys & media_files()


def test_a_variant_picture_shows_instead_of_its_products(signed_in, product):
    variant = product.variants[0]
    _upload(signed_in, f"/brands/acme/products/{product.id}/image", png(colour=(9, 9, 9)), "product.png")
    response = _upload(signed_in, f"/brands/acme/variants/{variant.id}/image", png(colour=(8, 8, 8)), "variant.webp")

    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Variant, variant.id)
    assert stored.shown_image.id == stored.image.id != stored.product.image.id
    assert signed_in.submit(f"/brands/acme/variants/{variant.id}/image/remove").status_code == 303
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).shown_image.id == db.session.get(Product, product.id).image_id


@pytest.mark.parametrize("slot", ["logo", "banner"])
def test_a_brand_uploads_and_removes_its_logo_and_banner(signed_in, brand, slot, media_files):
    response = _upload(signed_in, f"/brands/acme/settings/images/{slot}", png(1400, 400), "brand.png", field=f"{slot}-image")
    assert response.status_code == 303
    [row] = db.session.scalars(select(BrandImage)).all()
    assert row.slot == slot and set(row.image.keys) <= media_files()
    assert f"/media/{row.image.digest}-1280w.webp" in signed_in.get("/shop/acme").get_data(as_text=True)

    refused = _upload(signed_in, f"/brands/acme/settings/images/{slot}", SVG_WITH_SCRIPT, "brand.svg", field=f"{slot}-image")
    assert refused.status_code == 422 and "not accepted" in text_of(refused)
    assert _images() == 1

    assert signed_in.submit(f"/brands/acme/settings/images/{slot}/remove").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(BrandImage)) == 0 and _images() == 0


def test_the_old_logo_link_stays_readable_on_the_settings_page(client, make):
    owner = make.user()
    make.brand(owner=owner, slug="fizz", logo_url="https://cdn.example.com/fizz.png")
    client.login_as(owner)
    page = text_of(client.get("/brands/fizz/settings"))
    assert "Your logo was a link: https://cdn.example.com/fizz.png" in page


def test_another_brands_pictures_answer_404_and_change_nothing(client, make, brand, product):
    other_owner = make.user()
    make.brand(owner=other_owner, slug="rival")
    client.login_as(other_owner)
    variant = product.variants[0]
    for url in (
        f"/brands/rival/products/{product.id}/image",
        f"/brands/rival/variants/{variant.id}/image",
    ):
        assert _upload(client, url, png(), "a.png").status_code == 404
        assert client.submit(f"{url}/remove").status_code == 404
    for url in (f"/brands/acme/products/{product.id}/image", "/brands/acme/settings/images/logo"):
        assert _upload(client, url, png(), "a.png").status_code == 404
    assert _images() == 0


def test_support_staff_cannot_change_pictures(client, make, brand, product):
    client.login_as(make.member(brand, role="support"))
    assert _upload(client, f"/brands/acme/products/{product.id}/image", png(), "a.png").status_code == 403
    assert client.submit("/brands/acme/settings/images/logo/remove").status_code == 403
    assert _images() == 0
