"""Drop jobs: keep each drop's stored status in step with the clock."""

from sqlalchemy import select, update

from mall.clock import utcnow
from mall.drops.models import Drop, DropStatus
from mall.drops.pricing import effective_status
from mall.extensions import db

_MOVING = (DropStatus.SCHEDULED.value, DropStatus.LIVE.value)


def refresh_drop_statuses() -> dict[str, int]:
    """Store scheduled -> live and live -> ended for every brand; drafts and cancelled drops stay.

    Returns how many drops went live and how many ended. Running it twice changes nothing more.
    """
    now = utcnow()
    counts = {DropStatus.LIVE.value: 0, DropStatus.ENDED.value: 0}
    due = db.session.execute(
        select(Drop.id, Drop.status, Drop.starts_at, Drop.ends_at)
        .where(Drop.status.in_(_MOVING), Drop.starts_at <= now)
        .execution_options(all_tenants=True)
    ).all()
    for row in due:
        new_status = effective_status(row, now)
        if new_status == row.status:
            continue
        # Compare-and-set: a brand cancelling the drop at this moment wins.
        result = db.session.execute(
            update(Drop)
            .where(Drop.id == row.id, Drop.status == row.status)
            .values(status=new_status.value)
            .execution_options(all_tenants=True, synchronize_session=False)
        )
        counts[new_status.value] += result.rowcount
    db.session.commit()
    return counts
