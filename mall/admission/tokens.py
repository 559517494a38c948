"""The signed admission: an HMAC under the app's secret over the drop, the shopper's cart and when it ends.

It travels in a cookie per drop; checking it needs no Redis and no database, so the hold path stays one HMAC away
from its engine call. A copied cookie is useless without the cart cookie it was made for."""

import base64
import hashlib
import hmac

from flask import current_app

COOKIE_PREFIX = "fm_adm_"


def cookie_name(drop_id: int) -> str:
    return f"{COOKIE_PREFIX}{drop_id}"


def sign_admission(drop_id: int, cart: str, until_ms: int) -> str:
    return f"{until_ms}.{_mac(drop_id, cart, until_ms)}"


def admission_is_valid(drop_id: int, cart: str | None, token: str | None, now_ms: int) -> bool:
    if not cart or not token or "." not in token:
        return False
    until, _, mac = token.partition(".")
    if not (until.isascii() and until.isdigit() and len(until) <= 15) or int(until) <= now_ms:
        return False
    return hmac.compare_digest(_mac(drop_id, cart, int(until)).encode(), mac.encode())


def _mac(drop_id: int, cart: str, until_ms: int) -> str:
    digest = hmac.digest(_key(), f"{drop_id}:{cart}:{until_ms}".encode(), "sha256")
    return base64.urlsafe_b64encode(digest[:24]).decode()


def _key() -> bytes:
    key = current_app.extensions.get("flashmall.admission_key")
    if key is None:
        secret = current_app.secret_key
        secret = secret.encode() if isinstance(secret, str) else secret
        key = current_app.extensions["flashmall.admission_key"] = hmac.new(
            secret, b"flashmall admission", hashlib.sha256
        ).digest()
    return key
