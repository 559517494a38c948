from sqlalchemy import select

from mall.catalog.models import Product, Variant
from mall.extensions import db
from tests.support import text_of


def test_owner_creates_a_product_and_lands_on_its_page(signed_in, brand):
    response = signed_in.submit("/brands/acme/products/new", {"name": "  Heavy tee ", "description": "Organic cotton."})

    assert response.status_code == 303
    product = db.session.scalar(select(Product))
    assert (product.name, product.description, product.tenant_id) == ("Heavy tee", "Organic cotton.", brand.id)
    assert response.headers["Location"].endswith(f"/brands/acme/products/{product.id}")
    page = signed_in.get(response.headers["Location"])
    assert "Created Heavy tee" in text_of(page)


def test_product_list_counts_variants_and_units(signed_in, brand, make, hubs):
    product = make.product(brand, name="Heavy tee", variants=2)
    make.stock(product.variants[0], hubs[0], 7)
    make.stock(product.variants[1], hubs[1], 5)
    make.product(brand, name="Cap", variants=0)

    text = text_of(signed_in.get("/brands/acme/products"))

    assert "Heavy tee 2 12" in text
    assert "Cap 0 0" in text


def test_product_name_is_required_and_nothing_is_saved(signed_in):
    response = signed_in.submit("/brands/acme/products/new", {"name": "   ", "description": "x"})

    assert response.status_code == 422
    assert "Give the product a name." in text_of(response)
    assert db.session.scalar(select(Product)) is None


def test_oversized_text_is_an_inline_error(signed_in, brand, make):
    product = make.product(brand, name="Heavy tee")
    response = signed_in.submit(f"/brands/acme/products/{product.id}", {"name": "x" * 121, "description": "y" * 2001})

    assert response.status_code == 422
    text = text_of(response)
    assert "Keep the name under 120 characters." in text
    assert "Keep the description under 2,000 characters." in text
    db.session.expire_all()
    assert db.session.get(Product, product.id).name == "Heavy tee"


def test_control_characters_are_refused(signed_in):
    response = signed_in.submit("/brands/acme/products/new", {"name": "Tee\x07", "description": ""})

    assert response.status_code == 422
    assert "Remove the invisible control characters" in text_of(response)
    assert db.session.scalar(select(Product)) is None

    response = signed_in.submit("/brands/acme/products/new", {"name": "Tee\x00", "description": ""})
    assert response.status_code == 400 and "character we cannot accept" in text_of(response)
    assert db.session.scalar(select(Product)) is None


def test_editing_a_product_saves_name_and_description(signed_in, brand, make):
    product = make.product(brand, name="Heavy tee")

    data = {"name": "Heavier tee", "description": "Now 300gsm."}
    response = signed_in.submit(f"/brands/acme/products/{product.id}", data)

    assert response.status_code == 303
    db.session.expire_all()
    assert (db.session.get(Product, product.id).name, db.session.get(Product, product.id).description) == (
        "Heavier tee",
        "Now 300gsm.",
    )


def test_product_page_lists_its_variants(signed_in, brand, make):
    product = make.product(brand, name="Heavy tee", variants=0)
    make.variant(product, sku="TEE-BLK-M", name="Black, M", price_cents=2499)

    text = text_of(signed_in.get(f"/brands/acme/products/{product.id}"))

    assert "TEE-BLK-M Black, M £24.99" in text


def test_support_can_look_but_not_change(as_role, brand, make):
    product = make.product(brand, name="Heavy tee")
    client = as_role("support")

    page = client.get(f"/brands/acme/products/{product.id}")
    assert page.status_code == 200
    assert "Save product" not in text_of(page) and "Add variant" not in text_of(page)
    assert client.get("/brands/acme/products/new").status_code == 403
    assert client.submit("/brands/acme/products/new", {"name": "Sneaky"}).status_code == 403
    assert client.submit(f"/brands/acme/products/{product.id}", {"name": "Renamed"}).status_code == 403
    assert client.submit(f"/brands/acme/products/{product.id}/variants", {"sku": "X1", "price": "1"}).status_code == 403
    db.session.expire_all()
    assert db.session.scalars(select(Product.name)).all() == ["Heavy tee"]
    assert len(db.session.scalars(select(Variant)).all()) == 1


def test_a_manager_may_change_products(as_role):
    client = as_role("manager")

    assert client.submit("/brands/acme/products/new", {"name": "Manager's pick"}).status_code == 303
    assert db.session.scalar(select(Product.name)) == "Manager's pick"


def test_posting_without_csrf_is_refused(signed_in):
    assert signed_in.post("/brands/acme/products/new", data={"name": "No token"}).status_code == 400
    assert db.session.scalar(select(Product)) is None


def test_anonymous_visitors_are_sent_to_log_in(client, brand):
    response = client.get("/brands/acme/products")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
