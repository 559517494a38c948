"""Signed links: an entry's page, its confirmation (only in the email) and a win (opens the cart holding the unit).

The signature stops anyone guessing another shopper's link; each purpose has its own salt, so the entry page's
link (shown in the browser that entered) cannot confirm the entry: only the emailed one can."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

PURPOSES = ("entry", "confirm", "win")


def _signer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"flashmall draw {purpose}")


def entry_link_token(purpose: str, entry_id: int) -> str:
    return _signer(purpose).dumps(entry_id)


def read_entry_link(purpose: str, token: str) -> int | None:
    try:
        entry_id = _signer(purpose).loads(token[:200])
    except BadSignature:
        return None
    return entry_id if isinstance(entry_id, int) and not isinstance(entry_id, bool) else None
