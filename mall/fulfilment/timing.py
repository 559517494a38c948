"""Working time at a hub: queues are picked only while the hub is open. Pure Python.

Times are naive UTC, like the database; opening hours are wall-clock times in the mall's zone.
"""

import math
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
MAX_DAYS = 3660  # a queue that would take ten years is reported as ten years, never an endless loop


@dataclass(frozen=True)
class OpeningHours:
    opens: time
    closes: time
    zone: ZoneInfo

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's open window as naive UTC (wall-clock times, so DST shifts are honoured)."""
        return _window(self.opens, self.closes, self.zone, day)

    def next_open(self, moment: datetime) -> datetime:
        """`moment` if the hub is open then, else the next opening time."""
        start, end = self.window(moment.date())
        if start <= moment < end:
            return moment  # the common case, answered without walking the calendar
        day = moment.date() - timedelta(days=1)  # the local day starts at most a day before the UTC one
        for _ in range(MAX_DAYS):
            start, end = self.window(day)
            if moment < end:
                return max(moment, start)
            day += timedelta(days=1)
        return moment + timedelta(days=MAX_DAYS)

    def add_working_minutes(self, moment: datetime, minutes: float) -> datetime:
        """The moment `minutes` of open time after `moment`."""
        start, end = self.window(moment.date())
        if start <= moment and moment + timedelta(minutes=minutes) <= end:
            return moment + timedelta(minutes=max(0.0, minutes))
        day = moment.date() - timedelta(days=1)
        left = max(0.0, minutes)
        for _ in range(MAX_DAYS):
            start, end = self.window(day)
            begin = max(moment, start)
            if begin < end:
                room = (end - begin).total_seconds() / 60
                if left <= room:
                    return begin + timedelta(minutes=left)
                left -= room
            day += timedelta(days=1)
        return moment + timedelta(days=MAX_DAYS)


@lru_cache(maxsize=4096)
def _window(opens: time, closes: time, zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(day, closes, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    return start, end


def picking_minutes(parcels: int, throughput_per_hour: int) -> float:
    """Open minutes a hub needs for `parcels` parcels at its throughput (parcels per hour)."""
    return parcels * 60.0 / max(1, throughput_per_hour)


def ready_after_queue(hours: OpeningHours, now: datetime, ahead: int, throughput_per_hour: int) -> datetime:
    """When a new parcel is ready: the queue ahead of it and itself, picked in open hours only."""
    return hours.add_working_minutes(now, picking_minutes(ahead + 1, throughput_per_hour))


def transfer_arrival(reserve: OpeningHours, hub: OpeningHours, sent: datetime, lead_minutes: float) -> datetime:
    """Units sent from the central reserve leave in its open hours and are received when the hub is open."""
    return hub.next_open(reserve.add_working_minutes(sent, lead_minutes))


def travel_minutes(distance_km: float, speed_kmh: float) -> float:
    return distance_km / speed_kmh * 60.0 if speed_kmh > 0 else 0.0


def round_up(moment: datetime, minutes: int = 5) -> datetime:
    """ETAs are promised to the next `minutes` mark: a person reads 14:35, not 14:31:07."""
    step = minutes * 60
    seconds = (moment - datetime(2000, 1, 1)).total_seconds()
    return datetime(2000, 1, 1) + timedelta(seconds=math.ceil(seconds / step) * step)
