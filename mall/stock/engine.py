"""Holds: atomic, capped, self-expiring reservations kept in Redis.

Redis is an accelerator that can always be rebuilt from the database: when a
drop's keys are missing, they are loaded again from stock rows (on_hand - sold).
A lost hold costs a shopper their place in line, never an oversell, because the
sale itself is a conditional write in the database (see ledger.py).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.hubs.models import Hub, HubKind
from mall.redis_setup import LuaScript
from mall.stock import ledger
from mall.stock.models import StockLevel
from mall.stock.records import hold_key, lua_hold_record, read_holds
from mall.stock.replies import PARSERS, RELOAD, Claim, DropUnitsNow, HoldOutcome, Taken, text

SCRIPT = lua_hold_record() + Path(__file__).with_name("scripts.lua").read_text()

def now_ms() -> int:
    return int(time.time() * 1000)


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
class DropTerms:
    """What holds need to know of a drop. The drops feature reads it from the database (mall/drops/stock.py) and
    the app hands that reader to the engine, so the engine imports no feature."""

    starts_at: datetime
    ends_at: datetime
    hold_minutes: int
    per_shopper_limit: int
    open: bool  # scheduled or live (a draft or a cancelled drop takes no hold)
    tiers: list[tuple[int, int | None, int]]  # (from minute, until minute or None, percent off)
    prices: dict[int, int]  # variant id -> price in cents, for each of the drop's items (and its fallback)
    fallback_variant_id: int | None = None  # holdable like an item, but not counted in the drop's units left
    draw_only: bool = False  # sold through a draw: only reserve_for_draw holds its units, place_hold refuses


DropTermsReader = Callable[[Session, int], DropTerms | None]


@dataclass(frozen=True)
class ExpiredLine:
    hold_id: str
    drop_id: int
    variant_id: int
    quantity: int


class StockEngine:
    def __init__(
        self, redis: Redis, session: Session, *, drop_terms: DropTermsReader, cart_rate=0, ip_rate=0,
        rate_window_ms=10_000,
    ):
        self.redis = redis
        self.session = session
        self.drop_terms = drop_terms
        self.cart_rate, self.ip_rate, self.rate_window_ms = cart_rate, ip_rate, rate_window_ms
        self._script = LuaScript(redis, SCRIPT)

    def _run(self, operation: str, *args, context=None):
        """One atomic call of the engine's Lua (EVALSHA), its reply parsed into the operation's named result."""
        return PARSERS[operation](self._script(operation, *args), context)

    # -- holds -------------------------------------------------------------------------------
    def place_hold(self, drop_id: int, variant_id: int, cart: str, quantity: int = 1, *, ip: str = "", now=None) -> HoldOutcome:
        if quantity < 1:
            return HoldOutcome(False, "not_in_drop")
        _one_token(cart)  # a hold is kept as space-separated fields (records.py)
        ip = "".join(ip.split()) or "-"
        for attempt in range(2):
            counted = attempt == 0  # a reload retry is the same attempt: do not count it twice
            outcome = self._run(
                "place_hold", drop_id, variant_id, cart, quantity, now or now_ms(), ip,
                self.cart_rate if counted else 0, self.ip_rate if counted else 0, self.rate_window_ms,
            )
            if outcome is not RELOAD:
                return outcome
            if not self.load_drop(drop_id):
                return HoldOutcome(False, "unavailable")
        return HoldOutcome(False, "unavailable")

    def release_hold(self, cart: str, hold_id: str, *, now=None) -> int:
        return self._run("release_hold", cart, hold_id, "released", now or now_ms())

    def extend_hold(self, cart: str, hold_id: str, *, now=None) -> HoldOutcome:
        return self._run("extend_hold", cart, hold_id, now or now_ms(), context=hold_id)

    def resize_hold(self, cart: str, hold_id: str, quantity: int, limit: int, *, now=None) -> HoldOutcome:
        return self._run("resize_hold", cart, hold_id, quantity, now or now_ms(), limit, context=hold_id)

    def cart_holds(self, cart: str, *, now=None) -> list[Hold]:
        self.sweep_expired(now=now)
        fields = (text(f) for f in self.redis.hkeys(f"fm:shopper:{cart}"))
        ids = sorted((f[2:] for f in fields if f.startswith("h:")), key=int)
        return [_hold(i, found) for i, found in zip(ids, read_holds(self.redis, ids)) if found]

    def expired_lines(self, cart: str) -> list[ExpiredLine]:
        lines = []
        for hold_id, value in self.redis.hgetall(f"fm:gone:{cart}").items():
            drop, variant, quantity = (int(x) for x in text(value).split(":"))
            lines.append(ExpiredLine(text(hold_id), drop, variant, quantity))
        return sorted(lines, key=lambda line: int(line.hold_id))

    def forget_expired(self, cart: str, hold_id: str) -> None:
        self.redis.hdel(f"fm:gone:{cart}", hold_id)

    def sweep_expired(self, *, now=None, batch: int = 500) -> int:
        """Return every expired hold's units; called lazily and by the scheduled sweep."""
        total = 0
        while True:
            n = self._run("sweep_expired", now or now_ms(), batch)
            total += n
            if n < batch:
                return total

    def move_hold(self, cart: str, hold_id: str, hub_id: int, *, now=None) -> HoldOutcome:
        """Move an active hold's units to another hub of its drop, only if that hub has as many free."""
        return self._run("move_hold", cart, hold_id, hub_id, now or now_ms(), context=hold_id)

    # -- checkout ----------------------------------------------------------------------------
    def claim(self, cart: str, checkout_key: str, hold_ids: list[str], *, now=None) -> list[str]:
        """Lock holds into one checkout; returns the ids that could not be claimed (then none are)."""
        _one_token(checkout_key)
        claim: Claim = self._run("claim_holds", cart, checkout_key, now or now_ms(), *hold_ids)
        return claim.refused

    def finalize(self, checkout_key: str, hold_ids: list[str]) -> int:
        return self._run("finalize_holds", checkout_key, *hold_ids)

    def unclaim(self, checkout_key: str, hold_ids: list[str], *, now=None) -> None:
        self._run("unclaim_holds", checkout_key, now or now_ms(), *hold_ids)

    def release_claimed(self, checkout_key: str, hold_ids: list[str], *, now=None) -> int:
        """A checkout ended unpaid: its claimed holds end and their units go back on sale for everyone."""
        return self._run("release_claimed_holds", checkout_key, now or now_ms(), *hold_ids)

    def claimed_by(self, checkout_key: str, hold_ids: list[str]) -> list[str]:
        """The ids among hold_ids still claimed by this checkout (a hold lost with Redis is not)."""
        return [i for i, h in zip(hold_ids, read_holds(self.redis, hold_ids)) if h and h["claimed_by"] == checkout_key]

    def stale_claims(self, older_than_ms: int, *, now=None) -> list[tuple[str, str]]:
        """Holds stuck inside a checkout that died: (hold id, checkout key)."""
        cutoff = (now or now_ms()) - older_than_ms
        ids = [text(i) for i in self.redis.zrangebyscore("fm:claimed", "-inf", cutoff)]
        holds = read_holds(self.redis, ids)
        return [(i, h["claimed_by"]) for i, h in zip(ids, holds) if h and h["claimed_by"] != "-"]

    # -- stock that changes outside a hold -------------------------------------------------------
    def adjust_on_hand(self, variant_id: int, hub_id: int, delta: int) -> bool:
        """Restock (delta > 0) or write off (delta < 0) at one hub; commits. Held and sold units cannot be written off."""
        if delta == 0:
            return True
        taken = Taken.NOT_LOADED
        if delta < 0:
            taken = self.take_available(variant_id, hub_id, -delta)
            if taken == Taken.NOT_ENOUGH:
                return False
        if not ledger.change_on_hand(self.session, variant_id, hub_id, delta):
            self.session.rollback()
            if taken == Taken.TAKEN:
                self.units_returned(variant_id, hub_id, -delta)
            return False
        self.session.commit()
        if delta > 0:
            self.units_returned(variant_id, hub_id, delta)
        return True

    def cart_units_back(self, cart: str, drop_id: int, quantity: int) -> None:
        """An order line was cancelled: its units no longer count against the cart's per-shopper limit."""
        self._run("cart_units_back", cart, drop_id, quantity)

    def take_available(self, variant_id: int, hub_id: int, quantity: int) -> Taken:
        """Before a write-off: take the units from the holdable ones, so no shopper can hold them meanwhile."""
        return self._run("take_available", variant_id, hub_id, quantity)

    def units_returned(self, variant_id: int, hub_id: int, quantity: int) -> None:
        """After the database took units back (cancel, restock): holdable at once, or kept for the waitlist."""
        self._run("units_returned", variant_id, hub_id, quantity)

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
        return sum(1 for variant_id, hub_id, unsold in rows if self._run("reconcile", variant_id, hub_id, unsold))

    def forget_drop(self, drop_id: int) -> None:
        """The drop's settings changed: the next hold reloads them from the database."""
        self.redis.delete(f"fm:drop:{drop_id}")

    def drop_units_left(self, drop_id: int) -> int | None:
        """Units free to hold now over a drop's items and hubs, read atomically; None while the drop is not loaded."""
        return self._run("drop_units_left", drop_id)

    def drop_units_now(self, drop_id: int, soon_ms: int = -1, *, now=None) -> DropUnitsNow | None:
        """Free and held units over a drop's items, and (soon_ms >= 0) those in active holds ending within soon_ms,
        read atomically; None while the drop is not loaded. What a waiting room admits against."""
        return self._run("drop_units_now", drop_id, now or now_ms(), soon_ms)

    def holds_last_expiry(self, variant_ids: list[int]) -> dict[int, int | None]:
        """When the last hold on each variant expires at the latest (ms; None: no hold recorded), in one Redis read.

        place_hold and extend_hold raise the variant's mark (ZADD GT) and nothing lowers it, so a hold released or
        sold early leaves a later mark: an upper bound, which is what "may come back by" promises."""
        if not variant_ids:
            return {}
        scores = self.redis.zmscore("fm:heldtil", [str(v) for v in variant_ids])
        return {v: (None if s is None else int(s)) for v, s in zip(variant_ids, scores)}

    def availability(self, variant_id: int, hub_ids: list[int]) -> dict[int, int | None]:
        values = self.redis.mget([f"fm:avail:{variant_id}:{h}" for h in hub_ids]) if hub_ids else []
        return {h: (int(v) if v is not None else None) for h, v in zip(hub_ids, values)}

    def live_units(self, rows: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int | None, int]]:
        """(free, held) per (variant, hub) in one Redis read; free is None where the row is not loaded.

        Units kept for the waitlist count as held: no shopper of the crowd can hold them.
        The counters alone: mall.stock.availability puts them beside the database's on hand and sold."""
        if not rows:
            return {}
        n = len(rows)
        keys = [f"fm:avail:{v}:{h}" for v, h in rows] + [f"fm:held:{v}:{h}" for v, h in rows]
        values = self.redis.mget(keys + [f"fm:back:{v}:{h}" for v, h in rows])
        free, held, back = values[:n], values[n : 2 * n], values[2 * n :]
        return {
            row: (None if f is None else int(f), int(h or 0) + int(b or 0)) for row, f, h, b in zip(rows, free, held, back)
        }

    def held(self, variant_id: int, hub_ids: list[int]) -> dict[int, int]:
        """Units in carts or kept for the waitlist, per hub: none of them can be written off."""
        return {hub: held for (_, hub), (_, held) in self.live_units([(variant_id, h) for h in hub_ids]).items()}

    # -- the waitlist's pool (mall/waitlist keeps the entries) ---------------------------------
    def waitlist_joined(self, variant_id: int, waiting: int) -> None:
        """A shopper joined; `waiting` is the database's count, used when Redis lost its own."""
        self._run("waitlist_joined", variant_id, waiting)

    def waitlist_left(self, variant_id: int) -> None:
        """A waiting shopper left; when nobody waits any more, the units kept for them go on sale."""
        self._run("waitlist_left", variant_id, ",".join(str(h) for h in self._hub_ids(variant_id)))

    def waitlist_recount(self, variant_id: int, waiting: int) -> int:
        """Set the count of waiting shoppers to the database's; at 0 the units kept go on sale (returns how many)."""
        return self._run("waitlist_recount", variant_id, waiting, ",".join(str(h) for h in self._hub_ids(variant_id)))

    def waitlist_units(self, variant_id: int) -> int:
        """Units kept for the variant's waitlist, over its hubs."""
        hub_ids = self._hub_ids(variant_id)
        return sum(int(v or 0) for v in self.redis.mget([f"fm:back:{variant_id}:{h}" for h in hub_ids])) if hub_ids else 0

    def offer_from_pool(self, drop_id: int, variant_id: int, cart: str, offer_minutes: int, *, now=None) -> HoldOutcome:
        """One unit kept for the waitlist becomes a hold in `cart` for `offer_minutes`; reason "empty" when none is."""
        _one_token(cart)
        for _ in range(2):
            outcome = self._run("offer_from_pool", drop_id, variant_id, cart, offer_minutes * 60_000, now or now_ms())
            if outcome is not RELOAD:
                return outcome
            if not self.load_drop(drop_id):
                break
        return HoldOutcome(False, "unavailable")

    # -- a draw's winners (mall/draw keeps the entries) ---------------------------------------------
    def reserve_for_draw(self, drop_id: int, variant_id: int, cart: str, minutes: int, *, now=None) -> HoldOutcome:
        """A draw winner's one-unit hold from the free units, in `cart`, for `minutes`; only in a drop sold by draw."""
        _one_token(cart)
        for _ in range(2):
            outcome = self._run("reserve_for_draw", drop_id, variant_id, cart, minutes * 60_000, now or now_ms())
            if outcome is not RELOAD:
                return outcome
            if not self.load_drop(drop_id):
                break
        return HoldOutcome(False, "unavailable")

    def hand_over_hold(self, from_cart: str, to_cart: str, hold_id: str) -> bool:
        """An active hold moves to another cart (a waitlist offer, into the shopper's own cart)."""
        _one_token(to_cart)
        return bool(self._run("hand_over_hold", from_cart, to_cart, hold_id))

    def hold_exists(self, hold_id: str) -> bool:
        return bool(self.redis.exists(hold_key(hold_id)))

    def _hub_ids(self, variant_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(StockLevel.hub_id).where(StockLevel.variant_id == variant_id).execution_options(all_tenants=True)
            )
        )

    # -- rebuilding Redis from the database ------------------------------------------------------
    def load_drop(self, drop_id: int) -> bool:
        terms = self.drop_terms(self.session, drop_id)
        if terms is None:
            return False
        variant_ids = list(terms.prices)
        items = [v for v in variant_ids if v != terms.fallback_variant_id]
        rows = self.session.execute(
            select(StockLevel, Hub.kind)
            .join(Hub, Hub.id == StockLevel.hub_id)
            .where(StockLevel.variant_id.in_(variant_ids), Hub.active.is_(True))
            .order_by(StockLevel.variant_id, Hub.kind == HubKind.CENTRAL_RESERVE.value, Hub.id)
            .execution_options(all_tenants=True)
        ).all()
        starts, ends = _ms(terms.starts_at), _ms(terms.ends_at)
        config = {
            "starts": starts,
            "ends": ends,
            "hold_ms": terms.hold_minutes * 60_000,
            "limit": terms.per_shopper_limit,
            # place_hold takes "1" only; a draw's winners get their holds through reserve_for_draw ("draw")
            "open": ("draw" if terms.draw_only else "1") if terms.open else "0",
            "tiers": _tiers(terms.tiers, starts, ends),
            "variants": ",".join(str(v) for v in items),  # what drop_units_left counts: the items, not the fallback
        }
        hubs: dict[int, list[str]] = {v: [] for v in variant_ids}
        pipe = self.redis.pipeline(transaction=True)
        for level, _kind in rows:
            hubs[level.variant_id].append(str(level.hub_id))
            # Missing keys only: live counters are never overwritten by a stale read.
            held_key = f"fm:held:{level.variant_id}:{level.hub_id}"
            held = int(self.redis.get(held_key) or 0) + int(self.redis.get(f"fm:back:{level.variant_id}:{level.hub_id}") or 0)
            pipe.set(f"fm:avail:{level.variant_id}:{level.hub_id}", level.on_hand - level.sold - held, nx=True)
            pipe.set(held_key, 0, nx=True)
        for variant_id, price_cents in terms.prices.items():
            config[f"v:{variant_id}:price"] = price_cents
            config[f"v:{variant_id}:hubs"] = ",".join(hubs[variant_id])
        pipe.delete(f"fm:drop:{drop_id}")
        pipe.hset(f"fm:drop:{drop_id}", mapping=config)
        pipe.pexpireat(f"fm:drop:{drop_id}", ends + 86_400_000)
        pipe.execute()
        return True


def _tiers(tiers: list[tuple[int, int | None, int]], starts: int, ends: int) -> str:
    parts = []
    for from_minute, until_minute, percent_off in tiers:
        begin = starts + from_minute * 60_000
        until = ends if until_minute is None else min(ends, starts + until_minute * 60_000)
        parts.append(f"{begin},{until},{percent_off};")
    return "".join(parts)


def _ms(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def _one_token(value: str) -> None:
    if not value or len(value.split()) != 1 or value.strip() != value:
        raise ValueError(f"not a single token: {value!r}")


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
