from sqlalchemy import select

from mall.catalog.models import Product
from mall.extensions import db
from tenants.scoping import tenant_scope


def test_bound_tenant_sees_only_its_own_products(make):
    brand_a, brand_b = make.brand(), make.brand()
    make.product(brand_a, name="Alpha jacket")
    make.product(brand_b, name="Beta boots")

    with tenant_scope(brand_a.id):
        names = db.session.scalars(select(Product.name)).all()
        assert names == ["Alpha jacket"]
        assert db.session.scalars(select(Product).where(Product.name == "Beta boots")).first() is None

    everyone = db.session.scalars(select(Product.name).order_by(Product.name)).all()
    assert everyone == ["Alpha jacket", "Beta boots"]


def test_lazy_loaded_relationships_are_filtered_too(make):
    brand_a, brand_b = make.brand(), make.brand()
    hub = make.hub()
    product_a = make.product(brand_a)
    make.stock(product_a.variants[0], hub, 5)
    make.stock(make.product(brand_b).variants[0], hub, 7)
    db.session.expire_all()

    from mall.stock.models import StockLevel

    with tenant_scope(brand_b.id):
        on_hand = db.session.scalars(select(StockLevel.on_hand)).all()
    assert on_hand == [7]
