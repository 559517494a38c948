"""Before purchase: when a shopper in a given area could have an item of a drop, by delivery or pickup."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mall.drops.models import Drop
from mall.fulfilment.geo import haversine_km
from mall.fulfilment.network import active_hubs, hub_states, routing_rules
from mall.fulfilment.router import PICKUP_POINT, Destination, LineRequest, RoutePlan, route_order
from mall.fulfilment.timing import round_up
from mall.hubs.models import Hub
from mall.stock.access import stock_engine
from mall.stock.availability import variant_availability


@dataclass(frozen=True)
class Estimate:
    at: datetime
    hub: Hub  # the hub that would pack it
    km: float


@dataclass(frozen=True)
class AreaEstimate:
    delivery: Estimate | None
    pickup: Estimate | None
    pickup_point: Hub | None  # the nearest pickup point to the shopper

    @property
    def known(self) -> bool:
        return self.delivery is not None or self.pickup is not None


def estimate_for_area(session: Session, drop: Drop, latitude: float, longitude: float, now: datetime) -> AreaEstimate:
    """One unit of the drop's best-stocked item, routed as if ordered now: delivered here, or at the nearest point."""
    free = _unsold_units(session, [item.variant_id for item in drop.items])
    if not free:
        return AreaEstimate(None, None, None)
    variant_id = max(
        {v for v, _ in free}, key=lambda v: (sum(n for (vv, _), n in free.items() if vv == v), -v)
    )
    hubs = active_hubs(session)
    states = hub_states(session, hubs)
    by_id = {h.id: h for h in hubs}
    line = [LineRequest("estimate", variant_id, 1)]
    rules = routing_rules()
    delivery = route_order(line, Destination.delivery_to(latitude, longitude), states, free, now, rules)
    points = [h for h in hubs if h.kind == PICKUP_POINT]
    point = min(points, key=lambda h: (haversine_km(latitude, longitude, h.latitude, h.longitude), h.id), default=None)
    pickup = None
    if point is not None:
        state = next(s for s in states if s.id == point.id)
        pickup = route_order(line, Destination.pickup_at(state), states, free, now, rules)
    return AreaEstimate(_estimate(delivery, by_id), _estimate(pickup, by_id), point)


def _estimate(plan: RoutePlan | None, hubs: dict[int, Hub]) -> Estimate | None:
    if plan is None or not plan.parcels:
        return None
    parcel = plan.parcels[0]
    return Estimate(round_up(parcel.handover_at), hubs[parcel.hub_id], parcel.distance_km)


def _unsold_units(session: Session, variant_ids: list[int]) -> dict[tuple[int, int], int]:
    """Where the drop's units not yet sold are (free or in a cart), per (variant, hub)."""
    units = variant_availability(session, stock_engine(), variant_ids)
    return {key: stock.unsold for key, stock in units.items() if stock.unsold > 0}
