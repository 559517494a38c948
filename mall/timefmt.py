"""One way to write time: durations as "1 d 23 h", "1 h 22 min", "3 min 16 s"; clock times 24-hour, in the mall's zone.

static/js/mall.js formats a ticking countdown with the same rules (durationText); tests check both agree.
"""

from datetime import UTC, datetime

from mall.clock import utcnow


def duration(seconds: float) -> str:
    """Whole seconds, in the two largest units that matter; a zero second unit is left out ("2 h", not "2 h 0 min")."""
    s = max(int(seconds), 0)
    days, hours, minutes, secs = s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def ms_iso(epoch_ms: int) -> str:
    """An epoch-milliseconds instant (the stock engine's) for a countdown in the browser."""
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def seconds_until(moment: datetime | int, now: datetime | None = None) -> int:
    """Whole seconds from now to `moment` (naive UTC, or epoch milliseconds), never below zero."""
    now = now or utcnow()
    if isinstance(moment, int):
        left = moment / 1000 - (now - datetime(1970, 1, 1)).total_seconds()
    else:
        left = (moment - now).total_seconds()
    return max(int(left), 0)


def time_left(moment: datetime | int | None, done: str = "now", now: datetime | None = None) -> str:
    """What a countdown to `moment` shows right now: its duration, or `done` once it is reached."""
    if moment is None:
        return ""
    left = seconds_until(moment, now)
    return duration(left) if left > 0 else done
