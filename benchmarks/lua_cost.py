"""The stock engine's Lua, counted in CPU instructions: what a hold costs Redis, free of this machine's noise.

    .venv/bin/python benchmarks/lua_cost.py [--holds 2000] [--script PATH ...]

Wall-clock figures on a shared 2-core machine move by a third from one minute to the next; the number of
instructions Redis executes for a call does not. This starts a private redis-server (the machine's, Redis 7)
under valgrind's callgrind on a free port, loads a drop the way the engine does (two hubs, a per-shopper
limit, rate limits switched on), runs each workload N times pipelined and prints instructions per call
spent reading and running commands, less those of the setup. Workloads: an EVALSHA that only returns (the floor any
script pays), a hold by a new shopper (the surge's case), a second hold by the same shopper, and a hold
refused at the shopper's limit. Give --script more than once to compare candidate versions in one run.
Needs valgrind and redis-server (both on this kind of machine); about a minute per script.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "mall" / "stock" / "scripts.lua"
FLOOR = "return 1"
TOTAL = re.compile(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_drop(r: Redis, now: int) -> None:
    """A live drop as StockEngine.load_drop writes it: variant 7 in hubs 1 and 2, 5 units per shopper."""
    r.hset("fm:drop:1", mapping={
        "starts": now - 60_000, "ends": now + 3_600_000, "hold_ms": 600_000, "limit": 5, "open": 1, "tiers": "",
        "v:7:price": 2500, "v:7:hubs": "1,2",
    })
    for hub in (1, 2):
        r.set(f"fm:avail:7:{hub}", 10_000_000)
        r.set(f"fm:held:7:{hub}", 0)


def hold_args(cart: str, now: int, qty: int = 1) -> tuple:
    # drop, variant, cart, qty, now_ms, ip, cart_limit, ip_limit, window_ms (as StockEngine.place_hold sends them)
    return ("place_hold", "1", "7", cart, qty, now, "203.0.113.9", 10, 1_000_000_000, 10_000)


def workload(name: str, r: Redis, sha: str, floor_sha: str, n: int, now: int) -> None:
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        if name == "floor":
            pipe.execute_command("EVALSHA", floor_sha, 0)
        elif name == "new shopper":
            pipe.execute_command("EVALSHA", sha, 0, *hold_args(f"cart-{i}", now))
        elif name == "same shopper again":
            pipe.execute_command("EVALSHA", sha, 0, *hold_args(f"again-{i}", now))  # its first hold: not counted
            pipe.execute_command("EVALSHA", sha, 0, *hold_args(f"again-{i}", now))
        elif name == "refused at limit":
            pipe.execute_command("EVALSHA", sha, 0, *hold_args(f"limit-{i}", now, 6))
        if i % 200 == 199:
            check(pipe.execute(), name)
            pipe = r.pipeline(transaction=False)
    check(pipe.execute(), name)


def check(replies: list, name: str) -> None:
    expected = {"new shopper": b"ok", "same shopper again": b"ok", "refused at limit": b"err"}.get(name)
    for reply in replies:
        if expected and reply[0] != expected:
            raise SystemExit(f"{name}: unexpected reply {reply!r}")


def instructions(script: str, name: str, n: int) -> int:
    """Instructions the server executed reading and running commands (its timers, which run by the wall clock,
    are left out) for `n` rounds of the workload, its setup included."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--toggle-collect=readQueryFromClient",
             "redis-server", "--port", str(port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        r = Redis(port=port)
        try:
            for _ in range(600):
                try:
                    r.ping()
                    break
                except OSError:
                    time.sleep(0.1)
            now = int(time.time() * 1000)
            seed_drop(r, now)
            sha, floor_sha = r.script_load(script), r.script_load(FLOOR)
            workload(name, r, sha, floor_sha, n, now)
            r.shutdown(nosave=True)
        except Exception:
            server.kill()
            raise
        finally:
            server.wait(timeout=120)
        report = subprocess.run(["callgrind_annotate", str(out)], capture_output=True, text=True, check=True).stdout
    match = TOTAL.search(report)
    if not match:
        raise SystemExit("callgrind_annotate printed no total")
    return int(match.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holds", type=int, default=2000, help="calls per workload (default 2000)")
    parser.add_argument("--script", type=Path, action="append", help="a Lua file to measure (default: the engine's)")
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_annotate", "redis-server"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            raise SystemExit(f"{tool} is missing (apt-get install -y valgrind redis-server)")
    scripts = args.script or [SCRIPT]
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    print(f"Instructions per call in redis-server ({version}) under callgrind, {args.holds:,} calls per workload")
    for path in scripts:
        script = path.read_text()
        setup = instructions(script, "none", 0)
        floor = instructions(script, "floor", args.holds) - setup
        print(f"\n  {os.path.relpath(path)}")
        print(f"    {'EVALSHA that only returns (floor)':<40} {floor / args.holds:>10,.0f}")
        first = (instructions(script, "new shopper", args.holds) - setup) / args.holds
        print(f"    {'hold by a new shopper':<40} {first:>10,.0f}")
        # each round holds twice for one shopper: the first hold is the case above, taken away
        again = (instructions(script, "same shopper again", args.holds) - setup) / args.holds - first
        print(f"    {'second hold by the same shopper':<40} {again:>10,.0f}")
        refused = (instructions(script, "refused at limit", args.holds) - setup) / args.holds
        print(f"    {'hold refused at the shopper limit':<40} {refused:>10,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
