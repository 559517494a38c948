"""A small mall for support tests: two brands, one shopper order with a line from each, and their teams."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from mall.checkout.services import place_order
from mall.extensions import db
from mall.orders.models import Order, SubOrder
from mall.support.models import SupportThread
from tests.checkout.conftest import pickup_details


@dataclass
class Brand:
    tenant: object
    owner: object
    agent: object
    variant: object
    drop: object

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def sub_order(self, order) -> SubOrder:
        return db.session.scalar(
            select(SubOrder).where(SubOrder.order_id == order.id, SubOrder.tenant_id == self.tenant.id)
        )


@dataclass
class Mall:
    aurora: Brand
    sole: Brand
    hub: object
    pickup: object
    order: Order


@pytest.fixture
def mall(make, engine) -> Mall:
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    pickup = make.hub(kind="pickup_point", code="PP-CAMDEN", name="Camden Pickup", address="1 Camden High St")
    brands = []
    for slug, name, price in (("aurora", "Aurora Knits", 4_000), ("sole", "Sole Club", 9_000)):
        owner = make.user(email=f"owner@{slug}.example.com", name=f"{name} owner")
        tenant = make.brand(owner=owner, slug=slug, name=name, first_response_minutes=15, resolution_minutes=240)
        agent = make.member(tenant, make.user(email=f"agent@{slug}.example.com", name=f"{name} agent"), role="support")
        variant = make.product(tenant, name=f"{name} hero", price_cents=price).variants[0]
        make.stock(variant, hub, 5)
        drop = make.drop(tenant, [variant], starts_in=timedelta(minutes=-1), limit=3, tiers=())  # list prices
        brands.append(Brand(tenant, owner, agent, variant, drop))
    holds = [engine.place_hold(b.drop.id, b.variant.id, "cart-support", 1).hold_id for b in brands]
    order = place_order(db.session, engine, "cart-support", "key-support-000000000000", pickup_details(pickup), holds)
    return Mall(brands[0], brands[1], hub, pickup, order)


def ask(client, order, slug: str, message: str, about: str = "lines"):
    """The shopper asks a brand about their order from the private order page."""
    return client.submit(f"/orders/{order.tracking_token}/ask/{slug}", {"about": about, "message": message})


def latest_thread() -> SupportThread:
    db.session.expire_all()
    return db.session.scalar(select(SupportThread).order_by(SupportThread.id.desc()))


def inbox_url(brand: Brand, path: str = "") -> str:
    return f"/brands/{brand.slug}/inbox{path}"
