from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from mall.accounts.models import User
from mall.accounts.passwords import password_matches
from mall.alerts.models import Alert
from mall.catalog.models import Product, Variant
from mall.clock import utcnow
from mall.demo.seed import seed_demo
from mall.drops.models import Drop, DropItem, PriceTier
from mall.drops.pricing import effective_status, tier_windows
from mall.extensions import db
from mall.fulfilment.models import Parcel, ParcelItem
from mall.hubs.models import Hub
from mall.links.models import CreatorCommission, CreatorLink, CreatorPartnership, LinkClickHour
from mall.monitor.models import DropReport
from mall.orders.models import Order, OrderLine, SubOrder
from mall.payments.models import BrandMoneyEntry
from mall.stock.models import StockLevel
from mall.support.models import SupportMessage, SupportThread
from tenants.models import Membership, Tenant
from tests.support import text_of

TABLES = (
    User, Tenant, Membership, Hub, Product, Variant, StockLevel, Drop, DropItem, PriceTier, Order, SubOrder, OrderLine,
    Parcel, ParcelItem, SupportThread, SupportMessage, CreatorPartnership, CreatorLink, LinkClickHour,
    CreatorCommission, BrandMoneyEntry, DropReport, Alert,
)



def _counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def _drop_states() -> Counter:
    now = utcnow()
    return Counter(str(effective_status(d, now)) for d in db.session.scalars(select(Drop)))


def test_seed_creates_exactly_the_promised_mall(seeded):
    counts = _counts()
    assert counts["tenants"] == 8 and counts["hubs"] == 6 and counts["drops"] == 20
    kinds = Counter(db.session.scalars(select(Hub.kind)))
    assert kinds == {"central_reserve": 1, "pickup_point": 2, "micro_hub": 3}
    states = _drop_states()
    assert states == {"ended": 6, "live": 6, "scheduled": 8}
    assert len(set(db.session.scalars(select(Tenant.colour)))) == 8


def test_every_brand_has_an_owner_products_policies_and_stock_in_the_reserve_or_sold_out(seeded):
    for brand in db.session.scalars(select(Tenant)):
        owners = db.session.scalars(
            select(User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == brand.id, Membership.role == "owner")
        ).all()
        assert owners == [f"owner@{brand.slug}.test"]
        assert brand.tagline and brand.returns_policy and brand.warranty_policy and brand.cancellation_policy
        products = db.session.scalars(select(Product).where(Product.tenant_id == brand.id)).all()
        assert 2 <= len(products) <= 3 and all(1 <= len(p.variants) <= 3 for p in products)
    reserve = db.session.scalar(select(Hub).where(Hub.kind == "central_reserve"))
    stocked = set(db.session.scalars(select(StockLevel.variant_id).where(StockLevel.hub_id == reserve.id)))
    sold_out = set(
        db.session.scalars(
            select(Variant.id).join(Product).where(Product.name.in_(["Ethiopia Guji Natural", "Changing robe", "Spice gift box"]))
        )
    )
    assert stocked | sold_out == set(db.session.scalars(select(Variant.id))) and not stocked & sold_out
    for level in db.session.scalars(select(StockLevel).where(StockLevel.variant_id.in_(sold_out))):
        assert level.sold == level.on_hand > 0  # every unit went to the past drop's orders
    assert db.session.scalar(select(func.count(func.distinct(StockLevel.hub_id)))) == 6


def test_staff_creator_and_operator_logins_work_with_the_demo_password(seeded):
    lines, _ = seeded
    first = db.session.scalar(select(Tenant).where(Tenant.slug == "northbound-coffee"))
    roles = dict(
        db.session.execute(
            select(User.email, Membership.role).join(Membership).where(Membership.tenant_id == first.id)
        ).all()
    )
    assert roles == {
        "owner@northbound-coffee.test": "owner",
        "manager@northbound-coffee.test": "manager",
        "support@northbound-coffee.test": "support",
    }
    operator = db.session.scalar(select(User).where(User.email == "operator@flashmall.test"))
    creator = db.session.scalar(select(User).where(User.email == "creator@flashmall.test"))
    assert operator.is_operator and not operator.is_creator
    assert creator.is_creator and not creator.is_operator
    assert password_matches(operator.password_hash, "flashmall-demo")
    tail = "\n".join(lines[-14:])
    assert any("orders in past drops" in line for line in lines)
    assert "Done: 20 drops" in "\n".join(lines)
    for email in ("operator@flashmall.test", "creator@flashmall.test", "hub@flashmall.test", "owner@runwild.test"):
        assert email in tail
    assert lines[-1].strip().endswith("owner of Ember Kitchen")


def test_live_demo_drops_have_two_discount_tiers(seeded):
    now = utcnow()
    live = [d for d in db.session.scalars(select(Drop)) if str(effective_status(d, now)) == "live"]
    assert len(live) >= 1
    for drop in live:
        assert len(tier_windows(drop)) == 2 and drop.items


def test_seeding_twice_leaves_the_same_rows(seeded):
    before = _counts()

    list(seed_demo())

    assert _counts() == before


def test_a_later_run_moves_the_windows_so_the_demo_is_live_again(seeded):
    _, clock = seeded
    clock.shift(timedelta(days=30))
    assert _drop_states()["live"] == 0  # a month later everything has ended

    list(seed_demo())

    states = _drop_states()
    assert states["live"] >= 1 and states["scheduled"] >= 1 and states["ended"] >= 1
    assert sum(states.values()) == 20


def test_the_mall_front_shows_the_seeded_drops(seeded, client):
    page = client.get("/").get_data(as_text=True)

    assert page.count('class="badge live"') >= 1 and page.count('class="badge scheduled"') >= 1
    assert "Northbound Coffee" in page


def test_the_demo_hub_worker_logs_in_to_their_own_hub_picking_list(seeded, client):
    response = client.submit("/login", {"email": "hub@flashmall.test", "password": "flashmall-demo"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/hubs")
    hubs = text_of(client.get("/hubs"))
    assert "Shoreditch Micro-hub" in hubs and "Brixton Village Pickup" not in hubs
