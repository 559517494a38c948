import pytest
from sqlalchemy import select

from mall.catalog.models import Variant
from mall.catalog.services import PriceError, parse_price
from mall.extensions import db
from tests.support import text_of


@pytest.fixture
def product(make, brand):
    return make.product(brand, name="Heavy tee", variants=0)


def _variants():
    db.session.expire_all()
    return db.session.scalars(select(Variant).order_by(Variant.id)).all()


@pytest.mark.parametrize(
    "typed, cents",
    [
        ("24.99", 2499),
        ("0", 0),
        ("0.1", 10),
        ("£7.50", 750),
        ("100000", 10_000_000),
        ("100000.00", 10_000_000),
        (" 3 ", 300),
    ],
)
def test_prices_in_pounds_become_exact_cents(typed, cents):
    assert parse_price(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "24.999", "-1", "1e3", "24,99", "100000.01", "nan", "0x10", "١٢"])
def test_prices_that_are_not_money_are_refused(typed):
    with pytest.raises(PriceError):
        parse_price(typed)


def test_adding_a_variant_without_javascript_redirects_back(signed_in, product, brand):
    response = signed_in.submit(
        f"/brands/acme/products/{product.id}/variants",
        {"sku": "tee-blk-m", "variant_name": "Black, M", "price": "24.99"},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/brands/acme/products/{product.id}")
    [variant] = _variants()
    assert (variant.sku, variant.name, variant.price_cents) == ("TEE-BLK-M", "Black, M", 2499)
    assert variant.tenant_id == brand.id
    assert "Added variant TEE-BLK-M" in text_of(signed_in.get(response.headers["Location"]))


def test_adding_a_variant_with_htmx_swaps_only_the_variants_table(signed_in, product):
    response = signed_in.submit(
        f"/brands/acme/products/{product.id}/variants",
        {"sku": "TEE-WHT-S", "variant_name": "White, S", "price": "19"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="variants">')
    assert "<html" not in html
    assert "TEE-WHT-S White, S £19.00" in text_of(response)
    assert [v.sku for v in _variants()] == ["TEE-WHT-S"]


def test_a_duplicate_sku_is_an_inline_error(signed_in, product, make):
    make.variant(product, sku="TEE-BLK-M", price_cents=2499)

    response = signed_in.submit(f"/brands/acme/products/{product.id}/variants", {"sku": "tee-blk-m", "price": "20"})

    assert response.status_code == 422
    assert "SKU TEE-BLK-M is already used by another of your variants." in text_of(response)
    assert len(_variants()) == 1


def test_htmx_gets_the_invalid_variant_form_back_with_422(signed_in, product):
    response = signed_in.submit(
        f"/brands/acme/products/{product.id}/variants", {"sku": "OK-1", "price": "-5"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "<html" not in response.get_data(as_text=True)
    assert "The price cannot be negative." in text_of(response)
    assert _variants() == []


def test_the_same_sku_is_fine_in_another_brand(signed_in, product, make):
    other = make.product(make.brand(), variants=0)
    make.variant(other, sku="TEE-BLK-M")

    response = signed_in.submit(f"/brands/acme/products/{product.id}/variants", {"sku": "TEE-BLK-M", "price": "20"})

    assert response.status_code == 303
    assert len(_variants()) == 2


@pytest.mark.parametrize(
    "data, message",
    [
        ({"sku": "", "price": "1"}, "Enter a SKU."),
        ({"sku": "has space", "price": "1"}, "Use letters, digits, dots, dashes or underscores."),
        ({"sku": "X" * 41, "price": "1"}, "A SKU is at most 40 characters."),
        ({"sku": "OK-1", "price": ""}, "Enter a price, e.g. 24.99."),
        ({"sku": "OK-1", "price": "-0.01"}, "The price cannot be negative."),
        ({"sku": "OK-1", "price": "12.345"}, "at most two decimals"),
        ({"sku": "OK-1", "price": "100000.01"}, "The price can be at most £100,000.00."),
        ({"sku": "OK-1", "price": "1", "variant_name": "n" * 81}, "Keep the name under 80 characters."),
    ],
)
def test_invalid_variants_are_refused_inline(signed_in, product, data, message):
    response = signed_in.submit(f"/brands/acme/products/{product.id}/variants", data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert _variants() == []


def test_editing_a_variant(signed_in, product, make):
    variant = make.variant(product, sku="TEE-BLK-M", name="Black, M", price_cents=2499)
    page = signed_in.get(f"/brands/acme/variants/{variant.id}")
    assert 'value="24.99"' in page.get_data(as_text=True)

    response = signed_in.submit(
        f"/brands/acme/variants/{variant.id}", {"sku": "TEE-BLK-M", "variant_name": "Black, medium", "price": "22.5"}
    )

    assert response.status_code == 303
    [saved] = _variants()
    assert (saved.name, saved.price_cents) == ("Black, medium", 2250)


def test_editing_a_variant_to_another_variants_sku_is_refused(signed_in, product, make):
    make.variant(product, sku="TEE-BLK-M", price_cents=2499)
    second = make.variant(product, sku="TEE-BLK-L", price_cents=2499)

    response = signed_in.submit(f"/brands/acme/variants/{second.id}", {"sku": "TEE-BLK-M", "price": "1"})

    assert response.status_code == 422
    assert "SKU TEE-BLK-M is already used" in text_of(response)
    assert [v.sku for v in _variants()] == ["TEE-BLK-M", "TEE-BLK-L"]


def test_support_sees_a_variant_but_cannot_edit_it(as_role, product, make):
    variant = make.variant(product, sku="TEE-BLK-M", price_cents=2499)
    client = as_role("support")

    page = client.get(f"/brands/acme/variants/{variant.id}")
    assert page.status_code == 200 and "£24.99" in text_of(page)
    assert client.submit(f"/brands/acme/variants/{variant.id}", {"sku": "HACK", "price": "0"}).status_code == 403
    assert _variants()[0].sku == "TEE-BLK-M"
