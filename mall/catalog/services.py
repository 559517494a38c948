"""Products, variants and the stock split across shared hubs: the rules live here."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mall.catalog.models import Product, Variant
from mall.drops.stock import drops_selling
from mall.extensions import db
from mall.hubs.models import Hub, HubKind
from mall.stock.access import stock_engine
from mall.stock.availability import Availability, variant_availability
from mall.stock.engine import StockEngine
from mall.stock.models import StockLevel
from mall.stock.replies import Taken

MAX_PRICE_CENTS = 100_000 * 100
MAX_UNITS_PER_HUB = 1_000_000
KIND_ORDER = {HubKind.MICRO_HUB: 0, HubKind.PICKUP_POINT: 1, HubKind.CENTRAL_RESERVE: 2}
_PRICE = re.compile(r"£?\s*([0-9]{1,9})(?:\.([0-9]{1,2}))?")


class PriceError(ValueError):
    """A price a person typed that we cannot take; the message says why."""


class SkuTaken(Exception):
    """Another variant of the brand already uses the SKU."""


class StockBelowSold(Exception):
    """Some hubs would hold fewer units than were already sold there."""

    def __init__(self, problems: dict[int, str]):
        super().__init__("stock below sold")
        self.problems = problems


# Money ----------------------------------------------------------------------


def parse_price(text: str | None) -> int:
    """'24.99' -> 2499, exactly (no floats); £ sign optional."""
    text = (text or "").strip()
    if not text:
        raise PriceError("Enter a price, e.g. 24.99.")
    if text.startswith("-"):
        raise PriceError("The price cannot be negative.")
    match = _PRICE.fullmatch(text)
    if not match:
        raise PriceError("Enter a price in pounds, e.g. 24.99 (at most two decimals).")
    pounds, pence = match.group(1), (match.group(2) or "0").ljust(2, "0")
    cents = int(pounds) * 100 + int(pence)
    if cents > MAX_PRICE_CENTS:
        raise PriceError("The price can be at most £100,000.00.")
    return cents


def price_text(cents: int) -> str:
    """2499 -> '24.99', the way the price field shows it."""
    return f"{cents // 100}.{cents % 100:02d}"


# Products and variants --------------------------------------------------------


@dataclass(frozen=True)
class ProductSummary:
    product: Product
    variant_count: int
    on_hand: int


def product_summaries(tenant_id: int) -> list[ProductSummary]:
    counts = dict(
        db.session.execute(
            select(Variant.product_id, func.count(Variant.id))
            .where(Variant.tenant_id == tenant_id)
            .group_by(Variant.product_id)
        ).all()
    )
    units = dict(
        db.session.execute(
            select(Variant.product_id, func.coalesce(func.sum(StockLevel.on_hand), 0))
            .join(StockLevel, StockLevel.variant_id == Variant.id)
            .where(Variant.tenant_id == tenant_id)
            .group_by(Variant.product_id)
        ).all()
    )
    products = db.session.scalars(
        select(Product).where(Product.tenant_id == tenant_id).order_by(Product.name, Product.id)
    ).all()
    return [ProductSummary(p, counts.get(p.id, 0), int(units.get(p.id, 0))) for p in products]


def create_product(tenant_id: int, name: str, description: str) -> Product:
    product = Product(tenant_id=tenant_id, name=name, description=description)
    db.session.add(product)
    db.session.commit()
    return product


def update_product(product: Product, name: str, description: str) -> None:
    product.name = name
    product.description = description
    db.session.commit()


def sku_taken(tenant_id: int, sku: str, except_variant_id: int | None = None) -> bool:
    query = select(Variant.id).where(Variant.tenant_id == tenant_id, Variant.sku == sku)
    if except_variant_id is not None:
        query = query.where(Variant.id != except_variant_id)
    return db.session.scalar(query.limit(1)) is not None


def add_variant(product: Product, sku: str, name: str, price_cents: int) -> Variant:
    variant = Variant(tenant_id=product.tenant_id, product_id=product.id, sku=sku, name=name, price_cents=price_cents)
    db.session.add(variant)
    _commit_sku(sku)
    return variant


def update_variant(variant: Variant, sku: str, name: str, price_cents: int) -> None:
    variant.sku, variant.name, variant.price_cents = sku, name, price_cents
    _commit_sku(sku)


def _commit_sku(sku: str) -> None:
    # The form checked the SKU; the unique constraint settles a race between two saves.
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise SkuTaken(sku) from error


def variants_of(tenant_id: int) -> list[Variant]:
    return db.session.scalars(
        select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.tenant_id == tenant_id)
        .order_by(Product.name, Variant.name, Variant.sku)
    ).all()


# Stock split ------------------------------------------------------------------


def active_hubs() -> list[Hub]:
    return sorted(db.session.scalars(select(Hub).where(Hub.active.is_(True))).all(), key=hub_sort_key)


def hub_sort_key(hub: Hub):
    return (KIND_ORDER.get(hub.kind, 9), hub.name, hub.id)


@dataclass(frozen=True)
class HubStock:
    hub: Hub
    units: Availability
    editable: bool

    on_hand = property(lambda self: self.units.on_hand)
    held = property(lambda self: self.units.held)
    sold = property(lambda self: self.units.sold)
    available = property(lambda self: self.units.free)


def hub_stock(variant: Variant) -> list[HubStock]:
    """One line per active hub, plus inactive hubs that still hold this variant (read-only)."""
    hubs = {hub.id: hub for hub in active_hubs()}
    for level in _levels([variant.id]):
        hubs.setdefault(level.hub_id, level.hub)
    units = variant_availability(db.session, stock_engine(), [variant.id], list(hubs))
    return [
        HubStock(hub, units.get((variant.id, hub.id), Availability()), bool(hub.active))
        for hub in sorted(hubs.values(), key=hub_sort_key)
    ]


def _levels(variant_ids: list[int], lock: bool = False) -> list[StockLevel]:
    query = select(StockLevel).where(StockLevel.variant_id.in_(variant_ids))
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query).all()


def set_stock_split(variant: Variant, on_hand_by_hub: dict[int, int]) -> None:
    """Set on_hand at each hub in one transaction; refuse all of it if a hub would go below sold + held."""
    engine = stock_engine()
    levels = {level.hub_id: level for level in _levels([variant.id], lock=True)}
    held = engine.held(variant.id, list(on_hand_by_hub))
    problems = {}
    for hub_id, on_hand in on_hand_by_hub.items():
        level = levels.get(hub_id)
        if on_hand < (level.sold if level else 0) + held.get(hub_id, 0):
            problems[hub_id] = _below_floor_message(level, hub_id, held.get(hub_id, 0))
    if problems:
        db.session.rollback()
        raise StockBelowSold(problems)
    before = {hub_id: level.on_hand for hub_id, level in levels.items()}
    changes = {hub_id: on_hand - before.get(hub_id, 0) for hub_id, on_hand in on_hand_by_hub.items()}
    taken = _take_from_live_drops(engine, variant.id, changes)
    new_hubs = _write_levels(variant, levels, on_hand_by_hub)
    try:
        db.session.commit()
    except IntegrityError as error:
        # A sale landed between our read and our write; the database kept stock >= sold.
        db.session.rollback()
        _give_back(engine, variant.id, taken)
        raise StockBelowSold({0: "Units were sold while you edited; please review and save again."}) from error
    for hub_id, delta in changes.items():
        if delta > 0:
            engine.units_returned(variant.id, hub_id, delta)
    if new_hubs:
        _refresh_drops_selling(engine, variant.id)


def _write_levels(variant: Variant, levels: dict[int, StockLevel], on_hand_by_hub: dict[int, int]) -> list[int]:
    new_hubs = []
    for hub_id, on_hand in on_hand_by_hub.items():
        if hub_id in levels:
            levels[hub_id].on_hand = on_hand
        elif on_hand > 0:
            level = StockLevel(tenant_id=variant.tenant_id, variant_id=variant.id, hub_id=hub_id, on_hand=on_hand)
            db.session.add(level)
            new_hubs.append(hub_id)
    return new_hubs


def _below_floor_message(level: StockLevel | None, hub_id: int, held: int) -> str:
    name = level.hub.name if level else db.session.get(Hub, hub_id).name
    sold = level.sold if level else 0
    if held:
        return f"{name} has {sold} units sold and {held} held in carts; on hand cannot go below {sold + held}."
    return f"{name} has already sold {sold} units; on hand cannot go below that."


def _take_from_live_drops(engine: StockEngine, variant_id: int, changes: dict[int, int]) -> dict[int, int]:
    """Remove units from a live drop's holdable count first, so no shopper can hold what we write off."""
    taken: dict[int, int] = {}
    for hub_id, delta in changes.items():
        if delta >= 0:
            continue
        result = engine.take_available(variant_id, hub_id, -delta)
        if result == Taken.NOT_ENOUGH:
            _give_back(engine, variant_id, taken)
            db.session.rollback()
            name = db.session.get(Hub, hub_id).name
            message = f"{name}: shoppers just put some of these units in their carts; try a higher number."
            raise StockBelowSold({hub_id: message})
        if result == Taken.TAKEN:
            taken[hub_id] = -delta
    return taken


