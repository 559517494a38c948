"""What shoppers, hub staff, brands and the operator see of parcels, and hub staff management."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mall.accounts.models import User
from mall.fulfilment.models import FINISHED, STATUS_LABELS, EtaChange, HubMember, Parcel, ParcelItem, ParcelStatus
from mall.hubs.models import Hub
from mall.orders.models import LineStatus, Order, OrderLine, SubOrder
from mall.orders.state import LineProgress, cancel_refusal
from mall.templating import local_time

S = ParcelStatus
STATUS_ORDER = {
    S.IN_TRANSIT.value: 0, S.PICKING.value: 1, S.ROUTED.value: 2, S.READY_FOR_PICKUP.value: 3, S.OUT_FOR_DELIVERY.value: 4
}
DELIVERY_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | None


@dataclass(frozen=True)
class ParcelView:
    parcel: Parcel
    items: list[ParcelItem]
    status: str
    steps: list[Step]
    history: list[EtaChange]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[ParcelStatus(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        """A delivery is promised as an hour-long window around its ETA."""
        eta = self.parcel.eta
        if self.parcel.kind != "delivery" or eta is None or not self.is_open:
            return None
        return eta - DELIVERY_WINDOW, eta + DELIVERY_WINDOW


@dataclass(frozen=True)
class CancelWindow:
    brand_name: str
    until: datetime


@dataclass(frozen=True)
class OrderParcels:
    parcels: list[ParcelView]
    cancel_windows: list[CancelWindow]

    @property
    def finished(self) -> bool:
        return not any(p.is_open for p in self.parcels)


def effective_status(parcel: Parcel) -> str:
    """A parcel whose every line was cancelled is cancelled, even before the settling job stores it."""
    if parcel.is_open and parcel.items and all(i.line.status != LineStatus.ACTIVE.value for i in parcel.items):
        return S.CANCELLED.value
    return parcel.status


def _steps(parcel: Parcel) -> list[Step]:
    last = "Collected" if parcel.kind == "pickup" else "Delivered"
    ready = "Ready for pickup" if parcel.kind == "pickup" else "Out for delivery"
    steps = [Step("Order placed", parcel.created_at), Step("Being picked", parcel.picking_at)]
    if parcel.through_another_hub:
        steps.append(Step(f"On its way to {parcel.pickup_hub.name}", parcel.sent_at))
    return steps + [Step(ready, parcel.ready_at), Step(last, parcel.handed_over_at)]


def parcel_view(parcel: Parcel) -> ParcelView:
    return ParcelView(parcel, list(parcel.items), effective_status(parcel), _steps(parcel), list(parcel.eta_changes))


def order_parcels(session: Session, order: Order, now: datetime) -> OrderParcels:
    parcels = session.scalars(
        select(Parcel)
        .where(Parcel.order_id == order.id)
        .order_by(Parcel.id)
        .options(
            selectinload(Parcel.items).selectinload(ParcelItem.line).selectinload(OrderLine.variant),
            selectinload(Parcel.eta_changes),
            selectinload(Parcel.hub),
            selectinload(Parcel.pickup_hub),
        )
        .execution_options(all_tenants=True)
    ).all()
    progress = {i.order_line_id: LineProgress(p.status, p.handed_over_at) for p in parcels for i in p.items}
    return OrderParcels([parcel_view(p) for p in parcels], cancel_windows(order, now, progress))


def cancel_windows(order: Order, now: datetime, progress: dict[int, LineProgress]) -> list[CancelWindow]:
    """Each brand's window to cancel, while it is still open and the brand has a line that can still be cancelled."""
    windows = []
    for sub in order.sub_orders:
        until = order.created_at + timedelta(minutes=sub.tenant.cancellation_window_minutes)
        if until > now and any(cancel_refusal(line, progress.get(line.id)) is None for line in sub.lines):
            windows.append(CancelWindow(sub.tenant.name, until))
    return windows


def order_by_token(session: Session, token: str) -> Order | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(
        select(Order).where(Order.tracking_token == token).options(selectinload(Order.sub_orders).selectinload(SubOrder.lines))
    )


@dataclass(frozen=True)
class PickRow:
    parcel: Parcel
    items: list[ParcelItem]
    packs_here: bool

    @property
    def waiting_units(self) -> int:
        return sum(i.quantity for i in self.items if i.awaiting_transfer)


