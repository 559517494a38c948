from datetime import time, timedelta

import pytest
from sqlalchemy import select

from mall.checkout.services import CheckoutDetails, place_order
from mall.extensions import db
from mall.fulfilment.models import Parcel

ALL_DAY = {"opens_at": time(0, 0), "closes_at": time(23, 59)}  # ETAs in these tests never wait for a hub to open


@pytest.fixture
def hubs(make):
    """Two micro-hubs, a pickup point with no stock of its own, and the central reserve."""
    return {
        "soho": make.hub(code="MH-SOHO", name="Soho Micro-hub", latitude=51.5136, longitude=-0.1365, **ALL_DAY),
        "east": make.hub(code="MH-EAST", name="Shoreditch Micro-hub", latitude=51.5245, longitude=-0.0780, **ALL_DAY),
        "camden": make.hub(
            code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point", address="1 Camden High St",
            latitude=51.5390, longitude=-0.1426, throughput_per_hour=30, **ALL_DAY,
        ),
        "reserve": make.hub(
            code="CR-WEST", name="West Reserve", kind="central_reserve", latitude=51.4700, longitude=-0.4500,
            throughput_per_hour=300, **ALL_DAY,
        ),
    }


@pytest.fixture
def quick_transfers(app, monkeypatch):
    """Reserve transfers fast enough (30 min) that the pickup point packs rather than the reserve."""
    monkeypatch.setitem(app.config, "FULFILMENT_TRANSFER_LEAD_MINUTES", "30")


@pytest.fixture
def brands(make):
    """Two brands, each with a live drop of one hero variant (no stock placed yet)."""
    rows = {}
    for key, name in (("knits", "Aurora Knits"), ("shoes", "Sole Club")):
        owner = make.user(email=f"{key}@example.com")
        brand = make.brand(owner=owner, slug=key, name=name)
        variant = make.product(brand, name=f"{name} hero", price_cents=4_000).variants[0]
        rows[key] = {"brand": brand, "owner": owner, "variant": variant}
    return rows


def live_drops(make, brands):
    for row in brands.values():
        row["drop"] = make.drop(row["brand"], [row["variant"]], starts_in=timedelta(minutes=-1), limit=5)
    return brands


def hold(engine, row, cart="cart-1", quantity=1):
    outcome = engine.place_hold(row["drop"].id, row["variant"].id, cart, quantity)
    assert outcome.ok, outcome.reason
    return outcome


def pickup_at(point, email="ada@example.com") -> CheckoutDetails:
    return CheckoutDetails("Ada Shopper", email, "pickup", point.id, "", "", "pay_on_handover")


def delivery_to(postcode: str, email="ada@example.com") -> CheckoutDetails:
    return CheckoutDetails("Ada Shopper", email, "delivery", None, "12 Long Lane, London", postcode, "pay_on_handover")


def checkout(engine, holds, details, cart="cart-1", key="key-fulfilment-0001"):
    return place_order(db.session, engine, cart, key, details, [h.hold_id for h in holds])


def parcels_of(order) -> list[Parcel]:
    db.session.expire_all()
    return list(db.session.scalars(select(Parcel).where(Parcel.order_id == order.id).order_by(Parcel.id)))


@pytest.fixture
def two_brand_order(make, engine, hubs, brands):
    """Both brands stocked at the Soho micro-hub, bought together for pickup in Camden."""
    for row in brands.values():
        make.stock(row["variant"], hubs["soho"], 5)
    live_drops(make, brands)
    holds = [hold(engine, brands["knits"]), hold(engine, brands["shoes"])]
    return checkout(engine, holds, pickup_at(hubs["camden"]))