def _give_back(engine: StockEngine, variant_id: int, taken: dict[int, int]) -> None:
    for hub_id, units in taken.items():
        engine.units_returned(variant_id, hub_id, units)


def _refresh_drops_selling(engine: StockEngine, variant_id: int) -> None:
    # A hub new to this variant joins live drops only when the engine reloads their settings.
    for drop_id in drops_selling(db.session, variant_id):
        engine.forget_drop(drop_id)


@dataclass
class StockMatrix:
    hubs: list[Hub]
    rows: list[tuple[Variant, list[int], int]]
    column_totals: list[int]
    total: int


def stock_matrix(variants: list[Variant], hubs: list[Hub] | None = None) -> StockMatrix:
    """Variants x hubs of units on hand, with row and column totals."""
    levels = _levels([v.id for v in variants]) if variants else []
    on_hand = {(level.variant_id, level.hub_id): level.on_hand for level in levels}
    if hubs is None:
        hubs = {hub.id: hub for hub in active_hubs()}
        hubs.update({level.hub_id: level.hub for level in levels if level.on_hand})
        hubs = sorted(hubs.values(), key=hub_sort_key)
    rows = []
    for variant in variants:
        cells = [on_hand.get((variant.id, hub.id), 0) for hub in hubs]
        rows.append((variant, cells, sum(cells)))
    column_totals = [sum(row[1][i] for row in rows) for i in range(len(hubs))]
    return StockMatrix(hubs, rows, column_totals, sum(column_totals))


def unsold_units(variant_ids: list[int]) -> int:
    """Units of these variants not yet sold, across every hub."""
    return sum(level.on_hand - level.sold for level in _levels(variant_ids)) if variant_ids else 0
