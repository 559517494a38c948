"""Fulfilment jobs (RQ): commit ETAs, re-estimate a hub's parcels, settle parcels nobody will pick.

Each job takes ids and is safe to run twice. ETA jobs are retried when a worker dies mid-job:
RQ requeues a job with retries left once its dead worker's heartbeat runs out.
"""

import logging
from datetime import timedelta

from rq import Retry
from sqlalchemy import exists, select

from mall.clock import utcnow
from mall.extensions import db
from mall.fulfilment import etas
from mall.fulfilment.models import FINISHED, Parcel, ParcelItem
from mall.fulfilment.status import cancel_emptied_parcels
from mall.jobs.queues import enqueue

log = logging.getLogger(__name__)

ETA_QUEUE = "high"  # the shopper is looking at the tracking page
ETA_JOB_TIMEOUT = 30
ETA_RETRIES = 3


def commit_parcel_etas(parcel_ids: list[int], reason: str = "Re-estimated") -> int:
    """A first ETA is committed; a later run records a change only when the ETA really moved."""
    return etas.commit_etas(db.session, [int(i) for i in parcel_ids], reason)


def reestimate_hub_etas(hub_id: int, reason: str = "The hub's queue changed") -> int:
    return etas.commit_etas(db.session, etas.open_parcels_at(db.session, int(hub_id)), reason)


def settle_parcels() -> dict[str, int]:
    """Periodic: parcels whose lines were all cancelled are cancelled; parcels whose ETA job was lost get one."""
    cancelled_hubs = cancel_emptied_parcels(db.session)
    for hub_id in cancelled_hubs:
        reestimate_hub_etas(hub_id, "Parcels ahead were cancelled")
    a_minute_ago = utcnow() - timedelta(minutes=1)
    missing = list(
        db.session.scalars(
            select(Parcel.id)
            .where(Parcel.committed_eta.is_(None), Parcel.status.not_in(FINISHED), Parcel.created_at <= a_minute_ago)
            .where(exists().where(ParcelItem.parcel_id == Parcel.id))
            .order_by(Parcel.id)
            .limit(500)
        )
    )
    committed = etas.commit_etas(db.session, missing, etas.COMMITTED) if missing else 0
    return {"cancelled_hubs": len(cancelled_hubs), "committed": committed}


def queue_parcel_etas(parcel_ids: list[int], reason: str = "Re-estimated"):
    """After commit; if Redis is down the periodic settle commits the ETAs a minute later."""
    return _safely_enqueue(commit_parcel_etas, [int(i) for i in parcel_ids], reason)


def queue_hub_reestimate(hub_id: int, reason: str = "The hub's queue changed"):
    return _safely_enqueue(reestimate_hub_etas, int(hub_id), reason)


def _safely_enqueue(func, *args):
    try:
        return enqueue(ETA_QUEUE, func, *args, retry=Retry(max=ETA_RETRIES), job_timeout=ETA_JOB_TIMEOUT)
    except Exception:  # the change is committed already; a lost job is caught up by settle_parcels
        log.exception("could not queue %s%r", func.__name__, args)
        return None
