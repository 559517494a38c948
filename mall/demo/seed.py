"""`flask --app mall seed-demo`: create or refresh the demo mall.

Rows are upserted by natural keys, so running it twice leaves the same rows; every run moves the
live and upcoming demo drops' windows relative to now, so there is always something live and upcoming.
The past drops are played once through the mall's services (mall/demo/history.py): orders, parcels,
support threads and a creator's links, then the reports and alerts the workers would make of them.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, event, select

from mall.accounts.models import User
from mall.accounts.passwords import hash_password
from mall.catalog.models import Product, Variant
from mall.clock import utcnow
from mall.demo.catalogue import BRANDS, DROPS, HUBS, PASSWORD, PRODUCTS, SOLD_OUT
from mall.demo.stories import PAST_ORDERS, SOLD_OUT_HUB
from mall.demo.images import seed_images
from mall.drops.models import Drop, DropItem, DropStatus, PriceTier
from mall.demo.history import has_sales
from mall.demo.lived_in import seed_lived_in
from mall.drops.pricing import effective_status
from mall.extensions import db
from mall.fulfilment.models import HubMember
from mall.hubs.models import Hub
from mall.stock.models import StockLevel
from tenants.models import Membership, Role, Tenant

OPERATOR_EMAIL = "operator@flashmall.test"
CREATOR_EMAIL = "creator@flashmall.test"
HUB_STAFF_EMAIL = "hub@flashmall.test"
HUB_STAFF_HUB = "MH-SHOREDITCH"


def seed_demo() -> Iterator[str]:
    """Upsert the whole demo in one transaction, reporting as it goes."""
    now = utcnow().replace(second=0, microsecond=0)
    password_hash = hash_password(PASSWORD)
    try:
        yield "Seeding the demo mall…"
        logins = list(_seed_people_and_brands(password_hash))
        yield f"  {len(BRANDS)} brands with owners, policies and products"
        hubs = _seed_hubs()
        logins.insert(2, _seed_hub_staff(password_hash))  # after the operator and the creator
        yield f"  {len(hubs)} shared hubs"
        _seed_stock(hubs)
        yield "  stock split across the hubs and the central reserve"
        drops = _seed_drops(now)
        yield f"  {seed_images()} pictures drawn (products, logos, banners)"
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _forget_drop_settings(drops)
    with _commits_without_waiting_for_disk():
        yield from seed_lived_in(drops, now, CREATOR_EMAIL)
    yield from _summary(drops, now, logins)


@contextmanager
def _commits_without_waiting_for_disk():
    """The history commits a few hundred times through the services; PostgreSQL need not flush each to disk before
    answering (a seed cut short by a crash is simply run again). Only this process's seed transactions."""
    if db.engine.dialect.name != "postgresql":
        yield
        return

    def no_disk_wait(connection):
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    event.listen(db.engine, "begin", no_disk_wait)
    try:
        yield
    finally:
        event.remove(db.engine, "begin", no_disk_wait)


def _forget_drop_settings(drops: list[Drop]) -> None:
    """The windows moved: the stock engine reloads each drop's settings on its next hold."""
    from mall.stock.access import stock_engine

    for drop in drops:
        stock_engine().forget_drop(drop.id)


def _summary(drops: list[Drop], now: datetime, logins: list[tuple[str, str]]) -> Iterator[str]:
    states = Counter(str(effective_status(d, now)) for d in drops)
    yield (
        f"Done: {len(drops)} drops — {states['ended']} past, {states['live']} live, "
        f"{states['scheduled']} upcoming; {_count(Product)} products, {_count(Variant)} variants."
    )
    yield ""
    yield f"Demo logins (password for all: {PASSWORD}):"
    for email, what in logins:
        yield f"  {email:<36} {PASSWORD}   {what}"


def _count(model) -> int:
    return db.session.scalar(select(db.func.count()).select_from(model))


def _user(email: str, name: str, password_hash: str, operator: bool = False, creator: bool = False) -> User:
    user = db.session.scalar(select(User).where(User.email == email)) or User(email=email)
    user.name = name
    user.password_hash = password_hash  # the demo password always works after a re-seed
    user.is_operator = operator
    user.is_creator = creator
    db.session.add(user)
    db.session.flush()
    return user


