"""The waiting room under a surge: a crowd polling the line page while admitted shoppers hold and check out.

One command: `.venv/bin/python benchmarks/admission.py [--quick]` (PostgreSQL database `bench_admission`, Redis db 12,
granian 2 workers x 8 threads as `python3 -m mall run`; wrk with admission.lua; the admission tick runs in this
process every 0.5 s, as the worker's periodic job would). In one run, side by side:

1. CPU per request of the server's processes: the line page's htmx refresh vs /healthz, each polled by the same
   crowd (CONNECTIONS connections, each asking every ~3 s as the page's htmx does, each request another shopper);
2. admitted shoppers' hold p99: with no crowd (one queued drop), then during the crowd's surge (another queued drop);
3. the same surge with the mode open (a third drop): the crowd polls the drop page, shoppers hold without a line;
4. errors and timeouts; units sold == stock; oversold 0; admissions after the sell-out 0.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("BENCH_DB_NAME", "bench_admission")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import stack  # noqa: E402
from benchmarks.shopper import Shopper  # noqa: E402

LUA = Path(__file__).with_name("admission.lua")
RESULT = re.compile(r"WRKRESULT (.*)")
POLL_MS = 3000  # the line page's htmx interval
BUYER_THREADS = 16


@dataclass
class Crowd:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    timeouts: int
    cpu_ms_per_request: float


@dataclass
class Buyers:
    label: str
    hold_ms: list[float] = field(default_factory=list)
    orders: int = 0
    refused: int = 0  # holds refused (sold out)
    gave_up: int = 0  # saw sold out in line, never let in
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def hold_p99(self) -> float:
        return _percentile(self.hold_ms, 99)


def _percentile(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer connections, shorter runs (a smoke test)")
    parser.add_argument("--connections", type=int, help="crowd connections (default 4000, quick 500)")
    parser.add_argument("--seconds", type=int, help="seconds per crowd run (default 40, quick 12)")
    parser.add_argument("--stock", type=int, help="units per drop (default 150, quick 30)")
    args = parser.parse_args()
    args.connections = args.connections or (500 if args.quick else 4000)
    args.seconds = args.seconds or (12 if args.quick else 40)
    args.stock = args.stock or (30 if args.quick else 150)
    return args


# -- setup -----------------------------------------------------------------------------------------------
def add_drops(app, seeded, stock: int) -> dict[str, tuple[int, int]]:
    """Three drops with `stock` units, limit 1: a queued one without a crowd, a queued one and an open one with."""
    from mall.admission.settings import save_settings
    from mall.extensions import db

    drops = {}
    for name, mode in (("quiet", "queue"), ("queue", "queue"), ("open", "open")):
        drop_id, variant_id = stack.add_drop(app, seeded.tenant_id, seeded.micro_hub_id, stock, hold_minutes=10,
                                             limit=1, title=f"Admission {name}")
        with app.app_context():
            drop = db.session.get(stack.model("Drop"), drop_id)
            drop.admission_mode = mode
            db.session.commit()
        drops[name] = (drop_id, variant_id)
    with app.app_context():  # one place per shopper; the crowd comes from one IP here
        save_settings(db.session, {"capacity": 100_000, "overbook_percent": 100, "admission_minutes": 5,
                                   "expiring_seconds": 60, "entries_per_ip": 10_000_000})
    return drops


def new_carts(app, n: int) -> list[tuple[str, str]]:
    import secrets

    from mall.checkout.access import hold_token

    with app.app_context():
        return [(cart, hold_token(cart)) for cart in (secrets.token_urlsafe(32) for _ in range(n))]


def join_line(app, drop_id: int, carts: list[str]) -> None:
    """Places in line, straight into the waiting room (joining is not what is measured)."""
    from mall.admission.line import WaitingRoom
    from mall.extensions import redis_client

    with app.app_context():
        room = WaitingRoom(redis_client(), drop_id)
        for n, cart in enumerate(carts):
            room.join(cart, f"bench{n}-{drop_id}@example.net", "10.9.9.9", 0, 2**45, 10**9)


class Ticker(threading.Thread):
    """The admission tick, every 0.5 s (the worker runs it every 2 s; faster here so the run is short)."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stopped, self.ticks = app, threading.Event(), 0

    def run(self):
        from mall.admission.services import run_tick
        from mall.extensions import db
        from mall.stock.access import stock_engine

        with self.app.app_context():
            while not self.stopped.wait(0.5):
                run_tick(db.session, stock_engine())
                db.session.remove()
                self.ticks += 1


