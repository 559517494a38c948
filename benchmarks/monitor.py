"""Live drop monitor benchmark: the monitor fragment polled by 50 tabs, with and without a surge, in one run.

    .venv/bin/python benchmarks/monitor.py            # about 2.5 minutes
    .venv/bin/python benchmarks/monitor.py --quick    # about 1 minute (a smoke run)

Uses the surge benchmark's plumbing (benchmarks/stack.py: granian 2 workers x 8 threads on
PostgreSQL + Redis) on its own scratch stores: the PostgreSQL database `fm_bench_mon` (dropped and
created) and Redis db 13 (flushed). The monitored drop is the surge drop, seeded with 2,000 orders, 50
support threads and a creator link so each computation of the figures does real work. Then, twice, once
on an idle server and once during a surge-like load (wrk at 64 connections placing holds on that drop
and 64 more loading its page, without pause):
  1. 50 pollers, each a logged-in tab polling the fragment every 2 s as htmx does (latency per poll), with
     5 probes polling /healthz beside them: the latency floor at the same moments under the same load;
  2. wrk -c50 polling the fragment without pause (the worst case: 50 tabs that never wait).
It also times one computation of the figures in-process, and counts the distinct figure sets the pollers
saw (the shared cache computes once per drop every 1.5 s, however many tabs poll).
Prints the figures; exits 0 unless a request failed. Tears everything down, also on Ctrl-C.
"""

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import stack, throughput  # noqa: E402

POLL_SECONDS = 2.0  # what the monitor page's hx-trigger says
POLLERS = 50
ORDERS, THREADS = 2_000, 50
FIGURES_AS_OF = re.compile(r"figures as of ([0-9:]+)")


def use_own_scratch_stores() -> None:
    """stack.py's helpers read these module settings: point them at this benchmark's database and Redis db."""
    stack.DB_NAME = "fm_bench_mon"
    stack.DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{stack.DB_NAME}"
    stack.REDIS_URL = "redis://127.0.0.1:6379/13"


# -- seed ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Monitored:
    path: str  # the monitor page; with HX-Request it answers the fragment
    cookie: str  # a signed-in owner's session cookie
    drop_id: int


def seed_monitor(app, seeded: stack.Seeded) -> Monitored:
    """An owner for the surge brand, and history for its drop: orders over the last hour, threads, a creator link."""
    from mall.accounts.models import User
    from mall.extensions import db
    from tenants.models import Membership

    with app.app_context():
        owner = User(email="owner@monitor-bench.example.com", name="Bench Owner", password_hash="-")
        creator = User(email="creator@monitor-bench.example.com", name="Bench Creator", password_hash="-", is_creator=True)
        db.session.add_all([owner, creator])
        db.session.flush()
        db.session.add(Membership(tenant_id=seeded.tenant_id, user_id=owner.id, role="owner"))
        db.session.commit()
        _history(db.session, seeded, creator.id)
        serializer = app.session_interface.get_signing_serializer(app)
        cookie = serializer.dumps({"_user_id": owner.get_id(), "_fresh": True})
    return Monitored(f"/brands/{seeded.brand_slug}/drops/{seeded.drop_id}/live", f"session={cookie}", seeded.drop_id)


