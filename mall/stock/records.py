"""How the stock engine keeps a hold in Redis: one string of space-separated fields, in HOLD_FIELDS' order.

The fields are named here only: the engine's Lua gets its `HOLD` table and `hold_string` from `lua_hold_record()`.
"""

HOLD_FIELDS = ("drop", "variant", "hub", "qty", "cart", "price", "expires", "hold_ms", "ip", "state", "extended",
               "claimed_by")


def hold_key(hold_id: str) -> str:
    return f"fm:h:{hold_id}"


def lua_hold_record() -> str:
    """Lua defining HOLD (the field names, in order) and hold_string(h) (a hold table as its string), unrolled: a
    loop with table.concat costs every hold more instructions than one concatenation."""
    names = ", ".join(f"'{name}'" for name in HOLD_FIELDS)
    joined = " .. ' ' .. ".join(f"h.{name}" for name in HOLD_FIELDS)
    return f"local HOLD = {{{names}}}\nlocal function hold_string(h) return {joined} end\n"


def parse_hold(raw: bytes | str | None) -> dict[str, str] | None:
    if raw is None:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    return dict(zip(HOLD_FIELDS, text.split()))


def read_holds(redis, hold_ids: list[str]) -> list[dict[str, str] | None]:
    """The holds' fields, None for a hold that is gone; one round trip."""
    if not hold_ids:
        return []
    pipe = redis.pipeline(transaction=False)
    for hold_id in hold_ids:
        pipe.get(hold_key(hold_id))
    return [parse_hold(raw) for raw in pipe.execute()]