def picking_list(session: Session, hub: Hub) -> list[PickRow]:
    """Open parcels this hub packs or hands over, across brands: being picked first, then oldest first."""
    parcels = session.scalars(
        select(Parcel)
        .where((Parcel.hub_id == hub.id) | (Parcel.pickup_hub_id == hub.id), Parcel.status.not_in(FINISHED))
        .order_by(Parcel.id)
        .options(
            selectinload(Parcel.items).selectinload(ParcelItem.line).selectinload(OrderLine.variant),
            selectinload(Parcel.items).selectinload(ParcelItem.source_hub),
            selectinload(Parcel.items).selectinload(ParcelItem.tenant),
            selectinload(Parcel.order),
            selectinload(Parcel.hub),
        )
        .execution_options(all_tenants=True)
    ).all()
    rows = []
    for parcel in parcels:
        items = [i for i in parcel.items if i.line.status == LineStatus.ACTIVE.value]
        if items and _on_list_of(parcel, hub):
            rows.append(PickRow(parcel, items, parcel.hub_id == hub.id))
    return sorted(rows, key=lambda r: (STATUS_ORDER.get(r.parcel.status, 9), r.parcel.id))


def _on_list_of(parcel: Parcel, hub: Hub) -> bool:
    """A hub that packs for another hub's point stops listing the parcel once it has left."""
    if parcel.hub_id == hub.id and parcel.through_another_hub:
        return parcel.hub_holding_it == hub.id
    return True


def parcel_at_hub(session: Session, hub: Hub, parcel_id: int) -> Parcel | None:
    """A parcel this hub packs or hands over; any other parcel is as good as missing."""
    return session.scalar(
        select(Parcel)
        .where(Parcel.id == parcel_id, (Parcel.hub_id == hub.id) | (Parcel.pickup_hub_id == hub.id))
        .options(selectinload(Parcel.items).selectinload(ParcelItem.line))
        .execution_options(all_tenants=True)
    )


def item_at_hub(session: Session, hub: Hub, item_id: int) -> ParcelItem | None:
    """A transfer item arriving at this hub (it packs the parcel)."""
    return session.scalar(
        select(ParcelItem)
        .join(Parcel, Parcel.id == ParcelItem.parcel_id)
        .where(ParcelItem.id == item_id, Parcel.hub_id == hub.id)
        .execution_options(all_tenants=True)
    )


def pickup_row(session: Session, hub: Hub, parcel_id: int) -> PickRow | None:
    return next((r for r in picking_list(session, hub) if r.parcel.id == parcel_id), None)


@dataclass(frozen=True)
class BrandParcel:
    parcel: Parcel
    items: list[ParcelItem]  # this brand's lines only

    @property
    def status(self) -> str:
        return self.parcel.status  # as stored: other brands' live items may keep a parcel going

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[ParcelStatus(self.status)]


def brand_parcels(session: Session, tenant_id: int, status: str = "", limit: int = 100) -> list[BrandParcel]:
    """Parcels carrying this brand's lines, newest first; other brands' items stay out of sight."""
    carrying = select(ParcelItem.parcel_id).where(ParcelItem.tenant_id == tenant_id)
    query = select(Parcel).where(Parcel.id.in_(carrying)).order_by(Parcel.id.desc()).limit(limit)
    if status in {s.value for s in ParcelStatus}:
        query = query.where(Parcel.status == status)
    parcels = session.scalars(
        query.options(selectinload(Parcel.hub), selectinload(Parcel.order), selectinload(Parcel.pickup_hub))
    ).all()
    items = session.scalars(
        select(ParcelItem)
        .where(ParcelItem.tenant_id == tenant_id, ParcelItem.parcel_id.in_([p.id for p in parcels]))
        .options(selectinload(ParcelItem.line).selectinload(OrderLine.variant), selectinload(ParcelItem.parcel))
        .order_by(ParcelItem.id)
    ).all()
    mine: dict[int, list[ParcelItem]] = {}
    for item in items:
        mine.setdefault(item.parcel_id, []).append(item)
    return [BrandParcel(p, mine.get(p.id, [])) for p in parcels]


def transfers(session: Session, limit: int = 200, from_hub: Hub | None = None) -> list[ParcelItem]:
    """Units travelling from the central reserve to a packing hub: waiting ones first."""
    query = select(ParcelItem)
    if from_hub is not None:
        query = query.where(ParcelItem.source_hub_id == from_hub.id, ParcelItem.received_at.is_(None))
    return list(
        session.scalars(
            query.join(Parcel, Parcel.id == ParcelItem.parcel_id)
            .join(OrderLine, OrderLine.id == ParcelItem.order_line_id)
            .where(ParcelItem.source_hub_id != Parcel.hub_id, Parcel.status != S.CANCELLED.value)
            .where(OrderLine.status == LineStatus.ACTIVE.value)
            .order_by(ParcelItem.received_at.is_not(None), ParcelItem.id.desc())
            .limit(limit)
            .options(
                selectinload(ParcelItem.parcel).selectinload(Parcel.hub),
                selectinload(ParcelItem.source_hub),
                selectinload(ParcelItem.tenant),
                selectinload(ParcelItem.line).selectinload(OrderLine.variant),
            )
            .execution_options(all_tenants=True)
        )
    )


