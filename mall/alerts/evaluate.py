"""Running the checks: per live drop, per brand, and for the operator. Safe to run twice, even at the same moment."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from mall.alerts import fraud_checks, fulfilment_checks, job_checks, stock_checks, support_checks
from mall.alerts.models import Alert, Kind
from mall.alerts.raising import Evaluation
from mall.alerts.thresholds import thresholds_for
from mall.drops.models import Drop, DropItem, DropStatus
from mall.orders.models import Order, SubOrder
from mall.stock.activity import DropActivity
from mall.stock.engine import StockEngine

DROP_KINDS = (Kind.LOW_STOCK, Kind.SOLD_OUT, Kind.HOLD_HOARDING)
ENDED_DROP_CLEARS = (Kind.LOW_STOCK, Kind.SOLD_OUT)  # hoarding stays until someone acknowledges it
LONGEST_WINDOW = timedelta(minutes=1440)

log = logging.getLogger(__name__)


def is_live(drop: Drop, now: datetime) -> bool:
    return drop.status in (DropStatus.SCHEDULED.value, DropStatus.LIVE.value) and drop.starts_at <= now < drop.ends_at


def live_drops(session: Session, now: datetime) -> list[Drop]:
    """Drops on sale now, by the clock (the stored status may lag the drop-status job by a few seconds)."""
    return list(
        session.scalars(
            select(Drop)
            .where(
                Drop.status.in_((DropStatus.SCHEDULED.value, DropStatus.LIVE.value)),
                Drop.starts_at <= now,
                Drop.ends_at > now,
            )
            .options(selectinload(Drop.items).selectinload(DropItem.variant))
            .order_by(Drop.id)
            .execution_options(all_tenants=True)
        )
    )


def evaluate_drop(run: Evaluation, engine: StockEngine, activity: DropActivity, drop: Drop) -> None:
    limits = thresholds_for(run.session, [drop.tenant_id])[drop.tenant_id]
    stock = stock_checks.drop_stock(run.session, engine, activity, drop, run.now)
    in_drop = Alert.drop_id == drop.id
    run.sync(Kind.LOW_STOCK, stock_checks.low_stock(drop, stock, limits), in_drop)
    run.sync(Kind.SOLD_OUT, stock_checks.sold_out(drop, stock, limits), in_drop)
    run.sync(Kind.HOLD_HOARDING, fraud_checks.hold_hoarding(run.session, activity, drop, limits), in_drop)
    run.commit()


def clear_stock_alerts_of_finished_drops(run: Evaluation, live_ids: list[int]) -> None:
    for kind in ENDED_DROP_CLEARS:
        run.sync(kind, [], and_(Alert.drop_id.is_not(None), Alert.drop_id.not_in(live_ids or [0])))
    run.commit()


def evaluate_brands(run: Evaluation) -> None:
    """Order velocity and converging carts for brands with recent orders (or open alerts of those kinds)."""
    session = run.session
    recent = set(
        session.scalars(
            select(SubOrder.tenant_id)
            .join(Order, Order.id == SubOrder.order_id)
            .where(Order.created_at >= run.now - LONGEST_WINDOW)
            .distinct()
            .execution_options(all_tenants=True)
        )
    )
    flagged = set(
        session.scalars(
            select(Alert.tenant_id)
            .where(Alert.kind.in_((Kind.ORDER_VELOCITY.value, Kind.CONVERGING_ADDRESS.value)), Alert.open_key.is_not(None))
            .distinct()
            .execution_options(all_tenants=True)
        )
    )
    limits = thresholds_for(session, recent | flagged)
    for tenant_id in sorted(recent | flagged):
        mine = Alert.tenant_id == tenant_id
        run.sync(Kind.ORDER_VELOCITY, fraud_checks.order_velocity(session, tenant_id, limits[tenant_id], run.now), mine)
        run.sync(Kind.CONVERGING_ADDRESS, fraud_checks.converging_carts(session, tenant_id, limits[tenant_id], run.now), mine)
        run.commit()


def evaluate_fulfilment_and_support(run: Evaluation) -> None:
    rows = fulfilment_checks.late_parcels(run.session, run.now)
    limits = thresholds_for(run.session, {row[0] for row in rows})
    run.sync(Kind.ETA_BREACH, fulfilment_checks.eta_breaches(rows, limits, run.now), Alert.tenant_id.is_not(None))
    run.sync(Kind.SLA_BREACH, support_checks.sla_breaches(run.session), Alert.tenant_id.is_not(None))
    run.commit()


def evaluate_operator(run: Evaluation) -> None:
    run.sync(Kind.HUB_OVERLOAD, fulfilment_checks.hub_overloads(run.session, run.now), Alert.tenant_id.is_(None))
    run.sync(Kind.FAILED_JOB, job_checks.failed_job_findings(job_checks.failed_jobs()), Alert.tenant_id.is_(None))
    run.commit()


class ChecksFailed(RuntimeError):
    """Some checks raised; the others still ran. The job fails so the error is seen (and alerted on)."""


def evaluate_everything(session: Session, engine: StockEngine, activity: DropActivity, now: datetime) -> Evaluation:
    run = Evaluation(session, now)
    drops = live_drops(session, now)
    steps = [(f"drop {d.id}", lambda d=d: evaluate_drop(run, engine, activity, d)) for d in drops]
    steps += [
        ("finished drops", lambda: clear_stock_alerts_of_finished_drops(run, [d.id for d in drops])),
        ("brands", lambda: evaluate_brands(run)),
        ("fulfilment and support", lambda: evaluate_fulfilment_and_support(run)),
        ("operator", lambda: evaluate_operator(run)),
    ]
    failed = []
    for name, step in steps:
        try:
            step()
        except Exception:  # one broken check must not silence the others
            log.exception("alert check %s failed", name)
            run.rollback()
            failed.append(name)
    if failed:
        raise ChecksFailed(f"alert checks failed: {', '.join(failed)}")
    return run
