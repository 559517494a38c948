"""Holds: atomic, capped, self-expiring reservations kept in Redis.

Redis is an accelerator that can always be rebuilt from the database: when a
drop's keys are missing, they are loaded again from stock rows (on_hand - sold).
A lost hold costs a shopper their place in line, never an oversell, because the
sale itself is a conditional write in the database (see ledger.py).
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mall.drops.models import Drop, DropStatus
from mall.hubs.models import Hub, HubKind
from mall.redis_setup import LuaLibrary
from mall.stock import ledger
from mall.stock.models import StockLevel
from mall.stock.records import read_holds

SCRIPT = (Path(__file__).with_name("scripts.lua")).read_text()

REASONS = {
    "sold_out": "Sold out — every unit is sold or held by other shoppers right now.",
    "not_live": "This drop is not live right now.",
    "not_in_drop": "That item is not part of this drop.",
    "limit": "You have reached this drop's limit per shopper.",
    "slow_down": "Too many tries at once — please wait a moment.",
    "unavailable": "This drop cannot take holds right now.",
    "gone": "That hold is no longer in your cart.",
    "expired": "That hold expired and its units went back on sale.",
    "already_extended": "That hold was already extended once.",
}


def now_ms() -> int:
    return int(time.time() * 1000)


class HoldOutcome(NamedTuple):  # a tuple, not a dataclass: built once per add-to-cart, the surge's hottest call
    ok: bool
    reason: str = ""
    hold_id: str = ""
    hub_id: int = 0
    price_cents: int = 0
    expires_ms: int = 0
    units_left: int = 0
    retry_after_ms: int = 0

    @property
    def message(self) -> str:
        return REASONS.get(self.reason, "")


@dataclass(frozen=True)
class Hold:
    id: str
    drop_id: int
    variant_id: int
    hub_id: int
    quantity: int
    price_cents: int
    expires_ms: int
    hold_ms: int
    extended: bool
    state: str

    @property
    def seconds_left(self) -> float:
        return max(0.0, (self.expires_ms - now_ms()) / 1000)


@dataclass(frozen=True)
class ExpiredLine:
    hold_id: str
    drop_id: int
    variant_id: int
    quantity: int


class StockEngine:
    def __init__(self, redis: Redis, session: Session, *, cart_rate=0, ip_rate=0, rate_window_ms=10_000):
        self.redis = redis
        self.session = session
        self.cart_rate, self.ip_rate, self.rate_window_ms = cart_rate, ip_rate, rate_window_ms
        self._call = LuaLibrary(redis, SCRIPT, "flashmall_stock")  # _call(operation, *args)

    # -- holds -------------------------------------------------------------------------------
    def place_hold(self, drop_id: int, variant_id: int, cart: str, quantity: int = 1, *, ip: str = "", now=None) -> HoldOutcome:
        if quantity < 1:
            return HoldOutcome(False, "not_in_drop")
        _one_token(cart)  # a hold is kept as space-separated fields (records.py)
        ip = "".join(ip.split()) or "-"
        for attempt in range(2):
            counted = attempt == 0  # a reload retry is the same attempt: do not count it twice
            reply = self._call(
                "place_hold", drop_id, variant_id, cart, quantity, now or now_ms(), ip,
                self.cart_rate if counted else 0, self.ip_rate if counted else 0, self.rate_window_ms,
            )
            status = _s(reply[0])
            if status == "ok":
                _, hold_id, hub, price, expires, left = reply
                return HoldOutcome(True, "", _s(hold_id), int(hub), int(price), int(expires), int(left))
            if status == "err":
                reason, extra = _s(reply[1]), int(reply[2])
                if reason == "slow_down":
                    return HoldOutcome(False, reason, retry_after_ms=extra)
                return HoldOutcome(False, reason, units_left=max(extra, 0))
            if not self.load_drop(drop_id):
                return HoldOutcome(False, "unavailable")
        return HoldOutcome(False, "unavailable")

    def release_hold(self, cart: str, hold_id: str, *, now=None) -> int:
        return int(self._call("release_hold", cart, hold_id, "released", now or now_ms()))

    def extend_hold(self, cart: str, hold_id: str, *, now=None) -> HoldOutcome:
        reply = self._call("extend_hold", cart, hold_id, now or now_ms())
        if _s(reply[0]) == "ok":
            return HoldOutcome(True, hold_id=hold_id, expires_ms=int(reply[1]))
        return HoldOutcome(False, _s(reply[1]), hold_id=hold_id)

    def resize_hold(self, cart: str, hold_id: str, quantity: int, limit: int, *, now=None) -> HoldOutcome:
        reply = self._call("resize_hold", cart, hold_id, quantity, now or now_ms(), limit)
        if _s(reply[0]) == "ok":
            return HoldOutcome(True, hold_id=hold_id)
        return HoldOutcome(False, _s(reply[1]), hold_id=hold_id, units_left=int(reply[2]))

    def cart_holds(self, cart: str, *, now=None) -> list[Hold]:
        self.sweep_expired(now=now)
        fields = (_s(f) for f in self.redis.hkeys(f"fm:shopper:{cart}"))
        ids = sorted((f[2:] for f in fields if f.startswith("h:")), key=int)
        return [_hold(i, found) for i, found in zip(ids, read_holds(self.redis, ids)) if found]

    def expired_lines(self, cart: str) -> list[ExpiredLine]:
        lines = []
        for hold_id, value in self.redis.hgetall(f"fm:gone:{cart}").items():
            drop, variant, quantity = (int(x) for x in _s(value).split(":"))
            lines.append(ExpiredLine(_s(hold_id), drop, variant, quantity))
        return sorted(lines, key=lambda line: int(line.hold_id))

    def forget_expired(self, cart: str, hold_id: str) -> None:
        self.redis.hdel(f"fm:gone:{cart}", hold_id)

    def sweep_expired(self, *, now=None, batch: int = 500) -> int:
        """Return every expired hold's units; called lazily and by the scheduled sweep."""
        total = 0
        while True:
            n = int(self._call("sweep_expired", now or now_ms(), batch))
            total += n
            if n < batch:
                return total

    def move_hold(self, cart: str, hold_id: str, hub_id: int, *, now=None) -> HoldOutcome:
        """Move an active hold's units to another hub of its drop, only if that hub has as many free."""
        reply = self._call("move_hold", cart, hold_id, hub_id, now or now_ms())
        if _s(reply[0]) == "ok":
            return HoldOutcome(True, hold_id=hold_id, hub_id=int(reply[1]))
        return HoldOutcome(False, _s(reply[1]), hold_id=hold_id)

    # -- checkout ----------------------------------------------------------------------------
    def claim(self, cart: str, checkout_key: str, hold_ids: list[str], *, now=None) -> list[str]:
        """Lock holds into one checkout; returns the ids that could not be claimed (then none are)."""
        _one_token(checkout_key)
        reply = self._call("claim_holds", cart, checkout_key, now or now_ms(), *hold_ids)
        return [] if _s(reply[0]) == "ok" else [_s(x) for x in reply[1:]]

    def finalize(self, checkout_key: str, hold_ids: list[str]) -> int:
        return int(self._call("finalize_holds", checkout_key, *hold_ids))

    def unclaim(self, checkout_key: str, hold_ids: list[str], *, now=None) -> None:
        self._call("unclaim_holds", checkout_key, now or now_ms(), *hold_ids)

    def stale_claims(self, older_than_ms: int, *, now=None) -> list[tuple[str, str]]:
        """Holds stuck inside a checkout that died: (hold id, checkout key)."""
        cutoff = (now or now_ms()) - older_than_ms
        ids = [_s(i) for i in self.redis.zrangebyscore("fm:claimed", "-inf", cutoff)]
        holds = read_holds(self.redis, ids)
        return [(i, h["claimed_by"]) for i, h in zip(ids, holds) if h and h["claimed_by"] != "-"]

    # -- stock that changes outside a hold -------------------------------------------------------
    def adjust_on_hand(self, variant_id: int, hub_id: int, delta: int) -> bool:
        """Restock (delta > 0) or write off (delta < 0) at one hub; commits. Held and sold units cannot be written off."""
        if delta == 0:
            return True
        taken = 2
        if delta < 0:
            taken = self.take_available(variant_id, hub_id, -delta)
            if taken == 0:
                return False
        if not ledger.change_on_hand(self.session, variant_id, hub_id, delta):
            self.session.rollback()
            if taken == 1:
                self.units_returned(variant_id, hub_id, -delta)
            return False
        self.session.commit()
        if delta > 0:
            self.units_returned(variant_id, hub_id, delta)
        return True

    def cart_units_back(self, cart: str, drop_id: int, quantity: int) -> None:
        """An order line was cancelled: its units no longer count against the cart's per-shopper limit."""
        self._call("cart_units_back", cart, drop_id, quantity)

    def take_available(self, variant_id: int, hub_id: int, quantity: int) -> int:
        """Before a write-off: 1 = taken from holdable units, 0 = not enough unheld units, 2 = not loaded in Redis."""
        return int(self._call("take_available", variant_id, hub_id, quantity))

    def units_returned(self, variant_id: int, hub_id: int, quantity: int) -> None:
        """After the database took units back (cancel, restock): make them holdable at once."""
        key = f"fm:avail:{variant_id}:{hub_id}"
        if self.redis.exists(key):
            self.redis.incrby(key, quantity)

    def reconcile(self) -> int:
        """Repair Redis counters that drifted from the database (e.g. after Redis lost data mid-checkout).

        Returns how many stock rows were corrected. Rows with a checkout in flight are left for the next run.
        """
        rows = self.session.execute(
            select(StockLevel.variant_id, StockLevel.hub_id, StockLevel.on_hand - StockLevel.sold).execution_options(
                all_tenants=True
            )
        ).all()
        self.session.rollback()  # read, then release the snapshot before touching Redis
        return sum(1 for variant_id, hub_id, unsold in rows if int(self._call("reconcile", variant_id, hub_id, unsold)))

    def forget_drop(self, drop_id: int) -> None:
        """The drop's settings changed: the next hold reloads them from the database."""
        self.redis.delete(f"fm:drop:{drop_id}")

    def availability(self, variant_id: int, hub_ids: list[int]) -> dict[int, int | None]:
        values = self.redis.mget([f"fm:avail:{variant_id}:{h}" for h in hub_ids]) if hub_ids else []
        return {h: (int(v) if v is not None else None) for h, v in zip(hub_ids, values)}

    def held(self, variant_id: int, hub_ids: list[int]) -> dict[int, int]:
        values = self.redis.mget([f"fm:held:{variant_id}:{h}" for h in hub_ids]) if hub_ids else []
        return {h: int(v or 0) for h, v in zip(hub_ids, values)}

    # -- rebuilding Redis from the database ------------------------------------------------------
    def load_drop(self, drop_id: int) -> bool:
        drop = self.session.scalar(
            select(Drop)
            .where(Drop.id == drop_id)
            .options(selectinload(Drop.items), selectinload(Drop.tiers))
            .execution_options(all_tenants=True)
        )
        if drop is None:
            return False
        variant_ids = [item.variant_id for item in drop.items]
        rows = self.session.execute(
            select(StockLevel, Hub.kind)
            .join(Hub, Hub.id == StockLevel.hub_id)
            .where(StockLevel.variant_id.in_(variant_ids), Hub.active.is_(True))
            .order_by(StockLevel.variant_id, Hub.kind == HubKind.CENTRAL_RESERVE.value, Hub.id)
            .execution_options(all_tenants=True)
        ).all()
        starts, ends = _ms(drop.starts_at), _ms(drop.ends_at)
        config = {
            "starts": starts,
            "ends": ends,
            "hold_ms": drop.hold_minutes * 60_000,
            "limit": drop.per_shopper_limit,
            "open": "1" if drop.status not in (DropStatus.DRAFT, DropStatus.CANCELLED) else "0",
            "tiers": _tiers(drop, starts, ends),
        }
        hubs: dict[int, list[str]] = {v: [] for v in variant_ids}
        pipe = self.redis.pipeline(transaction=True)
        for level, _kind in rows:
            hubs[level.variant_id].append(str(level.hub_id))
            # Missing keys only: live counters are never overwritten by a stale read.
            held_key = f"fm:held:{level.variant_id}:{level.hub_id}"
            held = int(self.redis.get(held_key) or 0)
            pipe.set(f"fm:avail:{level.variant_id}:{level.hub_id}", level.on_hand - level.sold - held, nx=True)
            pipe.set(held_key, 0, nx=True)
        for item in drop.items:
            config[f"v:{item.variant_id}:price"] = item.variant.price_cents
            config[f"v:{item.variant_id}:hubs"] = ",".join(hubs[item.variant_id])
        pipe.delete(f"fm:drop:{drop_id}")
        pipe.hset(f"fm:drop:{drop_id}", mapping=config)
        pipe.pexpireat(f"fm:drop:{drop_id}", ends + 86_400_000)
        pipe.execute()
        return True


def _tiers(drop: Drop, starts: int, ends: int) -> str:
    parts = []
    for tier in drop.tiers:
        begin = starts + tier.from_minute * 60_000
        until = ends if tier.until_minute is None else min(ends, starts + tier.until_minute * 60_000)
        parts.append(f"{begin},{until},{tier.percent_off};")
    return "".join(parts)


def _ms(moment) -> int:
    from datetime import timezone

    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def _one_token(value: str) -> None:
    if not value or len(value.split()) != 1 or value.strip() != value:
        raise ValueError(f"not a single token: {value!r}")


def _s(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _hold(hold_id: str, f: dict[str, str]) -> Hold:
    return Hold(
        id=hold_id,
        drop_id=int(f["drop"]),
        variant_id=int(f["variant"]),
        hub_id=int(f["hub"]),
        quantity=int(f["qty"]),
        price_cents=int(f["price"]),
        expires_ms=int(f["expires"]),
        hold_ms=int(f["hold_ms"]),
        extended=f.get("extended") == "1",
        state=f["state"],
    )
