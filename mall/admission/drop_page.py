"""What a queued drop's page shows instead of its buy box, until the shopper is let in."""

from dataclasses import dataclass

from flask import url_for
from werkzeug.datastructures import ImmutableMultiDict

from mall.admission.gate import gate_of
from mall.admission.line import now_ms
from mall.admission.services import note_shopper
from mall.admission.tokens import admission_is_valid, cookie_name
from mall.extensions import redis_client


@dataclass(frozen=True)
class LineNotice:
    url: str
    slug: str


def line_notice(drop_id: int, cart: str | None, cookies: ImmutableMultiDict, real_shopper: bool) -> LineNotice | None:
    """None when the shopper may use the buy box (open drop, admitted, or sold out: only the fallback is left);
    else where the line is. A real shopper with a cart on an open drop is counted for the auto-switch."""
    gate = gate_of(drop_id)
    if not gate.queued:
        if real_shopper and cart:
            note_shopper(redis_client(), drop_id, cart)
        return None
    if gate.sold_out or admission_is_valid(drop_id, cart, cookies.get(cookie_name(drop_id)), now_ms()):
        return None
    return LineNotice(url_for("admission.line", slug=gate.slug, drop_id=drop_id), gate.slug)
