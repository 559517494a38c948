"""Throughput: wrk at 64 connections against five endpoints, interleaved A/B rounds, medians and targets."""

import re
import secrets
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import stack
from benchmarks.shopper import Shopper

LUA = Path(__file__).with_name("surge.lua")
RESULT = re.compile(r"WRKRESULT (.*)")
WRK_THREADS = 2
CARTS_PER_SECOND = 8_000  # new shoppers made per second of a hold run: more than the server can answer


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    args: tuple  # surge.lua arguments after "--"
    carts: Callable[[int], list[tuple[str, str]]] | None = None  # hold: n fresh (cart cookie, add-to-cart token)


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # HTTP >= 400 plus socket errors
    timeouts: int  # no answer within wrk's --timeout
    cpu_ms: float  # the web server's CPU time per request: steady even when other jobs load the machine
    redis_cpu_ms: float = 0.0  # the Redis server's CPU time per request (a hold's Lua runs there, on the same cores)

    @property
    def server_cpu_ms(self) -> float:
        return self.cpu_ms + self.redis_cpu_ms

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def new_carts(app) -> Callable[[int], list[tuple[str, str]]]:
    """Fresh shoppers' cart cookies with the add-to-cart token a drop page would give each (the app's own key)."""
    from mall.checkout.access import hold_token

    def make(n: int) -> list[tuple[str, str]]:
        with app.app_context():
            return [(cart, hold_token(cart)) for cart in (secrets.token_urlsafe(32) for _ in range(n))]

    return make


def endpoints(base: str, seeded, app) -> list[Endpoint]:
    """The five shapes; the hold sends the cookies a drop page left (no session: browsing starts none) with a new
    cart cookie and its add-to-cart token, as a new shopper's browser would."""
    shopper = Shopper(base, 0)
    shopper.visit(seeded.drop_path)
    others = "; ".join(f"{k}={v}" for k, v in shopper.cookies.items() if k != "fm_cart")
    form = urlencode({"drop_id": seeded.drop_id, "variant_id": seeded.variant_id, "quantity": 1})
    return [
        Endpoint("trivial", "trivial   GET /healthz", ("get", "/healthz")),
        Endpoint("redis", "one-redis GET /healthz/redis", ("get", "/healthz/redis")),
        Endpoint("page", "drop page GET /shop/<brand>/drops/<id>", ("get", seeded.drop_path)),
        Endpoint("fragment", "fragment  GET .../availability (htmx)", ("htmx", seeded.drop_path + "/availability")),
        Endpoint("hold", "hold      POST /cart/holds (htmx, new cart)", ("hold", "/cart/holds", others, form), new_carts(app)),
    ]