def _history(session, seeded: stack.Seeded, creator_id: int) -> None:
    from sqlalchemy import insert, select

    from mall.clock import utcnow
    from mall.links.models import CreatorCommission, CreatorLink, CreatorPartnership
    from mall.orders.models import Order, OrderLine, SubOrder
    from mall.support.models import SupportThread

    now, rng = utcnow(), random.Random(7)
    tenant = seeded.tenant_id
    session.add(CreatorPartnership(tenant_id=tenant, creator_id=creator_id, status="approved", commission_bp=1000, window_hours=24))
    link = CreatorLink(tenant_id=tenant, creator_id=creator_id, code="bench-monitor", target="drop", drop_id=seeded.drop_id)
    session.add(link)
    session.flush()
    orders = [
        dict(number=f"FM-B{i:07d}", tracking_token=f"bench-track-{i}", idempotency_key=f"bench-key-{i}",
             request_fingerprint="-", cart_token=f"bench-cart-{i}", shopper_name=f"Shopper {i}",
             email=f"shopper{i}@monitor-bench.example.com", fulfilment="pickup", pickup_hub_id=seeded.pickup_hub_id,
             payment_provider="pay_on_handover", payment_state="due_on_handover", total_cents=2000,
             created_at=now - timedelta(seconds=rng.randrange(3600)), creator_link_id=link.id if i % 10 == 0 else None)
        for i in range(ORDERS)
    ]
    session.execute(insert(Order), orders)
    order_ids = list(session.scalars(select(Order.id).order_by(Order.id)))
    session.execute(insert(SubOrder), [dict(order_id=o, tenant_id=tenant, subtotal_cents=2000) for o in order_ids])
    subs = session.execute(select(SubOrder.id, SubOrder.order_id).order_by(SubOrder.id)).all()
    session.execute(insert(OrderLine), [
        dict(sub_order_id=s, tenant_id=tenant, drop_id=seeded.drop_id, variant_id=seeded.variant_id,
             hub_id=seeded.micro_hub_id, quantity=1, unit_price_cents=2000, status="active")
        for s, _ in subs
    ])
    session.execute(insert(CreatorCommission), [
        dict(tenant_id=tenant, order_id=o, sub_order_id=s, link_id=link.id, creator_id=creator_id, commission_bp=1000)
        for s, o in subs[::10]
    ])
    session.execute(insert(SupportThread), [
        dict(tenant_id=tenant, token=f"bench-thread-{i}", subject=f"Order question {i}", shopper_name="Shopper",
             shopper_email="shopper@monitor-bench.example.com", topic="lines", sub_order_id=s, status="open",
             priority="normal", escalated=False, created_at=now, last_message_at=now, last_shopper_message_at=now,
             first_response_due_at=now + timedelta(minutes=15), resolution_due_at=now + timedelta(days=1))
        for i, (s, _) in enumerate(subs[:THREADS])
    ])
    session.commit()


def computation_ms(app, drop_id: int, runs: int = 15) -> float:
    """One computation of the figures, in this process against the same stores (median of `runs`)."""
    from mall.clock import utcnow
    from mall.drops.models import Drop
    from mall.extensions import db
    from mall.monitor.live import compute_figures

    timings = []
    with app.test_request_context():
        drop = db.session.get(Drop, drop_id)
        for _ in range(runs):
            started = time.perf_counter()
            compute_figures(db.session, drop, utcnow())
            timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    return statistics.median(timings)


# -- load ------------------------------------------------------------------------------------------------
@dataclass
class Polls:
    latencies_ms: list
    errors: int
    figure_sets: set

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


PROBES, PROBE_SECONDS = 5, 0.5  # trivial requests sent beside the tabs: the floor under the same load


