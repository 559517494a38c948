"""The demo seed draws its own pictures (nothing downloaded), stores them like uploads, and a re-run adds none."""

from pathlib import Path

from sqlalchemy import func, select

from mall.catalog.models import Product
from mall.demo.seed import seed_demo
from mall.extensions import db
from mall.media.models import BrandImage, Image
from tenants.models import Tenant


def _files(app) -> set[str]:
    return {p.name for p in Path(app.config["MEDIA_ROOT"]).rglob("*") if p.is_file()}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_every_demo_product_has_a_picture_and_every_brand_a_logo_and_banner(app, app_ctx, client):
    lines = list(seed_demo())

    assert any("pictures drawn" in line for line in lines)
    products = db.session.scalars(select(Product)).all()
    assert products and all(p.image is not None for p in products)
    slots = db.session.execute(select(BrandImage.tenant_id, BrandImage.slot)).all()
    assert len(slots) == 2 * _count(Tenant)
    files = _files(app)
    for image in db.session.scalars(select(Image)):
        assert set(image.keys) <= files
    guji = db.session.scalar(select(Product).where(Product.name == "Ethiopia Guji Natural"))
    assert guji.image.rendition_widths == [320, 640, 960]
    assert client.get(f"/media/{guji.image.key(640, 'webp')}").mimetype == "image/webp"
    assert f"/media/{guji.image.digest}-320w.webp" in client.get("/shop/northbound-coffee").get_data(as_text=True)


def test_a_second_seed_draws_nothing_new_and_keeps_the_pictures_it_has(app, app_ctx):
    list(seed_demo())
    images, files = _count(Image), _files(app)
    own = db.session.scalar(select(Product).where(Product.name == "Speckled mug"))
    own_digest = own.image.digest

    lines = list(seed_demo())

    assert "  0 pictures drawn (products, logos, banners)" in lines
    assert _count(Image) == images and _files(app) == files
    db.session.expire_all()
    assert db.session.scalar(select(Product).where(Product.name == "Speckled mug")).image.digest == own_digest
