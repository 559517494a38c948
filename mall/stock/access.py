"""The one way the app gets its stock engine and drop activity counters (the engine itself imports no Flask)."""

from flask import Flask, current_app

from mall.extensions import db, redis_client
from mall.stock.activity import DropActivity
from mall.stock.engine import DropTermsReader, StockEngine


def init_app(app: Flask, drop_terms: DropTermsReader) -> None:
    """The app factory tells the engine how to read a drop's terms (the drops feature knows; the engine imports none)."""
    app.extensions["flashmall.stock.drop_terms"] = drop_terms


def stock_engine() -> StockEngine:
    """One per app and process, on the app's Redis and the request's database session."""
    engine = current_app.extensions.get("flashmall.stock")
    if engine is None:
        config = current_app.config
        engine = StockEngine(
            redis_client(),
            db.session,
            drop_terms=current_app.extensions["flashmall.stock.drop_terms"],
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
