"""Checkout jobs: a checkout that died after claiming its holds is finished or undone."""

from sqlalchemy import select

from mall.stock.access import stock_engine
from mall.extensions import db
from mall.orders.models import Order
from mall.payments import settlement

STALE_CLAIM_MS = 120_000


def recover_stale_claims() -> int:
    """A checkout that died between claiming holds and finishing: finish it if the order exists, else give the holds
    back; card payment windows past their end are closed and their units go back on sale."""
    engine = stock_engine()
    by_key: dict[str, list[str]] = {}
    for hold_id, key in engine.stale_claims(STALE_CLAIM_MS):
        by_key.setdefault(key, []).append(hold_id)
    for key, hold_ids in by_key.items():
        placed = db.session.scalar(select(Order).where(Order.idempotency_key == key))
        if placed is None:
            engine.unclaim(key, hold_ids)
        else:  # a card order's holds wait inside its payment window, then follow the payment
            settlement.settle_stale_claims(db.session, engine, placed, hold_ids)
    closed = settlement.close_overdue_windows(db.session, engine)
    return sum(len(ids) for ids in by_key.values()) + closed
