"""What every shopper's line page shares: the drop's published view, its units now and the line's length and pace,
kept by each process for LINE_CACHE_SECONDS (as the drop page's copies are kept), so a poll costs one Redis round
trip for the shopper's own place. Units shown are never staler than that window."""

import json
import time
from dataclasses import dataclass

from flask import current_app

from mall.admission.line import LineState, WaitingRoom
from mall.extensions import redis_client
from mall.stock.access import stock_engine
from mall.stock.replies import DropUnitsNow


@dataclass(frozen=True)
class DropNow:
    view: dict | None  # the published view (services.publish), None when Redis has none
    units: DropUnitsNow | None
    line: LineState


def drop_now(drop_id: int) -> DropNow:
    window = float(current_app.config.get("LINE_CACHE_SECONDS", 0.5))
    copies = current_app.extensions.setdefault("flashmall.admission.copies", {})
    copy = copies.get(drop_id)
    if copy is not None and time.monotonic() - copy[0] < window:
        return copy[1]
    started = time.monotonic()
    line, view = WaitingRoom(redis_client(), drop_id).line_state(with_view=True)
    now = DropNow(None if view is None else json.loads(view), stock_engine().drop_units_now(drop_id), line)
    if window > 0 and view is not None:
        copies[drop_id] = (started, now)
    return now
