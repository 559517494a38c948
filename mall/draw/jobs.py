"""The draw's job: draws whose time came are made, unbought wins go to the next entrant, finished draws close."""

from mall.clock import utcnow
from mall.draw.drawing import run_draws
from mall.extensions import db
from mall.stock.access import stock_engine


def run_due_draws() -> dict[str, int]:
    """Safe to run any number of times at once: each entry and each unit moves on once (conditional writes, Lua)."""
    done = run_draws(db.session, stock_engine(), utcnow())
    return {"drawn": done.drawn, "won": done.won, "lapsed": done.lapsed, "closed": done.closed}