def run_wrk(wrk: str, server, endpoint: Endpoint, seconds: int, connections: int = 64) -> Run:
    with tempfile.TemporaryDirectory(prefix="surge-carts-") as folder:
        args = list(endpoint.args)
        if endpoint.carts:  # fresh carts in every run, one file per wrk thread
            prefix = Path(folder) / "carts"
            for thread in range(1, WRK_THREADS + 1):
                lines = (f"{cart} {token}\n" for cart, token in endpoint.carts(CARTS_PER_SECOND * seconds // WRK_THREADS))
                Path(f"{prefix}.{thread}").write_text("".join(lines))
            args.append(str(prefix))
        command = [wrk, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                   "-s", str(LUA), server.base, "--", *args]
        cpu_before, redis_before = server.cpu_seconds(), _redis_cpu_seconds()
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu, redis_cpu = server.cpu_seconds() - cpu_before, _redis_cpu_seconds() - redis_before
    match = RESULT.search(out)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    f = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    requests = int(f["requests"])
    return Run(
        requests, f["duration_us"] / 1e6, f["p50_us"] / 1000, f["p99_us"] / 1000,
        int(f["status"] + f["connect"] + f["read"] + f["write"]), int(f["timeout"]), 1000 * cpu / max(requests, 1),
        1000 * redis_cpu / max(requests, 1),
    )


def _redis_cpu_seconds() -> float:
    info = stack.redis().info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


# Each target's endpoint runs right next to its yardstick (the hold and the fragment next to the trivial endpoint;
# the one-redis endpoint is context, what one Redis round trip costs), so a ratio compares runs seconds apart on a
# machine whose speed drifts; every other round runs in reverse (A B B A), so a drift within a round favours neither.
ROUND_ORDER = ("page", "fragment", "trivial", "hold", "redis")


def measure(wrk: str, server, seeded, app, redis, *, rounds: int, seconds: int, warmup: int):
    """Each round runs every endpoint once, in ROUND_ORDER, reversed in every other round."""
    shapes = endpoints(server.base, seeded, app)
    for endpoint in shapes:
        run_wrk(wrk, server, endpoint, warmup)
    runs: dict[str, list[Run]] = {e.key: [] for e in shapes}
    by_key = {e.key: e for e in shapes}
    holds_made = 0
    for r in range(rounds):
        order = [by_key[key] for key in (ROUND_ORDER if r % 2 == 0 else ROUND_ORDER[::-1])]
        line = []
        for endpoint in order:
            before = int(redis.get("fm:seq") or 0)
            run = run_wrk(wrk, server, endpoint, seconds)
            if endpoint.key == "hold":
                holds_made += int(redis.get("fm:seq") or 0) - before
            runs[endpoint.key].append(run)
            line.append(f"{endpoint.key} {run.rps:,.0f}/s")
        print(f"  round {r + 1}/{rounds}: " + " | ".join(line), flush=True)
    hold_requests = sum(run.requests for run in runs["hold"])
    print(f"  holds placed during the measured hold runs: {holds_made:,} (wrk counted {hold_requests:,} answers)")
    return runs, {e.key: e.label for e in shapes}


def _median(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(run, attr) for run in runs)


def _round_ratios(runs: dict[str, list[Run]], top: str, bottom: str, attr: str) -> list[float]:
    """The ratio within each round: runs minutes apart never get compared."""
    return [getattr(a, attr) / getattr(b, attr) for a, b in zip(runs[top], runs[bottom])]


def _round_ratio(runs: dict[str, list[Run]], top: str, bottom: str, attr: str) -> float:
    return statistics.median(_round_ratios(runs, top, bottom, attr))


TARGETS = (
    # (label, numerator, denominator, attribute, comparison, bound)
    ("hold / trivial req/s", "hold", "trivial", "rps", ">=", 0.40),
    ("hold p99 / trivial p99", "hold", "trivial", "p99_ms", "<=", 1.5),
    ("drop page / trivial req/s", "page", "trivial", "rps", ">=", 0.5),
    ("fragment / trivial req/s", "fragment", "trivial", "rps", ">=", 0.9),
)


def report(runs: dict[str, list[Run]], labels: dict[str, str]) -> bool:
    n = len(runs["trivial"])
    print(f"\n  {f'endpoint (medians of {n} rounds)':<44} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
          f" {'timeouts':>8} {'CPU ms/req':>10} {'+Redis':>7}")
    for key, key_runs in runs.items():
        print(
            f"  {labels[key]:<44} {_median(key_runs, 'rps'):>7,.0f} {_median(key_runs, 'p50_ms'):>8.1f}"
            f" {_median(key_runs, 'p99_ms'):>8.1f} {sum(r.errors for r in key_runs):>7}"
            f" {sum(r.timeouts for r in key_runs):>8} {_median(key_runs, 'cpu_ms'):>10.2f}"
            f" {_median(key_runs, 'redis_cpu_ms'):>7.2f}"
        )
    print(f"\n  {'target (median of per-round ratios)':<36} {'ratio':>6}   {'bound':<10}       {'rounds':>11}"
          f" {'CPU-cost view':>14} {'+Redis':>7}")
    passed = True
    for label, top, bottom, attr, op, bound in TARGETS:
        each = _round_ratios(runs, top, bottom, attr)
        ratio = statistics.median(each)
        spread = f"{min(each):.2f}-{max(each):.2f}"
        ok = ratio >= bound if op == ">=" else ratio <= bound
        passed &= ok
        cpu_view = f"{_round_ratio(runs, bottom, top, 'cpu_ms'):.2f}" if attr == "rps" else ""
        with_redis = f"{_round_ratio(runs, bottom, top, 'server_cpu_ms'):.2f}" if attr == "rps" else ""
        print(f"  {label:<36} {ratio:6.2f}   {op} {bound:<6}  {'PASS' if ok else 'FAIL'}  {spread:>11}"
              f" {cpu_view:>14} {with_redis:>7}")
    errors = sum(run.errors + run.timeouts for key_runs in runs.values() for run in key_runs)
    print(f"  {'errors + timeouts (10 s)':<36} {errors:6d}   == 0      {'PASS' if errors == 0 else 'FAIL'}")
    print("  (CPU-cost view: the yardstick's CPU per request / the endpoint's, i.e. the req/s ratio a CPU-bound\n"
          "   server would show; it does not move when other jobs share the machine. +Redis: the same with the Redis\n"
          "   server's CPU added, which shares these cores: a hold's Lua runs there; rounds: the lowest and highest\n"
          "   per-round ratio, how much this machine's speed moved between runs seconds apart)")
    return passed and errors == 0
