"""The hub network as the router sees it, read from the database, with the mall's routing rules."""

import os
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mall.clock import mall_zone
from mall.fulfilment.geo import postcode_point
from mall.fulfilment.models import IN_QUEUE, Parcel
from mall.fulfilment.router import Destination, HubState, Rules
from mall.fulfilment.timing import OpeningHours
from mall.hubs.models import Hub

DEFAULTS = {
    "FULFILMENT_TRANSFER_LEAD_MINUTES": "120",  # central reserve -> hub, in the reserve's open hours
    "FULFILMENT_DELIVERY_KMH": "20",  # a courier's average speed across London
    "FULFILMENT_PICKUP_SLACK_MINUTES": "30",  # how much later a pickup may be to stay at the chosen point
    "FULFILMENT_MALL_CENTRE": "51.5072,-0.1276",  # where a delivery goes when its postcode is not in our table
}


def setting(name: str) -> str:
    """App config first (tests set it), then the environment, then the safe default."""
    return str(current_app.config.get(name) or os.environ.get(name) or DEFAULTS[name])


def routing_rules() -> Rules:
    return Rules(
        transfer_lead_minutes=float(setting("FULFILMENT_TRANSFER_LEAD_MINUTES")),
        delivery_speed_kmh=float(setting("FULFILMENT_DELIVERY_KMH")),
        pickup_slack_minutes=float(setting("FULFILMENT_PICKUP_SLACK_MINUTES")),
    )


def mall_centre() -> tuple[float, float]:
    lat, lon = setting("FULFILMENT_MALL_CENTRE").split(",")
    return float(lat), float(lon)


def hours_of(hub: Hub) -> OpeningHours:
    return OpeningHours(hub.opens_at, hub.closes_at, mall_zone())


def queue_lengths(session: Session, hub_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Parcels waiting to be picked (or being picked) at each hub."""
    query = select(Parcel.hub_id, func.count(Parcel.id)).where(Parcel.status.in_(IN_QUEUE)).group_by(Parcel.hub_id)
    if hub_ids is not None:
        query = query.where(Parcel.hub_id.in_(list(hub_ids)))
    return dict(session.execute(query).all())


def active_hubs(session: Session) -> list[Hub]:
    return list(session.scalars(select(Hub).where(Hub.active.is_(True)).order_by(Hub.id)))


def hub_states(session: Session, hubs: list[Hub] | None = None) -> list[HubState]:
    hubs = active_hubs(session) if hubs is None else hubs
    queues = queue_lengths(session, [h.id for h in hubs])
    return [
        HubState(h.id, h.kind, h.latitude, h.longitude, h.throughput_per_hour, queues.get(h.id, 0), hours_of(h))
        for h in hubs
    ]


def destination_for(session: Session, fulfilment: str, pickup_hub_id: int | None, postcode: str) -> Destination:
    """A pickup point's own place, or the delivery postcode's district (the mall centre when unknown)."""
    if fulfilment == "pickup" and pickup_hub_id:
        point = session.get(Hub, pickup_hub_id)
        if point is not None:
            return Destination("pickup", point.latitude, point.longitude, point.id)
    lat, lon = postcode_point(postcode) or mall_centre()
    return Destination.delivery_to(lat, lon)
