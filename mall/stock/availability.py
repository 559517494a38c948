"""Units free, held and sold per variant per hub, and per drop: the one place they are computed.

Every feature that says how many units are left (shop pages, the monitor, alerts, the stock editor, creator links,
delivery estimates) calls this. The database gives on hand and sold; Redis gives held and free (the engine's
counters). Free is the engine's live counter, never more than the database allows (on_hand - sold - held); where
Redis has no counter (the drop is not loaded, or Redis lost its keys) or cannot answer, the database decides.
So on_hand = free + held + sold whenever Redis and the database agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from redis.exceptions import RedisError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from mall.hubs.models import Hub
from mall.stock.engine import StockEngine
from mall.stock.models import StockLevel

Key = tuple[int, int]  # (variant id, hub id)


@dataclass(frozen=True)
class Availability:
    free: int = 0  # a shopper can hold these right now
    held: int = 0  # in shoppers' carts
    sold: int = 0
    on_hand: int = 0

    @property
    def units_left(self) -> int:
        return self.free

    @property
    def sold_out(self) -> bool:
        return self.free <= 0

    @property
    def unsold(self) -> int:
        """Free now or in a cart (a held unit goes back on sale if its hold expires)."""
        return self.free + self.held

    @property
    def percent_left(self) -> int:
        return round(100 * self.free / self.on_hand) if self.on_hand else 0

    def __add__(self, other: "Availability") -> "Availability":
        return Availability(
            self.free + other.free, self.held + other.held, self.sold + other.sold, self.on_hand + other.on_hand
        )


NONE = Availability()


@dataclass(frozen=True)
class HubAvailability:
    """One hub's units of a drop's items."""

    hub: Hub
    units: Availability

    hub_id = property(lambda self: self.hub.id)
    name = property(lambda self: self.hub.name)
    kind = property(lambda self: self.hub.kind)
    kind_label = property(lambda self: self.hub.kind_label)
    free = property(lambda self: self.units.free)
    held = property(lambda self: self.units.held)
    sold = property(lambda self: self.units.sold)
    on_hand = property(lambda self: self.units.on_hand)
    percent_left = property(lambda self: self.units.percent_left)


@dataclass(frozen=True)
class DropAvailability:
    """A drop's units over its items at the active hubs: per hub (most free first), per variant and in total."""

    hubs: list[HubAvailability] = field(default_factory=list)
    by_variant: dict[int, Availability] = field(default_factory=dict)
    total: Availability = NONE

    @property
    def units_left(self) -> int:
        return self.total.free

    @property
    def sold(self) -> int:
        return self.total.sold

    @property
    def held(self) -> int:
        return self.total.held

    @property
    def sold_out(self) -> bool:
        return self.total.sold_out


def units_of(engine: StockEngine, levels: Iterable[tuple[int, int, int, int]]) -> dict[Key, Availability]:
    """(variant id, hub id, on hand, sold) stock rows -> their availability, with one Redis read."""
    levels = list(levels)
    try:
        live = engine.live_units([(variant_id, hub_id) for variant_id, hub_id, _, _ in levels])
    except RedisError:
        live = {}
    units = {}
    for variant_id, hub_id, on_hand, sold in levels:
        free, held = live.get((variant_id, hub_id), (None, 0))
        unsold = on_hand - sold - held
        free = unsold if free is None else min(free, unsold)
        units[(variant_id, hub_id)] = Availability(max(free, 0), held, sold, on_hand)
    return units


def variant_availability(
    session: Session, engine: StockEngine, variant_ids: list[int], hub_ids: list[int] | None = None
) -> dict[Key, Availability]:
    """Per (variant, hub) with a stock row: at the active hubs, or at exactly `hub_ids` (active or not)."""
    query = select(StockLevel.variant_id, StockLevel.hub_id, StockLevel.on_hand, StockLevel.sold).where(
        StockLevel.variant_id.in_(variant_ids)
    )
    if hub_ids is None:
        query = query.join(Hub, Hub.id == StockLevel.hub_id).where(Hub.active.is_(True))
    else:
        query = query.where(StockLevel.hub_id.in_(hub_ids))
    return units_of(engine, session.execute(query.execution_options(all_tenants=True)).all())


def variant_units_left(session: Session, engine: StockEngine, variant_ids: list[int]) -> dict[int, int]:
    """Free units per variant over the active hubs (0 for a variant stocked nowhere)."""
    left = {variant_id: 0 for variant_id in variant_ids}
    for (variant_id, _), units in variant_availability(session, engine, variant_ids).items():
        left[variant_id] += units.free
    return left


def grouped_availability(
    session: Session, engine: StockEngine, members: Select, group_ids: Iterable[int]
) -> dict[int, DropAvailability]:
    """Each group's availability (a drop's items, say), in one query and one Redis round trip.

    `members` selects (group id, variant id) pairs, e.g. a drop's items: the caller knows what a group is.
    """
    pairs = members.subquery()
    group_id, variant_id = pairs.c[0], pairs.c[1]
    rows = session.execute(
        select(group_id, StockLevel.variant_id, StockLevel.on_hand, StockLevel.sold, Hub)
        .join(StockLevel, StockLevel.variant_id == variant_id)
        .join(Hub, Hub.id == StockLevel.hub_id)
        .where(Hub.active.is_(True))
        .execution_options(all_tenants=True)
    ).all()
    units = units_of(engine, {(v, hub.id, on_hand, sold) for _, v, on_hand, sold, hub in rows})
    by_group: dict[int, list[tuple[int, Hub]]] = {group: [] for group in group_ids}
    for group, variant, _, _, hub in rows:
        by_group.setdefault(group, []).append((variant, hub))
    return {group: _drop(stocked, units) for group, stocked in by_group.items()}


def loaded_drop_availability(engine: StockEngine, drop) -> DropAvailability:
    """The same for a drop loaded with its items' variants' stock rows and hubs: no query, one Redis read."""
    stocked = [
        (level, level.hub) for item in drop.items for level in item.variant.stock_levels if level.hub.active
    ]
    units = units_of(engine, [(lv.variant_id, lv.hub_id, lv.on_hand, lv.sold) for lv, _ in stocked])
    return _drop([(lv.variant_id, hub) for lv, hub in stocked], units)


def _drop(stocked: list[tuple[int, Hub]], units: dict[Key, Availability]) -> DropAvailability:
    hubs: dict[int, tuple[Hub, Availability]] = {}
    by_variant: dict[int, Availability] = {}
    for variant_id, hub in stocked:
        these = units[(variant_id, hub.id)]
        hubs[hub.id] = (hub, hubs.get(hub.id, (hub, NONE))[1] + these)
        by_variant[variant_id] = by_variant.get(variant_id, NONE) + these
    per_hub = sorted((HubAvailability(hub, u) for hub, u in hubs.values()), key=lambda h: (-h.free, h.name))
    return DropAvailability(per_hub, by_variant, sum(by_variant.values(), NONE))
