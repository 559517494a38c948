"""Filters and globals every template may use."""

from datetime import datetime

from flask import Flask, g

from mall.clock import iso_utc, to_local, utcnow
from mall.timefmt import duration, ms_iso, time_left


def money(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"£{cents // 100:,}.{cents % 100:02d}"


def local_time(moment: datetime | None, fmt: str = "%a %d %b, %H:%M") -> str:
    """A clock time in the mall's zone, always 24-hour (the formats here never use %I or %p)."""
    return to_local(moment).strftime(fmt) if moment else ""


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["ms_iso"] = ms_iso
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["time_left"] = time_left
    app.jinja_env.globals["now_utc"] = utcnow

    @app.context_processor
    def tenant_context():
        return {"tenant": g.get("tenant"), "membership": g.get("membership")}
