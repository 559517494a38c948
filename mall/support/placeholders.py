"""Canned-reply placeholders, filled from a thread's real order data."""

import re

from mall.fulfilment import services as fulfilment
from mall.orders.models import Order

ETA_UNKNOWN = "we will confirm your ETA shortly"
PLACEHOLDERS = ("shopper_name", "order_number", "eta", "pickup_point")
_PATTERN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def eta_text(order: Order | None) -> str:
    """The order's committed ETA in words, or a promise to confirm it."""
    if order is None:
        return ETA_UNKNOWN
    return fulfilment.order_eta_text(order) or ETA_UNKNOWN


def pickup_point_text(order: Order | None) -> str:
    if order is None:
        return "your pickup point"
    if order.fulfilment == "pickup" and order.pickup_hub is not None:
        return f"{order.pickup_hub.name}, {order.pickup_hub.address}"
    return f"home delivery to {order.postcode}".strip() if order.postcode else "home delivery"


def placeholder_values(thread) -> dict[str, str]:
    order = thread.order
    return {
        "shopper_name": thread.shopper_name,
        "order_number": order.number if order is not None else "your order",
        "eta": eta_text(order),
        "pickup_point": pickup_point_text(order),
    }


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Only the known names are replaced, in one pass: no format-string tricks, no re-expansion."""
    return _PATTERN.sub(lambda match: values[match.group(1)], text)
