"""The router: which hub packs which of an order's units. Pure Python — no Flask, no database.

A parcel is one hub -> one shopper, any brands. The router assigns every unit so that
(1) the order needs as few parcels as possible, (2) then its last parcel is handed over as early
as possible, (3) then the distance travelled is shortest. A pickup order prefers to be packed at the
chosen point itself, pulling units there from the central reserve, as long as that stays within
`pickup_slack_minutes` of the earliest hand-over any plan with as few parcels could promise; units
packed elsewhere (a micro-hub, or the reserve itself) travel to the point. Ties go to the lower hub
ids, so a plan never depends on dictionary order. Moving units from the reserve to a packing hub is
a transfer: the sale is booked at the reserve, so every hub's stock books still balance.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from mall.fulfilment.geo import haversine_km
from mall.fulfilment.timing import OpeningHours, ready_after_queue, transfer_arrival, travel_minutes

RESERVE = "central_reserve"
PICKUP_POINT = "pickup_point"
MICRO_HUB = "micro_hub"


@dataclass(frozen=True)
class HubState:
    id: int
    kind: str
    latitude: float
    longitude: float
    throughput_per_hour: int
    queue: int  # parcels waiting to be picked there, ahead of anything new
    hours: OpeningHours


@dataclass(frozen=True)
class LineRequest:
    key: str
    variant_id: int
    quantity: int
    brand_id: int = 0


@dataclass(frozen=True)
class Destination:
    kind: str  # "pickup" or "delivery"
    latitude: float
    longitude: float
    pickup_hub_id: int | None = None

    @classmethod
    def pickup_at(cls, hub: HubState) -> "Destination":
        return cls("pickup", hub.latitude, hub.longitude, hub.id)

    @classmethod
    def delivery_to(cls, latitude: float, longitude: float) -> "Destination":
        return cls("delivery", latitude, longitude)


@dataclass(frozen=True)
class Rules:
    transfer_lead_minutes: float = 120.0
    delivery_speed_kmh: float = 20.0
    pickup_slack_minutes: float = 30.0


@dataclass(frozen=True)
class Assignment:
    line_key: str
    variant_id: int
    quantity: int
    source_hub_id: int  # where the units are sold from
    parcel_hub_id: int  # the hub that packs the parcel

    @property
    def is_transfer(self) -> bool:
        return self.source_hub_id != self.parcel_hub_id


@dataclass(frozen=True)
class ParcelPlan:
    hub_id: int
    line_keys: tuple[str, ...]
    ready_at: datetime
    handover_at: datetime
    distance_km: float  # packing hub -> shopper (or pickup point)


@dataclass(frozen=True)
class RoutePlan:
    parcels: tuple[ParcelPlan, ...]
    assignments: tuple[Assignment, ...]
    unrouted: tuple[str, ...]  # lines no hub has the units for
    distance_km: float  # parcels' runs plus transfers from the reserve

    @property
    def handover_at(self) -> datetime | None:
        return max((p.handover_at for p in self.parcels), default=None)

    def assignments_for(self, line_key: str) -> list[Assignment]:
        return [a for a in self.assignments if a.line_key == line_key]


@dataclass(frozen=True)
class _Unit:
    key: str
    variant_id: int
    quantity: int


class _Option(NamedTuple):
    """Packing a unit at one hub; compared as a tuple: earliest hand-over, then shortest transfer, then hub id."""

    handover: datetime
    transfer_km: float
    hub_id: int
    source_id: int
    ready: datetime


class _Candidate(NamedTuple):
    hub_ids: tuple[int, ...]
    options: tuple[_Option, ...]
    handover: datetime
    distance_km: float
    off_point: int


def route_order(
    lines: Sequence[LineRequest],
    destination: Destination,
    hubs: Sequence[HubState],
    free_stock: Mapping[tuple[int, int], int],
    now: datetime,
    rules: Rules = Rules(),
) -> RoutePlan:
    """Assign every unit of `lines` to a packing hub; `free_stock[(variant_id, hub_id)]` are units it may take."""
    network = _Network(hubs, destination, free_stock, now, rules)
    units, unrouted = network.units_for(lines)
    if not units:
        return RoutePlan((), (), tuple(unrouted), 0.0)
    network.prepare(units)
    short: list[tuple[int, ...]] = []  # covers whose hubs lack the stock for two units of one variant
    for size in range(1, len(units) + 1):
        covers = set(network.covers(units, size))
        covers |= {tuple(sorted((*c, h.id))) for c in short for h in network.packers if h.id not in c}
        candidates, short = [], []
        for cover in sorted(covers):
            candidate = network.evaluate(units, cover)
            if candidate is None:
                short.append(cover)
            else:
                candidates.append(candidate)
        if candidates:
            return network.plan(units, _best(candidates, destination, rules), unrouted)
    return RoutePlan((), (), tuple(unrouted) + tuple(dict.fromkeys(u.key for u in units)), 0.0)


def plan_from_sources(
    sources: Sequence[tuple[LineRequest, int]],
    destination: Destination,
    hubs: Sequence[HubState],
    now: datetime,
    rules: Rules = Rules(),
) -> RoutePlan:
    """A plan where each line is packed where its units already are (the baselines, and held units that could not move)."""
    network = _Network(hubs, destination, {}, now, rules)
    units = [_Unit(line.key, line.variant_id, line.quantity) for line, _ in sources]
    options = tuple(network.option_at(network.by_id[hub_id], hub_id) for _, hub_id in sources)
    hub_ids = tuple(sorted({o.hub_id for o in options}))
    candidate = _Candidate(hub_ids, options, max((o.handover for o in options), default=now), network.distance(options), 0)
    return network.plan(units, candidate, [])


def _best(candidates: list[_Candidate], destination: Destination, rules: Rules) -> _Candidate:
    fewest = min(len(c.hub_ids) for c in candidates)
    candidates = [c for c in candidates if len(c.hub_ids) == fewest]
    if destination.kind != "pickup":
        return min(candidates, key=lambda c: (c.handover, c.distance_km, c.hub_ids))
    earliest = min(c.handover for c in candidates)
    in_time = [c for c in candidates if c.handover <= earliest + timedelta(minutes=rules.pickup_slack_minutes)]
    return min(in_time, key=lambda c: (c.off_point, c.handover, c.distance_km, c.hub_ids))


class _Network:
    """One routing call's view of the hubs: timings computed once, options looked up per unit."""

    def __init__(self, hubs, destination: Destination, free_stock, now: datetime, rules: Rules):
        self.destination, self.free, self.now, self.rules = destination, free_stock, now, rules
        self.by_id = {h.id: h for h in hubs}
        self.reserves = sorted((h for h in hubs if h.kind == RESERVE), key=lambda h: h.id)
        self.packers = sorted(hubs, key=lambda h: h.id)
        self._timing: dict[int, tuple[datetime, timedelta, float]] = {}
        self._arrivals: dict[tuple[int, int], tuple[datetime, float]] = {}
        self._hub_options: dict[int, tuple[_Option, list[_Option]]] = {}

    def timing(self, hub: HubState) -> tuple[datetime, timedelta, float]:
        """(ready if packed now, run to the shopper or pickup point, its distance)."""
        known = self._timing.get(hub.id)
        if known is None:
            ready = ready_after_queue(hub.hours, self.now, hub.queue, hub.throughput_per_hour)
            km = haversine_km(hub.latitude, hub.longitude, self.destination.latitude, self.destination.longitude)
            if hub.id == self.destination.pickup_hub_id:
                km = 0.0
            run = timedelta(minutes=travel_minutes(km, self.rules.delivery_speed_kmh))
            known = self._timing[hub.id] = (ready, run, km)
        return known

    def arrival(self, reserve: HubState, hub: HubState) -> tuple[datetime, float]:
        key = (reserve.id, hub.id)
        known = self._arrivals.get(key)
        if known is None:
            when = transfer_arrival(reserve.hours, hub.hours, self.now, self.rules.transfer_lead_minutes)
            km = haversine_km(reserve.latitude, reserve.longitude, hub.latitude, hub.longitude)
            known = self._arrivals[key] = (when, km)
        return known

    def option_at(self, hub: HubState, source_id: int) -> _Option:
        ready, run, _ = self.timing(hub)
        transfer_km = 0.0
        if source_id != hub.id:
            arrives, transfer_km = self.arrival(self.by_id[source_id], hub)
            ready = max(ready, arrives)
        return _Option(self.handover(hub, ready + run), transfer_km, hub.id, source_id, ready)

    def handover(self, hub: HubState, arrives: datetime) -> datetime:
        """A parcel run to a pickup point is handed over once the point is open."""
        point = self.by_id.get(self.destination.pickup_hub_id or 0)
        if point is None or point.id == hub.id:
            return arrives
        return point.hours.next_open(arrives)

    def hub_options(self, hub: HubState) -> tuple[_Option, list[_Option]]:
        """Packing at this hub from its own shelves, or after a transfer from each reserve (best first)."""
        known = self._hub_options.get(hub.id)
        if known is None:
            transfers = sorted(self.option_at(hub, r.id) for r in self.reserves if r.id != hub.id)
            known = self._hub_options[hub.id] = (self.option_at(hub, hub.id), transfers)
        return known

    def best_option(self, hub: HubState, unit: _Unit, free) -> _Option | None:
        """Units already at the hub beat any transfer; else the reserve whose units arrive first."""
        local, transfers = self.hub_options(hub)
        if free.get((unit.variant_id, hub.id), 0) >= unit.quantity:
            return local
        return next((o for o in transfers if free.get((unit.variant_id, o.source_id), 0) >= unit.quantity), None)

    def units_for(self, lines: Sequence[LineRequest]) -> tuple[list[_Unit], list[str]]:
        """Whole lines where one hub can take them; split only when no single hub has enough."""
        units, unrouted = [], []
        places = sorted({h.id for h in self.packers} | {r.id for r in self.reserves})
        for line in lines:
            stock = sorted(((self.free.get((line.variant_id, h), 0), h) for h in places), key=lambda s: (-s[0], s[1]))
            if stock and stock[0][0] >= line.quantity:
                units.append(_Unit(line.key, line.variant_id, line.quantity))
            elif sum(n for n, _ in stock) >= line.quantity > 0:
                units.extend(self._split(line, stock))
            else:
                unrouted.append(line.key)
        return units, unrouted

    @staticmethod
    def _split(line: LineRequest, stock: list[tuple[int, int]]) -> list[_Unit]:
        parts, left = [], line.quantity
        for n, _hub in stock:
            if left <= 0 or n <= 0:
                break
            take = min(n, left)
            parts.append(_Unit(line.key, line.variant_id, take))
            left -= take
        return parts

    def prepare(self, units: list[_Unit]) -> None:
        """Every unit's best option at every packing hub, computed once per order."""
        self._options = {
            (i, h.id): option
            for i, unit in enumerate(units)
            for h in self.packers
            if (option := self.best_option(h, unit, self.free)) is not None
        }
        self._by_unit = [[h.id for h in self.packers if (i, h.id) in self._options] for i in range(len(units))]
        self._masks = {h.id: sum(1 << i for i in range(len(units)) if (i, h.id) in self._options) for h in self.packers}
        self._repeats = len({u.variant_id for u in units}) < len(units)  # only then can two units compete for stock

    def covers(self, units: list[_Unit], size: int) -> list[tuple[int, ...]]:
        """Sets of `size` packing hubs that together can take every unit."""
        by_unit, masks = self._by_unit, self._masks
        full, found = (1 << len(units)) - 1, set()

        def extend(covered: int, chosen: tuple[int, ...]):
            if covered == full:
                found.add(tuple(sorted(chosen)))
                return
            if len(chosen) == size:
                return
            first = (~covered & full & -(~covered & full)).bit_length() - 1
            for hub_id in by_unit[first]:
                if hub_id not in chosen:
                    extend(covered | masks[hub_id], chosen + (hub_id,))

        extend(0, ())
        return sorted(found)

    def evaluate(self, units: list[_Unit], cover: tuple[int, ...]) -> _Candidate | None:
        known, options = self._options, []
        for i in range(len(units)):
            best = None
            for hub_id in cover:
                option = known.get((i, hub_id))
                if option is not None and (best is None or option < best):
                    best = option
            options.append(best)
        if self._repeats and not self._fits(units, options):
            options = self._assign_within_stock(units, cover)
            if options is None:
                return None
        hub_ids = tuple(sorted({o.hub_id for o in options}))
        off_point = sum(1 for h in hub_ids if h != self.destination.pickup_hub_id)
        return _Candidate(hub_ids, tuple(options), max(o.handover for o in options), self.distance(options), off_point)

    def _fits(self, units: list[_Unit], options: list[_Option]) -> bool:
        demand: dict[tuple[int, int], int] = {}
        for unit, option in zip(units, options):
            key = (unit.variant_id, option.source_id)
            demand[key] = demand.get(key, 0) + unit.quantity
        return all(self.free.get(key, 0) >= n for key, n in demand.items())

    def _assign_within_stock(self, units: list[_Unit], cover: tuple[int, ...]) -> list[_Option] | None:
        """Two units of one variant competing for one hub's stock: place them one by one."""
        left = dict(self.free)
        options = []
        for unit in units:
            choices = [o for h in cover if (o := self.best_option(self.by_id[h], unit, left)) is not None]
            if not choices:
                return None
            option = min(choices)
            left[(unit.variant_id, option.source_id)] = left.get((unit.variant_id, option.source_id), 0) - unit.quantity
            options.append(option)
        return options

    def distance(self, options) -> float:
        runs = sum(self.timing(self.by_id[h])[2] for h in {o.hub_id for o in options})
        transfers = {(o.source_id, o.hub_id): o.transfer_km for o in options if o.source_id != o.hub_id}
        return runs + sum(transfers.values())

    def plan(self, units: list[_Unit], chosen: _Candidate, unrouted: list[str]) -> RoutePlan:
        assignments = tuple(
            Assignment(u.key, u.variant_id, u.quantity, o.source_id, o.hub_id) for u, o in zip(units, chosen.options)
        )
        parcels = []
        for hub_id in chosen.hub_ids:
            mine = [o for o in chosen.options if o.hub_id == hub_id]
            keys = tuple(dict.fromkeys(a.line_key for a in assignments if a.parcel_hub_id == hub_id))
            km = self.timing(self.by_id[hub_id])[2]
            parcels.append(ParcelPlan(hub_id, keys, max(o.ready for o in mine), max(o.handover for o in mine), km))
        return RoutePlan(tuple(parcels), assignments, tuple(unrouted), chosen.distance_km)
