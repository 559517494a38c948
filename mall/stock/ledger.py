"""The database side of stock: the record, and the guard no code path can get around.

Every change is one conditional UPDATE, so concurrent writers can never take
`sold` past `on_hand` (and the table's CHECK constraints back that up).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from redis import Redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mall.stock.models import StockLevel
from mall.stock.records import read_holds


def record_sale(session: Session, variant_id: int, hub_id: int, quantity: int) -> bool:
    """Turn `quantity` units into sold units, only if they are still unsold."""
    result = session.execute(
        update(StockLevel)
        .where(
            StockLevel.variant_id == variant_id,
            StockLevel.hub_id == hub_id,
            StockLevel.sold + quantity <= StockLevel.on_hand,
        )
        .values(sold=StockLevel.sold + quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def record_sales(session: Session, units: Mapping[tuple[int, int], int]) -> tuple[int, int] | None:
    """Sell `units` {(variant, hub): quantity} all or none (the caller rolls back on a refusal).

    Rows are locked in one fixed order, so concurrent checkouts of overlapping carts queue, never deadlock.
    Returns the first (variant, hub) that no longer had the units, or None.
    """
    for (variant_id, hub_id), quantity in sorted(units.items()):
        if not record_sale(session, variant_id, hub_id, quantity):
            return variant_id, hub_id
    return None


def return_sold_units(session: Session, variant_id: int, hub_id: int, quantity: int) -> bool:
    """A cancelled line: its units are for sale again."""
    result = session.execute(
        update(StockLevel)
        .where(StockLevel.variant_id == variant_id, StockLevel.hub_id == hub_id, StockLevel.sold >= quantity)
        .values(sold=StockLevel.sold - quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def change_on_hand(session: Session, variant_id: int, hub_id: int, delta: int) -> bool:
    """Restock (delta > 0) or write off (delta < 0), never below what is already sold."""
    result = session.execute(
        update(StockLevel)
        .where(
            StockLevel.variant_id == variant_id,
            StockLevel.hub_id == hub_id,
            StockLevel.on_hand + delta >= StockLevel.sold,
        )
        .values(on_hand=StockLevel.on_hand + delta)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class StockCheck:
    variant_id: int
    hub_id: int
    on_hand: int
    available: int | None
    held: int
    claimed: int
    sold: int
    waitlisted: int = 0  # kept for the waitlist's offers (fm:back): neither free nor in a cart

    @property
    def ok(self) -> bool:
        """on_hand = available + held + sold, none negative (units inside a checkout may be counted twice for a moment)."""
        if min(self.on_hand, self.held, self.sold) < 0 or self.sold > self.on_hand:
            return False
        if self.available is None:
            return True  # not loaded into Redis: available is on_hand - sold by definition
        if self.available < 0:
            return False
        if self.waitlisted < 0:
            return False
        kept = self.available + self.held + self.waitlisted
        return kept - self.claimed + self.sold <= self.on_hand <= kept + self.sold


def check_invariant(session: Session, redis: Redis) -> list[StockCheck]:
    levels = session.execute(
        select(StockLevel.variant_id, StockLevel.hub_id, StockLevel.on_hand, StockLevel.sold).execution_options(
            all_tenants=True
        )
    ).all()
    claimed = _claimed_units(redis)
    pipe = redis.pipeline(transaction=True)
    for variant_id, hub_id, _, _ in levels:
        pipe.get(f"fm:avail:{variant_id}:{hub_id}")
        pipe.get(f"fm:held:{variant_id}:{hub_id}")
        pipe.get(f"fm:back:{variant_id}:{hub_id}")
    values = pipe.execute()
    checks = []
    for i, (variant_id, hub_id, on_hand, sold) in enumerate(levels):
        available, held, waitlisted = values[3 * i : 3 * i + 3]
        checks.append(
            StockCheck(
                variant_id,
                hub_id,
                on_hand,
                int(available) if available is not None else None,
                int(held or 0),
                claimed.get((variant_id, hub_id), 0),
                sold,
                int(waitlisted or 0),
            )
        )
    return checks


def _claimed_units(redis: Redis) -> dict[tuple[int, int], int]:
    units: dict[tuple[int, int], int] = {}
    for hold in read_holds(redis, [hold_id.decode() for hold_id in redis.zrange("fm:claimed", 0, -1)]):
        if hold is not None:
            key = (int(hold["variant"]), int(hold["hub"]))
            units[key] = units.get(key, 0) + int(hold["qty"])
    return units
