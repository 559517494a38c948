"""The hold endpoint of this tree beside the same endpoint of an earlier commit, side by side in one run.

    .venv/bin/python benchmarks/hold_ab.py [--base 2fcf4df] [--rounds 6] [--seconds 4]

On a shared 2-core machine two surge runs minutes apart differ by more than most changes to the hold path do.
This serves both versions at once, each under gunicorn as the surge benchmark does (2 gthread workers x 8
threads), on one scratch database and one Redis db (fm_bench, db 14, wiped; the current tree's migrations), and
alternates wrk runs between them: per round the hold and the one-Redis-round-trip endpoint of each version, in an
A B B A order that turns around every round. It prints per version the medians of req/s and of gunicorn's and
Redis's CPU per request, the per-round hold / one-redis ratio (the surge target), and the per-round ratio of the two
versions' holds. Only one server is under load at a time. The base commit is exported with `git archive`.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import stack, throughput  # noqa: E402


def export(rev: str, folder: Path) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=stack.ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit], cwd=stack.ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return commit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="2fcf4df", help="the earlier commit (default 2fcf4df, before this change)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=4)
    args = parser.parse_args()
    lock = stack.claim_scratch_stores()  # noqa: F841  (held until the process exits)
    wrk = stack.need_wrk()
    with tempfile.TemporaryDirectory(prefix="hold-ab-") as folder:
        commit = export(args.base, Path(folder))
        versions = {f"base {commit}": stack.Server(name="ab-base", app_root=Path(folder)),
                    "this tree": stack.Server(name="ab-tree")}
        try:
            stack.create_database()
            stack.migrate()
            app = stack.make_app()
            seeded = stack.seed(app)
            shapes = {}
            for name, server in versions.items():
                server.start()
                endpoints = throughput.endpoints(server.base, seeded, app)
                shapes[name] = {e.key: e for e in endpoints if e.key in ("hold", "redis")}
            runs = measure(wrk, versions, shapes, args.rounds, args.seconds)
        finally:
            for server in versions.values():
                server.stop()
            stack.drop_database()
    report(runs, args)
    return 0


def measure(wrk, versions, shapes, rounds: int, seconds: int) -> dict:
    order = [(name, key) for key in ("hold", "redis") for name in versions]
    for name, key in order:
        throughput.run_wrk(wrk, versions[name], shapes[name][key], 2)  # warm-up
    runs: dict = {(name, key): [] for name, key in order}
    started = time.monotonic()
    for r in range(rounds):
        this_round = order if r % 2 == 0 else order[::-1]
        line = []
        for name, key in this_round:
            run = throughput.run_wrk(wrk, versions[name], shapes[name][key], seconds)
            runs[(name, key)].append(run)
            line.append(f"{name} {key} {run.rps:,.0f}/s")
        print(f"  round {r + 1}/{rounds} [{time.monotonic() - started:.0f} s]: " + " | ".join(line), flush=True)
    return runs


def report(runs: dict, args) -> None:
    names = list(dict.fromkeys(name for name, _ in runs))
    print(f"\n  {'version, endpoint (medians)':<28} {'req/s':>7} {'p99 ms':>7} {'CPU ms/req':>10} {'+Redis':>7}")
    for (name, key), each in runs.items():
        print(f"  {name + ', ' + key:<28} {statistics.median(r.rps for r in each):>7,.0f}"
              f" {statistics.median(r.p99_ms for r in each):>7.1f} {statistics.median(r.cpu_ms for r in each):>10.2f}"
              f" {statistics.median(r.redis_cpu_ms for r in each):>7.2f}")
    print(f"\n  {'per-round ratio (median, lowest-highest)':<44}")
    for name in names:
        ratios = [h.rps / p.rps for h, p in zip(runs[(name, "hold")], runs[(name, "redis")])]
        cpu = [(p.server_cpu_ms) / h.server_cpu_ms for h, p in zip(runs[(name, "hold")], runs[(name, "redis")])]
        print(f"  {name:<14} hold / one-redis req/s {statistics.median(ratios):.2f}"
              f" ({min(ratios):.2f}-{max(ratios):.2f}); CPU+Redis view {statistics.median(cpu):.2f}")
    base, tree = names
    gain = [t.rps / b.rps for t, b in zip(runs[(tree, "hold")], runs[(base, "hold")])]
    print(f"  holds/s, this tree / base: {statistics.median(gain):.2f} ({min(gain):.2f}-{max(gain):.2f})"
          f" over {args.rounds} rounds")


if __name__ == "__main__":
    sys.exit(main())
