"""The stock engine and the shopper's cart token, as the web app sees them."""

import secrets

from flask import current_app, g, request

from mall.extensions import db, redis_client
from mall.stock.activity import DropActivity
from mall.stock.engine import StockEngine

CART_COOKIE = "fm_cart"


def stock_engine() -> StockEngine:
    engine = current_app.extensions.get("flashmall.stock")
    if engine is None:
        config = current_app.config
        engine = StockEngine(
            redis_client(),
            db.session,
            cart_rate=config["HOLD_RATE_PER_CART"],
            ip_rate=config["HOLD_RATE_PER_IP"],
            rate_window_ms=10_000,
        )
        current_app.extensions["flashmall.stock"] = engine
    return engine


def drop_activity() -> DropActivity:
    """One per app and process (it batches drop-page views), on the app's Redis."""
    activity = current_app.extensions.get("flashmall.activity")
    if activity is None:
        batch_ms = int(current_app.config.get("VIEW_BATCH_MS", 0 if current_app.testing else 200))
        activity = current_app.extensions["flashmall.activity"] = DropActivity(redis_client(), batch_ms=batch_ms)
    return activity


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
        response.set_cookie(
            CART_COOKIE,
            token,
            max_age=30 * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def client_ip() -> str:
    return request.remote_addr or "-"
