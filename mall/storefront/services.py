"""What a shopper sees: live and upcoming drops, prices right now, and units left per hub."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mall.catalog.models import Product, Variant
from mall.drops.models import Drop, DropItem, DropStatus
from mall.drops.selling import DropSell, drop_sell_state
from mall.drops.pricing import TierWindow, current_tier, discounted, effective_status, next_tier, price_at, tier_windows
from mall.drops.services import HIDDEN
from mall.extensions import db
from mall.drops import stock as drop_stock
from mall.stock.access import stock_engine
from mall.stock.availability import DropAvailability, loaded_drop_availability
from mall.stock.models import StockLevel
from tenants.models import Tenant

NOT_ON_SALE = (DropStatus.DRAFT.value, DropStatus.CANCELLED.value)
PAST_DROPS_SHOWN = 12


@dataclass(frozen=True)
class DropCard:
    """One drop as a card: who sells it, the hero, the price now and what is left."""

    drop: Drop
    status: DropStatus
    hero: Variant | None
    list_price_cents: int | None
    price_cents: int | None
    percent_off: int
    units_left: int
    sell: DropSell
    options: int = 1
    price_varies: bool = False

    @property
    def brand(self) -> Tenant:
        return self.drop.tenant

    @property
    def hero_label(self) -> str:
        if self.hero is None:
            return ""
        return f"{self.hero.product.name} · {self.options} options" if self.options > 1 else self.hero.label


def drop_loading_options():
    """Everything a card or drop page reads, in a fixed number of queries whatever the drop count."""
    return (
        selectinload(Drop.tenant),
        selectinload(Drop.tiers),
        selectinload(Drop.fallback_variant).selectinload(Variant.product),
        selectinload(Drop.items)
        .selectinload(DropItem.variant)
        .options(
            selectinload(Variant.product).selectinload(Product.image),
            selectinload(Variant.image),
            selectinload(Variant.stock_levels).selectinload(StockLevel.hub),
        ),
    )


def availability_by_hub(drop: Drop) -> DropAvailability:
    """Units a shopper can still get, per active hub, over the drop's hero variants (as loaded with the drop)."""
    return loaded_drop_availability(stock_engine(), drop)


def drop_availability(drop_id: int) -> DropAvailability:
    """The same, read in one query: what the live fragment re-reads twice a second under a surge."""
    return drop_stock.drop_availability(db.session, stock_engine(), drop_id)


def sell_state(drop: Drop, availability: DropAvailability, now: datetime) -> DropSell:
    return drop_sell_state(db.session, stock_engine(), drop, availability, now)


def drop_card(drop: Drop, now: datetime) -> DropCard:
    status = effective_status(drop, now)
    availability = availability_by_hub(drop)
    sell = sell_state(drop, availability, now)
    variants = [item.variant for item in drop.items]
    # The card leads with the cheapest hero, so "from £x" is never a lie.
    hero = min(variants, key=lambda v: v.price_cents) if variants else None
    tier = current_tier(drop, now) if status == DropStatus.LIVE else first_tier(drop)
    # A "now" discount only where something can be bought now (or at launch).
    percent = tier.percent_off if tier and (sell.buyable or status == DropStatus.SCHEDULED) else 0
    return DropCard(
        drop=drop,
        status=status,
        hero=hero,
        list_price_cents=hero.price_cents if hero else None,
        price_cents=price_at(drop, hero.price_cents, now) if hero else None,
        percent_off=percent,
        units_left=availability.units_left,
        sell=sell,
        options=len(variants),
        price_varies=len({v.price_cents for v in variants}) > 1,
    )


def first_tier(drop: Drop) -> TierWindow | None:
    windows = tier_windows(drop)
    return windows[0] if windows else None