def _member(tenant: Tenant, user: User, role: Role) -> None:
    membership = db.session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    ) or Membership(tenant_id=tenant.id, user_id=user.id)
    membership.role = role.value
    db.session.add(membership)


def _seed_people_and_brands(password_hash: str) -> Iterator[tuple[str, str]]:
    _user(OPERATOR_EMAIL, "Mall Operator", password_hash, operator=True)
    yield OPERATOR_EMAIL, "mall operator (hubs, brands)"
    _user(CREATOR_EMAIL, "Casey Creator", password_hash, creator=True)
    yield CREATOR_EMAIL, "creator"
    for index, spec in enumerate(BRANDS):
        slug, name, colour, tagline, owner_name, returns, warranty, cancellation, window = spec
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug)) or Tenant(slug=slug)
        tenant.name, tenant.colour, tenant.tagline = name, colour, tagline
        tenant.returns_policy, tenant.warranty_policy, tenant.cancellation_policy = returns, warranty, cancellation
        tenant.cancellation_window_minutes = window
        db.session.add(tenant)
        db.session.flush()
        owner = _user(f"owner@{slug}.test", owner_name, password_hash)
        _member(tenant, owner, Role.OWNER)
        yield owner.email, f"owner of {name}"
        if index == 0:
            for role in (Role.MANAGER, Role.SUPPORT):
                staff = _user(f"{role.value}@{slug}.test", f"{name} {role.value}", password_hash)
                _member(tenant, staff, role)
                yield staff.email, f"{role.value} at {name}"
        _seed_products(tenant)


def _seed_products(tenant: Tenant) -> None:
    for name, description, variants in PRODUCTS[tenant.slug]:
        product = db.session.scalar(
            select(Product).where(Product.tenant_id == tenant.id, Product.name == name)
        ) or Product(tenant_id=tenant.id, name=name)
        product.description = description
        db.session.add(product)
        db.session.flush()
        for sku, variant_name, price_cents in variants:
            variant = db.session.scalar(
                select(Variant).where(Variant.tenant_id == tenant.id, Variant.sku == sku)
            ) or Variant(tenant_id=tenant.id, sku=sku)
            variant.product_id, variant.name, variant.price_cents = product.id, variant_name, price_cents
            db.session.add(variant)
    db.session.flush()


def _seed_hubs() -> list[Hub]:
    hubs = []
    for code, name, kind, address, latitude, longitude, throughput, opens, closes in HUBS:
        hub = db.session.scalar(select(Hub).where(Hub.code == code)) or Hub(code=code)
        hub.name, hub.kind, hub.address = name, kind, address
        hub.latitude, hub.longitude, hub.throughput_per_hour = latitude, longitude, throughput
        hub.opens_at, hub.closes_at, hub.active = opens, closes, True
        db.session.add(hub)
        hubs.append(hub)
    db.session.flush()
    return hubs


def _seed_hub_staff(password_hash: str) -> tuple[str, str]:
    hub = db.session.scalar(select(Hub).where(Hub.code == HUB_STAFF_HUB))
    staff = _user(HUB_STAFF_EMAIL, "Harper Hub", password_hash)
    if db.session.scalar(select(HubMember.id).where(HubMember.hub_id == hub.id, HubMember.user_id == staff.id)) is None:
        db.session.add(HubMember(hub_id=hub.id, user_id=staff.id))
        db.session.flush()
    return staff.email, f"hub staff at {hub.name} (picking list)"


def _seed_stock(hubs: list[Hub]) -> None:
    """Most units sit in the reserve; each SKU also sits at two or three nearer hubs."""
    reserve = next(h for h in hubs if h.kind == "central_reserve")
    near = [h for h in hubs if h.kind != "central_reserve"]
    variants = db.session.execute(
        select(Variant, Product.name)
        .join(Product, Product.id == Variant.product_id)
        .join(Tenant, Tenant.id == Variant.tenant_id)
        .where(Tenant.slug.in_(PRODUCTS), Variant.sku.in_(_DEMO_SKUS))
        .order_by(Variant.sku)
    ).all()
    sold_out_hub = next(h for h in hubs if h.code == SOLD_OUT_HUB)
    for index, (variant, product_name) in enumerate(variants):
        if product_name in SOLD_OUT:  # exactly what the past drop's orders buy (mall/demo/stories.py)
            _stock(variant, sold_out_hub, _ordered_units(variant.sku))
            continue
        spread = [(reserve, 40 + 5 * (index % 4))]
        spread += [(near[(index + k) % len(near)], 8 + 3 * ((index + k) % 3)) for k in range(2 + index % 2)]
        for hub, on_hand in spread:
            _stock(variant, hub, on_hand)