# -- the crowd -----------------------------------------------------------------------------------------------
def crowd(wrk: str, server, label: str, path: str, *, htmx: bool, carts: list[str] | None, connections: int,
          seconds: int) -> Crowd:
    with tempfile.TemporaryDirectory(prefix="admission-carts-") as folder:
        prefix = ""
        if carts:
            prefix = str(Path(folder) / "carts")
            for thread in (1, 2):
                Path(f"{prefix}.{thread}").write_text("".join(f"{c}\n" for c in carts[thread - 1 :: 2]))
        command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(LUA),
                   server.base, "--", path, "1" if htmx else "0", str(POLL_MS), prefix]
        before = server.cpu_seconds()
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        cpu = server.cpu_seconds() - before
    match = RESULT.search(out)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    f = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    requests = int(f["requests"])
    return Crowd(label, requests, f["duration_us"] / 1e6, f["p50_us"] / 1000, f["p99_us"] / 1000,
                 int(f["status"] + f["connect"] + f["read"] + f["write"]), int(f["timeout"]),
                 1000 * cpu / max(requests, 1))


# -- the buyers -------------------------------------------------------------------------------------------------
def buy(base: str, seeded, drop: tuple[int, int], slug_path: str, cart: tuple[str, str], n: int, out: Buyers,
        queued: bool, deadline: float) -> None:
    """One shopper: waits in line until let in (or sold out), then holds one unit and checks out."""
    drop_id, variant_id = drop
    shopper = Shopper(base, n, cookies={"fm_cart": cart[0]}, hold_token=cart[1])
    try:
        if queued:
            while True:
                page = shopper.request("GET", f"{slug_path}/line", htmx=True)
                if 'data-phase="admitted"' in page.body:
                    break
                if 'data-phase="sold_out"' in page.body or 'data-phase="ended"' in page.body or time.time() > deadline:
                    with out.lock:
                        out.gave_up += 1
                    return
                time.sleep(0.5)
        started = time.perf_counter()
        held = shopper.hold(drop_id, variant_id)
        took = 1000 * (time.perf_counter() - started)
        with out.lock:
            out.hold_ms.append(took)
        if held.status != 200:
            with out.lock:
                if held.status == 409:
                    out.refused += 1
                else:
                    out.errors.append(f"hold {held.status}")
            return
        form = shopper.checkout_form(seeded.pickup_hub_id)
        if form is None:
            with out.lock:
                out.errors.append("checkout page without the hold")
            return
        placed = shopper.place_order(form)
        with out.lock:
            if placed.status == 303:
                out.orders += 1
            else:
                out.errors.append(f"order {placed.status}")
    except Exception as error:  # noqa: BLE001  (reported, and the run fails on it)
        with out.lock:
            out.errors.append(f"{type(error).__name__}: {error}")


def buyers(app, server, seeded, drop, label: str, carts: list[tuple[str, str]], queued: bool, seconds: int) -> Buyers:
    out = Buyers(label)
    slug_path = f"/shop/{seeded.brand_slug}/drops/{drop[0]}"
    deadline = time.time() + seconds
    with ThreadPoolExecutor(BUYER_THREADS) as pool:
        for n, cart in enumerate(carts):
            pool.submit(buy, server.base, seeded, drop, slug_path, cart, n, out, queued, deadline)
    return out


