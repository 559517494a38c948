"""The waitlist's rules: joining, your place in line, leaving, and offering units that came back, in turn.

The stock engine keeps returned units in a pool while anyone waits (fm:back, see mall/stock/scripts.lua); here each
waiting shopper, oldest first, gets one of them as a hold in a fresh cart for the drop's offer window, by email.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.clock import utcnow
from mall.drops.models import AdmissionMode, Drop, DropStatus
from mall.drops.pricing import effective_status
from mall.outbox.delivery import queue_delivery
from mall.stock.availability import variant_units_left
from mall.stock.engine import StockEngine
from mall.waitlist.emails import offer_email, offer_email_key
from mall.waitlist.models import EntryState, WaitlistEntry

ALL = {"all_tenants": True}  # the waitlist's links and jobs work for every brand; callers load rows by id


class WaitlistError(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


def join(session: Session, engine: StockEngine, drop: Drop, variant_id: int, email: str) -> WaitlistEntry:
    """A shopper joins the line for an item nobody can hold right now; joining twice keeps their place."""
    if effective_status(drop, utcnow()) != DropStatus.LIVE:
        raise WaitlistError("The waitlist is open only while the drop is live.")
    if drop.admission == AdmissionMode.DRAW:  # units a winner leaves unbought go to the draw's next entrant
        raise WaitlistError("This drop sells only through its draw: it has no waitlist.")
    if variant_id not in {item.variant_id for item in drop.items}:
        raise WaitlistError("That item is not part of this drop.", 404)
    if variant_units_left(session, engine, [variant_id])[variant_id] > 0:
        raise WaitlistError("This item has units free right now — add it to your cart instead.")
    email = email.strip().lower()
    entry = _entry(session, drop.id, variant_id, email)
    if entry is not None and entry.state in (EntryState.WAITING, EntryState.OFFERED):
        return entry
    if entry is None:
        entry = WaitlistEntry(tenant_id=drop.tenant_id, drop_id=drop.id, variant_id=variant_id, email=email)
        session.add(entry)
    else:  # back in line after leaving or letting an offer lapse: at the end of it
        entry.state, entry.created_at = EntryState.WAITING.value, utcnow()
        entry.offer_hold_id = entry.offer_cart_token = entry.offer_expires_at = None
    try:
        session.commit()
    except IntegrityError:  # the same shopper joined twice at once: the other request's row stands
        session.rollback()
        return _entry(session, drop.id, variant_id, email)
    engine.waitlist_joined(variant_id, waiting_count(session, variant_id))
    return entry


def position(session: Session, entry: WaitlistEntry) -> int:
    """1 for the next shopper to be offered a unit."""
    ahead = session.scalar(
        select(func.count(WaitlistEntry.id))
        .where(
            WaitlistEntry.drop_id == entry.drop_id,
            WaitlistEntry.variant_id == entry.variant_id,
            WaitlistEntry.state == EntryState.WAITING.value,
            or_(
                WaitlistEntry.created_at < entry.created_at,
                and_(WaitlistEntry.created_at == entry.created_at, WaitlistEntry.id < entry.id),
            ),
        )
        .execution_options(**ALL)
    )
    return ahead + 1


def waiting_count(session: Session, variant_id: int, drop_id: int | None = None) -> int:
    query = select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.variant_id == variant_id, WaitlistEntry.state == EntryState.WAITING.value
    )
    if drop_id is not None:
        query = query.where(WaitlistEntry.drop_id == drop_id)
    return session.scalar(query.execution_options(**ALL))


def waiting_per_drop(session: Session, drop_id: int) -> int:
    """How many shoppers wait in a drop's lines (the brand's monitor)."""
    return session.scalar(
        select(func.count(WaitlistEntry.id))
        .where(WaitlistEntry.drop_id == drop_id, WaitlistEntry.state == EntryState.WAITING.value)
        .execution_options(**ALL)
    )


def leave(session: Session, engine: StockEngine, entry: WaitlistEntry) -> bool:
    """Only a waiting shopper leaves (an offer simply lapses); the last one to leave sets the kept units free."""
    changed = _change_state(session, entry.id, EntryState.WAITING, state=EntryState.LEFT.value)
    session.commit()
    if changed:
        engine.waitlist_left(entry.variant_id)
    return changed


def offers_bought(session: Session, hold_ids: list[str]) -> None:
    """Checkout sold these holds: an offer among them was bought. In the order's transaction; the caller commits."""
    session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.offer_hold_id.in_(hold_ids), WaitlistEntry.state == EntryState.OFFERED.value)
        .values(state=EntryState.BOUGHT.value)
        .execution_options(synchronize_session=False, **ALL)
    )


def live_offer(session: Session, engine: StockEngine, entry_id: int, hold_id: str) -> WaitlistEntry | None:
    """The entry whose offer `hold_id` can still be bought, else None."""
    entry = session.scalar(select(WaitlistEntry).where(WaitlistEntry.id == entry_id).execution_options(**ALL))
    if entry is None or entry.state != EntryState.OFFERED or entry.offer_hold_id != hold_id:
        return None
    engine.sweep_expired()  # an offer that ran out a moment ago is over, swept or not
    return entry if engine.hold_exists(hold_id) else None


