"""How the stock engine keeps a hold in Redis: one string of space-separated fields (see scripts.lua, HOLD)."""

HOLD_FIELDS = ("drop", "variant", "hub", "qty", "cart", "price", "expires", "hold_ms", "ip", "state", "extended",
               "claimed_by")


def hold_key(hold_id: str) -> str:
    return f"fm:h:{hold_id}"


def old_hold_key(hold_id: str) -> str:
    """Where a hold placed before holds were strings lives, as a hash (a Redis kept across that deploy)."""
    return f"fm:hold:{hold_id}"


def parse_hold(raw: bytes | str | None) -> dict[str, str] | None:
    if raw is None:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    return dict(zip(HOLD_FIELDS, text.split()))


def read_holds(redis, hold_ids: list[str]) -> list[dict[str, str] | None]:
    """The holds' fields, None for a hold that is gone; one round trip, two when an old hash-kept hold is among them."""
    pipe = redis.pipeline(transaction=False)
    for hold_id in hold_ids:
        pipe.get(hold_key(hold_id))
    found = [parse_hold(raw) for raw in pipe.execute()] if hold_ids else []
    missing = [i for i, fields in enumerate(found) if fields is None]
    if missing:
        pipe = redis.pipeline(transaction=False)
        for i in missing:
            pipe.hgetall(old_hold_key(hold_ids[i]))
        for i, old in zip(missing, pipe.execute()):
            if old:
                fields = {k.decode(): v.decode() for k, v in old.items()}
                found[i] = {"ip": "-", "extended": "0", "claimed_by": "-", **fields}
    return found
