"""This tree beside an earlier commit, each on its own server, side by side in one run, against the issue's targets.

    .venv/bin/python benchmarks/hold_ab.py [--base 3839af3] [--quick] [--rounds 5] [--seconds 4]

On a shared 2-core machine two runs minutes apart differ by more than most changes do, so this serves both versions
at once and alternates wrk runs between them. This tree runs under granian (as `python3 -m mall run` serves it);
the base under what the base itself used: gunicorn with the base's own mall/serving.py worker class when it has one
(its pinned gunicorn is installed once into .venv/bench-gunicorn when this venv has none; nothing else changes),
plain gthread otherwise, granian when the base already served with it (or `--base-server` says which). Both get
2 workers x 8 threads and a listen backlog of 2,048. The base is exported with `git archive` and runs on this tree's
venv. One scratch PostgreSQL database (fm_bench, migrated and seeded by this tree; wiped) and one Redis db per
version (14 for this tree, 15 for the base; flushed), so neither reads the other's hold records.

Each round runs, at 64 and then at 2,048 connections, the trivial endpoint (/healthz), the drop page, the live
availability fragment (htmx) and the hold (POST /cart/holds, every request a new shopper with a fresh cart cookie and
the add-to-cart token made by that version's own code), each on both versions back to back, in an order that turns
around every round. Only one server is under load at a time. It prints per endpoint, level and version the medians
of req/s, p99 and CPU ms per request of the server's processes (main process and workers, from /proc; Redis's CPU
beside it as context: other jobs share that Redis), errors and timeouts, then the per-round ratios this tree / base
against the targets: no endpoint's CPU per request above the base's, holds/s >= 1.25x the base at 64 connections and
>= 1.6x at 2,048, and 0 errors and 0 timeouts at 2,048. Exit status 0 only when all hold.
"""

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import stack, throughput  # noqa: E402

DEFAULT_BASE = "3839af3"  # the last commit before the core redesign (issue #14)
BASE_REDIS_URL = "redis://127.0.0.1:6379/15"
KEYS = ("trivial", "page", "fragment", "hold")
LEVELS = (64, 2048)
HOLD_TARGETS = {64: 1.25, 2048: 1.6}  # this tree's holds/s over the base's
GUNICORN_TARGET = stack.ROOT / ".venv" / "bench-gunicorn"  # gunicorn for a base that served with it

# Fresh carts with their add-to-cart token, made by the version's own code (its key, its token scheme).
CARTS_SCRIPT = """
import importlib, secrets, sys
from mall import create_app
app = create_app()
hold_token = getattr(importlib.import_module(sys.argv[2]), "hold_token")
with app.app_context():
    carts = (secrets.token_urlsafe(32) for _ in range(int(sys.argv[1])))
    sys.stdout.write("".join(f"{cart} {hold_token(cart)}\\n" for cart in carts))
"""


def export(rev: str, folder: Path) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=stack.ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit], cwd=stack.ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return commit


# -- which server each version uses ----------------------------------------------------------------------------
def served_by(root: Path) -> str:
    """granian, gunicorn-balanced or gunicorn: what that tree's `python3 -m mall run` starts."""
    dev = root / "mall" / "dev.py"
    if dev.exists() and "granian" in dev.read_text():
        return "granian"
    return "gunicorn-balanced" if (root / "mall" / "serving.py").exists() else "gunicorn"