def parcels_between_hubs(session: Session, limit: int = 200) -> list[Parcel]:
    """Pickups packed at one hub for another hub's point, from packing until received there: on the road first."""
    return list(
        session.scalars(
            select(Parcel)
            .where(Parcel.kind == "pickup", Parcel.pickup_hub_id != Parcel.hub_id, Parcel.status.not_in(FINISHED))
            .order_by(Parcel.status != S.IN_TRANSIT.value, Parcel.id.desc())
            .limit(limit)
            .options(selectinload(Parcel.hub), selectinload(Parcel.pickup_hub), selectinload(Parcel.order))
            .execution_options(all_tenants=True)
        )
    )


class StaffError(Exception):
    pass


def hub_by_code(session: Session, code: str) -> Hub | None:
    if not code or len(code) > 20:
        return None
    return session.scalar(select(Hub).where(Hub.code == code.upper()))


def is_hub_staff(session: Session, user, hub: Hub) -> bool:
    if user.is_operator:
        return True
    return session.scalar(select(HubMember.id).where(HubMember.hub_id == hub.id, HubMember.user_id == user.id)) is not None


def hubs_for(session: Session, user) -> list[Hub]:
    """The hubs a person works at (every hub for the operator)."""
    query = select(Hub).order_by(Hub.kind, Hub.code)
    if not user.is_operator:
        query = query.join(HubMember, HubMember.hub_id == Hub.id).where(HubMember.user_id == user.id)
    return list(session.scalars(query))


def staff_of(session: Session, hub: Hub) -> list[HubMember]:
    return list(
        session.scalars(
            select(HubMember).where(HubMember.hub_id == hub.id).options(selectinload(HubMember.user)).order_by(HubMember.id)
        )
    )


def add_staff(session: Session, hub: Hub, email: str) -> HubMember:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise StaffError("Nobody has an account with that email yet. Ask them to sign up first.")
    if session.scalar(select(HubMember.id).where(HubMember.hub_id == hub.id, HubMember.user_id == user.id)):
        raise StaffError(f"{user.email} already works at {hub.name}.")
    member = HubMember(hub_id=hub.id, user_id=user.id)
    session.add(member)
    try:
        session.commit()
    except IntegrityError as error:  # added by someone else a moment ago
        session.rollback()
        raise StaffError(f"{user.email} already works at {hub.name}.") from error
    return member


def remove_staff(session: Session, hub: Hub, member_id: int) -> bool:
    member = session.scalar(select(HubMember).where(HubMember.id == member_id, HubMember.hub_id == hub.id))
    if member is None:
        return False
    session.delete(member)
    session.commit()
    return True


ETA_ESTIMATING = "We are working out when your order will be ready and will confirm the time shortly."


def order_eta_sentence(order: Order) -> str:
    """Where the order is in words, one full sentence for support replies ({eta}), in every parcel state.

    With several parcels it speaks of the one the shopper waits on longest.
    """
    from sqlalchemy.orm import object_session

    session = object_session(order)
    if session is None:
        return ETA_ESTIMATING
    parcels = session.scalars(
        select(Parcel)
        .where(Parcel.order_id == order.id)
        .options(selectinload(Parcel.items).selectinload(ParcelItem.line), selectinload(Parcel.pickup_hub))
        .execution_options(all_tenants=True)
    ).all()
    views = [parcel_view(p) for p in parcels]
    live = [v for v in views if v.status != S.CANCELLED.value]
    if views and not live:
        return "Your order was cancelled, so " + ("there is nothing to collect." if order.fulfilment == "pickup" else "nothing will be delivered.")
    waiting = [v for v in live if v.status != S.HANDED_OVER.value]
    if live and not waiting:
        verb = "collected" if order.fulfilment == "pickup" else "delivered"
        return f"Your order was {verb} on {local_time(max(v.parcel.handed_over_at for v in live))}."
    if not waiting or any(v.parcel.eta is None and v.status != S.READY_FOR_PICKUP.value for v in waiting):
        return ETA_ESTIMATING
    if all(v.status == S.READY_FOR_PICKUP.value for v in waiting):
        first = min(waiting, key=lambda v: v.parcel.ready_at)
        return f"Your order has been ready for pickup at {first.parcel.pickup_hub.name} since {local_time(first.parcel.ready_at)}."
    last = max((v for v in waiting if v.status != S.READY_FOR_PICKUP.value), key=lambda v: v.parcel.eta)
    return _eta_sentence(last)


def _eta_sentence(view: ParcelView) -> str:
    parcel, at = view.parcel, local_time(view.parcel.eta)
    if view.status == S.IN_TRANSIT.value:
        return f"Your order is on its way to {parcel.pickup_hub.name} and will be ready there by {at}."
    if view.status == S.OUT_FOR_DELIVERY.value:
        return f"Your order is out for delivery and should be with you by {at}."
    if parcel.kind == "pickup":
        return f"Your order will be ready for pickup at {parcel.pickup_hub.name} by {at}."
    return f"Your order should be with you by {at}."