def _ordered_units(sku: str) -> int:
    return sum(units for orders in PAST_ORDERS.values() for order in orders for s, units in order[1] if s == sku)


def _stock(variant: Variant, hub: Hub, on_hand: int) -> None:
    """Units are sold only by orders, through the checkout; a new stock row starts with none sold."""
    level = db.session.scalar(
        select(StockLevel).where(StockLevel.variant_id == variant.id, StockLevel.hub_id == hub.id)
    ) or StockLevel(tenant_id=variant.tenant_id, variant_id=variant.id, hub_id=hub.id)
    if level.id is None:
        level.on_hand, level.sold = on_hand, 0
    else:  # real sales since the last seed stay on the books
        level.on_hand = max(on_hand, level.sold)
    db.session.add(level)


def _seed_drops(now: datetime) -> list[Drop]:
    tenants = {t.slug: t for t in db.session.scalars(select(Tenant).where(Tenant.slug.in_(PRODUCTS)))}
    drops = []
    for slug, title, product_name, starts_in, length, tiers, hold, limit in DROPS:
        tenant = tenants[slug]
        starts_at = now + starts_in
        drop = db.session.scalar(
            select(Drop).where(Drop.tenant_id == tenant.id, Drop.title == title)
        ) or Drop(tenant_id=tenant.id, title=title)
        drop.description = f"{tenant.name}: {product_name}, for a short while only."
        if drop.id is not None and starts_in + length < timedelta(0) and has_sales(db.session, drop):
            drops.append(drop)  # a past drop that sold keeps its window: its orders happened in it
            continue
        drop.starts_at, drop.ends_at = starts_at, starts_at + length
        drop.hold_minutes, drop.per_shopper_limit = hold, limit
        drop.status = str(_stored_status(starts_at, starts_at + length, now))
        db.session.add(drop)
        db.session.flush()
        _set_heroes(drop, product_name)
        _set_tiers(drop, tiers)
        drops.append(drop)
    return drops


def _stored_status(starts_at: datetime, ends_at: datetime, now: datetime) -> DropStatus:
    if now < starts_at:
        return DropStatus.SCHEDULED
    return DropStatus.LIVE if now < ends_at else DropStatus.ENDED


def _set_heroes(drop: Drop, product_name: str) -> None:
    variant_ids = db.session.scalars(
        select(Variant.id)
        .join(Product, Product.id == Variant.product_id)
        .where(Product.tenant_id == drop.tenant_id, Product.name == product_name)
        .order_by(Variant.id)
    ).all()
    db.session.execute(delete(DropItem).where(DropItem.drop_id == drop.id, DropItem.variant_id.not_in(variant_ids)))
    present = {i.variant_id: i for i in db.session.scalars(select(DropItem).where(DropItem.drop_id == drop.id))}
    for position, variant_id in enumerate(variant_ids):
        item = present.get(variant_id) or DropItem(tenant_id=drop.tenant_id, drop_id=drop.id, variant_id=variant_id)
        item.position = position
        db.session.add(item)
    db.session.flush()


def _set_tiers(drop: Drop, tiers) -> None:
    # Delete first and flush: the new rows reuse the (drop, from_minute) unique key.
    db.session.execute(delete(PriceTier).where(PriceTier.drop_id == drop.id))
    db.session.flush()
    for from_minute, until_minute, percent_off in tiers:
        db.session.add(
            PriceTier(
                tenant_id=drop.tenant_id,
                drop_id=drop.id,
                from_minute=from_minute,
                until_minute=until_minute,
                percent_off=percent_off,
            )
        )
    db.session.flush()
    db.session.expire(drop, ["items", "tiers"])


_DEMO_SKUS = {sku for products in PRODUCTS.values() for _, _, variants in products for sku, _, _ in variants}
