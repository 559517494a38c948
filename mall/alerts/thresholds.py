"""Each brand's alert thresholds, with the mall's defaults for a brand that never changed them."""

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.alerts.models import DEFAULT_THRESHOLDS, SEVERITY_RANK, AlertSettings


@dataclass(frozen=True)
class Thresholds:
    low_stock_minutes: int
    low_stock_units: int
    sold_out: bool
    hoard_holds: int
    velocity_orders: int
    converging_carts: int
    fraud_window_minutes: int
    eta_grace_minutes: int
    email_severity: str
    email_to: str

    def emails(self, severity: str) -> bool:
        if self.email_severity == "never":
            return False
        return SEVERITY_RANK[severity] >= SEVERITY_RANK[self.email_severity]


DEFAULTS = Thresholds(**DEFAULT_THRESHOLDS)
NAMES = tuple(f.name for f in fields(Thresholds))


def _from_row(row: AlertSettings) -> Thresholds:
    return Thresholds(**{name: getattr(row, name) for name in NAMES})


def thresholds_for(session: Session, tenant_ids) -> dict[int, Thresholds]:
    """Every asked-for brand gets an answer: its saved settings, or the defaults."""
    ids = list(set(tenant_ids))
    rows = session.scalars(
        select(AlertSettings).where(AlertSettings.tenant_id.in_(ids)).execution_options(all_tenants=True)
    ).all() if ids else []
    found = {row.tenant_id: _from_row(row) for row in rows}
    return {tenant_id: found.get(tenant_id, DEFAULTS) for tenant_id in ids}


def settings_row(session: Session, tenant_id: int) -> AlertSettings:
    """The brand's row for the settings form; an unsaved one carrying the defaults when there is none yet."""
    row = session.scalar(select(AlertSettings).where(AlertSettings.tenant_id == tenant_id))
    return row or AlertSettings(tenant_id=tenant_id, **DEFAULT_THRESHOLDS)


def save_settings(session: Session, tenant_id: int, values: dict) -> AlertSettings:
    for attempt in range(2):
        row = settings_row(session, tenant_id)
        for name in NAMES:
            if name in values:
                setattr(row, name, values[name])
        session.add(row)
        try:
            session.commit()
            return row
        except IntegrityError:  # two first saves at once: the second updates the row the first created
            session.rollback()
            if attempt:
                raise
    return row
