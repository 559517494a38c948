"""Checkout jobs: a checkout that died after claiming its holds is finished or undone."""

from sqlalchemy import select

from mall.stock.access import stock_engine
from mall.extensions import db
from mall.orders.models import Order

STALE_CLAIM_MS = 120_000


def recover_stale_claims() -> int:
    """A checkout that died between claiming holds and finishing: finish it if the order exists, else give the holds back."""
    engine = stock_engine()
    by_key: dict[str, list[str]] = {}
    for hold_id, key in engine.stale_claims(STALE_CLAIM_MS):
        by_key.setdefault(key, []).append(hold_id)
    for key, hold_ids in by_key.items():
        placed = db.session.scalar(select(Order.id).where(Order.idempotency_key == key))
        if placed:
            engine.finalize(key, hold_ids)
        else:
            engine.unclaim(key, hold_ids)
    return sum(len(ids) for ids in by_key.values())
