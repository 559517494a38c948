"""Creator-redirect benchmark: `/c/<code>` beside Flask's bare redirect on one server, then clicks sent vs counted.

    .venv/bin/python benchmarks/redirect.py [--rounds 3] [--seconds 10] [--visitors 2000] [--quick]

The app runs under granian (WSGI, 2 workers x 8 threads, as `python3 -m mall run`) on 127.0.0.1, on PostgreSQL
(a scratch database fm_bench_links, dropped afterwards) and Redis db 12 (flushed). wrk at 64 connections measures
in interleaved A/B rounds the creator redirect, where every request is a new visitor (so each one is
looked up, counted and given its attribution and visitor cookies: the costliest case), and
`GET /healthz/redirect`, Flask's own 302 with no Redis and no cookies. Then a Python client sends N
distinct visitors' clicks mixed with repeat clicks, bots and HEAD requests; after the flush job the
database must hold exactly N clicks. Targets: the redirect answers at least 0.9x the bare 302's req/s with a p99 at
most 1.5x the bare one's (same rounds: no absolute bound, which would measure the machine), no errors, every click
counted. Exit status 0 only when every target holds.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import psycopg
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import stack  # noqa: E402  (shared server plumbing)

VENV_BIN = ROOT / ".venv" / "bin"
LUA = Path(__file__).with_name("redirect.lua")
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "fm_bench_links"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/12"
SECRET_KEY = secrets.token_urlsafe(32)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
RESULT = re.compile(r"WRKRESULT (.*)")
RATIO_TARGET, P99_RATIO_TARGET = 0.9, 1.5  # against the bare Flask 302 measured in the same rounds


def app_env() -> dict:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, SECRET_KEY=SECRET_KEY,
               FLASHMALL_ENV="development")
    return env


# -- scratch stores and seed -------------------------------------------------------------------------
def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def create_stores() -> None:
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")
    Redis.from_url(REDIS_URL).flushdb()
    subprocess.run([str(VENV_BIN / "flask"), "--app", "mall", "db", "upgrade", "heads"], cwd=ROOT, env=app_env(),
                   check=True, capture_output=True)


def drop_stores() -> None:
    try:
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    finally:
        Redis.from_url(REDIS_URL).flushdb()


def make_app():
    os.environ.update(DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, SECRET_KEY=SECRET_KEY)
    from mall import create_app

    return create_app()


@dataclass(frozen=True)
class Seeded:
    surge_code: str  # the link wrk hammers
    count_code: str  # the link whose clicks are counted exactly
    count_link_id: int
    surge_link_id: int
    drop_path: str


def seed(app) -> Seeded:
    """A brand with a live drop, a creator in its programme, and two links to the drop."""
    from mall.accounts.models import User
    from mall.catalog.models import Product, Variant
    from mall.stock.models import StockLevel
    from mall.clock import utcnow
    from mall.drops.models import Drop, DropItem, DropStatus
    from mall.extensions import db, redis_client
    from mall.hubs.models import Hub
    from mall.links.models import CreatorPartnership
    from mall.links.redirects import sync_links
    from mall.links.services import create_link
    from tenants.models import Tenant

    with app.app_context():
        brand = Tenant(slug="bench-links", name="Bench Links Co")
        hub = Hub(code="BENCH-L", name="Bench hub", kind="micro_hub", address="1 Link Lane", latitude=51.5,
                  longitude=-0.1, throughput_per_hour=500, opens_at=clock_time(0, 0), closes_at=clock_time(23, 59))
        creator = User(email="creator@bench.example.com", name="Bench Creator", password_hash="-", is_creator=True)
        db.session.add_all([brand, hub, creator])
        db.session.flush()
        product = Product(tenant_id=brand.id, name="Bench hero")
        db.session.add(product)
        db.session.flush()
        variant = Variant(tenant_id=brand.id, product_id=product.id, sku="BENCH-LINK", price_cents=2500)
        db.session.add(variant)
        db.session.flush()
        db.session.add(StockLevel(tenant_id=brand.id, variant_id=variant.id, hub_id=hub.id, on_hand=1_000_000))
        starts = utcnow() - timedelta(minutes=5)
        drop = Drop(tenant_id=brand.id, title="Bench drop", starts_at=starts, ends_at=starts + timedelta(days=1),
                    status=DropStatus.LIVE.value)
        db.session.add(drop)
        db.session.flush()
        db.session.add(DropItem(tenant_id=brand.id, drop_id=drop.id, variant_id=variant.id))
        db.session.add(CreatorPartnership(tenant_id=brand.id, creator_id=creator.id, status="approved",
                                          commission_bp=1000, window_hours=24))
        db.session.commit()
        surge = create_link(db.session, creator, brand.id, drop.id, "bench-surge")
        count = create_link(db.session, creator, brand.id, drop.id, "bench-count")
        sync_links(db.session, redis_client())
        return Seeded(surge.code, count.code, count.id, surge.id, f"/shop/{brand.slug}/drops/{drop.id}")


def flush(app) -> tuple[int, float]:
    from mall.links.jobs import flush_link_clicks

    started = time.perf_counter()
    with app.app_context():
        moved = flush_link_clicks()["clicks"]
    return moved, time.perf_counter() - started


def clicks_in_db(app, link_id: int) -> tuple[int, int]:
    from sqlalchemy import func, select

    from mall.extensions import db
    from mall.links.models import LinkClickHour, LinkVisitor

    with app.app_context():
        clicks = db.session.scalar(select(func.coalesce(func.sum(LinkClickHour.clicks), 0)).where(LinkClickHour.link_id == link_id))
        visitors = db.session.scalar(select(func.count()).select_from(LinkVisitor).where(LinkVisitor.link_id == link_id))
        return int(clicks), int(visitors)


# -- the server --------------------------------------------------------------------------------------
def web_server() -> stack.Server:
    """The surge benchmark's server (granian, 2 workers x 8 threads), on this benchmark's stores."""
    return stack.Server(env=app_env(), name="redirect")


# -- wrk ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def run_wrk(server: stack.Server, path: str, seconds: int) -> Run:
    command = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(LUA), server.base,
               "--", path, secrets.token_hex(4)]
    cpu_before = server.cpu_seconds()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    match = RESULT.search(out)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    f = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    errors = int(f["status"] + f["connect"] + f["read"] + f["write"] + f["timeout"])
    requests = int(f["requests"])
    return Run(requests, f["duration_us"] / 1e6, f["p50_us"] / 1000, f["p99_us"] / 1000, errors, 1000 * cpu / max(requests, 1))


def measure(app, server: stack.Server, seeded: Seeded, rounds: int, seconds: int, warmup: int) -> tuple[dict, int]:
    paths = {"redirect": f"/c/{seeded.surge_code}", "bare": "/healthz/redirect"}
    sent = run_wrk(server, paths["redirect"], warmup).requests  # every answered redirect was a counted click
    run_wrk(server, paths["bare"], warmup)
    runs: dict[str, list[Run]] = {key: [] for key in paths}
    for r in range(rounds):
        order = list(paths) if r % 2 == 0 else list(reversed(paths))
        line = []
        for key in order:
            run = run_wrk(server, paths[key], seconds)
            runs[key].append(run)
            sent += run.requests if key == "redirect" else 0
            line.append(f"{key} {run.rps:,.0f}/s p99 {run.p99_ms:.1f} ms")
        time.sleep(0.5)  # the workers' last shipments of queued clicks
        moved, took = flush(app)
        print(f"  round {r + 1}/{rounds}: " + " | ".join(line) + f" | flushed {moved:,} clicks in {took:.2f} s", flush=True)
    return runs, sent


# -- exact counting ------------------------------------------------------------------------------------
_local = threading.local()


def _get(base: str, path: str, method: str, agent: str, visitor: str) -> tuple[int, str]:
    conn = getattr(_local, "conn", None)
    if conn is None:
        host, port = base.removeprefix("http://").split(":")
        conn = _local.conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request(method, path, headers={"User-Agent": agent, "Cookie": f"fm_vid={visitor}"})
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("Location", "")


def send_clicks(server: stack.Server, seeded: Seeded, visitors: int) -> dict[str, int]:
    """N distinct visitors, then repeats within the hour, bots and HEADs: only the N may count."""
    real = [secrets.token_hex(16) for _ in range(visitors)]
    plan = [("GET", BROWSER, v, "real") for v in real]
    plan += [("GET", BROWSER, v, "repeat") for v in real[: visitors // 5]]
    plan += [("GET", agent, secrets.token_hex(16), "bot") for agent in
             ["Googlebot/2.1", "facebookexternalhit/1.1", "Twitterbot/1.0", "curl/8.5.0", ""] * (visitors // 50)]
    plan += [("HEAD", BROWSER, secrets.token_hex(16), "head") for _ in range(visitors // 10)]
    random.Random(7).shuffle(plan)
    path = f"/c/{seeded.count_code}"
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(lambda p: _get(server.base, path, p[0], p[1], p[2]), plan))
    wrong = [r for r in replies if r != (302, seeded.drop_path)]
    if wrong:
        raise RuntimeError(f"{len(wrong)} clicks were not a 302 to the drop, e.g. {wrong[0]}")
    return {kind: sum(1 for p in plan if p[3] == kind) for kind in ("real", "repeat", "bot", "head")}


# -- report ------------------------------------------------------------------------------------------
def _median(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def report(runs: dict, sent_counts: dict, counted: tuple[int, int], surge: tuple[int, int]) -> bool:
    labels = {"redirect": "creator redirect  GET /c/<code>", "bare": "bare Flask 302    GET /healthz/redirect"}
    n = len(runs["redirect"])
    print(f"\n  {f'endpoint (medians of {n} rounds, wrk -c64)':<44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
          f" {'errors':>7} {'CPU ms/req':>10}")
    for key, label in labels.items():
        r = runs[key]
        print(f"  {label:<44} {_median(r, 'rps'):>7,.0f} {_median(r, 'p50_ms'):>7.1f} {_median(r, 'p99_ms'):>7.1f}"
              f" {sum(x.errors for x in r):>7} {_median(r, 'cpu_ms'):>10.3f}")
    ratio = statistics.median(a.rps / b.rps for a, b in zip(runs["redirect"], runs["bare"]))
    cpu_view = statistics.median(b.cpu_ms / a.cpu_ms for a, b in zip(runs["redirect"], runs["bare"]))
    p99 = _median(runs["redirect"], "p99_ms")
    p99_ratio = statistics.median(a.p99_ms / b.p99_ms for a, b in zip(runs["redirect"], runs["bare"]))
    errors = sum(x.errors for r in runs.values() for x in r)
    real, visitors = sent_counts["real"], counted
    checks = [
        (f"redirect / bare req/s (median of per-round ratios; CPU view {cpu_view:.2f})", f"{ratio:.2f}",
         f">= {RATIO_TARGET}", ratio >= RATIO_TARGET),
        (f"redirect p99 / bare p99 (median of per-round ratios; redirect p99 {p99:.1f} ms)", f"{p99_ratio:.2f}",
         f"<= {P99_RATIO_TARGET}", p99_ratio <= P99_RATIO_TARGET),
        ("errors + timeouts", str(errors), "== 0", errors == 0),
        (f"clicks sent: {real:,} real + {sent_counts['repeat']:,} repeats, {sent_counts['bot']:,} bots,"
         f" {sent_counts['head']:,} HEADs -> counted", f"{visitors[0]:,}", f"== {real:,}", visitors[0] == real),
        ("unique visitors recorded", f"{visitors[1]:,}", f"== {real:,}", visitors[1] == real),
        (f"wrk phase: {surge[0]:,} redirects answered -> counted", f"{surge[1]:,}",
         "answered .. +64/run", surge[0] <= surge[1] <= surge[0] + 64 * (n + 1)),
    ]
    print(f"\n  {'target':<86} {'value':>10}   {'bound':<22}")
    for label, value, bound, ok in checks:
        verdict = "" if ok is None else "PASS" if ok else "FAIL"
        print(f"  {label:<86} {value:>10}   {bound:<22} {verdict}")
    print("  (CPU view: the bare redirect's CPU per request / the creator redirect's, i.e. the req/s ratio a\n"
          "   CPU-bound server would show; other jobs on the machine do not move it)")
    return all(ok for *_, ok in checks if ok is not None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 round of 3 s, 200 visitors")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.visitors = 1, 3, 200
    print(f"Creator redirect benchmark: granian 2 workers x 8 threads on 127.0.0.1, PostgreSQL {DB_NAME}, Redis db 12, "
          f"{args.rounds} rounds of {args.seconds} s", flush=True)
    create_stores()
    server = web_server()
    try:
        app = make_app()
        seeded = seed(app)
        server.start()
        runs, surge_sent = measure(app, server, seeded, args.rounds, args.seconds, warmup=3)
        sent = send_clicks(server, seeded, args.visitors)
        time.sleep(0.5)  # each server worker ships its queued clicks to Redis every ~100 ms
        moved, took = flush(app)
        print(f"  counting phase: flushed {moved:,} clicks in {took:.2f} s", flush=True)
        counted = clicks_in_db(app, seeded.count_link_id)
        surge_counted = clicks_in_db(app, seeded.surge_link_id)[0]
        passed = report(runs, sent, counted, (surge_sent, surge_counted))
    finally:
        server.stop()
        drop_stores()
    print(f"\n{'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
