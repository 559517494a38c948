"""Time-tiered drop prices and the drop's status at a moment. Pure functions, no Flask."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from mall.drops.models import Drop, DropStatus, PriceTier


@dataclass(frozen=True)
class TierWindow:
    percent_off: int
    starts_at: datetime
    ends_at: datetime


def effective_status(drop: Drop, now: datetime) -> DropStatus:
    """What the shopper should see, whatever the last status refresh stored."""
    if drop.status in (DropStatus.DRAFT, DropStatus.CANCELLED):
        return DropStatus(drop.status)
    if now < drop.starts_at:
        return DropStatus.SCHEDULED
    if now < drop.ends_at:
        return DropStatus.LIVE
    return DropStatus.ENDED


def tier_windows(drop: Drop) -> list[TierWindow]:
    """Each tier as real times, clipped to the drop window, in order."""
    windows = []
    for tier in sorted(drop.tiers, key=lambda t: t.from_minute):
        start = drop.starts_at + timedelta(minutes=tier.from_minute)
        end = drop.ends_at if tier.until_minute is None else drop.starts_at + timedelta(minutes=tier.until_minute)
        end = min(end, drop.ends_at)
        if start < end:
            windows.append(TierWindow(tier.percent_off, start, end))
    return windows


def current_tier(drop: Drop, now: datetime) -> TierWindow | None:
    for window in tier_windows(drop):
        if window.starts_at <= now < window.ends_at:
            return window
    return None


def next_tier(drop: Drop, now: datetime) -> TierWindow | None:
    for window in tier_windows(drop):
        if window.starts_at > now:
            return window
    return None


class PriceSteps(StrEnum):
    """Which way a drop's price moves over its window, as its tiers (and list price between them) make it."""

    DOWN = "down"  # later is cheaper
    UP = "up"  # earlier is cheaper
    MIXED = "mixed"
    FLAT = "flat"  # one price all along


def price_steps(drop: Drop) -> PriceSteps:
    """From the percent off in force over the window, in order: list price (0%) wherever no tier applies."""
    percents, moment = [], drop.starts_at
    for window in tier_windows(drop):
        if window.starts_at > moment:
            percents.append(0)
        percents.append(window.percent_off)
        moment = window.ends_at
    if moment < drop.ends_at:
        percents.append(0)
    changes = {(b > a) - (b < a) for a, b in pairwise(percents)} - {0}
    if not changes:
        return PriceSteps.FLAT
    if len(changes) > 1:
        return PriceSteps.MIXED
    return PriceSteps.DOWN if changes == {1} else PriceSteps.UP  # more off later: the price steps down


def mall_price_steps(drops: Iterable[Drop]) -> PriceSteps:
    """The one direction several drops share, FLAT if none moves, MIXED if they move differently."""
    moving = {price_steps(drop) for drop in drops} - {PriceSteps.FLAT}
    if not moving:
        return PriceSteps.FLAT
    return moving.pop() if len(moving) == 1 else PriceSteps.MIXED


def discounted(price_cents: int, percent_off: int) -> int:
    """Round half up to the penny, so a shopper never pays more than the percentage says."""
    return price_cents - (price_cents * percent_off + 50) // 100


def price_at(drop: Drop, price_cents: int, now: datetime) -> int:
    """The price a shopper pays for a variant in this drop at `now` (list price outside tiers)."""
    tier = current_tier(drop, now) if now >= drop.starts_at else (tier_windows(drop) or [None])[0]
    return discounted(price_cents, tier.percent_off) if tier else price_cents


def tiers_overlap(tiers: list[tuple[int, int | None]]) -> bool:
    """(from_minute, until_minute or None) ranges; an open end runs to the drop's end."""
    ordered = sorted(tiers, key=lambda t: t[0])
    for (start, end), (next_start, _) in zip(ordered, ordered[1:]):
        if end is None or end > next_start:
            return True
    return False


__all__ = ["PriceSteps", "PriceTier", "TierWindow", "current_tier", "discounted", "effective_status", "mall_price_steps", "next_tier", "price_at", "price_steps"]
