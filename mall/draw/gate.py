"""Why a shopper's add-to-cart is refused in a drop sold by draw: the one place the hold path asks.

The refusal itself is atomic in the stock engine (a drop in draw mode is loaded with open = "draw", which place_hold
never accepts, see mall/drops/stock.py), so an add-to-cart costs nothing extra; this explains a refused one."""

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from mall.draw.services import draw_of
from mall.drops.models import AdmissionMode, Drop
from mall.templating import local_time


def draw_refusal(session: Session, drop_id: int) -> str | None:
    """The message for a hold refused because the drop sells through its draw; None when it does not."""
    drop = session.scalar(select(Drop).where(Drop.id == drop_id).execution_options(all_tenants=True))
    if drop is None or drop.admission != AdmissionMode.DRAW:
        return None
    draw = draw_of(session, drop.id)
    where = url_for("draw.verification", drop_id=drop.id)
    if draw is None:
        return f"{drop.title} sells only through a draw, which {drop.tenant.name} has not opened yet ({where})."
    return (
        f"{drop.title} sells only through its draw: entries close {local_time(draw.entries_close_at, '%d %b %H:%M')}, "
        f"and each winner gets a unit held by email. See the draw: {where}"
    )