def bring_offer_to_cart(session: Session, engine: StockEngine, entry: WaitlistEntry, cart: str) -> None:
    """The offer's hold joins the shopper's own cart, beside what they hold already."""
    if engine.hand_over_hold(entry.offer_cart_token, cart, entry.offer_hold_id):
        _change_state(session, entry.id, EntryState.OFFERED, offer_cart_token=cart)
        session.commit()
    session.refresh(entry)


@dataclass(frozen=True)
class OfferRound:
    offered: int = 0
    lapsed: int = 0
    closed: int = 0


def offer_returned_units(session: Session, engine: StockEngine) -> OfferRound:
    """The job: expired holds come back, lapsed offers are closed, and each unit kept goes to the next in line.

    It also sets the engine's count of waiting shoppers to the database's, so a count that drifted (a race, Redis
    losing it) is right again within a run, and units kept for nobody go on sale."""
    engine.sweep_expired()
    lapsed = _close_lapsed_offers(session, engine)
    offered = closed = 0
    for drop, variant_id in _recent_lines(session):
        live = effective_status(drop, utcnow()) == DropStatus.LIVE
        if not live:
            closed += _close_line(session, drop.id, variant_id)
        engine.waitlist_recount(variant_id, waiting_count(session, variant_id))
        if live:
            offered += _offer_line(session, engine, drop, variant_id)
    return OfferRound(offered, lapsed, closed)


def _recent_lines(session: Session) -> list[tuple[Drop, int]]:
    """Each drop item with a waitlist, in drops not ended a day ago (an ended drop's line is closed by then)."""
    pairs = session.execute(
        select(WaitlistEntry.drop_id, WaitlistEntry.variant_id)
        .join(Drop, Drop.id == WaitlistEntry.drop_id)
        .where(Drop.ends_at > utcnow() - timedelta(days=1))
        .distinct()
        .execution_options(**ALL)
    ).all()
    drops = {d.id: d for d in session.scalars(
        select(Drop).where(Drop.id.in_({drop_id for drop_id, _ in pairs})).execution_options(**ALL)
    )}
    return [(drops[drop_id], variant_id) for drop_id, variant_id in pairs]


def _offer_line(session: Session, engine: StockEngine, drop: Drop, variant_id: int) -> int:
    offered = 0
    while (entry := _next_waiting(session, drop.id, variant_id)) is not None:
        cart = secrets.token_urlsafe(32)
        outcome = engine.offer_from_pool(drop.id, variant_id, cart, drop.waitlist_offer_minutes)
        if not outcome.ok:
            return offered
        expires_at = _utc(outcome.expires_ms)
        if not _change_state(
            session, entry.id, EntryState.WAITING, state=EntryState.OFFERED.value, offer_hold_id=outcome.hold_id,
            offer_cart_token=cart, offer_expires_at=expires_at,
        ):
            # The shopper left meanwhile (counted out twice): the count is the database's again, the unit goes on.
            session.rollback()
            engine.waitlist_recount(variant_id, waiting_count(session, variant_id))
            engine.release_hold(cart, outcome.hold_id)
            continue
        session.expire(entry)
        session.add(offer_email(entry, drop, outcome.hold_id, outcome.price_cents))
        session.commit()
        queue_delivery(offer_email_key(entry.id, outcome.hold_id))
        offered += 1
    return offered


def _close_lapsed_offers(session: Session, engine: StockEngine) -> int:
    """An offer whose hold is gone unbought has lapsed (its unit went to the next in line, or on sale)."""
    offers = session.execute(
        select(WaitlistEntry.id, WaitlistEntry.offer_hold_id)
        .where(WaitlistEntry.state == EntryState.OFFERED.value)
        .execution_options(**ALL)
    ).all()
    lapsed = [entry_id for entry_id, hold_id in offers if not hold_id or not engine.hold_exists(hold_id)]
    for entry_id in lapsed:
        _change_state(session, entry_id, EntryState.OFFERED, state=EntryState.LAPSED.value)
    session.commit()
    return len(lapsed)


def _close_line(session: Session, drop_id: int, variant_id: int) -> int:
    """The drop is over: nobody in its line can be offered a unit any more."""
    closed = session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.drop_id == drop_id,
            WaitlistEntry.variant_id == variant_id,
            WaitlistEntry.state == EntryState.WAITING.value,
        )
        .values(state=EntryState.LAPSED.value)
        .execution_options(synchronize_session=False, **ALL)
    ).rowcount
    session.commit()
    return closed


def _next_waiting(session: Session, drop_id: int, variant_id: int) -> WaitlistEntry | None:
    return session.scalar(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.drop_id == drop_id,
            WaitlistEntry.variant_id == variant_id,
            WaitlistEntry.state == EntryState.WAITING.value,
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .limit(1)
        .execution_options(**ALL)
    )


def _entry(session: Session, drop_id: int, variant_id: int, email: str) -> WaitlistEntry | None:
    return session.scalar(
        select(WaitlistEntry)
        .where(WaitlistEntry.drop_id == drop_id, WaitlistEntry.variant_id == variant_id, WaitlistEntry.email == email)
        .execution_options(**ALL)
    )


def _change_state(session: Session, entry_id: int, from_state: EntryState, **values) -> bool:
    """A conditional write: only the request or job that finds the entry in `from_state` moves it on."""
    return bool(
        session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.id == entry_id, WaitlistEntry.state == from_state.value)
            .values(**values)
            .execution_options(synchronize_session=False, **ALL)
        ).rowcount
    )


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
