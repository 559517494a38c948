"""The one way alerts come and go: a check reports what is true now; new causes are raised once, cleared ones resolve.

Raising is race-safe without locks: `alerts.open_key` is unique while an alert is unresolved, so two
evaluations running at once insert one row; the other's INSERT ... ON CONFLICT DO NOTHING inserts none.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mall.alerts.models import Alert, Kind, LinkKind, Severity, open_key_for


@dataclass(frozen=True)
class Finding:
    """A condition a check sees right now, named by a cause key that stays the same while it lasts."""

    tenant_id: int | None
    kind: Kind
    severity: Severity
    cause_key: str
    message: str
    link_kind: LinkKind
    link_id: int | None = None
    link_ref: str = ""
    drop_id: int | None = None

    @property
    def open_key(self) -> str:
        return open_key_for(self.tenant_id, self.cause_key)


def raise_alert(session: Session, finding: Finding, now: datetime) -> Alert | None:
    """A new alert, or None when this cause already has an unresolved one (also when another run just raised it)."""
    if already_open(session, finding.open_key):  # the common case, answered by a read
        return None
    values = dict(
        tenant_id=finding.tenant_id,
        kind=finding.kind.value,
        severity=finding.severity.value,
        cause_key=finding.cause_key,
        open_key=finding.open_key,
        message=finding.message[:400],
        drop_id=finding.drop_id,
        link_kind=finding.link_kind.value,
        link_id=finding.link_id,
        link_ref=finding.link_ref[:120],
        raised_at=now,
    )
    # One statement, no savepoint: a concurrent insert of the same open cause makes this one do nothing.
    alert_id = session.scalar(
        _insert(session).values(**values).on_conflict_do_nothing(index_elements=["open_key"]).returning(Alert.id)
    )
    return session.get(Alert, alert_id) if alert_id is not None else None


def already_open(session: Session, open_key: str) -> bool:
    found = session.scalar(select(Alert.id).where(Alert.open_key == open_key).execution_options(all_tenants=True))
    return found is not None


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Alert)


def resolve_cleared(session: Session, kind: Kind, scope, still_true: set[str], now: datetime) -> int:
    """Resolve this kind's unresolved alerts within `scope` whose cause is no longer seen; returns how many."""
    rows = session.execute(
        select(Alert.id, Alert.open_key)
        .where(Alert.kind == kind.value, Alert.open_key.is_not(None), scope)
        .execution_options(all_tenants=True)
    ).all()
    cleared = [alert_id for alert_id, key in rows if key not in still_true]
    if not cleared:
        return 0
    return session.execute(
        update(Alert)
        .where(Alert.id.in_(cleared), Alert.resolved_at.is_(None))
        .values(resolved_at=now, open_key=None)
        .execution_options(all_tenants=True, synchronize_session=False)
    ).rowcount


@dataclass
class Evaluation:
    """One run of the checks: what it raised and resolved; emails go out for what it raised."""

    session: Session
    now: datetime
    raised: list[Alert] = field(default_factory=list)
    resolved: int = 0
    emailed_up_to: int = 0  # alerts in `raised` before this index already have their emails written

    def sync(self, kind: Kind, findings: list[Finding], scope) -> None:
        """`scope` names the alerts this check is responsible for (e.g. one drop's): only those can resolve."""
        for finding in findings:
            assert finding.kind == kind
            alert = raise_alert(self.session, finding, self.now)
            if alert is not None:
                self.raised.append(alert)
        self.resolved += resolve_cleared(self.session, kind, scope, {f.open_key for f in findings}, self.now)

    def commit(self) -> None:
        """Commit with the emails of the alerts raised since the last commit: both land, or neither."""
        from mall.alerts.emails import queue_alert_emails, write_alert_emails

        fresh, self.emailed_up_to = self.raised[self.emailed_up_to:], len(self.raised)
        keys = write_alert_emails(self.session, fresh)
        self.session.commit()
        queue_alert_emails(keys)

    def rollback(self) -> None:
        """Forget what was raised since the last commit: it never reached the database."""
        self.session.rollback()
        del self.raised[self.emailed_up_to:]

    @property
    def counts(self) -> dict[str, int]:
        return {"raised": len(self.raised), "resolved": self.resolved}
