"""The operator's waiting-room settings, with safe defaults until they are saved."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.admission.models import AdmissionSettings

FIELDS = ("capacity", "overbook_percent", "admission_minutes", "expiring_seconds", "entries_per_ip")


@dataclass(frozen=True)
class RoomSettings:
    capacity: int = 500  # shoppers active in one drop at once
    overbook_percent: int = 120  # admit this share of the units that can still be bought (some admitted never buy)
    admission_minutes: int = 5  # how long an admission lets a shopper place holds
    expiring_seconds: int = 60  # holds ending within this count as units coming back
    entries_per_ip: int = 20  # places in one drop's line from one IP address

    def allowance(self, free: int, expiring: int) -> int:
        """How many admitted shoppers may be shopping at once: bounded by what can still be bought, and by capacity."""
        return max(0, min(self.capacity, (max(free, 0) + max(expiring, 0)) * self.overbook_percent // 100))


def current_settings(session: Session) -> RoomSettings:
    row = session.scalar(select(AdmissionSettings).order_by(AdmissionSettings.id).limit(1))
    if row is None:
        return RoomSettings()
    return RoomSettings(**{name: getattr(row, name) for name in FIELDS})


def save_settings(session: Session, values: dict) -> None:
    row = session.scalar(select(AdmissionSettings).order_by(AdmissionSettings.id).limit(1))
    if row is None:
        row = AdmissionSettings()
        session.add(row)
    for name in FIELDS:
        setattr(row, name, values[name])
    session.commit()
