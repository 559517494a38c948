"""Service-level targets: deadlines, breach marking with alerts, waking snoozed threads, and metrics."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.support.models import SlaAlert, SlaCause, SupportThread, ThreadStatus

DUE_SOON = timedelta(hours=1)
METRICS_WINDOW = timedelta(days=30)
_UNRESOLVED = SupportThread.status != ThreadStatus.RESOLVED.value


def overdue_clause(now: datetime):
    """Unresolved threads that missed a target, now or earlier."""
    return and_(
        _UNRESOLVED,
        or_(
            SupportThread.first_response_breached_at.is_not(None),
            SupportThread.resolution_breached_at.is_not(None),
            and_(SupportThread.first_responded_at.is_(None), SupportThread.first_response_due_at <= now),
            SupportThread.resolution_due_at <= now,
        ),
    )


def due_soon_clause(now: datetime):
    """Unresolved threads not yet late whose next target falls within the hour."""
    soon = now + DUE_SOON
    return and_(
        ~overdue_clause(now),
        _UNRESOLVED,
        or_(
            and_(SupportThread.first_responded_at.is_(None), SupportThread.first_response_due_at <= soon),
            SupportThread.resolution_due_at <= soon,
        ),
    )


def next_deadline(thread: SupportThread) -> tuple[str, datetime] | None:
    """What the brand owes next on this thread, and by when."""
    if thread.is_resolved:
        return None
    if thread.first_responded_at is None:
        return "First response", thread.first_response_due_at
    return "Resolution", thread.resolution_due_at


def is_late(thread: SupportThread, now: datetime) -> bool:
    deadline = next_deadline(thread)
    return deadline is not None and deadline[1] <= now


def mark_breaches(session: Session, now: datetime) -> int:
    """Marks every missed target across brands and raises one alert per thread and cause; safe to repeat."""
    raised = 0
    checks = (
        (SlaCause.FIRST_RESPONSE, SupportThread.first_response_breached_at,
         and_(SupportThread.first_responded_at.is_(None), SupportThread.first_response_due_at <= now)),
        (SlaCause.RESOLUTION, SupportThread.resolution_breached_at, SupportThread.resolution_due_at <= now),
    )
    for cause, marker, missed in checks:
        rows = session.execute(
            select(SupportThread.id, SupportThread.tenant_id)
            .where(_UNRESOLVED, marker.is_(None), missed)
            .execution_options(all_tenants=True)
        ).all()
        for thread_id, tenant_id in rows:
            raised += _mark_one(session, thread_id, tenant_id, cause, marker, now)
    return raised


def _mark_one(session: Session, thread_id: int, tenant_id: int, cause: SlaCause, marker, now: datetime) -> int:
    # Compare-and-set: a reply or a second job run at this moment wins, and the alert stays unique.
    marked = session.execute(
        update(SupportThread)
        .where(SupportThread.id == thread_id, marker.is_(None), _UNRESOLVED)
        .values({marker.key: now})
        .execution_options(all_tenants=True, synchronize_session=False)
    ).rowcount
    if not marked:
        session.rollback()
        return 0
    session.add(SlaAlert(tenant_id=tenant_id, thread_id=thread_id, cause=cause.value, raised_at=now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return 0
    return 1


def wake_snoozed(session: Session, now: datetime) -> int:
    """Snoozed threads whose time has come go back to open."""
    woken = session.execute(
        update(SupportThread)
        .where(SupportThread.status == ThreadStatus.SNOOZED.value, SupportThread.snoozed_until <= now)
        .values(status=ThreadStatus.OPEN.value, snoozed_until=None)
        .execution_options(all_tenants=True, synchronize_session=False)
    ).rowcount
    session.commit()
    return woken


@dataclass(frozen=True)
class SupportMetrics:
    threads: int
    median_first_response: timedelta | None
    median_resolution: timedelta | None
    breach_rate: float | None


def brand_metrics(session: Session, tenant_id: int, now: datetime) -> SupportMetrics:
    """Over the threads opened in the last 30 days."""
    rows = session.execute(
        select(
            SupportThread.created_at,
            SupportThread.first_responded_at,
            SupportThread.resolved_at,
            SupportThread.status,
            SupportThread.first_response_breached_at,
            SupportThread.resolution_breached_at,
        ).where(SupportThread.tenant_id == tenant_id, SupportThread.created_at >= now - METRICS_WINDOW)
    ).all()
    first = [(r.first_responded_at - r.created_at).total_seconds() for r in rows if r.first_responded_at]
    resolved = [(r.resolved_at - r.created_at).total_seconds() for r in rows if r.resolved_at]
    breached = sum(1 for r in rows if r.first_response_breached_at or r.resolution_breached_at)
    return SupportMetrics(
        threads=len(rows),
        median_first_response=timedelta(seconds=statistics.median(first)) if first else None,
        median_resolution=timedelta(seconds=statistics.median(resolved)) if resolved else None,
        breach_rate=breached / len(rows) if rows else None,
    )
