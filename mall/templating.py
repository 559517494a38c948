"""Filters and globals every template may use."""

from datetime import datetime, timezone

from flask import Flask, g

from mall.clock import iso_utc, to_local, utcnow


def money(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"£{cents // 100:,}.{cents % 100:02d}"


def ms_iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, timezone.utc).isoformat().replace("+00:00", "Z")


def local_time(moment: datetime | None, fmt: str = "%a %d %b, %H:%M") -> str:
    return to_local(moment).strftime(fmt) if moment else ""


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["ms_iso"] = ms_iso
    app.jinja_env.globals["now_utc"] = utcnow

    @app.context_processor
    def tenant_context():
        return {"tenant": g.get("tenant"), "membership": g.get("membership")}
