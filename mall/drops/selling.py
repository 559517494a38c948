"""One sell state per drop and per item: what every surface says about whether something can be bought now.

From the drop's window and status and the stock engine's units (free, held, sold): upcoming, live, all held
(nothing free, but held units may come back when their holds expire), sold out (nothing free or held), ended.
The drop page, its live fragment, the cards, the creator-link landing, the cart, the checkout, the monitor,
the stock alerts and the post-drop report all call this module; none of them decides it for itself.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from mall.catalog.models import Variant
from mall.drops.models import Drop, DropStatus
from mall.drops.pricing import current_tier, effective_status, price_at
from mall.drops.stock import drops_availability
from mall.stock.availability import (
    NONE,
    Availability,
    DropAvailability,
    variant_availability,
)
from mall.stock.engine import StockEngine
from mall.templating import local_time


class SellState(StrEnum):
    UPCOMING = "upcoming"
    LIVE = "live"
    ALL_HELD = "all_held"
    SOLD_OUT = "sold_out"
    ENDED = "ended"


BUYABLE = (SellState.LIVE,)
GONE_FOR_NOW = (SellState.ALL_HELD, SellState.SOLD_OUT)
BADGES = {
    SellState.UPCOMING: "Upcoming", SellState.LIVE: "Live", SellState.ALL_HELD: "All held",
    SellState.SOLD_OUT: "Sold out", SellState.ENDED: "Ended",
}


@dataclass(frozen=True)
class ItemSell:
    """One item (a variant of the drop) as a shopper should see it now."""

    state: SellState
    free: int = 0
    held: int = 0
    sold: int = 0
    back_by: datetime | None = None  # all held: the latest a held unit can come back
    headline: str = ""

    @property
    def buyable(self) -> bool:
        return self.state in BUYABLE

    @property
    def badge(self) -> str:
        return BADGES[self.state]


@dataclass(frozen=True)
class FallbackOffer:
    """The drop's fallback variant, offered because a hero item is sold out or all held."""

    variant: Variant
    units: Availability
    list_price_cents: int
    price_cents: int
    percent_off: int

    @property
    def free(self) -> int:
        return self.units.free


@dataclass(frozen=True)
class DropSell:
    """The drop as a whole: its items (hero variants) only; the fallback is offered beside them, counted apart."""

    state: SellState
    free: int = 0
    held: int = 0
    sold: int = 0
    back_by: datetime | None = None
    headline: str = ""
    cancelled: bool = False
    items: dict[int, ItemSell] = field(default_factory=dict)
    fallback: FallbackOffer | None = None

    @property
    def buyable(self) -> bool:
        return self.state in BUYABLE

    @property
    def badge(self) -> str:
        return "Cancelled" if self.cancelled else BADGES[self.state]

    @property
    def css(self) -> str:
        """The badge's class (the mall's stylesheet colours live, scheduled, ended, sold_out, all_held)."""
        if self.cancelled:
            return "cancelled"
        return "scheduled" if self.state == SellState.UPCOMING else str(self.state)

    def item(self, variant_id: int) -> ItemSell:
        return self.items.get(variant_id) or ItemSell(self.state, headline=self.headline)


def window_state(drop: Drop, now: datetime) -> SellState | None:
    """The state the window alone decides (upcoming or ended), or None while the drop is live."""
    status = effective_status(drop, now)
    if status == DropStatus.LIVE:
        return None
    return SellState.UPCOMING if status == DropStatus.SCHEDULED else SellState.ENDED


def stock_state(units: Availability) -> SellState:
    """A live item's state from its units: free -> live; none free but some held -> all held; else sold out."""
    if units.free > 0:
        return SellState.LIVE
    return SellState.ALL_HELD if units.held > 0 else SellState.SOLD_OUT


def headline(state: SellState, free: int, held: int, back_by: datetime | None, cancelled: bool = False) -> str:
    if state == SellState.LIVE:
        return f"{free} left"
    if state == SellState.ALL_HELD:
        when = f" by {local_time(back_by, '%H:%M')}" if back_by else ""
        return f"All held — {held} may come back{when}"
    if state == SellState.SOLD_OUT:
        return "Sold out"
    if state == SellState.UPCOMING:
        return "Coming soon"
    return "Cancelled" if cancelled else "Ended"


