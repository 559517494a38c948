"""The waitlist's job: units that came back are offered to the next shoppers in line."""

from mall.extensions import db
from mall.stock.access import stock_engine
from mall.waitlist.services import offer_returned_units


def offer_units_to_waitlist() -> dict[str, int]:
    """Safe to run any number of times at once: each unit and each entry moves on once (Lua and conditional writes)."""
    done = offer_returned_units(db.session, stock_engine())
    return {"offered": done.offered, "lapsed": done.lapsed, "closed": done.closed}