def mall_front(now: datetime) -> tuple[list[DropCard], list[DropCard]]:
    """(live now, upcoming) across every brand: live ending soonest first, upcoming starting soonest first."""
    drops = db.session.scalars(
        select(Drop)
        .where(Drop.status.not_in(NOT_ON_SALE), Drop.ends_at > now)
        .options(*drop_loading_options())
        .order_by(Drop.starts_at, Drop.id)
    ).all()
    cards = [drop_card(d, now) for d in drops]
    live = sorted((c for c in cards if c.status == DropStatus.LIVE), key=lambda c: c.drop.ends_at)
    upcoming = [c for c in cards if c.status == DropStatus.SCHEDULED]
    return live, upcoming


def all_brands() -> list[Tenant]:
    return db.session.scalars(select(Tenant).order_by(Tenant.name)).all()


@dataclass(frozen=True)
class BrandShelves:
    live: list[DropCard]
    upcoming: list[DropCard]
    past: list[DropCard]


def brand_shelves(brand: Tenant, now: datetime) -> BrandShelves:
    """A brand's drops a shopper may see, split by what they are at `now`."""
    drops = db.session.scalars(
        select(Drop)
        .where(Drop.tenant_id == brand.id, Drop.status.not_in(HIDDEN))
        .options(*drop_loading_options())
        .order_by(Drop.starts_at.desc(), Drop.id.desc())
    ).all()
    cards = [drop_card(d, now) for d in drops]
    live = sorted((c for c in cards if c.status == DropStatus.LIVE), key=lambda c: c.drop.ends_at)
    upcoming = sorted((c for c in cards if c.status == DropStatus.SCHEDULED), key=lambda c: c.drop.starts_at)
    past = [c for c in cards if c.status in (DropStatus.ENDED, DropStatus.CANCELLED)][:PAST_DROPS_SHOWN]
    return BrandShelves(live, upcoming, past)


@dataclass(frozen=True)
class HeroPrice:
    variant: Variant
    list_price_cents: int
    price_cents: int
    next_price_cents: int | None


@dataclass(frozen=True)
class HeroProduct:
    """A hero product with the prices of its variants in this drop."""

    product: Product
    variants: list[HeroPrice]

    @property
    def picture(self):
        """The product's own picture, else the first of its variants' own."""
        return self.product.image or next((h.variant.image for h in self.variants if h.variant.image), None)


@dataclass(frozen=True)
class DropView:
    """Everything the drop page says about prices and time."""

    drop: Drop
    status: DropStatus
    heroes: list[HeroProduct]
    tier: TierWindow | None
    next_tier: TierWindow | None
    tiers: list[TierWindow]
    sell: DropSell

    @property
    def is_open(self) -> bool:
        return self.status in (DropStatus.LIVE, DropStatus.SCHEDULED)


def next_price_change(drop: Drop, now: datetime) -> TierWindow | None:
    """The next moment a live drop's price moves: the next tier, or back to list price when a tier lapses."""
    tier, following = current_tier(drop, now), next_tier(drop, now)
    if tier and tier.ends_at < drop.ends_at and (following is None or following.starts_at > tier.ends_at):
        return TierWindow(0, tier.ends_at, following.starts_at if following else drop.ends_at)
    return following


def drop_view(drop: Drop, availability: DropAvailability, now: datetime) -> DropView:
    status = effective_status(drop, now)
    tier = current_tier(drop, now) if status == DropStatus.LIVE else None
    upcoming_tier = next_price_change(drop, now) if status == DropStatus.LIVE else None
    if status == DropStatus.SCHEDULED:
        tier = first_tier(drop)
    heroes: dict[int, HeroProduct] = {}
    for item in drop.items:
        variant = item.variant
        group = heroes.setdefault(variant.product_id, HeroProduct(variant.product, []))
        group.variants.append(
            HeroPrice(
                variant=variant,
                list_price_cents=variant.price_cents,
                price_cents=price_at(drop, variant.price_cents, now),
                next_price_cents=discounted(variant.price_cents, upcoming_tier.percent_off) if upcoming_tier else None,
            )
        )
    sell = sell_state(drop, availability, now)
    return DropView(drop, status, list(heroes.values()), tier, upcoming_tier, tier_windows(drop), sell)