def with_crowd(run_crowd, run_buyers, delay: float = 3.0):
    """The crowd's wrk run, with the buyers starting `delay` s into it."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("crowd", run_crowd()))
    thread.start()
    time.sleep(delay)
    result["buyers"] = run_buyers()
    thread.join()
    return result["crowd"], result["buyers"]


# -- the checks ---------------------------------------------------------------------------------------------------
def stock_of(app, variant_id: int) -> tuple[int, int]:
    from sqlalchemy import func, select

    from mall.extensions import db

    StockLevel = stack.model("StockLevel")
    with app.app_context():
        return db.session.execute(
            select(func.sum(StockLevel.sold), func.sum(StockLevel.on_hand)).where(StockLevel.variant_id == variant_id)
            .execution_options(all_tenants=True)
        ).one()


def admissions_after_sellout(app, drop_id: int) -> tuple[int, int]:
    """(admissions in all, admissions later than the order that took the last unit)."""
    from sqlalchemy import func, select

    from mall.admission.services import epoch_ms
    from mall.extensions import db, redis_client

    SubOrder, OrderLine = stack.model("SubOrder"), stack.model("OrderLine")
    with app.app_context():
        last = db.session.scalar(
            select(func.max(SubOrder.created_at)).join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
            .where(OrderLine.drop_id == drop_id).execution_options(all_tenants=True)
        )
        log = redis_client().zrange(f"fm:q:{drop_id}:log", 0, -1, withscores=True)
    after = sum(1 for _, ms in log if last is not None and ms > epoch_ms(last))
    return len(log), after


def gate_cost(app, drops, calls: int = 3000) -> dict[str, float]:
    """In-process CPU µs per call of the hold path's one admission check (admission.gate.check_hold): an open drop
    (one Redis GET), a queued drop with a valid admission (one GET and one HMAC)."""
    import secrets

    from werkzeug.datastructures import ImmutableMultiDict

    from mall.admission.gate import check_hold
    from mall.admission.line import now_ms
    from mall.admission.tokens import cookie_name, sign_admission

    cart = secrets.token_urlsafe(32)
    costs = {}
    with app.test_request_context("/cart/holds", method="POST"):
        for name in ("open", "queue"):
            drop_id, variant_id = drops[name]
            cookies = ImmutableMultiDict({cookie_name(drop_id): sign_admission(drop_id, cart, now_ms() + 600_000)})
            check_hold(drop_id, variant_id, cart, cookies)  # the gate record is published on the first call
            started = time.process_time()
            for _ in range(calls):
                check = check_hold(drop_id, variant_id, cart, cookies)
            costs[name] = 1e6 * (time.process_time() - started) / calls
            assert not check.refused
    return costs


def main() -> int:
    args = options()
    wrk = stack.need_wrk()
    limit = stack.raise_open_files_limit()
    print(f"Admission surge benchmark: {args.connections} connections polling every ~{POLL_MS / 1000:.0f} s, "
          f"{args.seconds} s per crowd run, {args.stock} units per drop, open files limit {limit}")
    print(f"  scratch stores: PostgreSQL {stack.DB_NAME}, {stack.REDIS_URL}; load average now "
          f"{os.getloadavg()[0]:.1f} (the machine is shared)")
    lock = stack.claim_scratch_stores()
    stack.create_database()
    stack.migrate()
    app = stack.make_app()
    seeded = stack.seed(app)
    drops = add_drops(app, seeded, args.stock)
    buyers_per_drop = args.stock + args.stock // 5  # more shoppers than units: some must be told it is sold out
    server = stack.Server(name="admission")
    ticker = Ticker(app)
    ok = True
    try:
        server.start()
        ticker.start()
        crowd_carts = [c for c, _ in new_carts(app, args.connections)]
        quiet_buyers, queue_buyers, open_buyers = (new_carts(app, buyers_per_drop) for _ in range(3))
        join_line(app, drops["quiet"][0], [c for c, _ in quiet_buyers])
        join_line(app, drops["queue"][0], [c for c, _ in queue_buyers] + crowd_carts)  # buyers first, then the crowd

        print("\n1. No crowd: admitted shoppers hold and check out (queued drop)")
        quiet = buyers(app, server, seeded, drops["quiet"], "no crowd", quiet_buyers, True, 300)

        print("2. CPU per request: /healthz vs the line page's htmx refresh, the same crowd shape")
        queue_path = f"/shop/{seeded.brand_slug}/drops/{drops['queue'][0]}"
        open_path = f"/shop/{seeded.brand_slug}/drops/{drops['open'][0]}"
        crowd_seconds = max(10, args.seconds // 3)
        healthz = crowd(wrk, server, "GET /healthz", "/healthz", htmx=False, carts=None,
                        connections=args.connections, seconds=crowd_seconds)
        line_only = crowd(wrk, server, "GET .../line (htmx)", queue_path + "/line", htmx=True, carts=crowd_carts,
                          connections=args.connections, seconds=crowd_seconds)

        print("3. Queue surge: the crowd polls the line while admitted shoppers hold and check out")
        surge, surged = with_crowd(
            lambda: crowd(wrk, server, "queue: GET .../line (htmx)", queue_path + "/line", htmx=True,
                          carts=crowd_carts, connections=args.connections, seconds=args.seconds),
            lambda: buyers(app, server, seeded, drops["queue"], "queue surge", queue_buyers, True, args.seconds + 60),
        )
        print("4. The same surge with the mode open: the crowd polls the drop page, shoppers hold at once")
        open_crowd, opened = with_crowd(
            lambda: crowd(wrk, server, "open: GET drop page", open_path, htmx=False, carts=crowd_carts,
                          connections=args.connections, seconds=args.seconds),
            lambda: buyers(app, server, seeded, drops["open"], "open surge", open_buyers, False, args.seconds + 60),
        )
        gate = gate_cost(app, drops)
    finally:
        ticker.stopped.set()
        server.stop()

    print("\nCrowd runs (each its own wrk run; CPU of the server's processes per request)")
    print(f"  {'run':32} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'timeouts':>8} "
          f"{'CPU ms/req':>10}")
    for run in (healthz, line_only, surge, open_crowd):
        print(f"  {run.label:32} {run.requests:9d} {run.requests / run.seconds:7.0f} {run.p50_ms:8.1f} "
              f"{run.p99_ms:8.1f} {run.errors:7d} {run.timeouts:8d} {run.cpu_ms_per_request:10.3f}")
    print("\nAdmitted shoppers (hold = POST /cart/holds, htmx)")
    print(f"  {'run':14} {'holds':>6} {'hold p50 ms':>11} {'hold p99 ms':>11} {'orders':>7} {'sold out':>8} "
          f"{'never let in':>12} {'errors':>6}")
    for b in (quiet, surged, opened):
        p50 = statistics.median(b.hold_ms) if b.hold_ms else float("nan")
        print(f"  {b.label:14} {len(b.hold_ms):6d} {p50:11.1f} {b.hold_p99:11.1f} {b.orders:7d} {b.refused:8d} "
              f"{b.gave_up:12d} {len(b.errors):6d}")
        for error in b.errors[:5]:
            print(f"      error: {error}")

    print(f"\nThe hold path's admission check (check_hold, in-process CPU per call): open drop {gate['open']:.0f} µs, "
          f"queued drop with an admission {gate['queue']:.0f} µs (the hold itself: the no-crowd p50 above)")
    print("\nStock and admissions")
    for name in ("quiet", "queue", "open"):
        drop_id, variant_id = drops[name]
        sold, on_hand = stock_of(app, variant_id)
        admitted, after = admissions_after_sellout(app, drop_id) if name != "open" else (0, 0)
        line = f"  {name:6} sold {sold} of {on_hand}; oversold {max(0, sold - on_hand)}"
        if name != "open":
            line += f"; admitted {admitted}, after the sell-out {after}"
        print(line)
        ok &= sold == on_hand and after == 0
    invariant = stack.flask_command("stock-check", check=False)
    print(f"  stock-check (on_hand = available + held + sold everywhere): exit {invariant.returncode}")
    ok &= invariant.returncode == 0

    cpu_ratio = line_only.cpu_ms_per_request / healthz.cpu_ms_per_request
    hold_ratio = surged.hold_p99 / quiet.hold_p99
    open_ratio = opened.hold_p99 / quiet.hold_p99
    crowd_errors = sum(r.errors + r.timeouts for r in (healthz, line_only, surge))
    buyer_errors = len(quiet.errors) + len(surged.errors)
    print("\nTargets")
    checks = [
        (f"line page CPU/request {line_only.cpu_ms_per_request:.3f} ms = {cpu_ratio:.2f}x /healthz's "
         f"{healthz.cpu_ms_per_request:.3f} ms (target <= 1.2x)", cpu_ratio <= 1.2),
        (f"admitted hold p99 in the surge {surged.hold_p99:.1f} ms = {hold_ratio:.2f}x no crowd's "
         f"{quiet.hold_p99:.1f} ms (target <= 2x); open mode for comparison: {opened.hold_p99:.1f} ms = "
         f"{open_ratio:.2f}x", hold_ratio <= 2),
        (f"errors + timeouts in the queue runs: crowd {crowd_errors}, buyers {buyer_errors} (target 0)",
         crowd_errors == 0 and buyer_errors == 0),
        ("units sold == stock, oversold 0, no admission after the sell-out (above)", ok),
    ]
    for text, passed in checks:
        print(f"  [{'ok' if passed else 'MISSED'}] {text}")
    print(f"  admission ticks run: {ticker.ticks}; load average at the end {os.getloadavg()[0]:.1f}")
    stack.drop_database()
    lock.close()
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
