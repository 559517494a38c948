"""Drops on the brand dashboard: window rules, saving, and the draft -> scheduled -> cancelled flow."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.admission import services as admission
from mall.catalog.services import unsold_units
from mall.drops.models import Drop, DropItem, DropStatus, PriceTier
from mall.drops.pricing import effective_status
from mall.extensions import redis_client
from mall.stock.access import stock_engine

MAX_DROP_LENGTH = timedelta(days=7)
PLANNING_HORIZON = timedelta(days=366)
MAX_TIERS = 4


class DropRefused(Exception):
    """A status change the drop's state does not allow; the message tells the brand why."""


@dataclass(frozen=True)
class DropSettings:
    """Everything the drop form collects, already validated."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    hold_minutes: int
    per_shopper_limit: int
    hero_variant_ids: list[int]
    fallback_variant_id: int | None
    tiers: list[tuple[int, int | None, int]] = field(default_factory=list)
    waitlist_offer_minutes: int = 10
    admission_mode: str = "open"


# Rules the form asks about ------------------------------------------------------


def window_locked(drop: Drop | None, now: datetime) -> bool:
    """A live or ended drop keeps its window: shoppers and reports already depend on it."""
    return drop is not None and effective_status(drop, now) in (DropStatus.LIVE, DropStatus.ENDED)


def start_problem(starts_at: datetime, now: datetime) -> str | None:
    if starts_at < now.replace(second=0, microsecond=0):
        return "The start time is in the past; pick a time from now on."
    if starts_at > now + PLANNING_HORIZON:
        return "Drops can be planned up to a year ahead."
    return None


def end_problem(starts_at: datetime, ends_at: datetime) -> str | None:
    if ends_at <= starts_at:
        return "The drop must end after it starts."
    if ends_at - starts_at > MAX_DROP_LENGTH:
        return "A drop can last at most 7 days."
    return None


def same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def same_window(drop: Drop, starts_at: datetime, ends_at: datetime) -> bool:
    """The form shows whole minutes, so an untouched window comes back without seconds."""
    return same_minute(starts_at, drop.starts_at) and same_minute(ends_at, drop.ends_at)


# Listing -----------------------------------------------------------------------


@dataclass
class DropGroups:
    live: list[Drop]
    upcoming: list[Drop]
    drafts: list[Drop]
    past: list[Drop]


def grouped_drops(session: Session, tenant_id: int, now: datetime) -> DropGroups:
    drops = session.scalars(select(Drop).where(Drop.tenant_id == tenant_id).order_by(Drop.starts_at, Drop.id)).all()
    groups = DropGroups([], [], [], [])
    buckets = {
        DropStatus.LIVE: groups.live,
        DropStatus.SCHEDULED: groups.upcoming,
        DropStatus.DRAFT: groups.drafts,
        DropStatus.ENDED: groups.past,
        DropStatus.CANCELLED: groups.past,
    }
    for drop in drops:
        buckets[effective_status(drop, now)].append(drop)
    groups.past.reverse()
    return groups


# Saving ------------------------------------------------------------------------


def create_drop(session: Session, tenant_id: int, settings: DropSettings) -> Drop:
    drop = Drop(tenant_id=tenant_id, status=DropStatus.DRAFT.value)
    session.add(drop)
    _apply(session, drop, settings)
    session.commit()
    return drop


def update_drop(session: Session, drop: Drop, settings: DropSettings) -> None:
    _apply(session, drop, settings)
    session.commit()
    _settings_changed(drop)


def _settings_changed(drop: Drop) -> None:
    # The stock engine caches a drop's settings in Redis; the next hold reloads them.
    stock_engine().forget_drop(drop.id)
    admission.forget(redis_client(), drop.id)  # its line reads the mode again


def _apply(session: Session, drop: Drop, s: DropSettings) -> None:
    drop.title, drop.description = s.title, s.description
    drop.starts_at, drop.ends_at = s.starts_at, s.ends_at
    drop.hold_minutes, drop.per_shopper_limit = s.hold_minutes, s.per_shopper_limit
    drop.waitlist_offer_minutes = s.waitlist_offer_minutes
    drop.admission_mode = s.admission_mode
    drop.fallback_variant_id = s.fallback_variant_id
    drop.items.clear()
    drop.tiers.clear()
    # Old rows go first: (drop, variant) and (drop, from_minute) are unique.
    session.flush()
    for position, variant_id in enumerate(s.hero_variant_ids):
        drop.items.append(DropItem(tenant_id=drop.tenant_id, variant_id=variant_id, position=position))
    for from_minute, until_minute, percent_off in sorted(s.tiers):
        drop.tiers.append(
            PriceTier(
                tenant_id=drop.tenant_id, from_minute=from_minute, until_minute=until_minute, percent_off=percent_off
            )
        )


# Status flow -------------------------------------------------------------------


def schedule_drop(session: Session, drop: Drop, now: datetime) -> None:
    if drop.status != DropStatus.DRAFT:
        raise DropRefused("Only a draft can be scheduled.")
    if drop.ends_at <= now:
        raise DropRefused("The window of this drop has already ended. Move it to a future time before scheduling.")
    if unsold_units([item.variant_id for item in drop.items]) <= 0:
        raise DropRefused("The hero variants have no stock at any hub. Add stock before scheduling.")
    drop.status = DropStatus.SCHEDULED.value
    session.commit()
    _settings_changed(drop)


def cancel_drop(session: Session, drop: Drop, now: datetime) -> None:
    status = effective_status(drop, now)
    if status == DropStatus.CANCELLED:
        raise DropRefused("This drop is already cancelled.")
    if status == DropStatus.ENDED:
        raise DropRefused("This drop has ended; an ended drop cannot be cancelled.")
    drop.status = DropStatus.CANCELLED.value
    session.commit()
    _settings_changed(drop)


# What shoppers may open ----------------------------------------------------------
HIDDEN = (DropStatus.DRAFT.value,)  # a draft is the brand's own until scheduled


def shoppable_drop(session: Session, brand_id: int, drop_id: int, options=()) -> Drop | None:
    """A drop of this brand a shopper may open: another brand's drop or a draft is as good as missing.

    `options` are the loader options the caller's page needs (e.g. the storefront's drop_loading_options)."""
    query = select(Drop).where(Drop.id == drop_id, Drop.tenant_id == brand_id, Drop.status.not_in(HIDDEN))
    return session.scalar(query.options(*options))


def shoppable_drop_by_id(session: Session, drop_id: int) -> Drop | None:
    """The same, for a route that names the drop without its brand (a waitlist or draw link)."""
    query = select(Drop.tenant_id).where(Drop.id == drop_id).execution_options(all_tenants=True)
    brand_id = session.scalar(query)
    return shoppable_drop(session, brand_id, drop_id) if brand_id else None
