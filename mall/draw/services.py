"""The draw's rules before it is drawn: setting it up, entering, confirming by email, flags and voiding.

The drawing itself, the winners' holds and passing unbought wins on are in drawing.py."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mall.alerts.fraud_checks import grouped_by, normalise_address
from mall.draw.emails import confirm_email, email_key
from mall.draw.fairness import new_seed, seed_hash
from mall.draw.models import Draw, DrawEntry, EntryState
from mall.drops.models import AdmissionMode, Drop, DropStatus
from mall.drops.pricing import effective_status
from mall.outbox.delivery import queue_delivery

ALL = {"all_tenants": True}  # shoppers' links and the jobs reach every brand's draws; callers load rows by id


class DrawError(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


def draw_of(session: Session, drop_id: int) -> Draw | None:
    return session.scalar(select(Draw).where(Draw.drop_id == drop_id).execution_options(**ALL))


# -- the brand sets it up ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawSettings:
    entries_open_at: datetime
    entries_close_at: datetime
    purchase_minutes: int


def settings_problem(drop: Drop, draw: Draw | None, s: DrawSettings, now: datetime) -> str | None:
    """Why these settings cannot be saved now, or None."""
    if drop.admission != AdmissionMode.DRAW:
        return "This drop does not sell through a draw: choose Draw as its admission in the drop form first."
    if draw is not None and draw.entries_open_at <= now:
        return "Entries have opened: the draw's times and its published seed hash are fixed now."
    if s.entries_open_at < now.replace(second=0, microsecond=0):
        return "Entries must open in the future: the seed's hash is published before anyone enters."
    if s.entries_close_at <= s.entries_open_at:
        return "Entries must close after they open."
    if s.entries_close_at > drop.starts_at:
        return "Entries must close by the drop's start, when the winners' holds begin."
    return None


def save_draw(session: Session, drop: Drop, s: DrawSettings, now: datetime) -> Draw:
    """Create the draw (its seed made and its hash published now) or change its times before entries open."""
    draw = draw_of(session, drop.id)
    problem = settings_problem(drop, draw, s, now)
    if problem:
        raise DrawError(problem, 422)
    if draw is None:
        seed = new_seed()
        draw = Draw(tenant_id=drop.tenant_id, drop_id=drop.id, seed=seed, seed_hash=seed_hash(seed),
                    hash_published_at=now)
        session.add(draw)
    draw.entries_open_at, draw.entries_close_at = s.entries_open_at, s.entries_close_at
    draw.purchase_minutes = s.purchase_minutes
    session.commit()
    return draw


# -- shoppers enter ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryDetails:
    email: str
    variant_id: int
    delivery_address: str
    postcode: str


def enter(session: Session, drop: Drop, details: EntryDetails, cart: str, ip: str, now: datetime) -> DrawEntry:
    """One entry per email and per cart; it counts once confirmed through the emailed link."""
    draw = draw_of(session, drop.id)
    if draw is None or drop.admission != AdmissionMode.DRAW or effective_status(drop, now) == DropStatus.CANCELLED:
        raise DrawError("This drop has no draw to enter.", 404)
    if now < draw.entries_open_at:
        raise DrawError("Entries have not opened yet.")
    if now >= draw.entries_close_at:
        raise DrawError("Entries have closed.")
    if details.variant_id not in {item.variant_id for item in drop.items}:
        raise DrawError("That item is not part of this drop.", 404)
    email = details.email.strip().lower()
    if _entry_where(session, draw.id, DrawEntry.cart_token == cart) is not None:
        raise DrawError("This browser has already entered this draw: one entry per shopper.")
    if _entry_where(session, draw.id, DrawEntry.email == email) is not None:
        raise DrawError("That email has already entered this draw: one entry per email.")
    entry = DrawEntry(
        tenant_id=drop.tenant_id, draw_id=draw.id, drop_id=drop.id, variant_id=details.variant_id, email=email,
        cart_token=cart, ip_address=ip[:45], delivery_address=details.delivery_address.strip(),
        postcode=details.postcode.strip().upper(),
        address_key=normalise_address(details.delivery_address, details.postcode)[:300], created_at=now,
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:  # the same email or browser entered twice at once: one of them stands
        session.rollback()
        raise DrawError("You have already entered this draw: one entry per email and per shopper.") from None
    session.add(confirm_email(entry, draw))
    session.commit()
    queue_delivery(email_key(entry.id, "confirm"))
    return entry


def confirm(session: Session, entry: DrawEntry, now: datetime) -> None:
    """The emailed link: the entry takes part in the draw (a second click changes nothing)."""
    if entry.state == EntryState.CONFIRMED:
        return
    if entry.state != EntryState.PENDING:
        raise DrawError("This entry can no longer be confirmed.")
    if now >= entry.draw.entries_close_at:
        raise DrawError("Entries closed before this one was confirmed: it is not in the draw.")
    session.execute(
        update(DrawEntry)
        .where(DrawEntry.id == entry.id, DrawEntry.state == EntryState.PENDING.value)
        .values(state=EntryState.CONFIRMED.value, confirmed_at=now)
        .execution_options(synchronize_session=False, **ALL)
    )
    session.commit()
    session.refresh(entry)


def entry_by_id(session: Session, entry_id: int) -> DrawEntry | None:
    return session.scalar(select(DrawEntry).where(DrawEntry.id == entry_id).execution_options(**ALL))


def _entry_where(session: Session, draw_id: int, condition) -> DrawEntry | None:
    return session.scalar(select(DrawEntry).where(DrawEntry.draw_id == draw_id, condition).execution_options(**ALL))


# -- the brand's review ----------------------------------------------------------------------------------------


def entries(session: Session, draw: Draw) -> list[DrawEntry]:
    """Every entry, in the draw's order once drawn, else in the order they came."""
    return list(session.scalars(
        select(DrawEntry).where(DrawEntry.draw_id == draw.id)
        .order_by(DrawEntry.position.is_(None), DrawEntry.position, DrawEntry.id)
        .options(selectinload(DrawEntry.variant))
        .execution_options(**ALL)
    ))


