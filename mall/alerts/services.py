"""Reading and acknowledging alerts: what the dashboard, the operator and the live drop monitor call."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from mall.alerts.models import SEVERITY_RANK, Alert
from mall.extensions import db

STATUSES = ("open", "acknowledged", "resolved", "all")
SEVERITIES = tuple(SEVERITY_RANK)
PAGE_SIZE = 100


@dataclass(frozen=True)
class AlertFilters:
    status: str = "open"
    severity: str = ""

    @classmethod
    def from_args(cls, args) -> "AlertFilters":
        status = args.get("status", "open")
        severity = args.get("severity", "")
        return cls(status if status in STATUSES else "open", severity if severity in SEVERITIES else "")

    def as_args(self, **changes) -> dict:
        values = {"status": self.status, "severity": self.severity, **changes}
        return {k: v for k, v in values.items() if v}


def _in_status(stmt, status: str):
    if status == "open":
        return stmt.where(Alert.resolved_at.is_(None), Alert.acknowledged_at.is_(None))
    if status == "acknowledged":
        return stmt.where(Alert.resolved_at.is_(None), Alert.acknowledged_at.is_not(None))
    if status == "resolved":
        return stmt.where(Alert.resolved_at.is_not(None))
    return stmt


def _owned_by(stmt, tenant_id: int | None):
    """A brand's alerts, or (None) the operator's; never the two mixed."""
    return stmt.where(Alert.tenant_id == tenant_id) if tenant_id is not None else stmt.where(Alert.tenant_id.is_(None))


def list_alerts(session: Session, tenant_id: int | None, filters: AlertFilters) -> list[Alert]:
    stmt = _owned_by(select(Alert), tenant_id).options(selectinload(Alert.acknowledged_by), selectinload(Alert.tenant))
    stmt = _in_status(stmt, filters.status)
    if filters.severity:
        stmt = stmt.where(Alert.severity == filters.severity)
    return list(session.scalars(stmt.order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(PAGE_SIZE)))


def status_counts(session: Session, tenant_id: int | None) -> dict[str, int]:
    return {
        status: session.scalar(_in_status(_owned_by(select(func.count(Alert.id)), tenant_id), status)) or 0
        for status in STATUSES
    }


def unacknowledged_count(session: Session, tenant_id: int | None) -> int:
    """The badge: alerts still open that nobody has acknowledged."""
    return session.scalar(_in_status(_owned_by(select(func.count(Alert.id)), tenant_id), "open")) or 0


def acknowledge(session: Session, alert: Alert, user_id: int, now: datetime) -> bool:
    """Records who acknowledged it first; a second click (or a second person) changes nothing."""
    done = session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_id=user_id)
        .execution_options(synchronize_session=False, all_tenants=True)
    ).rowcount
    session.commit()
    return bool(done)


def open_alerts_for_drop(tenant_id: int, drop_id: int) -> list[Alert]:
    """Unresolved alerts raised about one drop of one brand, most severe first (the live drop monitor shows them)."""
    alerts = db.session.scalars(
        select(Alert)
        .where(Alert.tenant_id == tenant_id, Alert.drop_id == drop_id, Alert.resolved_at.is_(None))
        .options(selectinload(Alert.tenant))
        .order_by(Alert.raised_at.desc(), Alert.id.desc())
    ).all()
    return sorted(alerts, key=lambda a: -SEVERITY_RANK[a.severity])
