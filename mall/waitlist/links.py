"""Signed links: an entry's page (your place in line) and an offer (opens the cart holding the offered unit).

Only the shopper who got the email or the page knows them; the signature stops anyone guessing another's."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


def _signer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"flashmall waitlist {purpose}")


def entry_token(entry_id: int) -> str:
    return _signer("entry").dumps(entry_id)


def offer_token(entry_id: int, hold_id: str) -> str:
    return _signer("offer").dumps([entry_id, hold_id])


def read_entry_token(token: str) -> int | None:
    try:
        entry_id = _signer("entry").loads(token[:200])
    except BadSignature:
        return None
    return entry_id if isinstance(entry_id, int) else None


def read_offer_token(token: str) -> tuple[int, str] | None:
    try:
        value = _signer("offer").loads(token[:200])
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return None
    return value[0], value[1]