def gunicorn_path(root: Path) -> str | None:
    """None when this venv has gunicorn; else a folder with the version the tree at `root` pins, installed once."""
    if subprocess.run([str(stack.VENV_BIN / "python"), "-c", "import gunicorn"], capture_output=True).returncode == 0:
        return None
    wanted = "gunicorn"
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        dependencies = tomllib.loads(pyproject.read_text()).get("project", {}).get("dependencies", [])
        wanted = next((d for d in dependencies if d.replace(" ", "").lower().startswith("gunicorn")), wanted)
    target = GUNICORN_TARGET / "".join(c if c.isalnum() else "_" for c in wanted)
    if not (target / "gunicorn").exists():
        print(f"  installing {wanted} into {target} for the base's server (once)", flush=True)
        pip = [str(stack.VENV_BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--target", str(target), wanted], check=True)
    return str(target)


def make_server(name: str, root: Path, kind: str, redis_url: str) -> stack.Server:
    env = stack.app_env(root)
    env["REDIS_URL"] = redis_url
    if kind == "granian":
        return stack.Server(env=env, name=name, app_root=root, label="granian --interface wsgi, 2 workers x 8 threads")
    extra = gunicorn_path(root)
    if extra:
        env["PYTHONPATH"] += ":" + extra
    worker_class = "mall.serving.BalancedThreadWorker" if kind == "gunicorn-balanced" else "gthread"
    return stack.Server(env=env, name=name, app_root=root, label=f"gunicorn -k {worker_class}, 2 workers x 8 threads",
                        command=lambda port: stack.gunicorn_command(port, worker_class))


# -- carts for the hold runs ------------------------------------------------------------------------------------
def hold_token_module(root: Path) -> str:
    """The module defining hold_token in that tree (found by its definition: the benchmark outlives moves)."""
    for path in sorted((root / "mall").rglob("*.py")):
        if "def hold_token(" in path.read_text():
            return ".".join(path.relative_to(root).with_suffix("").parts)
    raise LookupError(f"no hold_token() in {root / 'mall'}")


class Carts:
    """A pool of fresh (cart cookie, token) pairs made by one version's code; each wrk run takes new ones."""

    def __init__(self, server: stack.Server, root: Path, count: int):
        done = subprocess.run(
            [str(stack.VENV_BIN / "python"), "-c", CARTS_SCRIPT, str(count), hold_token_module(root)], cwd=root,
            env=server.env, capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"making carts in {root} failed:\n{done.stderr[-2000:]}")
        self.pairs = [tuple(line.split(" ")) for line in done.stdout.splitlines()]
        self.taken = 0

    def take(self, n: int) -> list[tuple[str, str]]:
        if self.taken + n > len(self.pairs):
            raise RuntimeError("the cart pool ran out: raise CARTS_PER_RUN")
        self.taken += n
        return self.pairs[self.taken - n:self.taken]


# -- the run ----------------------------------------------------------------------------------------------------
def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"the earlier commit (default {DEFAULT_BASE})")
    parser.add_argument("--base-server", choices=("auto", "granian", "gunicorn-balanced", "gunicorn"), default="auto",
                        help="serve the base with this instead of what it used (auto)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 rounds of 2 s runs")
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 5, quick 3)")
    parser.add_argument("--seconds", type=int, help="seconds per wrk run (default 4, quick 2)")
    args = parser.parse_args()
    args.rounds = max(1, args.rounds or (3 if args.quick else 5))
    args.seconds = args.seconds or (2 if args.quick else 4)
    return args


def main() -> int:
    args = options()
    started = time.monotonic()
    lock = stack.claim_scratch_stores()  # noqa: F841  (held until the process exits)
    files = stack.raise_open_files_limit()
    wrk = stack.need_wrk()
    with tempfile.TemporaryDirectory(prefix="hold-ab-") as folder:
        base_root = Path(folder)
        commit = export(args.base, base_root)
        base_kind = served_by(base_root) if args.base_server == "auto" else args.base_server
        versions = {f"base {commit}": make_server("ab-base", base_root, base_kind, BASE_REDIS_URL),
                    "this tree": make_server("ab-tree", stack.ROOT, "granian", stack.REDIS_URL)}
        roots = {f"base {commit}": base_root, "this tree": stack.ROOT}
        print(f"Side by side: base {commit} vs this tree; {args.rounds} rounds x {args.seconds} s per run at "
              f"{' and '.join(map(str, LEVELS))} connections; open files limit {files}", flush=True)
        for name, server in versions.items():
            print(f"  {name:<14} {server.label} on {server.base} (log {server.log.name})")
        try:
            stack.create_database()
            stack.redis_at(BASE_REDIS_URL).flushdb()
            stack.migrate()
            app = stack.make_app()
            seeded = stack.seed(app)
            shapes = {}
            per_run = throughput.CARTS_PER_SECOND * args.seconds
            for name, server in versions.items():
                server.start()
                carts = Carts(server, roots[name], per_run * (args.rounds * len(LEVELS) + 1))
                shapes[name] = {e.key: dataclasses.replace(e, carts=carts.take) if e.carts else e
                                for e in throughput.endpoints(server.base, seeded, app) if e.key in KEYS}
            runs = measure(wrk, versions, shapes, args)
        finally:
            for server in versions.values():
                server.stop()
            stack.drop_database()
            stack.redis_at(BASE_REDIS_URL).flushdb()
    passed = report(runs, list(versions))
    print(f"\n{'PASS' if passed else 'FAIL'} in {time.monotonic() - started:.0f} s; servers stopped, "
          f"{stack.DB_NAME} dropped, Redis dbs 14 and 15 flushed")
    return 0 if passed else 1