def poll_like_tabs(base: str, monitored: Monitored, seconds: float) -> tuple[Polls, Polls]:
    """POLLERS threads, each polling the fragment every POLL_SECONDS from a random start, as open monitor
    tabs do; beside them PROBES threads GET /healthz every PROBE_SECONDS. Returns (tabs, probes)."""
    host, port = base.removeprefix("http://").split(":")
    tabs, probes = Polls([], 0, set()), Polls([], 0, set())
    lock = threading.Lock()
    start = time.monotonic() + 0.2
    stop = start + seconds

    def poll(path: str, headers: dict, every: float, offset: float, into: Polls, expect: str) -> None:
        due = start + offset
        while due < stop:
            time.sleep(max(0.0, due - time.monotonic()))
            sent = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                conn.request("GET", path, headers=headers)
                reply = conn.getresponse()
                body = reply.read().decode()
                conn.close()
                took = (time.perf_counter() - sent) * 1000
                ok = reply.status == 200 and expect in body
            except (OSError, http.client.HTTPException):
                took, ok, body = 0.0, False, ""
            with lock:
                if ok:
                    into.latencies_ms.append(took)
                    into.figure_sets.update(FIGURES_AS_OF.findall(body))
                else:
                    into.errors += 1
            due += every

    rng = random.Random(11)
    tab_headers = {"Cookie": monitored.cookie, "HX-Request": "true"}
    threads = [
        threading.Thread(target=poll, args=(monitored.path, tab_headers, POLL_SECONDS, rng.uniform(0, POLL_SECONDS), tabs,
                                            'id="monitor"'))
        for _ in range(POLLERS)
    ] + [
        threading.Thread(target=poll, args=("/healthz", {}, PROBE_SECONDS, rng.uniform(0, PROBE_SECONDS), probes, ""))
        for _ in range(PROBES)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tabs, probes


@dataclass(frozen=True)
class WrkRun:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float  # the server's CPU per request: steadier than latency when other jobs share the machine


def run_wrk(wrk: str, server: stack.Server, args: list[str], seconds: int) -> WrkRun:
    """wrk -c50 without pause; `args` are surge.lua's (e.g. htmx <path> <cookie>: the signed-in fragment)."""
    command = [wrk, "-t2", f"-c{POLLERS}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(throughput.LUA),
               server.base, "--", *args]
    cpu_before = server.cpu_seconds()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    match = throughput.RESULT.search(out)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    f = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    errors = int(f["status"] + f["connect"] + f["read"] + f["write"] + f["timeout"])
    requests = int(f["requests"])
    return WrkRun(requests, requests / (f["duration_us"] / 1e6), f["p50_us"] / 1000, f["p99_us"] / 1000, errors,
                  1000 * cpu / max(requests, 1))


class Surge:
    """The surge benchmark's hold and drop-page shapes, run by wrk at 64 connections each, in the background."""

    def __init__(self, wrk: str, server: stack.Server, seeded: stack.Seeded, app, seconds: int):
        shapes = {e.key: e for e in throughput.endpoints(server.base, seeded, app)}
        self.runs: dict[str, throughput.Run] = {}
        self.threads = [
            threading.Thread(target=self._run, args=(wrk, server, shapes[key], seconds)) for key in ("hold", "page")
        ]

    def _run(self, wrk, server, endpoint, seconds) -> None:
        self.runs[endpoint.key] = throughput.run_wrk(wrk, server, endpoint, seconds)

    def __enter__(self):
        for t in self.threads:
            t.start()
        time.sleep(2)  # let the load build up before measuring
        return self

    def __exit__(self, *exc) -> None:
        for t in self.threads:
            t.join()


def dashboard_yardsticks(wrk: str, server: stack.Server, app, seeded, monitored: Monitored, seconds: int) -> dict:
    """What the fragment is measured against: Flask's floor, and (when mall/alerts is there) the alerts badge,
    another signed-in dashboard fragment with one small query, i.e. the floor of any dashboard request."""
    runs = {"GET /healthz": run_wrk(wrk, server, ["get", "/healthz"], seconds)}
    if "alerts.badge" in app.view_functions:
        path = f"/brands/{seeded.brand_slug}/alerts/badge"
        runs["alerts badge (dashboard)"] = run_wrk(wrk, server, ["htmx", path, monitored.cookie], seconds)
    return runs


# -- report ------------------------------------------------------------------------------------------------
def measure(wrk: str, server: stack.Server, monitored: Monitored, poll_seconds: int, wrk_seconds: int):
    tabs, probes = poll_like_tabs(server.base, monitored, poll_seconds)
    return tabs, probes, run_wrk(wrk, server, ["htmx", monitored.path, monitored.cookie], wrk_seconds)


def report(idle: tuple, surged: tuple, yardsticks: dict, surge: Surge, compute_ms: float, poll_seconds: int) -> bool:
    print(f"\n  {'GET, same moments, same load':<60} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
          f" {'CPU ms/req':>10}")
    for label, (tabs, probes, run) in (("idle", idle), ("during the surge", surged)):
        print(f"  {label}:")
        print(f"    {f'monitor fragment: {POLLERS} tabs polling every {POLL_SECONDS:.0f} s':<58} {len(tabs.latencies_ms):>9,}"
              f" {tabs.percentile(50):>8.1f} {tabs.percentile(99):>8.1f} {tabs.errors:>7}")
        print(f"    {f'  the floor: /healthz, {PROBES} probes every {PROBE_SECONDS} s beside them':<58}"
              f" {len(probes.latencies_ms):>9,} {probes.percentile(50):>8.1f} {probes.percentile(99):>8.1f} {probes.errors:>7}")
        cpu = f"{run.cpu_ms:.2f}" if label == "idle" else "(shared)"  # during the surge the workers serve it too
        print(f"    {f'monitor fragment: wrk -c{POLLERS} without pause, {run.rps:,.0f} req/s':<58} {run.requests:>9,}"
              f" {run.p50_ms:>8.1f} {run.p99_ms:>8.1f} {run.errors:>7} {cpu:>10}")
        for name, other in yardsticks.items() if label == "idle" else ():
            print(f"    {f'  yardstick: wrk -c{POLLERS} {name}, {other.rps:,.0f} req/s':<58} {other.requests:>9,}"
                  f" {other.p50_ms:>8.1f} {other.p99_ms:>8.1f} {other.errors:>7} {other.cpu_ms:>10.2f}")
    print("\n  surge load running beside the second measurement (wrk -c64 each, medians are per whole run):")
    for key, run in surge.runs.items():
        print(f"    {key:<5} {run.rps:>8,.0f} req/s  p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms  errors {run.errors + run.timeouts}")
    sets = [len(idle[0].figure_sets), len(surged[0].figure_sets)]
    print(f"\n  one computation of the figures (in-process, {ORDERS:,} orders, {THREADS} threads): {compute_ms:.1f} ms;"
          f" uncached, {POLLERS} tabs would need {POLLERS / POLL_SECONDS * compute_ms / 1000:.1f} CPU-seconds a second")
    print(f"  distinct figure sets the {POLLERS} tabs saw in {poll_seconds} s: idle {sets[0]}, surge {sets[1]}"
          f" (shared cache: at most one computation per 1.5 s, i.e. about {poll_seconds / 1.5:.0f}, whatever the tab count)")
    print("  load average now (1/5/15 min): " + " / ".join(f"{x:.1f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs (other work on the machine moves every figure above)")
    errors = sum(t.errors + p.errors + r.errors for t, p, r in (idle, surged))
    print(f"\n  {'PASS' if errors == 0 else 'FAIL'}: {errors} failed requests")
    return errors == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter phases (a smoke run)")
    parser.add_argument("--poll-seconds", type=int, help="how long the tabs poll in each phase (default 30, quick 10)")
    parser.add_argument("--wrk-seconds", type=int, help="wrk -c50 run in each phase (default 10, quick 4)")
    args = parser.parse_args()
    poll_seconds = args.poll_seconds or (10 if args.quick else 30)
    wrk_seconds = args.wrk_seconds or (4 if args.quick else 10)
    use_own_scratch_stores()
    print(f"Monitor benchmark: granian 2 workers x 8 threads on 127.0.0.1, PostgreSQL {stack.DB_NAME}, Redis {stack.REDIS_URL};"
          f" {POLLERS} tabs poll for {poll_seconds} s, wrk -c{POLLERS} for {wrk_seconds} s, idle then during a surge", flush=True)
    lock = stack.claim_scratch_stores()  # noqa: F841  (held until the process exits)
    wrk = stack.need_wrk()
    server = stack.Server(name="monitor")
    try:
        stack.create_database()
        stack.migrate()
        app = stack.make_app()
        seeded = stack.seed(app)
        monitored = seed_monitor(app, seeded)
        server.start()
        print(f"  seeded {ORDERS:,} orders and {THREADS} threads on drop {seeded.drop_id}; granian on {server.base}", flush=True)
        poll_like_tabs(server.base, monitored, 3)  # warm-up: connections, templates, caches
        compute_ms = computation_ms(app, seeded.drop_id)
        print("  measuring idle ...", flush=True)
        yardsticks = dashboard_yardsticks(wrk, server, app, seeded, monitored, wrk_seconds)
        idle = measure(wrk, server, monitored, poll_seconds, wrk_seconds)
        print("  measuring during the surge ...", flush=True)
        with Surge(wrk, server, seeded, app, poll_seconds + wrk_seconds + 4) as surge:
            surged = measure(wrk, server, monitored, poll_seconds, wrk_seconds)
        passed = report(idle, surged, yardsticks, surge, compute_ms, poll_seconds)
    finally:
        server.stop()
        stack.drop_database()
    print(f"  server stopped, {stack.DB_NAME} dropped, Redis db 13 flushed")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\n  interrupted: server stopped, the scratch database dropped, Redis db 13 flushed")
        sys.exit(130)
