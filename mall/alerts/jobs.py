"""Alert jobs (RQ): the periodic evaluation of every check, and one drop's checks on demand.

Both are safe to run twice, even at the same moment: an alert's open cause is unique in the database.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mall.alerts.evaluate import evaluate_drop, evaluate_everything, is_live
from mall.alerts.raising import Evaluation
from mall.clock import utcnow
from mall.drops.models import Drop, DropItem
from mall.extensions import db
from mall.stock.access import drop_activity, stock_engine

EVERY_SECONDS = 15


def evaluate_alerts() -> dict[str, int]:
    """Periodic: every live drop, every brand with recent orders, parcels, support targets, hubs and failed jobs."""
    return evaluate_everything(db.session, stock_engine(), drop_activity(), utcnow()).counts


def evaluate_drop_alerts(tenant_id: int, drop_id: int) -> dict[str, int]:
    """One drop's stock and hoarding checks now (e.g. right after an order); the periodic run covers it anyway."""
    drop = db.session.scalar(
        select(Drop)
        .where(Drop.id == int(drop_id), Drop.tenant_id == int(tenant_id))
        .options(selectinload(Drop.items).selectinload(DropItem.variant))
        .execution_options(all_tenants=True)
    )
    run = Evaluation(db.session, utcnow())
    if drop is not None and is_live(drop, run.now):
        evaluate_drop(run, stock_engine(), drop_activity(), drop)
    return run.counts
