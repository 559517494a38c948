"""Surge benchmark: throughput of the hot paths and correctness of the stock engine under a storm.

    .venv/bin/python benchmarks/surge.py            # full run (aims at < 10 min on an otherwise idle 2-core box)
    .venv/bin/python benchmarks/surge.py --quick    # smoke run (about 3 minutes)

Creates the scratch PostgreSQL database `fm_bench` and uses Redis db 14 (both wiped; BENCH_DB_NAME and BENCH_REDIS_URL
choose others), starts granian
(WSGI interface, 2 workers x 8 blocking threads, as `python3 -m mall run`) on a free port, then:
  1. wrk at 64 connections, interleaved rounds over five endpoints, medians and the issue's targets;
  2. 8 concurrent duplicate checkouts of one cart;
  3. a correctness storm five times (normal holds, 1-second holds, Redis flushed mid-sale, and card payments on
     the built-in test provider without and with a Redis flush).
Options for digging: --skip-throughput, --skip-storms, --storms AC, and --app-root PATH to serve a copy of
the tree with a candidate change (same venv, same scratch stores) and compare.
Exits 0 only when every target and every check passes. Tears everything down, also on Ctrl-C.
"""

import argparse
import os
import platform
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import stack, storm, throughput  # noqa: E402


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short wrk runs and a smaller storm (smoke test)")
    parser.add_argument("--seconds", type=int, help="seconds per wrk run (default 5, quick 2)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 9, quick 5, at least 3)")
    parser.add_argument("--attempts", type=int, help="hold attempts per storm (default 20000, quick 1500)")
    parser.add_argument("--shoppers", type=int, help="simulated shoppers per storm (default 250, quick 60)")
    parser.add_argument("--units", type=int, help="units in each storm's drop (default 1000, quick 200)")
    parser.add_argument("--threads", type=int, default=24, help="client threads the shoppers share (default 24)")
    parser.add_argument("--skip-throughput", action="store_true", help="only the correctness part")
    parser.add_argument("--skip-storms", action="store_true", help="only the throughput part")
    parser.add_argument("--storms", default="ABCDE", help="which storms to run (default ABCDE; D and E pay by card)")
    parser.add_argument("--app-root", type=Path, help="serve the app from another copy of the tree (same venv)")
    args = parser.parse_args()
    args.seconds = args.seconds or (2 if args.quick else 5)
    # 9 rounds: on this shared machine one round's ratio moves by about +-0.1; a median of 9 by about 0.04 (of 5: 0.06)
    args.rounds = max(3, args.rounds or (5 if args.quick else 9))
    args.attempts = args.attempts or (1_500 if args.quick else 20_000)
    args.shoppers = args.shoppers or (60 if args.quick else 250)
    args.units = args.units or (200 if args.quick else 1_000)
    if args.app_root:
        stack.APP_ROOT = args.app_root.resolve()
    return args


def storm_plans(args) -> list[storm.StormPlan]:
    common = dict(shoppers=args.shoppers, attempts=args.attempts, threads=args.threads, units=args.units)
    return [
        storm.StormPlan("A", 10, explain="normal 10-minute holds, checkouts running alongside", **common),
        storm.StormPlan(
            "B", 1, churn=True, **common,
            explain=(
                "1-second holds (expiry churn). The schema allows 1..120 minutes, so the drop has 1-minute holds "
                "and a sweeper calls the engine's sweep every 0.1 s with the clock set 59 s ahead: every hold "
                "expires 1 s after it was placed (or extended), while shoppers keep holding and checking out"
            ),
        ),
        storm.StormPlan(
            "C", 10, flush_midway=True, **common,
            explain="Redis FLUSHDB mid-sale (once holds for about a third of the units succeeded)",
        ),
        storm.StormPlan(
            "D", 10, card=True, **common,
            explain=(
                "card payments on the built-in test provider: units sold only when paid; shoppers pay, are declined "
                "then pay, cancel, or walk away (their payment windows close after the storm)"
            ),
        ),
        storm.StormPlan(
            "E", 10, card=True, flush_midway=True, **common,
            explain="card payments with Redis FLUSHDB mid-sale: payments that succeed after their holds were lost",
        ),
    ]


def correctness(app, base: str, seeded, args, results: dict) -> None:
    section("Duplicate checkouts of one cart")
    results["duplicate checkouts"] = storm.double_checkout(app, base, seeded)
    section(f"Correctness storms ({args.units:,} units each, over HTTP, checkouts running alongside)")
    for plan in [p for p in storm_plans(args) if p.name in args.storms.upper()]:
        run = storm.Storm(app, base, seeded, plan)
        results[f"storm {plan.name}"] = storm.print_storm(plan, run, run.run())


STARTED = time.monotonic()


def section(title: str) -> None:
    elapsed = int(time.monotonic() - STARTED)
    print(f"\n== {title} " + "=" * max(0, 82 - len(title)) + f" [{elapsed // 60:02d}:{elapsed % 60:02d}]", flush=True)


def main() -> int:
    args = options()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even when started in the background
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the teardown on `kill` too
    section("Surge benchmark")
    print(f"  {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"PostgreSQL db {stack.DB_NAME}, Redis {stack.REDIS_URL}")
    if stack.APP_ROOT != stack.ROOT:
        print(f"  app served from {stack.APP_ROOT}")
    print(f"  mode: {'quick' if args.quick else 'full'}; wrk {args.rounds} rounds x {args.seconds} s per endpoint; "
          f"storms of {args.attempts:,} hold attempts by {args.shoppers} shoppers for {args.units:,} units")
    args.lock = stack.claim_scratch_stores()  # held until the process exits
    wrk = stack.need_wrk()
    server = stack.Server()
    results: dict[str, bool] = {}
    try:
        stack.create_database()
        stack.migrate()
        app = stack.make_app()
        seeded = stack.seed(app)
        server.start()
        print(f"  {server.label} on {server.base} (log {server.log.name})")
        if not args.skip_throughput:
            section("Throughput: wrk -t2 -c64, interleaved rounds")
            runs, labels = throughput.measure(
                wrk, server, seeded, app, stack.redis(), rounds=args.rounds, seconds=args.seconds, warmup=2
            )
            results["throughput targets"] = throughput.report(runs, labels)
            stack.redis().flushdb()  # the storms start from an empty Redis (the database keeps its rows)
        if not args.skip_storms:
            correctness(app, server.base, seeded, args, results)
    finally:
        server.stop()
        stack.drop_database()
    section("Summary")
    for name, ok in results.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    print(f"  finished in {time.monotonic() - STARTED:.0f} s; server stopped, {stack.DB_NAME} dropped, "
          f"{stack.REDIS_URL} flushed")
    return 0 if results and all(results.values()) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(f"\n  interrupted: server stopped, the scratch database dropped, {stack.REDIS_URL} flushed")
        sys.exit(130)
