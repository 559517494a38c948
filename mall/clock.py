"""Time in one place: the database stores naive UTC; people see MALL_TIMEZONE."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def mall_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("MALL_TIMEZONE", "UTC"))


def to_local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(mall_zone())


def from_local(moment: datetime) -> datetime:
    """A naive wall-clock time typed by a person -> naive UTC."""
    aware = moment.replace(tzinfo=mall_zone())
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def iso_utc(moment: datetime) -> str:
    """For countdowns in the browser: an unambiguous instant."""
    return moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
