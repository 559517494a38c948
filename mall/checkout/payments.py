"""Payment providers. Today shoppers pay at hand-over; a card provider plugs in here later."""

from typing import Protocol

from mall.orders.models import PaymentState


class PaymentProvider(Protocol):
    code: str
    label: str

    def authorize(self, total_cents: int) -> PaymentState:
        """Called inside the order's transaction; returns the order's payment state."""


class PayOnHandover:
    code = "pay_on_handover"
    label = "Pay at pickup or on delivery"

    def authorize(self, total_cents: int) -> PaymentState:
        return PaymentState.DUE_ON_HANDOVER


PROVIDERS: dict[str, PaymentProvider] = {p.code: p for p in (PayOnHandover(),)}
