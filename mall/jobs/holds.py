"""Stock jobs: expired holds go back on sale, checkouts that died are settled, emails go out."""

from sqlalchemy import select

from mall.extensions import db
from mall.orders.models import Order, OutboxEmail
from mall.stock.access import stock_engine

STALE_CLAIM_MS = 120_000


def sweep_expired_holds() -> dict[str, int]:
    """Safe to run any number of times: each expired hold is returned once, inside Redis."""
    engine = stock_engine()
    returned = engine.sweep_expired()
    settled = recover_stale_claims()
    repaired = engine.reconcile()
    return {"expired": returned, "settled": settled, "repaired": repaired}


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


def deliver_queued_emails() -> int:
    """Emails whose delivery job was lost (e.g. Redis restarted) are picked up here."""
    from mall.orders.emails import deliver_email

    keys = db.session.scalars(select(OutboxEmail.dedupe_key).where(OutboxEmail.status == "queued").limit(200)).all()
    for key in keys:
        deliver_email(key)
    return len(keys)
