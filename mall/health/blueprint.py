"""Liveness probes for load balancers (and the benchmarks' yardsticks)."""

from flask import Blueprint, redirect

from mall.extensions import redis_client

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def alive():
    return "ok", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}


@bp.get("/healthz/redis")
def redis_alive():
    redis_client().ping()
    return "ok", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}


@bp.get("/healthz/redirect")
def bare_redirect():
    """The yardstick for the creator redirect: Flask's own 302, no Redis, no cookies."""
    return redirect("/healthz", 302)
