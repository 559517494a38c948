"""The waiting room's rules: when a drop queues, what the line shows, and whom the admission tick lets in.

The tick (jobs.py, every 2 s) publishes each queued drop's view and gate record to Redis from the database and the
stock engine; the line page and the hold check then read Redis only."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mall.admission.gate import OPEN_GATE, Gate
from mall.admission.line import WaitingRoom, key, now_ms
from mall.admission.settings import RoomSettings, current_settings
from mall.catalog.models import Variant
from mall.clock import iso_utc, utcnow
from mall.drops.models import AdmissionMode, Drop, DropItem, DropStatus
from mall.drops.selling import drop_sell_state
from mall.drops.stock import drop_availability
from mall.extensions import db, redis_client
from mall.stock.access import stock_engine
from mall.stock.engine import StockEngine

ACTIVE_WINDOW_MINUTES = 2  # "active at once": distinct carts seen on the drop over the last two minutes
GATE_SECONDS = 60  # a gate record read from the database is trusted this long (the tick rewrites it sooner)
VIEW_SECONDS = 60


def epoch_ms(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)


# -- auto-switch: shoppers active in an open drop ------------------------------------------------------
def note_shopper(redis: Redis, drop_id: int, cart: str) -> None:
    """A shopper with a cart looked at a live drop (a HyperLogLog per minute: one call, a few bytes)."""
    minute = now_ms() // 60000
    pipe = redis.pipeline(transaction=False)
    pipe.pfadd(key(drop_id, f"act:{minute}"), cart)
    pipe.expire(key(drop_id, f"act:{minute}"), 600)
    pipe.execute()


def shoppers_active(redis: Redis, drop_id: int, *, now=None) -> int:
    minute = (now or now_ms()) // 60000
    return redis.pfcount(*[key(drop_id, f"act:{m}") for m in range(minute - ACTIVE_WINDOW_MINUTES + 1, minute + 1)])


def queues(drop: Drop, redis: Redis) -> bool:
    """The drop's line is on: chosen by the brand, or switched on because its crowd passed the capacity."""
    if drop.admission == AdmissionMode.QUEUE:
        return True
    return drop.admission == AdmissionMode.OPEN and bool(redis.exists(key(drop.id, "auto")))


# -- what the line shows ------------------------------------------------------------------------------
def _load(session: Session, drop_id: int) -> Drop | None:
    return session.scalar(
        select(Drop)
        .where(Drop.id == drop_id)
        .options(
            selectinload(Drop.tenant), selectinload(Drop.tiers),
            selectinload(Drop.items).selectinload(DropItem.variant).selectinload(Variant.product),
            selectinload(Drop.fallback_variant).selectinload(Variant.product),
        )
        .execution_options(all_tenants=True)
    )


def publish(session: Session, engine: StockEngine, drop: Drop, now: datetime) -> dict:
    """Write the drop's gate record and line view to Redis; returns the view."""
    redis = engine.redis
    sell = drop_sell_state(session, engine, drop, drop_availability(session, engine, drop.id), now)
    queued = queues(drop, redis)
    fallback = sell.fallback
    gate = OPEN_GATE
    if queued:
        gate = Gate(True, drop.tenant.slug, fallback.variant.id if fallback else 0, sell.state == "sold_out")
    view = {
        "drop_id": drop.id, "slug": drop.tenant.slug, "brand": drop.tenant.name, "colour": drop.tenant.colour,
        "title": drop.title, "starts_at": iso_utc(drop.starts_at), "ends_at": iso_utc(drop.ends_at),
        "starts_ms": epoch_ms(drop.starts_at), "ends_ms": epoch_ms(drop.ends_at),
        "cancelled": drop.status == DropStatus.CANCELLED, "queued": queued, "state": str(sell.state),
        "free": sell.free, "held": sell.held,  # as published; the line page reads the engine's live counters
        "per_shopper_limit": drop.per_shopper_limit, "waitlist_offer_minutes": drop.waitlist_offer_minutes,
        "hold_minutes": drop.hold_minutes,
        "heroes": [
            {"variant_id": item.variant_id, "label": item.variant.label, "list_price_cents": item.variant.price_cents}
            for item in drop.items
        ],
        "fallback": None if fallback is None else {
            "variant_id": fallback.variant.id, "label": fallback.variant.label, "free": fallback.free,
            "price_cents": fallback.price_cents, "list_price_cents": fallback.list_price_cents,
            "percent_off": fallback.percent_off,
        },
    }
    pipe = redis.pipeline(transaction=False)
    pipe.set(key(drop.id, "gate"), gate.record(), ex=GATE_SECONDS)
    pipe.set(key(drop.id, "view"), json.dumps(view), ex=VIEW_SECONDS)
    pipe.execute()
    return view


def publish_gate_from_database(drop_id: int) -> Gate:
    from mall.admission.gate import parse_gate

    drop = _load(db.session, drop_id)
    if drop is None:
        return OPEN_GATE
    publish(db.session, stock_engine(), drop, utcnow())
    return parse_gate(redis_client().get(key(drop_id, "gate"))) or OPEN_GATE


