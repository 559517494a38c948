"""The built-in test provider: a hosted payment page inside the app, test card numbers, and HMAC-signed
notifications read by the same code as any provider's webhook. For the embedded run, the demo and the tests."""

import hashlib
import hmac
import json
import secrets
import time

from flask import current_app, url_for

from mall.payments.providers import BadNotification, Notification, Started

SIGNATURE_HEADER = "Flashmall-Test-Signature"
TOLERANCE_SECONDS = 300

# card number -> what the pretend bank does with it
CARDS = {
    "4242424242424242": "succeeds",
    "4000000000000002": "declines",
    "4000002500003155": "asks to confirm",
}

EVENT_TYPES = {"payment.succeeded": "succeeded", "payment.failed": "failed", "session.expired": "expired"}


def _secret() -> bytes:
    return current_app.config["TEST_PAYMENTS_SECRET"].encode()


def sign(body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def notification(event_type: str, session_id: str) -> tuple[bytes, dict[str, str]]:
    """A signed notification as the pretend bank sends it to the webhook endpoint: (body, headers)."""
    body = json.dumps({"id": f"evt_test_{secrets.token_hex(12)}", "type": event_type, "session": session_id}).encode()
    return body, {SIGNATURE_HEADER: sign(body)}


def card_outcome(number: str) -> str | None:
    return CARDS.get("".join(number.split()))


class TestCardProvider:
    __test__ = False  # a provider, not a pytest class
    code = "test_card"
    label = "Card (test payments — no real money)"
    takes_payment_first = True

    def available(self) -> bool:
        return bool(current_app.config.get("TEST_PAYMENTS_SECRET"))

    def start(self, payment, success_url: str, cancel_url: str) -> Started:
        session_id = f"ts_{secrets.token_urlsafe(18)}"
        return Started(session_id, url_for("payments.test_page", session_id=session_id))

    def read_notification(self, body: bytes, headers) -> Notification:
        _verify(body, headers.get(SIGNATURE_HEADER, ""))
        try:
            event = json.loads(body)
            event_id, event_type, session_id = str(event["id"]), str(event["type"]), str(event["session"])
        except (ValueError, KeyError, TypeError) as error:
            raise BadNotification("The notification's body is not a test payment event.") from error
        return Notification(event_id, EVENT_TYPES.get(event_type, "ignored"), session_id=session_id)

    def refund(self, payment, amount_cents: int) -> str:
        return f"re_test_{secrets.token_hex(8)}"

    def cancel(self, payment) -> None:
        """The pretend bank keeps no state of its own: the payment's window is the session."""

    def state(self, payment) -> str:
        return payment.state


def _verify(body: bytes, header: str) -> None:
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError as error:
        raise BadNotification("The notification is not signed.") from error
    expected = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise BadNotification("The notification's signature does not match.")
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        raise BadNotification("The notification is too old.")