def flags(rows: list[DrawEntry]) -> dict[int, list[str]]:
    """Entries (not voided) that share a delivery address or an IP with another: entry id -> why, for the brand."""
    live = [e for e in rows if e.state != EntryState.VOIDED]
    found: dict[int, list[str]] = {}
    for label, key in (("address", lambda e: e.address_key), ("IP", lambda e: e.ip_address)):
        for group in grouped_by(live, key).values():
            if len(group) < 2:
                continue
            for entry in group:
                others = ", ".join(f"#{e.id}" for e in group if e.id != entry.id)
                found.setdefault(entry.id, []).append(f"same {label} as {others}")
    return found


def void(session: Session, draw: Draw, entry_id: int, now: datetime) -> DrawEntry:
    """The brand voids an entry before the draw; the draw's row is locked so the draw cannot run meanwhile."""
    locked = session.scalar(select(Draw).where(Draw.id == draw.id).with_for_update())
    entry = session.scalar(select(DrawEntry).where(DrawEntry.id == entry_id, DrawEntry.draw_id == draw.id))
    if entry is None:
        session.rollback()
        raise DrawError("No such entry in this draw.", 404)
    if locked.drawn_at is not None or now >= locked.draw_due_at():
        session.rollback()
        raise DrawError("The draw has been made: its entries can no longer be voided.")
    if entry.state not in (EntryState.PENDING, EntryState.CONFIRMED):
        session.rollback()
        raise DrawError("This entry is already voided.")
    entry.state = EntryState.VOIDED.value
    session.commit()
    return entry


def counts(session: Session, draw: Draw) -> dict[str, int]:
    """Entries per state (every state present, 0 when none)."""
    rows = session.execute(
        select(DrawEntry.state, func.count(DrawEntry.id)).where(DrawEntry.draw_id == draw.id)
        .group_by(DrawEntry.state).execution_options(**ALL)
    ).all()
    found = dict(rows)
    return {state.value: found.get(state.value, 0) for state in EntryState}


def public_draw(session: Session, drop: Drop) -> Draw | None:
    """The draw the drop page shows (a drop in draw mode without one shows that entries have not been set up)."""
    return draw_of(session, drop.id) if drop.admission == AdmissionMode.DRAW else None


def draw_figures(session: Session, drop: Drop) -> dict | None:
    """The draw's figures for the brand's monitor and post-drop report (None: the drop has no draw)."""
    draw = draw_of(session, drop.id)
    if draw is None:
        return None
    n = counts(session, draw)
    backfills = session.scalar(
        select(func.count(DrawEntry.id)).where(DrawEntry.draw_id == draw.id, DrawEntry.backfill.is_(True))
        .execution_options(**ALL)
    )
    drawn = n["reserve"] + n["won"] + n["bought"] + n["lapsed"] + n["lost"]
    return {
        "entrants": n["confirmed"] + drawn,  # confirmed entries: the ones drawn (or to be)
        "unconfirmed": n["pending"],
        "voided": n["voided"],
        "winners": n["won"] + n["bought"] + n["lapsed"],
        "holding": n["won"],
        "buyers": n["bought"],
        "lapsed": n["lapsed"],
        "backfills": backfills,
        "in_line": n["reserve"],
        "lost": n["lost"],
        "drawn": draw.drawn_at is not None,
        "closed": draw.closed_at is not None,
    }
