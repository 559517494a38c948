"""What the stock engine and the availability API know of drops: their terms and their items.

The engine and the availability API import no feature; this module tells them what a drop is.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mall.drops.models import AdmissionMode, Drop, DropItem, DropStatus
from mall.stock.availability import DropAvailability, grouped_availability
from mall.stock.engine import DropTerms, StockEngine


def drop_terms(session: Session, drop_id: int) -> DropTerms | None:
    """The drop's window, hold length, limit, price tiers and item prices, as holds need them (None: no such drop)."""
    drop = session.scalar(
        select(Drop)
        .where(Drop.id == drop_id)
        .options(
            selectinload(Drop.items).selectinload(DropItem.variant),
            selectinload(Drop.tiers),
            selectinload(Drop.fallback_variant),
        )
        .execution_options(all_tenants=True)
    )
    if drop is None:
        return None
    prices = {item.variant_id: item.variant.price_cents for item in drop.items}
    fallback = drop.fallback_variant if drop.fallback_variant_id not in prices else None
    if fallback is not None:
        # The one place the fallback becomes holdable: same window, limit, hold length and tiers as the items.
        prices[fallback.id] = fallback.price_cents
    return DropTerms(
        starts_at=drop.starts_at,
        ends_at=drop.ends_at,
        hold_minutes=drop.hold_minutes,
        per_shopper_limit=drop.per_shopper_limit,
        open=drop.status not in (DropStatus.DRAFT, DropStatus.CANCELLED),
        tiers=[(tier.from_minute, tier.until_minute, tier.percent_off) for tier in drop.tiers],
        prices=prices,
        fallback_variant_id=fallback.id if fallback is not None else None,
        draw_only=drop.admission == AdmissionMode.DRAW,
    )


def drops_selling(session: Session, variant_id: int) -> list[int]:
    """The drops that hold this variant: as one of their items or as their fallback."""
    as_item = select(DropItem.drop_id).where(DropItem.variant_id == variant_id)
    as_fallback = select(Drop.id).where(Drop.fallback_variant_id == variant_id)
    return list(session.scalars(as_item.union(as_fallback)).all())


def drops_availability(session: Session, engine: StockEngine, drop_ids: Iterable[int]) -> dict[int, DropAvailability]:
    """Each drop's units over its items at the active hubs, in one query and one Redis round trip."""
    drop_ids = list(drop_ids)
    items = select(DropItem.drop_id, DropItem.variant_id).where(DropItem.drop_id.in_(drop_ids))
    return grouped_availability(session, engine, items, drop_ids)


def drop_availability(session: Session, engine: StockEngine, drop_id: int) -> DropAvailability:
    return drops_availability(session, engine, [drop_id])[drop_id]
