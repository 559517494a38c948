"""Fulfilment alerts: parcels past their committed ETA (each brand in them), hubs with hours of queued picking (operator)."""

import math
import os
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mall.alerts.models import Kind, LinkKind, Severity
from mall.alerts.raising import Finding
from mall.alerts.thresholds import Thresholds
from mall.clock import to_local
from mall.fulfilment.models import FINISHED, Parcel, ParcelItem
from mall.fulfilment.network import active_hubs, hours_of, queue_lengths
from mall.fulfilment.timing import picking_minutes
from mall.orders.models import Order, OrderLine

DEFAULT_OVERLOAD_HOURS = 2.0


def late_parcels(session: Session, now: datetime) -> list[tuple]:
    """(tenant_id, parcel id, order number, committed ETA, one of the brand's sub-orders) for unkept promises past due."""
    return session.execute(
        select(ParcelItem.tenant_id, Parcel.id, Order.number, Parcel.committed_eta, func.min(OrderLine.sub_order_id))
        .join(Parcel, Parcel.id == ParcelItem.parcel_id)
        .join(Order, Order.id == Parcel.order_id)
        .join(OrderLine, OrderLine.id == ParcelItem.order_line_id)
        .where(
            Parcel.status.not_in(FINISHED),
            Parcel.promise_kept_at.is_(None),
            Parcel.committed_eta.is_not(None),
            Parcel.committed_eta < now,
        )
        .group_by(ParcelItem.tenant_id, Parcel.id, Order.number, Parcel.committed_eta)
        .execution_options(all_tenants=True)
    ).all()


def eta_breaches(rows: list[tuple], limits: dict[int, Thresholds], now: datetime) -> list[Finding]:
    findings = []
    for tenant_id, parcel_id, number, committed, sub_order_id in rows:
        late = now - committed
        if late <= timedelta(minutes=limits[tenant_id].eta_grace_minutes):
            continue
        message = (
            f"Parcel {parcel_id} of order {number} is {math.floor(late.total_seconds() / 60)} min past its "
            f"committed ETA ({to_local(committed):%a %H:%M}) and not handed over yet."
        )
        findings.append(
            Finding(tenant_id, Kind.ETA_BREACH, Severity.WARNING, f"eta:parcel:{parcel_id}", message, LinkKind.SUB_ORDER, sub_order_id)
        )
    return findings


def overload_hours() -> float:
    """App config first (tests set it), then the environment, then the default."""
    return float(
        current_app.config.get("ALERTS_HUB_OVERLOAD_HOURS") or os.environ.get("ALERTS_HUB_OVERLOAD_HOURS") or DEFAULT_OVERLOAD_HOURS
    )


def hub_overloads(session: Session, now: datetime) -> list[Finding]:
    """A hub whose queued parcels need more than N hours of picking at its throughput: busy for the next hours."""
    horizon = overload_hours()
    queues = queue_lengths(session)
    findings = []
    for hub in active_hubs(session):
        queued = queues.get(hub.id, 0)
        work = picking_minutes(queued, hub.throughput_per_hour)
        if work <= horizon * 60:
            continue
        clear = hours_of(hub).add_working_minutes(now, work)
        message = (
            f"{hub.name} ({hub.code}) has {queued} parcels waiting: {work / 60:.1f} hours of picking at "
            f"{hub.throughput_per_hour} an hour, clear around {to_local(clear):%a %H:%M} in its opening hours."
        )
        findings.append(Finding(None, Kind.HUB_OVERLOAD, Severity.SEVERE, f"hub_overload:hub:{hub.id}", message, LinkKind.HUB, hub.id))
    return findings
