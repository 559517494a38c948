"""The draw itself: the seed revealed, the confirmed entries put in the seed's order, winners' holds through the
stock engine, unbought wins passed on to the next entrant in that order, and the end of the draw.

Every step is a conditional write, so the job may run twice at once: an entry moves on once, a unit is held once."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mall.draw.emails import email_key, lost_email, reserve_email, win_email
from mall.draw.fairness import draw_order
from mall.draw.models import Draw, DrawEntry, EntryState
from mall.draw.services import ALL
from mall.drops.models import AdmissionMode, DropStatus
from mall.drops.pricing import effective_status
from mall.drops.stock import drop_availability
from mall.outbox.delivery import queue_deliveries, queue_delivery
from mall.stock.engine import StockEngine


@dataclass(frozen=True)
class DrawRound:
    drawn: int = 0
    won: int = 0
    lapsed: int = 0
    closed: int = 0


def run_draws(session: Session, engine: StockEngine, now: datetime) -> DrawRound:
    """The job: draws whose time came are made; made ones pass lapsed wins on; finished ones close."""
    drawn = won = lapsed = closed = 0
    due = session.scalars(
        select(Draw.id).where(Draw.drawn_at.is_(None), Draw.entries_close_at <= now).execution_options(**ALL)
    ).all()
    for draw_id in due:
        winners = make_draw(session, engine, draw_id, now)
        if winners is not None:
            drawn, won = drawn + 1, won + winners
    open_draws = session.scalars(
        select(Draw.id).where(Draw.drawn_at.is_not(None), Draw.closed_at.is_(None)).execution_options(**ALL)
    ).all()
    if open_draws:
        engine.sweep_expired()  # a win that ran out a moment ago is over, swept or not
    for draw_id in open_draws:
        draw = _draw(session, draw_id)
        lapsed += close_lapsed_wins(session, engine, draw)
        won += award_units(session, engine, draw, now, backfill=True)
        closed += close_if_over(session, engine, draw, now)
    return DrawRound(drawn, won, lapsed, closed)


def make_draw(session: Session, engine: StockEngine, draw_id: int, now: datetime) -> int | None:
    """Reveal the seed and order the confirmed entries by it; the first in order get the units (how many won;
    None when the draw is not due or was made already)."""
    draw = session.scalar(select(Draw).where(Draw.id == draw_id).with_for_update().execution_options(**ALL))
    if draw is None or draw.drawn_at is not None or now < draw.draw_due_at():
        session.rollback()
        return None
    confirmed = session.scalars(
        select(DrawEntry.id)
        .where(DrawEntry.draw_id == draw.id, DrawEntry.state == EntryState.CONFIRMED.value)
        .execution_options(**ALL)
    ).all()
    # One executemany by primary key: the confirmed set cannot change now (entries are closed, voiding waits on the
    # draw's row lock).
    order = draw_order(draw.seed, list(confirmed))
    if order:
        session.execute(
            update(DrawEntry).execution_options(**ALL),
            [{"id": entry_id, "position": n, "state": EntryState.RESERVE.value} for n, entry_id in enumerate(order, 1)],
        )
    draw.drawn_at = now
    session.commit()
    winners = award_units(session, engine, draw, now, backfill=False)
    _tell_reserves(session, draw)
    return winners


def award_units(session: Session, engine: StockEngine, draw: Draw, now: datetime, *, backfill: bool) -> int:
    """Each entrant in the draw's order, while their item has free units, gets one held for the purchase window."""
    drop = draw.drop
    if effective_status(drop, now) != DropStatus.LIVE or draw.closed_at is not None:
        return 0
    items = {item.variant_id for item in drop.items}
    sold_out: set[int] = set()
    won = 0
    for entry in _in_line(session, draw.id):
        if sold_out >= items:
            break
        if entry.variant_id in sold_out:
            continue
        cart = secrets.token_urlsafe(32)
        outcome = engine.reserve_for_draw(drop.id, entry.variant_id, cart, draw.purchase_minutes)
        if not outcome.ok:
            if outcome.reason in ("sold_out", "not_in_drop"):
                sold_out.add(entry.variant_id)
                continue
            break  # the drop cannot take holds now: the next run tries again
        if not _move(
            session, entry.id, EntryState.RESERVE, state=EntryState.WON.value, won_at=now, backfill=backfill,
            win_hold_id=outcome.hold_id, win_cart_token=cart, win_expires_at=_utc(outcome.expires_ms),
        ):
            session.rollback()  # another run gave this entrant a unit meanwhile: this one goes back
            engine.release_hold(cart, outcome.hold_id)
            continue
        session.refresh(entry)
        session.add(win_email(entry, draw, outcome.price_cents))
        session.commit()
        queue_delivery(email_key(entry.id, f"win:{outcome.hold_id}"))
        won += 1
    return won


