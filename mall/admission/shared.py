"""What every shopper's line page shares: the drop's published view and its units now, kept by each process for
LINE_CACHE_SECONDS (as the drop page's copies are kept), so a poll costs one Redis round trip for the shopper's own
place. Units shown are never staler than that window."""

import time

from flask import current_app

from mall.admission.line import key
from mall.extensions import redis_client
from mall.stock.access import stock_engine
from mall.stock.replies import DropUnitsNow


def drop_now(drop_id: int) -> tuple[bytes | None, DropUnitsNow | None]:
    """(the published view as JSON, the engine's units of the drop's items now)."""
    window = float(current_app.config.get("LINE_CACHE_SECONDS", 0.5))
    copies = current_app.extensions.setdefault("flashmall.admission.copies", {})
    copy = copies.get(drop_id)
    if copy is not None and time.monotonic() - copy[0] < window:
        return copy[1], copy[2]
    started = time.monotonic()
    view, units = redis_client().get(key(drop_id, "view")), stock_engine().drop_units_now(drop_id)
    if window > 0 and view is not None:
        copies[drop_id] = (started, view, units)
    return view, units
