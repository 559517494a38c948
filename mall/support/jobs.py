"""Support job: snoozed threads wake up on time, and missed targets are marked and alerted."""

from mall.clock import utcnow
from mall.extensions import db
from mall.support.sla import mark_breaches, wake_snoozed


def check_support_deadlines() -> dict[str, int]:
    """For every brand; running it twice raises no second alert for the same thread and cause."""
    now = utcnow()
    woken = wake_snoozed(db.session, now)
    alerts = mark_breaches(db.session, now)
    return {"woken": woken, "alerts": alerts}
