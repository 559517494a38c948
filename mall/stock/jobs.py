"""Stock jobs: expired holds go back on sale and Redis is repaired from the stock rows."""

from mall.stock.access import stock_engine


def sweep_expired_holds() -> dict[str, int]:
    """Safe to run any number of times: each expired hold is returned once, inside Redis."""
    engine = stock_engine()
    returned = engine.sweep_expired()
    repaired = engine.reconcile()
    return {"expired": returned, "repaired": repaired}