def measure(wrk, versions: dict, shapes: dict, args) -> dict:
    for name in versions:
        for key in KEYS:
            throughput.run_wrk(wrk, versions[name], shapes[name][key], 1)  # warm-up: imports, caches, pools
    order = [(connections, key, name) for connections in LEVELS for key in KEYS for name in versions]
    runs: dict = {step: [] for step in order}
    started = time.monotonic()
    for r in range(args.rounds):
        line = []
        for connections, key, name in (order if r % 2 == 0 else order[::-1]):
            run = throughput.run_wrk(wrk, versions[name], shapes[name][key], args.seconds, connections)
            runs[(connections, key, name)].append(run)
            line.append(f"{key}@{connections} {name.split()[0]} {run.rps:,.0f}")
        print(f"  round {r + 1}/{args.rounds} [{time.monotonic() - started:.0f} s]: " + ", ".join(line), flush=True)
    return runs


def _median(each, attr: str) -> float:
    return statistics.median(getattr(run, attr) for run in each)


def report(runs: dict, names: list[str]) -> bool:
    base, tree = names
    n = len(next(iter(runs.values())))
    print(f"\n  {f'medians of {n} rounds':<34} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'timeouts':>8}"
          f" {'CPU ms/req':>10} {'+Redis':>7}")
    for (connections, key, name), each in runs.items():
        print(f"  {f'{key} @{connections}, {name}':<34} {_median(each, 'rps'):>7,.0f} {_median(each, 'p50_ms'):>8.1f}"
              f" {_median(each, 'p99_ms'):>8.1f} {sum(r.errors for r in each):>7} {sum(r.timeouts for r in each):>8}"
              f" {_median(each, 'cpu_ms'):>10.3f} {_median(each, 'redis_cpu_ms'):>7.3f}")
    print(f"\n  {'this tree / base (median of per-round ratios)':<46} {'req/s':>6} {'p99':>6} {'CPU/req':>8}"
          f" {'+Redis':>7}   {'target':<24}")
    passed = True
    for connections in LEVELS:
        for key in KEYS:
            mine, theirs = runs[(connections, key, tree)], runs[(connections, key, base)]
            rps = statistics.median(a.rps / b.rps for a, b in zip(mine, theirs))
            p99 = statistics.median(a.p99_ms / b.p99_ms for a, b in zip(mine, theirs))
            cpu = statistics.median(a.cpu_ms / b.cpu_ms for a, b in zip(mine, theirs))
            with_redis = statistics.median(a.server_cpu_ms / b.server_cpu_ms for a, b in zip(mine, theirs))
            checks = [("CPU/req <= 1.00", cpu <= 1.0)]
            if key == "hold":
                checks.append((f"req/s >= {HOLD_TARGETS[connections]:.2f}", rps >= HOLD_TARGETS[connections]))
            verdict = "; ".join(f"{label} {'PASS' if ok else 'FAIL'}" for label, ok in checks)
            passed &= all(ok for _, ok in checks)
            print(f"  {f'{key} @{connections}':<46} {rps:>6.2f} {p99:>6.2f} {cpu:>8.2f} {with_redis:>7.2f}   {verdict}")
    failures = {name: sum(r.errors + r.timeouts for key in KEYS for r in runs[(2048, key, name)]) for name in names}
    print(f"  {'errors + timeouts at 2,048 connections, this tree':<46} {failures[tree]:>6}"
          f"   (base: {failures[base]})   == 0 {'PASS' if failures[tree] == 0 else 'FAIL'}")
    print("  (CPU/req: the server's processes, the target; +Redis: with the Redis server's CPU added, context only:\n"
          "   a hold's Lua runs there, on the same cores, but other jobs on this machine use that Redis too)")
    return passed and failures[tree] == 0


if __name__ == "__main__":
    sys.exit(main())
