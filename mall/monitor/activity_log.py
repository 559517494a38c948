"""Copying a drop's per-minute activity counters from Redis into the database, and reading them back.

Counters only grow, so each stored minute keeps the larger of what the database and Redis say:
a Redis that lost its data (and counts again from zero) never lowers what was already saved.
"""

from datetime import datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.monitor.models import ACTIVITY_COLUMNS, DropActivityMinute
from mall.stock.activity import Counts, DropActivity


def save_activity(
    session: Session, activity: DropActivity, tenant_id: int, drop_id: int, start: datetime, end: datetime
) -> int:
    """Store the drop's non-zero minutes in [start, end); returns how many rows changed. Safe to run twice."""
    try:
        minutes = [(m, c) for m, c in activity.per_minute(drop_id, start, end) if c != Counts()]
    except RedisError:
        return 0
    for attempt in (1, 2):
        try:
            changed = _merge(session, tenant_id, drop_id, minutes)
            session.commit()
            return changed
        except IntegrityError:  # another run inserted the same minute first: merge into its row
            session.rollback()
            if attempt == 2:
                raise
    return 0


def _merge(session: Session, tenant_id: int, drop_id: int, minutes: list[tuple[datetime, Counts]]) -> int:
    stored = {
        row.minute: row
        for row in session.scalars(
            select(DropActivityMinute)
            .where(DropActivityMinute.drop_id == drop_id)
            .execution_options(all_tenants=True)
        )
    }
    changed = 0
    for minute, counts in minutes:
        row = stored.get(minute)
        if row is None:
            session.add(DropActivityMinute(tenant_id=tenant_id, drop_id=drop_id, minute=minute, **_values(counts)))
            changed += 1
            continue
        higher = {c: v for c, v in _values(counts).items() if v > getattr(row, c)}
        for column, value in higher.items():
            setattr(row, column, value)
        changed += bool(higher)
    session.flush()
    return changed


def _values(counts: Counts) -> dict[str, int]:
    return {column: getattr(counts, column) for column in ACTIVITY_COLUMNS}


def stored_minutes(session: Session, drop_id: int, start: datetime, end: datetime) -> list[tuple[datetime, Counts]]:
    """One entry per minute in [start, end), zero-filled, from the database."""
    rows = {
        row.minute: Counts(**_values(row))
        for row in session.scalars(
            select(DropActivityMinute).where(
                DropActivityMinute.drop_id == drop_id,
                DropActivityMinute.minute >= _floor(start),
                DropActivityMinute.minute < end,
            )
        )
    }
    first = _floor(start)
    count = max(0, -(-int((end - first).total_seconds()) // 60))
    return [(first + timedelta(minutes=i), rows.get(first + timedelta(minutes=i), Counts())) for i in range(count)]


def _floor(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