def close_lapsed_wins(session: Session, engine: StockEngine, draw: Draw) -> int:
    """A win whose hold is gone without an order has lapsed: its unit is free again for the next entrant."""
    wins = session.execute(
        select(DrawEntry.id, DrawEntry.win_hold_id)
        .where(DrawEntry.draw_id == draw.id, DrawEntry.state == EntryState.WON.value)
        .execution_options(**ALL)
    ).all()
    lapsed = [entry_id for entry_id, hold_id in wins if not hold_id or not engine.hold_exists(hold_id)]
    for entry_id in lapsed:
        _move(session, entry_id, EntryState.WON, state=EntryState.LAPSED.value)
    session.commit()
    return len(lapsed)


def close_if_over(session: Session, engine: StockEngine, draw: Draw, now: datetime) -> int:
    """The draw ends when the drop does (or stops selling by draw), when every unit is sold, or when nobody is left
    in line; those still in line are told they did not win."""
    status = effective_status(draw.drop, now)
    units = drop_availability(session, engine, draw.drop_id)
    in_line = _in_line(session, draw.id)
    wins_open = session.scalar(
        select(DrawEntry.id).where(DrawEntry.draw_id == draw.id, DrawEntry.state == EntryState.WON.value)
        .limit(1).execution_options(**ALL)
    )
    all_sold = units.units_left == 0 and units.held == 0
    by_draw = draw.drop.admission == AdmissionMode.DRAW  # the brand may have switched the drop to another mode
    if status == DropStatus.LIVE and by_draw and not all_sold and (in_line or wins_open):
        return 0
    if not session.execute(
        update(Draw).where(Draw.id == draw.id, Draw.closed_at.is_(None)).values(closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount:
        session.rollback()
        return 0
    told = []
    for entry in in_line:
        if _move(session, entry.id, EntryState.RESERVE, state=EntryState.LOST.value):
            session.add(lost_email(entry, draw))
            told.append(entry.id)
    session.commit()
    queue_deliveries([email_key(entry_id, "lost") for entry_id in told])
    return 1


def wins_bought(session: Session, hold_ids: list[str]) -> None:
    """Checkout sold these holds: a win among them was bought. In the order's transaction; the caller commits.

    A card payment that succeeds after its window closed still counts (the entry had lapsed meanwhile)."""
    if not hold_ids:
        return
    session.execute(
        update(DrawEntry)
        .where(
            DrawEntry.win_hold_id.in_(hold_ids),
            DrawEntry.state.in_((EntryState.WON.value, EntryState.LAPSED.value)),
        )
        .values(state=EntryState.BOUGHT.value)
        .execution_options(synchronize_session=False, **ALL)
    )


def _tell_reserves(session: Session, draw: Draw) -> None:
    """Entrants the first round did not reach learn their place in line for units winners leave unbought."""
    told = []
    for entry in _in_line(session, draw.id):
        session.add(reserve_email(entry, draw))
        told.append(entry.id)
    session.commit()
    queue_deliveries([email_key(entry_id, "reserve") for entry_id in told])


def _in_line(session: Session, draw_id: int) -> list[DrawEntry]:
    return list(session.scalars(
        select(DrawEntry)
        .where(DrawEntry.draw_id == draw_id, DrawEntry.state == EntryState.RESERVE.value)
        .order_by(DrawEntry.position)
        .execution_options(**ALL)
    ))


def _draw(session: Session, draw_id: int) -> Draw:
    return session.scalar(select(Draw).where(Draw.id == draw_id).execution_options(**ALL, populate_existing=True))


def _move(session: Session, entry_id: int, from_state: EntryState, **values) -> bool:
    """A conditional write: only the run or request that finds the entry in `from_state` moves it on."""
    return bool(
        session.execute(
            update(DrawEntry)
            .where(DrawEntry.id == entry_id, DrawEntry.state == from_state.value)
            .values(**values)
            .execution_options(synchronize_session=False, **ALL)
        ).rowcount
    )


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
