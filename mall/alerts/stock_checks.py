"""Stock alerts for a live drop: low stock against the hold burn rate (time to sell-out), and sold out."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mall.alerts.models import Kind, LinkKind, Severity
from mall.alerts.raising import Finding
from mall.alerts.thresholds import Thresholds
from mall.drops.models import Drop
from mall.drops.selling import ItemSell, SellState, item_sell_states
from mall.drops.stock import drop_availability
from mall.stock.activity import DropActivity
from mall.stock.engine import StockEngine
from mall.templating import local_time

BURN_WINDOW_MINUTES = 5  # the hold rate is measured over the current minute and the four before it


@dataclass(frozen=True)
class DropStock:
    items: dict[int, ItemSell]  # per hero variant: its sell state and units (mall/drops/selling.py)
    held_per_minute: float

    @property
    def units_left(self) -> dict[int, int]:
        """Per variant: free to hold right now, across the drop's hubs."""
        return {variant_id: item.free for variant_id, item in self.items.items()}

    @property
    def total_left(self) -> int:
        return sum(self.units_left.values())

    @property
    def minutes_to_sell_out(self) -> float | None:
        """At the recent hold rate; None when nobody is holding."""
        if self.held_per_minute <= 0:
            return None
        return self.total_left / self.held_per_minute


def held_per_minute(activity: DropActivity, drop_id: int, now: datetime) -> float:
    this_minute = now.replace(second=0, microsecond=0)
    start = this_minute - timedelta(minutes=BURN_WINDOW_MINUTES - 1)
    minutes = activity.per_minute(drop_id, start, this_minute + timedelta(minutes=1))
    return sum(counts.held_units for _, counts in minutes) / BURN_WINDOW_MINUTES


def drop_stock(session: Session, engine: StockEngine, activity: DropActivity, drop: Drop, now: datetime) -> DropStock:
    items = item_sell_states(engine, drop, drop_availability(session, engine, drop.id), now)
    return DropStock(items, held_per_minute(activity, drop.id, now))


def low_stock(drop: Drop, stock: DropStock, limits: Thresholds) -> list[Finding]:
    """Warn when the units left would sell out within N minutes at the hold rate, or fall under the floor."""
    left, eta = stock.total_left, stock.minutes_to_sell_out
    if left <= 0:
        return []  # sold out: the sold-out alerts say it
    by_rate = limits.low_stock_minutes > 0 and eta is not None and eta < limits.low_stock_minutes
    by_floor = left < limits.low_stock_units
    if not (by_rate or by_floor):
        return []
    message = f"{drop.title}: {left} unit{'s' if left != 1 else ''} left"
    if eta is not None:
        message += f", selling out in about {max(1, math.ceil(eta))} min at {stock.held_per_minute:.1f} units held a minute"
    return [
        Finding(
            drop.tenant_id, Kind.LOW_STOCK, Severity.WARNING, f"low_stock:drop:{drop.id}", message + ".",
            LinkKind.DROP, drop.id, drop_id=drop.id,
        )
    ]


def sold_out(drop: Drop, stock: DropStock, limits: Thresholds) -> list[Finding]:
    """One alert per hero item with no unit left to hold: sold out (every unit sold), or all held (held units may
    still come back), each said as it is; an item moving from one to the other is a new alert."""
    if not limits.sold_out:
        return []
    labels = {item.variant_id: item.variant.label for item in drop.items}
    findings = []
    for variant_id, item in sorted(stock.items.items()):
        label = labels.get(variant_id, "An item")
        if item.state == SellState.SOLD_OUT:
            key, message = "sold_out", f"{label} is sold out in {drop.title}: every unit is sold."
        elif item.state == SellState.ALL_HELD:
            by = f" by {local_time(item.back_by, '%H:%M')}" if item.back_by else ""
            key, message = "all_held", f"{label} is all held in {drop.title}: {item.held} held may come back{by}."
        else:
            continue
        findings.append(
            Finding(
                drop.tenant_id, Kind.SOLD_OUT, Severity.INFO, f"{key}:drop:{drop.id}:variant:{variant_id}", message,
                LinkKind.VARIANT, variant_id, drop_id=drop.id,
            )
        )
    return findings
