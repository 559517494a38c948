"""A manager of brand B never reaches brand A's products, variants, stock or drops."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mall.catalog.models import Product, Variant
from mall.drops.models import Drop, DropItem
from mall.extensions import db
from mall.stock.models import StockLevel
from tests.drops.conftest import drop_form
from tests.support import text_of


@pytest.fixture
def brand_a(make, brand, hubs):
    """Acme (brand A) with a product, a stocked variant and a scheduled drop."""
    product = make.product(brand, name="Acme tee")
    variant = product.variants[0]
    make.stock(variant, hubs[0], 10)
    drop = make.drop(brand, [variant], starts_in=timedelta(days=1), status="draft")
    return {"product": product.id, "variant": variant.id, "drop": drop.id}


@pytest.fixture
def manager_b(client, make):
    user = make.user()
    brand_b = make.brand(slug="bravo", name="Bravo Boots")
    make.member(brand_b, user, role="manager")
    bravo_variant = make.product(brand_b, name="Bravo boot").variants[0]
    client.login_as(user)
    return {"client": client, "brand": brand_b, "variant": bravo_variant}


def _urls(ids, slug):
    p, v, d = ids["product"], ids["variant"], ids["drop"]
    gets = [
        f"/brands/{slug}/products/{p}",
        f"/brands/{slug}/variants/{v}",
        f"/brands/{slug}/variants/{v}/stock",
        f"/brands/{slug}/drops/{d}",
        f"/brands/{slug}/drops/{d}/edit",
    ]
    posts = [
        (f"/brands/{slug}/products/{p}", {"name": "Stolen"}),
        (f"/brands/{slug}/products/{p}/variants", {"sku": "STOLEN", "price": "1"}),
        (f"/brands/{slug}/variants/{v}", {"sku": "STOLEN", "price": "1"}),
        (f"/brands/{slug}/variants/{v}/stock", {}),
        (f"/brands/{slug}/drops/{d}/edit", {"title": "Stolen"}),
        (f"/brands/{slug}/drops/{d}/schedule", {}),
        (f"/brands/{slug}/drops/{d}/cancel", {}),
    ]
    return gets, posts


def _a_is_untouched(ids):
    db.session.expire_all()
    assert db.session.get(Product, ids["product"]).name == "Acme tee"
    assert db.session.scalar(select(func.count(Variant.id)).where(Variant.sku == "STOLEN")) == 0
    assert db.session.get(Drop, ids["drop"]).status == "draft"
    assert db.session.scalar(select(StockLevel.on_hand).where(StockLevel.variant_id == ids["variant"])) == 10


@pytest.mark.parametrize("through", ["acme", "bravo"], ids=["under-brand-a", "a-ids-under-own-brand"])
def test_brand_a_rows_are_404_for_a_brand_b_manager(brand_a, manager_b, through):
    client = manager_b["client"]
    gets, posts = _urls(brand_a, through)

    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        if url.endswith("/stock"):
            data = {f"hub_{hub_id}": "0" for hub_id in range(1, 10)}
        assert client.submit(url, data).status_code == 404, url
    _a_is_untouched(brand_a)


def test_brand_a_lists_are_404_for_a_brand_b_manager(brand_a, manager_b):
    client = manager_b["client"]

    for url in ("/brands/acme/products", "/brands/acme/stock", "/brands/acme/drops", "/brands/acme/drops/new"):
        assert client.get(url).status_code == 404, url
    assert client.submit("/brands/acme/products/new", {"name": "Planted"}).status_code == 404
    assert db.session.scalar(select(func.count(Product.id)).where(Product.name == "Planted")) == 0


def test_brand_b_cannot_attach_brand_a_variant_to_its_drop(brand_a, manager_b, make):
    client, own = manager_b["client"], manager_b["variant"]
    foreign = db.session.get(Variant, brand_a["variant"])

    as_hero = client.submit("/brands/bravo/drops/new", drop_form([own, foreign]))
    as_fallback = client.submit("/brands/bravo/drops/new", drop_form([own], fallback_variant=str(foreign.id)))
    bravo_drop = make.drop(manager_b["brand"], [own], starts_in=timedelta(days=1), status="draft")
    on_edit = client.submit(f"/brands/bravo/drops/{bravo_drop.id}/edit", drop_form([foreign]))

    assert as_hero.status_code == as_fallback.status_code == on_edit.status_code == 422
    assert "Choose hero variants from your own products." in text_of(as_hero)
    assert "Choose the fallback from your own products." in text_of(as_fallback)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(DropItem.id)).where(DropItem.variant_id == foreign.id)) == 1  # A's own
    assert [item.variant_id for item in db.session.get(Drop, bravo_drop.id).items] == [own.id]
    assert db.session.scalar(select(func.count(Drop.id)).where(Drop.tenant_id == manager_b["brand"].id)) == 1


def test_stock_matrix_of_brand_b_never_shows_brand_a(brand_a, manager_b):
    text = text_of(manager_b["client"].get("/brands/bravo/stock"))

    assert "Bravo boot" in text and "Acme tee" not in text
