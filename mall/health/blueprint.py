"""Liveness probes for load balancers (and the benchmarks' yardsticks)."""

from flask import Blueprint

from mall.extensions import redis_client

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def alive():
    return "ok", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}


@bp.get("/healthz/redis")
def redis_alive():
    redis_client().ping()
    return "ok", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}