def forget(redis: Redis, drop_id: int) -> None:
    """The drop's settings changed: the next hold or line page reads them again."""
    redis.delete(key(drop_id, "gate"), key(drop_id, "view"))


def published_view(drop_id: int) -> dict | None:
    """The drop's line view from Redis, or from the database when Redis has none (then published for the next)."""
    raw = redis_client().get(key(drop_id, "view"))
    if raw is not None:
        return json.loads(raw)
    drop = _load(db.session, drop_id)
    if drop is None or drop.status == DropStatus.DRAFT:
        return None
    return publish(db.session, stock_engine(), drop, utcnow())


# -- joining --------------------------------------------------------------------------------------------
JOIN_REFUSALS = {
    "already": "You already have a place in this line.",
    "email_taken": "That email already has a place in this line (one place per email).",
    "ip_limit": "Too many places in this line come from your network already.",
    "closed": "This drop's line is closed: it has ended, or it is sold out.",
    "not_queued": "This drop is open: add to cart from its page, no line needed.",
}


def join_line(session: Session, redis: Redis, view: dict, cart: str, email: str, ip: str) -> str:
    """'pre' or 'line', or a key of JOIN_REFUSALS."""
    now = now_ms()
    if not view["queued"]:
        return "not_queued"
    if view["cancelled"] or now >= view["ends_ms"] or view["state"] == "sold_out":
        return "closed"
    settings = current_settings(session)
    room = WaitingRoom(redis, view["drop_id"])
    return room.join(cart, email, ip, view["starts_ms"], view["ends_ms"], settings.entries_per_ip, now=now)


# -- the admission tick -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Admitted:
    drop_id: int
    allowance: int
    outstanding: int  # before this tick
    admitted: list[str]


def admit(engine: StockEngine, drop_id: int, settings: RoomSettings, *, now=None) -> Admitted:
    """Let the next in line in, as far as the stock allows: outstanding admissions stay within
    (units free + units in holds ending soon) x overbook, and within the capacity. Nobody after the sell-out."""
    now = now or now_ms()
    room = WaitingRoom(engine.redis, drop_id)
    # Outstanding first, units second: a hold placed between the two reads lowers both (units, then outstanding),
    # so this order can only under-admit; the other order let one extra shopper in (benchmarks/admission.py).
    outstanding = room.outstanding(now=now)
    units = engine.drop_units_now(drop_id, settings.expiring_seconds * 1000, now=now)
    if units is None:
        if not engine.load_drop(drop_id):
            return Admitted(drop_id, 0, 0, [])
        units = engine.drop_units_now(drop_id, settings.expiring_seconds * 1000, now=now)
    allowance = settings.allowance(units.free, units.expiring) if units else 0
    carts = room.admit_next(allowance - outstanding, now + settings.admission_minutes * 60_000, now=now)
    return Admitted(drop_id, allowance, outstanding, carts)


def drops_to_watch(session: Session, now: datetime) -> list[Drop]:
    """Queued drops from an hour before their start to their end, and live open drops (they may switch on)."""
    soon = now + timedelta(hours=1)
    modes = (AdmissionMode.QUEUE.value, AdmissionMode.OPEN.value)
    rows = session.scalars(
        select(Drop)
        .where(Drop.status.in_((DropStatus.SCHEDULED.value, DropStatus.LIVE.value)), Drop.admission_mode.in_(modes))
        .where(Drop.starts_at <= soon, Drop.ends_at > now)
        .options(selectinload(Drop.tenant))
        .execution_options(all_tenants=True)
    ).all()
    return [d for d in rows if d.admission == AdmissionMode.QUEUE or d.starts_at <= now]


def run_tick(session: Session, engine: StockEngine, now: datetime | None = None) -> list[Admitted]:
    """Once for every watched drop: switch an open drop to a line when its crowd passes the capacity, shuffle the
    pre-queue at the start, publish the line's view, and admit as the stock allows."""
    now = now or utcnow()
    settings = current_settings(session)
    session.rollback()
    done = []
    for drop in drops_to_watch(session, now):
        redis = engine.redis
        if drop.admission == AdmissionMode.OPEN and shoppers_active(redis, drop.id) > settings.capacity:
            redis.set(key(drop.id, "auto"), 1, pxat=epoch_ms(drop.ends_at) + 86_400_000)
        if not queues(drop, redis):
            redis.set(key(drop.id, "gate"), OPEN_GATE.record(), ex=GATE_SECONDS)
            continue
        full = _load(session, drop.id)
        view = publish(session, engine, full, now)
        if now >= drop.starts_at:
            room = WaitingRoom(redis, drop.id)
            room.start_line()
            if view["state"] != "sold_out":
                done.append(admit(engine, drop.id, settings))
        session.rollback()
    return done


def line_figures(redis: Redis, drop: Drop) -> dict | None:
    """The line's figures for the brand (in line, admitted per minute, waits), or None for a drop that never had
    one (or when Redis cannot say)."""
    try:
        figures = WaitingRoom(redis, drop.id).figures()
    except RedisError:
        return None
    had_line = drop.admission == AdmissionMode.QUEUE or redis.exists(key(drop.id, "auto")) or figures["admitted"]
    return figures if had_line else None