def item_sell_states(
    engine: StockEngine, drop: Drop, availability: DropAvailability, now: datetime
) -> dict[int, ItemSell]:
    """Per hero variant of the drop (its items as `availability` has them, plus any item without stock)."""
    variant_ids = list(dict.fromkeys([*availability.by_variant, *_item_ids(drop)]))
    units = {v: availability.by_variant.get(v, NONE) for v in variant_ids}
    fixed = window_state(drop, now)
    states = {v: fixed or stock_state(u) for v, u in units.items()}
    all_held = [v for v, s in states.items() if s == SellState.ALL_HELD]
    back_by = _back_by(engine, all_held)
    cancelled = drop.status == DropStatus.CANCELLED
    return {
        v: ItemSell(states[v], u.free, u.held, u.sold, back_by.get(v), headline(states[v], u.free, u.held, back_by.get(v), cancelled))
        for v, u in units.items()
    }


def drop_sell_state(
    session: Session, engine: StockEngine, drop: Drop, availability: DropAvailability, now: datetime
) -> DropSell:
    """The drop's state: live while any item has a free unit, all held while none has but some are held, sold out
    when every item's units are sold; and the fallback offer while a hero item is sold out or all held."""
    items = item_sell_states(engine, drop, availability, now)
    total = availability.total
    states = {item.state for item in items.values()}
    fixed = window_state(drop, now)
    if fixed is not None:
        state = fixed
    elif SellState.LIVE in states:
        state = SellState.LIVE
    elif SellState.ALL_HELD in states:
        state = SellState.ALL_HELD
    else:
        state = SellState.SOLD_OUT
    held_back = [item.back_by for item in items.values() if item.state == SellState.ALL_HELD and item.back_by]
    back_by = max(held_back) if held_back and state == SellState.ALL_HELD else None
    cancelled = drop.status == DropStatus.CANCELLED
    offer = None
    if fixed is None and states & set(GONE_FOR_NOW):
        offer = fallback_offer(session, engine, drop, now)
    return DropSell(
        state, total.free, total.held, total.sold, back_by, headline(state, total.free, total.held, back_by, cancelled),
        cancelled, items, offer,
    )


def fallback_offer(session: Session, engine: StockEngine, drop: Drop, now: datetime) -> FallbackOffer | None:
    """The fallback variant with its own units and its price in the drop now; None if it has nothing free."""
    variant = drop.fallback_variant
    if variant is None or variant.id in _item_ids(drop):
        return None
    units = sum(variant_availability(session, engine, [variant.id]).values(), NONE)
    if units.free <= 0:
        return None
    tier = current_tier(drop, now)
    return FallbackOffer(variant, units, variant.price_cents, price_at(drop, variant.price_cents, now),
                         tier.percent_off if tier else 0)


def line_sell_states(
    session: Session, engine: StockEngine, lines: list[tuple[Drop, int]], now: datetime
) -> dict[tuple[int, int], ItemSell]:
    """Each (drop, variant) a cart line names, as a hero item of its drop or as the drop's fallback, keyed by
    (drop id, variant id): one query and one Redis read for the items, one more for any fallback."""
    drops = {drop.id: drop for drop, _ in lines}
    if not drops:
        return {}
    by_drop = drops_availability(session, engine, drops)
    states = {}
    for drop_id, drop in drops.items():
        states.update({(drop_id, v): s for v, s in item_sell_states(engine, drop, by_drop[drop_id], now).items()})
    others = [(drop, v) for drop, v in lines if (drop.id, v) not in states]
    if others:
        units = variant_availability(session, engine, list({v for _, v in others}))
        per_variant: dict[int, Availability] = {}
        for (variant_id, _), these in units.items():
            per_variant[variant_id] = per_variant.get(variant_id, NONE) + these
        back_by = _back_by(engine, [v for _, v in others if v in per_variant and per_variant[v].free <= 0])
        for drop, v in others:
            # Only the drop's fallback is holdable besides its items; any other variant is not on sale here.
            u = per_variant.get(v, NONE) if v == drop.fallback_variant_id else NONE
            state = window_state(drop, now) or stock_state(u)
            states[(drop.id, v)] = ItemSell(state, u.free, u.held, u.sold, back_by.get(v),
                                            headline(state, u.free, u.held, back_by.get(v), drop.status == DropStatus.CANCELLED))
    return states


def _item_ids(drop: Drop) -> list[int]:
    return [item.variant_id for item in drop.items]


def _back_by(engine: StockEngine, variant_ids: list[int]) -> dict[int, datetime]:
    if not variant_ids:
        return {}
    try:
        marks = engine.holds_last_expiry(variant_ids)
    except RedisError:  # the page still says "may come back", without a time
        return {}
    return {v: _from_ms(ms) for v, ms in marks.items() if ms is not None}


def _from_ms(ms: int) -> datetime:
    # Round up to the minute: "by 12:10" must not come before a hold that ends at 12:09:30.
    moment = datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment
