"""The live drop monitor's region, computed and rendered once per drop every MONITOR_FRESH_SECONDS for every tab.

Units come from the stock engine (free and held units in Redis) beside the database (on hand, sold
in this drop); views and holds from the activity counters; orders, creator links, support threads and
alerts from the database. The region holds nothing personal (no form, no name), so its HTML itself is
shared through Redis (see shared_cache.py): a poll costs a Redis GET, not queries and a render.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app, render_template
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from mall.admission.services import line_figures
from mall.clock import utcnow
from mall.draw.services import draw_figures
from mall.drops.models import Drop, DropStatus
from mall.drops.pricing import effective_status
from mall.drops.selling import drop_sell_state
from mall.extensions import db, redis_client
from mall.monitor import queries
from mall.monitor.presenting import HELPERS
from mall.monitor.shared_cache import shared_value
from mall.stock.access import drop_activity, stock_engine
from mall.stock.activity import Counts
from mall.drops.stock import drop_availability
from mall.templating import local_time
from mall.waitlist.services import waiting_per_drop

FRESH_SECONDS = 1.5  # the monitor polls every 2 s; 50 tabs then cost about one computation per poll
POLL_SECONDS = 2
CHART_MINUTES = 30
BURN_MINUTES = 5  # the burn rate is measured over this many recent minutes
TOP_LINKS = 5
THREADS_SHOWN = 5


def cache_key(drop_id: int) -> str:
    return f"fm:monitor:{drop_id}"


def live_region(drop_id: int, load_drop: Callable[[int], Drop]) -> dict:
    """{"html": the monitor's region, "tenant_id", "status"}, at most FRESH_SECONDS old, made by one caller for all.

    `load_drop(drop_id)` is only called when the region must be computed: a poll served from the shared copy
    touches no table (the caller checks the copy's tenant_id against the member's brand)."""
    fresh = float(current_app.config.get("MONITOR_FRESH_SECONDS", FRESH_SECONDS))
    return shared_value(redis_client(), cache_key(drop_id), fresh, lambda: render_region(load_drop(drop_id), utcnow()))


def render_region(drop: Drop, now: datetime) -> dict:
    figures = compute_figures(db.session, drop, now)
    polling = figures["status"] in (DropStatus.SCHEDULED.value, DropStatus.LIVE.value)
    html = render_template(
        "monitor/_region.html", drop=drop, slug=drop.tenant.slug, brand=drop.tenant, f=figures, polling=polling,
        poll_seconds=POLL_SECONDS, **HELPERS,
    )
    return {"html": html, "tenant_id": drop.tenant_id, "status": figures["status"]}


def compute_figures(session: Session, drop: Drop, now: datetime) -> dict:
    availability = drop_availability(session, stock_engine(), drop.id)
    sell = drop_sell_state(session, stock_engine(), drop, availability, now)
    hubs = _hubs(session, drop, availability)
    counts, minutes = _activity(drop, now)
    orders = queries.order_count(session, drop.id)
    units_left = sum(h["available"] for h in hubs)
    burn = _burn_per_minute(drop, minutes, now)
    return {
        "computed_at": local_time(now, "%H:%M:%S"),
        "status": str(effective_status(drop, now)),
        "sell": {"state": str(sell.state), "badge": sell.badge, "css": sell.css, "headline": sell.headline,
                 "buyable": sell.buyable},
        "fallback": _fallback(sell.fallback),
        "hubs": hubs,
        "units_left": units_left,
        "held_units": sum(h["held"] for h in hubs),
        "waitlist": waiting_per_drop(session, drop.id),  # held units include those kept for it
        "draw": draw_figures(session, drop),  # entries, winners and purchases of a drop sold by draw
        "line": line_figures(redis_client(), drop),  # None unless the drop has (or had) a waiting room
        "sold_units": sum(h["sold"] for h in hubs),
        "funnel": {"views": counts.views, "holds": counts.holds, "orders": orders},
        "minutes": _chart_minutes(session, drop, minutes, now),
        "burn_per_minute": round(burn, 2),
        "sellout_minutes": round(units_left / burn, 1) if burn > 0 and units_left > 0 else None,
        "links": [vars(r) for r in queries.link_results(session, drop.tenant_id, drop.id)[:TOP_LINKS]],
        "threads_open": queries.unresolved_thread_count(session, drop.tenant_id, drop.id),
        "threads": [
            {"id": t.id, "subject": t.subject, "status": t.status, "opened": local_time(t.created_at, "%H:%M")}
            for t in queries.threads_about(session, drop.tenant_id, drop.id, unresolved_only=True, limit=THREADS_SHOWN)
        ],
    }


def _fallback(offer) -> dict | None:
    """The fallback item on offer now, counted apart from the drop's own units."""
    if offer is None:
        return None
    return {"label": offer.variant.label, "free": offer.units.free, "held": offer.units.held, "sold": offer.units.sold,
            "price_cents": offer.price_cents}


def _hubs(session: Session, drop: Drop, availability) -> list[dict]:
    """Per active hub holding the drop's hero variants: on hand, free now, held now and sold in this drop."""
    sold_here = queries.sold_by_hub(session, drop.id)
    return [
        {
            "name": hub.name, "kind": hub.kind, "on_hand": hub.on_hand, "available": hub.free, "held": hub.held,
            "sold": sold_here.get(hub.hub_id, 0), "percent_left": hub.percent_left,
        }
        for hub in availability.hubs
    ]


def _activity(drop: Drop, now: datetime) -> tuple[Counts, list[tuple[datetime, Counts]]]:
    """Whole-drop totals, and the minutes of the chart (which also cover the burn-rate window)."""
    end = _minute(now) + timedelta(minutes=1) if now < drop.ends_at else drop.ends_at
    start = max(_minute(drop.starts_at), end - timedelta(minutes=CHART_MINUTES))
    if start >= end:
        return Counts(), []
    activity = drop_activity()
    try:
        return activity.totals(drop.id), activity.per_minute(drop.id, start, end)
    except RedisError:
        return Counts(), []


def _burn_per_minute(drop: Drop, minutes: list[tuple[datetime, Counts]], now: datetime) -> float:
    """Units leaving the shelf per minute lately: units held minus units back from expired holds, over the
    last BURN_MINUTES minutes of the drop (the current one included)."""
    since = _minute(now) - timedelta(minutes=BURN_MINUTES - 1)
    recent = [c for m, c in minutes if since <= m <= now]
    if not recent or now >= drop.ends_at:
        return 0.0
    net = sum(c.held_units - c.expired_units for c in recent)
    return max(net, 0) / len(recent)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _chart_minutes(session: Session, drop: Drop, minutes: list[tuple[datetime, Counts]], now: datetime) -> list[dict]:
    if not minutes:
        return []
    orders: dict[datetime, int] = {}
    for placed in queries.order_times(session, drop.id, minutes[0][0]):
        minute = placed.replace(second=0, microsecond=0)
        orders[minute] = orders.get(minute, 0) + 1
    return [
        {"label": local_time(m, "%H:%M"), "holds": c.holds, "orders": orders.get(m, 0), "expired": c.expired}
        for m, c in minutes
    ]
