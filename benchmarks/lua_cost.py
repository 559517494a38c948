"""The stock engine's Lua, counted in CPU instructions: what a hold costs Redis, free of this machine's noise.

    .venv/bin/python benchmarks/lua_cost.py [--holds 2000] [--script PATH ...]

Wall-clock figures on a shared 2-core machine move by a third from one minute to the next; the number of
instructions Redis executes for a call does not. This starts a private redis-server (the machine's, Redis 7)
under valgrind's callgrind on a free port, loads a drop the way the engine does (two hubs, a per-shopper
limit, rate limits switched on), runs each workload N times pipelined and prints instructions per call
spent reading and running commands, less those of the setup. Workloads: a call that only returns (the floor),
a hold by a new shopper (the surge's case), a second hold by the same shopper, and a hold refused at the
shopper's limit; each called the one way the engine calls its Lua (mall.redis_setup.LuaScript: EVALSHA, on
Redis 7 and the embedded 6.2 alike). The default script is the engine's as it loads it (the hold record made
from records.HOLD_FIELDS, then scripts.lua); a --script file without its own HOLD table gets that record too.
Give --script more than once to compare candidate versions in one run. Needs valgrind and redis-server (both on
this kind of machine); about a minute per script.
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
sys.path.insert(0, str(ROOT))

from mall.stock.records import lua_hold_record  # noqa: E402

SCRIPT = ROOT / "mall" / "stock" / "scripts.lua"
FLOOR_SCRIPT = "return 1"
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


def load(r: Redis, script: str) -> tuple[tuple, tuple]:
    """(the call prefix for the engine's Lua, the one for the floor), loaded as LuaScript loads them."""
    return ("EVALSHA", r.script_load(script), 0), ("EVALSHA", r.script_load(FLOOR_SCRIPT), 0)


def as_loaded(source: str) -> str:
    """The script as the engine sends it: its hold record first, unless the file defines its own (older versions)."""
    return source if "local HOLD =" in source else lua_hold_record() + source


def workload(name: str, r: Redis, call: tuple, floor: tuple, n: int, now: int) -> None:
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        if name == "floor":
            pipe.execute_command(*floor)
        elif name == "new shopper":
            pipe.execute_command(*call, *hold_args(f"cart-{i}", now))
        elif name == "same shopper again":
            pipe.execute_command(*call, *hold_args(f"again-{i}", now))  # its first hold: not counted
            pipe.execute_command(*call, *hold_args(f"again-{i}", now))
        elif name == "refused at limit":
            pipe.execute_command(*call, *hold_args(f"limit-{i}", now, 6))
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
            call, floor = load(r, script)
            workload(name, r, call, floor, n, now)
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
    print(f"\n  {'script, workload':<50} {'EVALSHA':>10}")
    for path in scripts:
        print(f"  {os.path.relpath(path)}")
        for label, value in measure(as_loaded(path.read_text()), args.holds).items():
            print(f"    {label:<48} {value:>10}")
    return 0


LABELS = ("a call that only returns (floor)", "hold by a new shopper", "second hold by the same shopper",
          "hold refused at the shopper limit")


def measure(script: str, n: int) -> dict[str, str]:
    setup = instructions(script, "none", 0)
    per_call = {name: (instructions(script, name, n) - setup) / n
                for name in ("floor", "new shopper", "same shopper again", "refused at limit")}
    per_call["same shopper again"] -= per_call["new shopper"]  # each round held twice: the first is the case above
    return {label: f"{value:,.0f}" for label, value in zip(LABELS, per_call.values())}


if __name__ == "__main__":
    sys.exit(main())
