"""Monitor jobs (RQ): copy drop activity into the database, and build each drop's report once it is over.

Jobs take ids (and the tenant id), never ORM objects, and are safe to run twice: activity merges by
minute, a drop has at most one report row, and a rebuild replaces its figures in place.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mall.clock import utcnow
from mall.drops.models import Drop, DropStatus
from mall.extensions import db
from mall.jobs.queues import enqueue
from mall.monitor.activity_log import save_activity
from mall.monitor.models import DropReport
from mall.monitor.report import build_report
from mall.stock.access import drop_activity
from tenants.scoping import tenant_scope

log = logging.getLogger(__name__)

REPORTED = (DropStatus.SCHEDULED.value, DropStatus.LIVE.value, DropStatus.ENDED.value)  # drops that ran as planned
ACTIVITY_TAIL = timedelta(minutes=15)  # keep copying a little after the last hold could have run out
REFRESH_EVERY = timedelta(days=1)  # late parcels, support answers and repeat buyers keep coming in...
REFRESH_FOR = timedelta(days=14)  # ...so a report is rebuilt daily for two weeks
BUILDS_PER_RUN = 10


def report_due_at(drop: Drop) -> datetime:
    """When the report is built: the drop is over and its last holds have run out."""
    return drop.ends_at + timedelta(minutes=drop.hold_minutes)


def save_drop_activity() -> int:
    """Periodic: copies the counters of every drop that is live or just ended. Returns the rows changed."""
    now = utcnow()
    drops = db.session.execute(
        select(Drop.id, Drop.tenant_id, Drop.starts_at, Drop.ends_at, Drop.hold_minutes)
        .where(Drop.status != DropStatus.DRAFT.value, Drop.starts_at <= now, Drop.ends_at >= now - timedelta(days=1))
        .execution_options(all_tenants=True)
    ).all()
    changed = 0
    for drop in drops:
        if now <= report_due_at(drop) + ACTIVITY_TAIL:
            changed += _save(drop.tenant_id, drop.id, drop.starts_at, report_due_at(drop))
    return changed


def _save(tenant_id: int, drop_id: int, starts_at: datetime, until: datetime) -> int:
    with tenant_scope(tenant_id):
        return save_activity(db.session, drop_activity(), tenant_id, drop_id, starts_at - timedelta(hours=1), until)


def build_drop_report(tenant_id: int, drop_id: int) -> int | None:
    """(Re)build one drop's report; returns the report's id (None for an unknown drop)."""
    tenant_id, drop_id = int(tenant_id), int(drop_id)
    with tenant_scope(tenant_id):
        drop = db.session.scalar(select(Drop).where(Drop.id == drop_id, Drop.tenant_id == tenant_id))
        if drop is None:
            return None
        _save(tenant_id, drop_id, drop.starts_at, report_due_at(drop))
        now = utcnow()
        data = build_report(db.session, drop, now)
        return _store(tenant_id, drop_id, data, now)


def _store(tenant_id: int, drop_id: int, data: dict, now: datetime) -> int:
    for attempt in (1, 2):
        report = db.session.scalar(select(DropReport).where(DropReport.drop_id == drop_id))
        if report is None:
            report = DropReport(tenant_id=tenant_id, drop_id=drop_id)
            db.session.add(report)
        report.data, report.built_at, report.requested_at = data, now, None
        try:
            db.session.commit()
            return report.id
        except IntegrityError:  # a second run inserted the row first: update that one
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def build_due_reports() -> list[int]:
    """Periodic: builds the report of every drop that is over and has none, then refreshes recent ones."""
    now = utcnow()
    rows = db.session.execute(
        select(Drop.id, Drop.tenant_id, Drop.ends_at, Drop.hold_minutes, DropReport.built_at)
        .outerjoin(DropReport, DropReport.drop_id == Drop.id)
        .where(Drop.status.in_(REPORTED), Drop.ends_at <= now)
        .where(
            DropReport.id.is_(None)
            | ((DropReport.built_at <= now - REFRESH_EVERY) & (Drop.ends_at >= now - REFRESH_FOR))
        )
        .order_by(DropReport.id.is_not(None), Drop.ends_at.desc())
        .execution_options(all_tenants=True)
    ).all()
    db.session.rollback()
    built = []
    for row in rows:
        if report_due_at(row) > now:
            continue
        try:
            build_drop_report(row.tenant_id, row.id)
            built.append(row.id)
        except Exception:  # one broken drop must not keep every other report from being built
            db.session.rollback()
            log.exception("could not build the report of drop %s", row.id)
        if len(built) >= BUILDS_PER_RUN:
            break
    return built


def request_rebuild(drop: Drop) -> None:
    """A member asked for fresh figures: mark the report and queue its job (built here if Redis is down)."""
    report = db.session.scalar(select(DropReport).where(DropReport.drop_id == drop.id))
    if report is not None:
        report.requested_at = utcnow()
        db.session.commit()
    try:
        enqueue("low", build_drop_report, drop.tenant_id, drop.id, job_id=f"drop-report-{drop.id}")
    except Exception:
        log.exception("could not queue the report of drop %s; building it now", drop.id)
        build_drop_report(drop.tenant_id, drop.id)
