"""Parcel ETAs: committed once by a worker, re-estimated when a hub's queue or hours move, measured at the end.

An ETA is when the shopper can have the parcel: ready at the pickup point, or at the door.
"""

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from mall.clock import utcnow
from mall.fulfilment.geo import haversine_km
from mall.fulfilment.models import FINISHED, IN_QUEUE, EtaChange, Parcel, ParcelItem, ParcelStatus
from mall.fulfilment.network import hours_of, routing_rules
from mall.fulfilment.timing import ready_after_queue, round_up, transfer_arrival, travel_minutes
from mall.hubs.models import Hub
from mall.orders.models import LineStatus

# Smaller moves are noise from the clock ticking; the shopper is only told about real changes.
NOTICEABLE = timedelta(minutes=5)
COMMITTED = "Committed when your order was placed"


def queue_positions(session: Session, hub_ids: set[int]) -> dict[int, list[int]]:
    """Each hub's waiting parcels, oldest first: a parcel's place in line is its index."""
    rows = session.execute(
        select(Parcel.hub_id, Parcel.id).where(Parcel.hub_id.in_(hub_ids), Parcel.status.in_(IN_QUEUE)).order_by(Parcel.id)
    ).all()
    queues: dict[int, list[int]] = {h: [] for h in hub_ids}
    for hub_id, parcel_id in rows:
        queues[hub_id].append(parcel_id)
    return queues


def estimate(parcel: Parcel, now: datetime, queue: list[int]) -> datetime | None:
    """The parcel's hand-over time from its hub's queue ahead of it, throughput, hours, transfers and travel."""
    if parcel.status in FINISHED:
        return None
    if parcel.status == ParcelStatus.READY_FOR_PICKUP.value:
        return parcel.ready_at
    run = _run(parcel)
    if parcel.status == ParcelStatus.OUT_FOR_DELIVERY.value:
        return round_up(parcel.ready_at + run)
    if parcel.status == ParcelStatus.IN_TRANSIT.value:  # on the road between hubs: received when the point is open
        return round_up(hours_of(parcel.pickup_hub).next_open(parcel.sent_at + run))
    hub, hours = parcel.hub, hours_of(parcel.hub)
    ahead = bisect.bisect_left(queue, parcel.id)
    ready = ready_after_queue(hours, now, ahead, hub.throughput_per_hour)
    lead = routing_rules().transfer_lead_minutes
    for item in parcel.items:
        if item.awaiting_transfer and item.line.status == LineStatus.ACTIVE.value:
            ready = max(ready, transfer_arrival(hours_of(item.source_hub), hours, parcel.created_at, lead))
    handover = ready + run
    if parcel.through_another_hub and parcel.pickup_hub is not None:
        handover = hours_of(parcel.pickup_hub).next_open(handover)
    return round_up(handover)


def _run(parcel: Parcel) -> timedelta:
    """Travel from the packing hub to the door or to the pickup point; none when packed at the point."""
    if parcel.kind == "pickup" and not parcel.through_another_hub:
        return timedelta(0)
    km = haversine_km(parcel.hub.latitude, parcel.hub.longitude, parcel.destination_lat, parcel.destination_lon)
    return timedelta(minutes=travel_minutes(km, routing_rules().delivery_speed_kmh))


def commit_etas(session: Session, parcel_ids: list[int], reason: str) -> int:
    """Commit a first ETA, or record a noticeable change; safe to run twice. Returns how many ETAs changed."""
    parcels = session.scalars(
        select(Parcel)
        .where(Parcel.id.in_(parcel_ids))
        .order_by(Parcel.id)
        .options(selectinload(Parcel.items).selectinload(ParcelItem.line), selectinload(Parcel.hub))
        .execution_options(all_tenants=True)
    ).all()
    queues = queue_positions(session, {p.hub_id for p in parcels})
    now, changed = utcnow(), 0
    for parcel in parcels:
        eta = estimate(parcel, now, queues[parcel.hub_id])
        if eta is None:
            continue
        if parcel.committed_eta is None:
            won = _set_eta(session, parcel, Parcel.committed_eta.is_(None), committed_eta=eta, eta=eta)
            changed += _record(session, parcel, won, eta, COMMITTED)
        elif parcel.eta is None or abs(eta - parcel.eta) >= NOTICEABLE:
            changed += _record(session, parcel, _set_eta(session, parcel, Parcel.eta == parcel.eta, eta=eta), eta, reason)
    session.commit()
    return changed


def _set_eta(session: Session, parcel: Parcel, unchanged, **values) -> bool:
    # Compare-and-set: two workers re-estimating the same parcel record one change, not two.
    result = session.execute(
        update(Parcel).where(Parcel.id == parcel.id, unchanged).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _record(session: Session, parcel: Parcel, won: bool, eta: datetime, reason: str) -> int:
    if won:
        session.add(EtaChange(parcel_id=parcel.id, eta=eta, reason=reason[:120]))
    return int(won)


def open_parcels_at(session: Session, hub_id: int) -> list[int]:
    """Parcels whose ETA depends on this hub: packed there, or handed over there."""
    return list(
        session.scalars(
            select(Parcel.id)
            .where(or_(Parcel.hub_id == hub_id, Parcel.pickup_hub_id == hub_id), Parcel.status.not_in(FINISHED))
            .order_by(Parcel.id)
        )
    )


def promise_kept(parcel: Parcel, moment: datetime) -> dict:
    """The moment the promise was met (ready at the point, or handed over at the door) against the committed ETA."""
    error = None
    if parcel.committed_eta is not None:
        error = round((moment - parcel.committed_eta).total_seconds() / 60)
    return {"promise_kept_at": moment, "eta_error_minutes": error}


@dataclass(frozen=True)
class HubAccuracy:
    hub: Hub
    parcels: int
    mean_error_minutes: float  # positive: later than promised
    mean_abs_error_minutes: float
    on_time_share: float


def eta_accuracy(session: Session, since: datetime | None = None) -> list[HubAccuracy]:
    """Per hub: how far the moment each promise was kept fell from its committed ETA."""
    error = Parcel.eta_error_minutes
    query = (
        select(
            Parcel.hub_id,
            func.count(Parcel.id),
            func.avg(error),
            func.avg(func.abs(error)),
            func.sum(case((error <= 0, 1), else_=0)),
        )
        .where(error.is_not(None))
        .group_by(Parcel.hub_id)
    )
    if since is not None:
        query = query.where(Parcel.promise_kept_at >= since)
    rows = session.execute(query).all()
    hubs = {h.id: h for h in session.scalars(select(Hub).where(Hub.id.in_([r[0] for r in rows])))}
    return [
        HubAccuracy(hubs[hub_id], n, float(mean), float(mean_abs), int(on_time) / n)
        for hub_id, n, mean, mean_abs, on_time in sorted(rows, key=lambda r: hubs[r[0]].code)
    ]
