"""Canned-reply placeholders, filled from a thread's real order data."""

import re

from mall.fulfilment import services as fulfilment
from mall.orders.models import Order

PLACEHOLDERS = ("shopper_name", "order_number", "eta", "pickup_point")
_PATTERN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def eta_text(order: Order | None) -> str:
    """A full sentence on where the order is now: estimating, due by, in transit, ready since, handed over, cancelled."""
    if order is None:
        return "We will confirm your ETA as soon as we know which order this is about."
    return fulfilment.order_eta_sentence(order)


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
