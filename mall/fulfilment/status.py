"""A parcel's way through its hub: routed -> picking -> [in transit ->] ready for pickup | out for delivery -> handed over.

A pickup packed at another hub travels to the pickup point and is ready only once that point's staff
receive it; each step is taken by the staff of the hub where the parcel is (see `refuse_other_hub`).

Every move is a compare-and-set on the status, so two staff clicking at once move it once.
"""

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from mall.clock import utcnow
from mall.fulfilment.etas import promise_kept
from mall.fulfilment.models import FINISHED, Parcel, ParcelItem, ParcelStatus
from mall.orders.models import LineStatus, OrderLine

S = ParcelStatus


class ParcelActionRefused(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


def active_items(parcel: Parcel) -> list[ParcelItem]:
    return [i for i in parcel.items if i.line.status == LineStatus.ACTIVE.value]


def start_picking(session: Session, parcel: Parcel) -> None:
    _still_wanted(session, parcel)
    _move(session, parcel, (S.ROUTED,), S.PICKING, picking_at=utcnow())


def mark_ready(session: Session, parcel: Parcel) -> None:
    """Packed: ready at the pickup point, on its way there from another hub, or out with the courier.

    Reserve units must have arrived first.
    """
    _still_wanted(session, parcel)
    waiting = [i for i in active_items(parcel) if i.awaiting_transfer]
    if waiting:
        units = sum(i.quantity for i in waiting)
        raise ParcelActionRefused(
            f"Still waiting for {units} unit{'s' if units != 1 else ''} from {waiting[0].source_hub.name}. "
            "Mark them received first."
        )
    now = utcnow()
    if parcel.through_another_hub:
        _move(session, parcel, (S.ROUTED, S.PICKING), S.IN_TRANSIT, sent_at=now, picking_at=parcel.picking_at or now)
        return
    target = S.READY_FOR_PICKUP if parcel.kind == "pickup" else S.OUT_FOR_DELIVERY
    values = {"ready_at": now, "picking_at": parcel.picking_at or now}
    if target == S.READY_FOR_PICKUP:
        values.update(promise_kept(parcel, now))
    _move(session, parcel, (S.ROUTED, S.PICKING), target, **values)


def receive_at_point(session: Session, parcel: Parcel) -> None:
    """The pickup point's staff took the parcel in from the packing hub: now it is ready for pickup."""
    now = utcnow()
    _move(session, parcel, (S.IN_TRANSIT,), S.READY_FOR_PICKUP, ready_at=now, **promise_kept(parcel, now))


def hand_over(session: Session, parcel: Parcel) -> None:
    now = utcnow()
    values = {"handed_over_at": now}
    if parcel.kind == "delivery":
        values.update(promise_kept(parcel, now))
    _move(session, parcel, (S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY), S.HANDED_OVER, **values)


# Which hub's staff may take each step: the packing hub packs and sends, the pickup point receives,
# and only the hub holding the parcel hands it over.
def refuse_other_hub(parcel: Parcel, hub, action: str) -> None:
    """Raise a 403 refusal when `hub`'s staff may not take `action` on this parcel now."""
    if action in ("start-picking", "ready"):
        allowed = parcel.hub_id
    elif action == "receive":
        allowed = parcel.pickup_hub_id if parcel.through_another_hub else None
    else:
        allowed = parcel.hub_holding_it
    if allowed == hub.id:
        return
    if action == "receive" and not parcel.through_another_hub:
        raise ParcelActionRefused("This parcel is packed here; there is nothing to receive.", 409)
    if allowed is None:  # on the road
        if hub.id == parcel.pickup_hub_id:
            raise ParcelActionRefused(f"Parcel #{parcel.id} has not arrived yet: mark it received first.", 409)
        point = parcel.pickup_hub.name if parcel.pickup_hub is not None else "the pickup point"
        raise ParcelActionRefused(
            f"Parcel #{parcel.id} is on its way to {point}; it can be handed over once {point} marks it received.", 403
        )
    name = (parcel.hub if allowed == parcel.hub_id else parcel.pickup_hub).name
    what = "hand it over" if action == "hand-over" else "do that"
    raise ParcelActionRefused(f"Parcel #{parcel.id} is at {name}: only {name} staff can {what}. Nothing was changed.", 403)


def receive_transfer(session: Session, item: ParcelItem) -> None:
    if not item.is_transfer:
        raise ParcelActionRefused("These units were at this hub already; there is nothing to receive.")
    result = session.execute(
        update(ParcelItem)
        .where(ParcelItem.id == item.id, ParcelItem.received_at.is_(None))
        .values(received_at=utcnow())
        .execution_options(synchronize_session=False, all_tenants=True)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ParcelActionRefused("Those units were already received.")
    session.commit()


def _still_wanted(session: Session, parcel: Parcel) -> None:
    if parcel.is_open and not active_items(parcel):
        cancel_emptied_parcels(session, [parcel.id])
        raise ParcelActionRefused("Every item in this parcel was cancelled, so the parcel is cancelled too.")


def _move(session: Session, parcel: Parcel, sources: tuple[S, ...], target: S, **values) -> None:
    result = session.execute(
        update(Parcel)
        .where(Parcel.id == parcel.id, Parcel.status.in_([s.value for s in sources]))
        .values(status=target.value, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        session.refresh(parcel)
        raise ParcelActionRefused(f"Not possible now: this parcel is {parcel.status_label.lower()}. Nothing was changed.")
    session.commit()


def cancel_emptied_parcels(session: Session, parcel_ids: list[int] | None = None) -> set[int]:
    """Cancelling every line of a parcel cancels the parcel; returns the hubs whose queue got shorter."""
    live_line = (
        select(ParcelItem.id)
        .join(OrderLine, OrderLine.id == ParcelItem.order_line_id)
        .where(ParcelItem.parcel_id == Parcel.id, OrderLine.status == LineStatus.ACTIVE.value)
    )
    query = select(Parcel.id, Parcel.hub_id).where(Parcel.status.not_in(FINISHED), ~exists(live_line))
    if parcel_ids is not None:
        query = query.where(Parcel.id.in_(parcel_ids))
    rows = session.execute(query.execution_options(all_tenants=True)).all()
    if rows:
        session.execute(
            update(Parcel)
            .where(Parcel.id.in_([r.id for r in rows]), Parcel.status.not_in(FINISHED))
            .values(status=S.CANCELLED.value, cancelled_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return {r.hub_id for r in rows}


def cancel_parcels_of_line(session: Session, line_id: int) -> set[int]:
    """Right after a line is cancelled: its parcel goes too if nothing else is in it (the settle job backs this up)."""
    parcel_ids = list(
        session.scalars(select(ParcelItem.parcel_id).where(ParcelItem.order_line_id == line_id).execution_options(all_tenants=True))
    )
    return cancel_emptied_parcels(session, parcel_ids) if parcel_ids else set()
