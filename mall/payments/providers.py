"""Ways to pay. Each card provider starts a hosted payment, reads its signed notifications, refunds and reports.

Pay on hand-over is a provider too: it needs no payment step, so an order paid that way is confirmed at once.
"""

from dataclasses import dataclass
from typing import Protocol

from flask import current_app


class BadNotification(Exception):
    """A notification whose signature or body cannot be trusted: answered 400, nothing changes."""


class ProviderUnavailable(Exception):
    """The provider could not be reached or refused the call; the caller tries again later."""


@dataclass(frozen=True)
class Notification:
    """What a verified provider event says, in the mall's words."""

    event_id: str
    kind: str  # one of NOTIFICATION_KINDS, or "ignored" for events the mall does not act on
    session_id: str = ""
    payment_ref: str = ""


NOTIFICATION_KINDS = ("succeeded", "failed", "expired", "ignored")


@dataclass(frozen=True)
class Started:
    session_id: str
    redirect_url: str
    payment_ref: str = ""


class PaymentProvider(Protocol):
    code: str
    label: str
    takes_payment_first: bool  # True: units are sold only once a card payment succeeds

    def available(self) -> bool:
        """Configured well enough to be offered (keys present)."""

    def start(self, payment, success_url: str, cancel_url: str) -> Started:
        """Open a hosted payment for the payment's amount; the shopper is sent to redirect_url."""

    def read_notification(self, body: bytes, headers) -> Notification:
        """Verify a notification's signature and read it; raises BadNotification."""

    def refund(self, payment, amount_cents: int) -> str:
        """Give back amount_cents of a succeeded payment; returns the provider's refund id."""

    def cancel(self, payment) -> None:
        """Close an open hosted payment so it can no longer be paid (best effort)."""

    def state(self, payment) -> str:
        """The provider's own word for the payment's state."""


class PayOnHandover:
    code = "pay_on_handover"
    label = "Pay at pickup or on delivery"
    takes_payment_first = False

    def available(self) -> bool:
        return True

    def state(self, payment) -> str:
        return "due on hand-over"


def all_providers() -> dict[str, PaymentProvider]:
    from mall.payments.stripe_provider import StripeCheckout
    from mall.payments.test_provider import TestCardProvider

    return {p.code: p for p in (PayOnHandover(), TestCardProvider(), StripeCheckout())}


def provider(code: str) -> PaymentProvider | None:
    return all_providers().get(code)


def default_offered() -> list[str]:
    """Before the operator chooses: pay on hand-over, Stripe when its keys are set, else the built-in test cards
    (never in production)."""
    codes = ["pay_on_handover"]
    if all_providers()["stripe"].available():
        codes.append("stripe")
    elif current_app.config.get("ENV_NAME") != "production":
        codes.append("test_card")
    return codes
