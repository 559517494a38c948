"""What a shopper is told about an order right now, and whether a line can still be cancelled.

Every surface reads it from here: the tracking page, the order email, support's order panel and the
brand's orders. It reads the lines it is given, so a brand sees the state of its own share.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.fulfilment.models import Parcel, ParcelItem, ParcelStatus
from mall.orders.models import LineStatus, Order, OrderLine, PaymentState
from mall.templating import local_time, money


class OrderStage(StrEnum):
    CONFIRMED = "confirmed"
    PARTLY_CANCELLED = "partly_cancelled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    HANDED_OVER = "handed_over"


STAGE_LABELS = {
    OrderStage.CONFIRMED: "Confirmed",
    OrderStage.PARTLY_CANCELLED: "Partly cancelled",
    OrderStage.CANCELLED: "Cancelled",
    OrderStage.REFUNDED: "Refunded",
    OrderStage.HANDED_OVER: "Handed over",
}


@dataclass(frozen=True)
class LineProgress:
    """Where a line's parcel is: its status and the moment it was handed over."""

    parcel_status: str
    handed_over_at: datetime | None


@dataclass(frozen=True)
class OrderState:
    stage: OrderStage
    headline: str
    total_cents: int  # what the live lines cost: what is (or was) to pay now
    cancelled_cents: int
    payment: str
    handed_over_at: datetime | None
    cancellable_line_ids: frozenset[int]  # the lines a brand (or support) may still cancel

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def closed(self) -> bool:
        """Nothing more will happen to it: cancelled, refunded or handed over. Support is warned before replying."""
        return self.stage in (OrderStage.CANCELLED, OrderStage.REFUNDED, OrderStage.HANDED_OVER)


def line_progress(session: Session, line_ids: Iterable[int]) -> dict[int, LineProgress]:
    """The parcel status of each line (lines without a parcel are left out)."""
    ids = list(line_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ParcelItem.order_line_id, Parcel.status, Parcel.handed_over_at)
        .join(Parcel, Parcel.id == ParcelItem.parcel_id)
        .where(ParcelItem.order_line_id.in_(ids))
        .execution_options(all_tenants=True)  # the caller already holds these lines
    ).all()
    return {line_id: LineProgress(status, at) for line_id, status, at in rows}


def cancel_refusal(line: OrderLine, progress: LineProgress | None) -> str | None:
    """Why this line cannot be cancelled now, or None when it can: only a live line not yet handed over."""
    if line.status != LineStatus.ACTIVE.value:
        return "That line was already cancelled."
    if progress is not None and progress.parcel_status == ParcelStatus.HANDED_OVER.value:
        when = local_time(progress.handed_over_at, "%H:%M")
        return f"Too late to cancel: {line.variant.label} was handed over to the shopper at {when}."
    return None


def order_state(order: Order, lines: list[OrderLine], progress: dict[int, LineProgress]) -> OrderState:
    """The order (or one brand's share of it, given its lines) as the shopper should read it now."""
    live = [line for line in lines if line.status == LineStatus.ACTIVE.value]
    total = sum(line.total_cents for line in live)
    cancelled = sum(line.total_cents for line in lines) - total
    handovers = [progress[line.id].handed_over_at for line in live if line.id in progress]
    handed_over = bool(live) and len(handovers) == len(live) and all(
        progress[line.id].parcel_status == ParcelStatus.HANDED_OVER.value for line in live
    )
    handed_over_at = max(handovers) if handed_over and all(handovers) else None
    if order.payment_state == PaymentState.REFUNDED.value:
        stage, headline = OrderStage.REFUNDED, "Your order was refunded."
    elif not live:
        stage, headline = OrderStage.CANCELLED, "Your order was cancelled."
    elif handed_over:
        verb = "collected" if order.fulfilment == "pickup" else "delivered"
        stage, headline = OrderStage.HANDED_OVER, f"Your order was {verb} on {local_time(handed_over_at)}."
    elif cancelled:
        count = sum(line.quantity for line in lines if line.status != LineStatus.ACTIVE.value)
        headline = f"Your order is confirmed; {count} item{'s were' if count != 1 else ' was'} cancelled."
        stage = OrderStage.PARTLY_CANCELLED
    else:
        stage, headline = OrderStage.CONFIRMED, "Your order is confirmed."
    cancellable = frozenset(line.id for line in lines if cancel_refusal(line, progress.get(line.id)) is None)
    return OrderState(stage, headline, total, cancelled, payment_line(order, stage, total), handed_over_at, cancellable)


def payment_line(order: Order, stage: OrderStage, total_cents: int) -> str:
    """The one sentence about money: what is due, paid or refunded, in the shopper's words."""
    where = "at pickup" if order.fulfilment == "pickup" else "on delivery"
    state = order.payment_state
    if state == PaymentState.REFUNDED.value:
        return f"Refunded {money(order.total_cents)}."
    if state == PaymentState.VOID.value or (stage == OrderStage.CANCELLED and state == PaymentState.DUE_ON_HANDOVER.value):
        return "Nothing to pay."
    if state == PaymentState.DUE_ON_HANDOVER.value:
        if stage == OrderStage.HANDED_OVER:
            return f"Paid {money(total_cents)} {where}."
        return f"Pay {money(total_cents)} {where}."
    if state == PaymentState.PAID.value:
        return f"Paid {money(order.total_cents)}."
    return state.replace("_", " ").capitalize() + "."


def state_of_lines(session: Session, order: Order, lines: list[OrderLine]) -> OrderState:
    """Load the lines' parcels and tell the state: for pages showing one order."""
    return order_state(order, lines, line_progress(session, [line.id for line in lines]))
