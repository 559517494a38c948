"""The stock Lua's replies, named: the one place that knows a reply's positions (see scripts.lua for each shape)."""

from enum import IntEnum
from typing import NamedTuple

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


class Claim(NamedTuple):
    ok: bool
    refused: list[str]  # the hold ids that could not be claimed (then none were)


class Taken(IntEnum):
    """take_available's answer before a write-off."""

    NOT_ENOUGH = 0  # fewer unheld units than asked
    TAKEN = 1  # taken from the holdable units
    NOT_LOADED = 2  # the stock row is not in Redis: the database alone decides


RELOAD = None  # place_hold's answer when the drop's keys are missing: load the drop, then try again


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _place_hold(reply, *_) -> HoldOutcome | None:
    status = text(reply[0])
    if status == "ok":
        _, hold_id, hub, price, expires, left = reply
        return HoldOutcome(True, "", text(hold_id), int(hub), int(price), int(expires), int(left))
    if status == "err":
        reason, extra = text(reply[1]), int(reply[2])
        if reason == "slow_down":
            return HoldOutcome(False, reason, retry_after_ms=extra)
        return HoldOutcome(False, reason, units_left=max(extra, 0))
    return RELOAD


def _extend_hold(reply, hold_id) -> HoldOutcome:
    if text(reply[0]) == "ok":
        return HoldOutcome(True, hold_id=hold_id, expires_ms=int(reply[1]))
    return HoldOutcome(False, text(reply[1]), hold_id=hold_id)


def _resize_hold(reply, hold_id) -> HoldOutcome:
    if text(reply[0]) == "ok":
        return HoldOutcome(True, hold_id=hold_id)
    return HoldOutcome(False, text(reply[1]), hold_id=hold_id, units_left=int(reply[2]))


def _move_hold(reply, hold_id) -> HoldOutcome:
    if text(reply[0]) == "ok":
        return HoldOutcome(True, hold_id=hold_id, hub_id=int(reply[1]))
    return HoldOutcome(False, text(reply[1]), hold_id=hold_id)


def _offer_from_pool(reply, *_) -> HoldOutcome | None:
    status = text(reply[0])
    if status == "ok":
        _, hold_id, hub, price, expires = reply
        return HoldOutcome(True, "", text(hold_id), int(hub), int(price), int(expires))
    if status == "err":
        return HoldOutcome(False, text(reply[1]))  # empty: no unit waits in the pool; not_live; not_in_drop
    return RELOAD


def _claim_holds(reply, *_) -> Claim:
    ok = text(reply[0]) == "ok"
    return Claim(ok, [] if ok else [text(x) for x in reply[1:]])


def _count(reply, *_) -> int:
    return int(reply)


def _units_left(reply, *_) -> int | None:
    return None if int(reply) < 0 else int(reply)


class DropUnitsNow(NamedTuple):
    """A drop's items' units in Redis now: free to hold, held (waitlist pool included), and of the held those
    in holds that end soon (they may come back)."""

    free: int
    held: int
    expiring: int


def _drop_units_now(reply, *_) -> DropUnitsNow | None:
    if int(reply[0]) < 0:
        return None
    return DropUnitsNow(*(int(x) for x in reply))


def _taken(reply, *_) -> Taken:
    return Taken(int(reply))


PARSERS = {
    "place_hold": _place_hold,
    "extend_hold": _extend_hold,
    "resize_hold": _resize_hold,
    "move_hold": _move_hold,
    "claim_holds": _claim_holds,
    "release_hold": _count,  # units given back (0: not this cart's active hold)
    "finalize_holds": _count,  # holds turned into sold units
    "unclaim_holds": _count,
    "release_claimed_holds": _count,  # holds of an unpaid checkout ended, their units back on sale
    "sweep_expired": _count,  # holds expired
    "cart_units_back": _count,
    "reconcile": _count,  # the correction made (0: none)
    "take_available": _taken,
    "drop_units_left": _units_left,  # None: the drop is not loaded
    "drop_units_now": _drop_units_now,  # None: the drop is not loaded
    "offer_from_pool": _offer_from_pool,  # a waitlist offer's hold, like place_hold's
    "units_returned": _count,
    "reserve_for_draw": _place_hold,  # a draw winner's hold, like place_hold's
    "hand_over_hold": _count,  # 1: the hold is in the new cart now
    "waitlist_joined": _count,  # shoppers now waiting for the variant
    "waitlist_left": _count,  # pool units that went on sale (the last waiting shopper left)
    "waitlist_recount": _count,  # pool units that went on sale (nobody waits)
}


def limit_message(limit: int, in_cart: int) -> str:
    """A refused quantity, with the drop's real per-shopper limit and what this cart already holds of it."""
    if in_cart <= 0:
        return f"This drop allows {limit} per shopper: choose {limit} or fewer."
    if in_cart >= limit:
        return f"This drop allows {limit} per shopper and your cart already holds {in_cart}: that is the most you can have."
    return (
        f"This drop allows {limit} per shopper and your cart already holds {in_cart}, "
        f"so you can add {limit - in_cart} more."
    )
