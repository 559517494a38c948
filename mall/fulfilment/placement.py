"""Routing at checkout: move holds to the hubs the router picks, then write the order's parcels.

Routing never fails a checkout: when anything here goes wrong, each hold keeps its hub and the
order still gets parcels, packed where its units are.
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.clock import utcnow
from mall.fulfilment.models import Parcel, ParcelItem
from mall.fulfilment.network import destination_for, hub_states, routing_rules
from mall.fulfilment.router import LineRequest, RoutePlan, route_order
from mall.hubs.models import Hub, HubKind
from mall.orders.models import Order, OrderLine, SubOrder
from mall.stock.engine import Hold, StockEngine

log = logging.getLogger(__name__)


def route_holds(session: Session, engine: StockEngine, cart: str, details, holds: list[Hold]) -> RoutePlan | None:
    """Ask the router for the best hub per line and move the holds there; a refused move keeps the hold's hub."""
    try:
        plan = _plan(session, engine, details, holds)
        for hold in holds:
            assigned = plan.assignments_for(hold.id)
            if len(assigned) == 1 and assigned[0].source_hub_id != hold.hub_id:
                outcome = engine.move_hold(cart, hold.id, assigned[0].source_hub_id)
                if not outcome.ok:
                    log.info("hold %s stays at hub %s: %s", hold.id, hold.hub_id, outcome.reason)
        return plan
    except Exception:  # routing is an optimisation; the sale must go through without it
        log.exception("routing failed; every hold keeps its hub")
        session.rollback()  # a failed query must not leave the checkout's transaction aborted
        return None


def _plan(session: Session, engine: StockEngine, details, holds: list[Hold]) -> RoutePlan:
    hubs = hub_states(session)
    hub_ids = [h.id for h in hubs]
    free: dict[tuple[int, int], int] = {}
    for variant_id in {h.variant_id for h in holds}:
        for hub_id, units in engine.availability(variant_id, hub_ids).items():
            free[(variant_id, hub_id)] = max(units or 0, 0)
    for hold in holds:  # the shopper's own held units are theirs to route
        free[(hold.variant_id, hold.hub_id)] = free.get((hold.variant_id, hold.hub_id), 0) + hold.quantity
    lines = [LineRequest(h.id, h.variant_id, h.quantity) for h in holds]
    destination = destination_for(session, details.fulfilment, details.pickup_hub_id, details.postcode)
    return route_order(lines, destination, hubs, free, utcnow(), routing_rules())


def create_parcels(session: Session, order: Order, plan: RoutePlan | None) -> list[int]:
    """One parcel per packing hub, in the order's own transaction; returns the parcel ids."""
    lines = session.scalars(
        select(OrderLine)
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .where(SubOrder.order_id == order.id)
        .order_by(OrderLine.id)
        .execution_options(all_tenants=True)
    ).all()
    planned = _planned_packers(plan)
    reserves = set(session.scalars(select(Hub.id).where(Hub.kind == HubKind.CENTRAL_RESERVE.value)))
    destination = destination_for(session, order.fulfilment, order.pickup_hub_id, order.postcode)
    parcels: dict[int, Parcel] = {}
    for line in lines:
        packer = planned.get((line.variant_id, line.hub_id)) or _packer_without_plan(order, line.hub_id, reserves)
        parcel = parcels.get(packer)
        if parcel is None:
            parcel = parcels[packer] = Parcel(
                order_id=order.id,
                hub_id=packer,
                kind=order.fulfilment,
                pickup_hub_id=order.pickup_hub_id if order.fulfilment == "pickup" else None,
                destination_lat=destination.latitude,
                destination_lon=destination.longitude,
                planned_at=_planned_handover(plan, packer),
            )
            session.add(parcel)
            session.flush()
        session.add(
            ParcelItem(
                tenant_id=line.tenant_id,
                parcel_id=parcel.id,
                order_line_id=line.id,
                source_hub_id=line.hub_id,
                quantity=line.quantity,
            )
        )
    session.flush()
    return [p.id for p in parcels.values()]


def _planned_packers(plan: RoutePlan | None) -> dict[tuple[int, int], int]:
    if plan is None:
        return {}
    return {(a.variant_id, a.source_hub_id): a.parcel_hub_id for a in plan.assignments}


def _packer_without_plan(order: Order, source_hub_id: int, reserves: set[int]) -> int:
    """Units stay where they are sold; from the reserve, a pickup is packed at the pickup point."""
    if source_hub_id in reserves and order.fulfilment == "pickup" and order.pickup_hub_id:
        return order.pickup_hub_id
    return source_hub_id


def _planned_handover(plan: RoutePlan | None, hub_id: int):
    if plan is None:
        return None
    return next((p.handover_at for p in plan.parcels if p.hub_id == hub_id), None)


def parcels_placed(parcel_ids: list[int]) -> None:
    """After the order's commit: the workers commit each parcel's ETA."""
    from mall.fulfilment.jobs import queue_parcel_etas

    queue_parcel_etas(parcel_ids)
