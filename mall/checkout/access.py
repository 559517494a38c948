"""The shopper's cart token and add-to-cart token, as the web app sees them."""

import base64
import hashlib
import hmac
import secrets

from flask import current_app, g, request, session

CART_COOKIE = "fm_cart"


def cart_token(create: bool = False) -> str | None:
    """The shopper's anonymous cart: a random token in a first-party cookie."""
    token = request.cookies.get(CART_COOKIE, "")
    if len(token) == 43 and token.replace("-", "").replace("_", "").isalnum():
        return token
    if not create:
        return None
    g.new_cart_token = g.get("new_cart_token") or secrets.token_urlsafe(32)
    return g.new_cart_token


def remember_cart(response):
    token = g.get("new_cart_token")
    if token:
        use_cart(response, token)
    return response


def use_cart(response, token: str):
    """From now on this browser's cart is `token` (a new one, or a waitlist offer's)."""
    response.set_cookie(
        CART_COOKIE,
        token,
        max_age=30 * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def hold_token(cart: str) -> str:
    """The add-to-cart form's CSRF token: a MAC of the shopper's cart cookie (a signed double-submit token).

    A page from another site can neither read the cart cookie nor compute this from it, and checking it
    needs no session: the surge's hottest POST stays one HMAC away from its Redis call.
    """
    digest = hmac.digest(_hold_token_key(), cart.encode(), "sha256")
    return base64.urlsafe_b64encode(digest[:24]).decode()


def hold_token_is_valid(cart: str | None, token: str | None) -> bool:
    return bool(cart and token) and hmac.compare_digest(hold_token(cart).encode(), token.encode())


def shoppers_hold_token() -> str:
    """The token for this shopper's add-to-cart forms; a first visit gets its cart cookie with the page."""
    return hold_token(cart_token(create=True))


def _hold_token_key() -> bytes:
    key = current_app.extensions.get("flashmall.hold_token_key")
    if key is None:
        secret = current_app.secret_key
        secret = secret.encode() if isinstance(secret, str) else secret
        key = hmac.new(secret, b"flashmall add-to-cart token", hashlib.sha256).digest()
        current_app.extensions["flashmall.hold_token_key"] = key
    return key


def client_ip() -> str:
    return request.remote_addr or "-"


def remember_last_order(order) -> None:
    """The cart page and the checkout page (also reached by the back button) link to the order just placed."""
    session["last_order"] = {"number": order.number, "tracking_token": order.tracking_token}


def last_order() -> dict | None:
    remembered = session.get("last_order")
    return remembered if isinstance(remembered, dict) and remembered.keys() == {"number", "tracking_token"} else None
