from mall.admission.services import run_tick
from mall.extensions import db
from mall.stock.access import stock_engine


def admit_from_lines() -> int:
    """The admission tick: every queued drop's line moves as its stock allows. Safe to run twice at once (an
    admission is popped from the line once; the allowance is re-read each time). Returns how many were let in."""
    return sum(len(done.admitted) for done in run_tick(db.session, stock_engine()))
