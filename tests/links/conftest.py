"""A small mall for creator-link tests: three brands with live drops, a creator in two brands' programmes."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from mall.accounts.models import User
from mall.extensions import db, redis_client
from mall.links import services
from mall.links.models import CreatorLink, CreatorPartnership, PartnershipStatus
from mall.links.redirects import sync_links
from tenants.models import Tenant

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@dataclass
class Mall:
    hub: object
    pickup: object
    brands: dict  # slug -> Tenant
    drops: dict  # slug -> Drop
    variants: dict  # slug -> Variant
    creator: User
    owner: User


def partner(tenant: Tenant, creator: User, commission_bp=1000, window_hours=24, status=PartnershipStatus.APPROVED):
    row = CreatorPartnership(
        tenant_id=tenant.id, creator_id=creator.id, status=str(status), commission_bp=commission_bp, window_hours=window_hours
    )
    db.session.add(row)
    db.session.commit()
    return row


def make_link(creator: User, tenant: Tenant, drop=None, code="") -> CreatorLink:
    return services.create_link(db.session, creator, tenant.id, drop.id if drop is not None else None, code)


def ready_table() -> None:
    """What the worker's first sync does: load every link and mark the table complete."""
    sync_links(db.session, redis_client())


@pytest.fixture
def mall(make) -> Mall:
    hub = make.hub(code="MH-1", name="Soho Micro-hub")
    pickup = make.hub(code="PP-1", name="Camden pickup", kind="pickup_point")
    owner = make.user(email="owner@example.com", name="Olive Owner")
    brands, drops, variants = {}, {}, {}
    for slug, name, price in (("north", "North Knits", 4_000), ("sole", "Sole Club", 9_000), ("plain", "Plain Goods", 2_000)):
        brand = make.brand(owner=owner, slug=slug, name=name)
        variant = make.product(brand, name=f"{name} hero", price_cents=price).variants[0]
        make.stock(variant, hub, 10)
        drops[slug] = make.drop(brand, [variant], starts_in=timedelta(minutes=-1), lasts=timedelta(hours=6), tiers=(), limit=5)
        brands[slug], variants[slug] = brand, variant
    creator = make.user(email="ada@example.com", name="Ada Creator", creator=True)
    partner(brands["north"], creator, commission_bp=1000, window_hours=24)
    partner(brands["sole"], creator, commission_bp=500, window_hours=48)
    return Mall(hub, pickup, brands, drops, variants, creator, owner)


def click(client, code: str, agent: str = BROWSER, method: str = "GET", ip: str = "127.0.0.1", **headers):
    headers = {"User-Agent": agent, **headers} if agent is not None else headers
    return client.open(f"/c/{code}", method=method, headers=headers, environ_base={"REMOTE_ADDR": ip})


def hold(client, mall: Mall, slug: str, qty: int = 1):
    response = client.submit(
        "/cart/holds", {"drop_id": mall.drops[slug].id, "variant_id": mall.variants[slug].id, "quantity": qty}
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def check_out(client, mall: Mall, email: str = "shopper@example.com"):
    page = client.get("/checkout").get_data(as_text=True)
    form = {
        "idempotency_key": re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1),
        "holds": re.search(r'name="holds"[^>]*value="([^"]*)"', page).group(1),
        "name": "Sam Shopper",
        "email": email,
        "fulfilment": "pickup",
        "pickup_hub_id": mall.pickup.id,
        "payment_provider": "pay_on_handover",
    }
    response = client.submit("/checkout", form)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response
