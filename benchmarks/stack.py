"""The scratch stack for the benchmarks: a PostgreSQL database, a Redis db, seed rows and the web server (granian)."""

import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import psycopg
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
APP_ROOT = ROOT  # --app-root: serve another copy of the tree (to measure a candidate change) with this venv
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = os.environ.get("BENCH_DB_NAME", "fm_bench")  # overridable: several people share this machine's servers
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BIG_STOCK = 10_000_000
WORKERS, THREADS = 2, 8  # the shape on this 2-core machine: 2 worker processes x 8 blocking threads
BACKLOG = 2048  # the listen queue, as deep as the largest benchmark's connection count


def app_env(app_root: Path | None = None) -> dict:
    """What the web server and the flask commands see: scratch stores, limits high enough for one-IP load."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(app_root or APP_ROOT),
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(32),
        FLASHMALL_ENV="development",
        HOLD_RATE_PER_CART="1000000000",
        HOLD_RATE_PER_IP="1000000000",
        CHECKOUT_RATE_LIMIT="100000 per minute",
    )
    os.environ["BENCH_SECRET_KEY"] = env["SECRET_KEY"]  # one key for this process and the server's workers
    return env


def redis() -> Redis:
    return Redis.from_url(REDIS_URL)


def redis_at(url: str) -> Redis:
    return Redis.from_url(url)


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def claim_scratch_stores():
    """One benchmark at a time: a second run would drop the first one's database under it."""
    import fcntl

    lock = open(Path(tempfile.gettempdir()) / f"{DB_NAME}.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"another surge benchmark is running (it holds {lock.name}); try again when it ends")
    return lock


def create_database() -> None:
    assert DB_NAME != "test"
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")
    redis().flushdb()


def drop_database() -> None:
    try:
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    finally:
        redis().flushdb()


def flask_command(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "mall", *args], cwd=APP_ROOT, env=app_env(), capture_output=True, text=True
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done


def migrate() -> None:
    flask_command("db", "upgrade", "heads")  # "heads": also works while two branches await their merge revision


# -- seed ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Seeded:
    brand_slug: str
    drop_id: int  # the throughput drop: huge stock, normal per-shopper limit
    variant_id: int
    pickup_hub_id: int
    micro_hub_id: int
    tenant_id: int

    @property
    def drop_path(self) -> str:
        return f"/shop/{self.brand_slug}/drops/{self.drop_id}"


def make_app():
    os.environ.update(DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, SECRET_KEY=app_env()["SECRET_KEY"])
    from mall import create_app

    return create_app()


def model(name: str):
    """The app's model class called `name`, wherever its package keeps it (the seed outlives moves between packages)."""
    from mall.extensions import db

    for mapper in db.Model.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    raise LookupError(f"no model named {name} in this tree")


def _hub(code: str, kind: str, n: int):
    Hub = model("Hub")
    return Hub(
        code=code, name=f"Bench {kind.replace('_', ' ')} {n}", kind=kind, address=f"{n} Surge Street",
        latitude=51.5 + n / 100, longitude=-0.1, throughput_per_hour=500,
        opens_at=clock_time(0, 0), closes_at=clock_time(23, 59),
    )


def seed(app) -> Seeded:
    """A brand, a micro-hub with stock, a pickup point, and one live drop for the throughput runs."""
    from mall.extensions import db

    with app.app_context():
        brand = model("Tenant")(slug="surge-bench", name="Surge Bench Co", tagline="Benchmarks only")
        micro, pickup = _hub("BENCH-MH", "micro_hub", 1), _hub("BENCH-PP", "pickup_point", 2)
        db.session.add_all([brand, micro, pickup])
        db.session.commit()
        drop_id, variant_id = add_drop(app, brand.id, micro.id, BIG_STOCK, hold_minutes=10, limit=5, title="Throughput")
        return Seeded(brand.slug, drop_id, variant_id, pickup.id, micro.id, brand.id)


def add_drop(app, tenant_id: int, hub_id: int, units: int, *, hold_minutes: int, limit: int, title: str) -> tuple[int, int]:
    """A new hero product with `units` at one hub, in a drop that is live now: (drop id, variant id)."""
    from mall.clock import utcnow
    from mall.extensions import db

    with app.app_context():
        Product, Variant, StockLevel = model("Product"), model("Variant"), model("StockLevel")
        Drop, DropItem, PriceTier = model("Drop"), model("DropItem"), model("PriceTier")
        product = Product(tenant_id=tenant_id, name=f"{title} hero", description="Benchmark item.")
        db.session.add(product)
        db.session.flush()
        variant = Variant(tenant_id=tenant_id, product_id=product.id, sku=f"BENCH-{product.id}", price_cents=2500)
        db.session.add(variant)
        db.session.flush()
        db.session.add(StockLevel(tenant_id=tenant_id, variant_id=variant.id, hub_id=hub_id, on_hand=units))
        starts = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        drop = Drop(
            tenant_id=tenant_id, title=f"{title} drop", description="Benchmark drop.", starts_at=starts,
            ends_at=starts + timedelta(days=1), hold_minutes=hold_minutes, per_shopper_limit=limit,
            status="live",
        )
        db.session.add(drop)
        db.session.flush()
        db.session.add(DropItem(tenant_id=tenant_id, drop_id=drop.id, variant_id=variant.id, position=0))
        db.session.add(PriceTier(tenant_id=tenant_id, drop_id=drop.id, from_minute=0, until_minute=None, percent_off=20))
        db.session.commit()
        return drop.id, variant.id


# -- the web server ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def granian_command(port: int) -> list[str]:
    """The app as `python3 -m mall run` and production serve it: granian's WSGI interface, 2 workers x 8 threads."""
    return [
        str(VENV_BIN / "granian"), "--interface", "wsgi", "--factory", "mall:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS), "--blocking-threads", str(THREADS),
        "--backlog", str(BACKLOG), "--no-ws", "--log-level", "warning",
    ]


def gunicorn_command(port: int, worker_class: str = "gthread") -> list[str]:
    """How the app was served before granian (an earlier commit, in benchmarks/hold_ab.py)."""
    return [
        str(VENV_BIN / "python"), "-m", "gunicorn", "-w", str(WORKERS), "-k", worker_class,
        "--threads", str(THREADS), "--backlog", str(BACKLOG), "-b", f"127.0.0.1:{port}", "mall:create_app()",
    ]


def raise_open_files_limit() -> int:
    """Thousands of connections need as many descriptors in wrk and the server (they inherit this limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants, read from /proc (a server's master, its workers, anything they started)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(child) for child in (task / "children").read_text().split())
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


class Server:
    """One web server on a free port: granian (this tree's) unless `command` builds another."""

    def __init__(self, env: dict | None = None, name: str = "surge", app_root: Path | None = None,
                 command=granian_command, label: str = ""):
        self.env = env  # None: the surge benchmark's app_env(), read at start
        self.app_root = app_root  # None: APP_ROOT, read at start
        self.command = command  # port -> argv
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-server-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None
        self.label = label or " ".join(Path(word).name if i == 0 else word for i, word in enumerate(command(self.port)))

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            self.command(self.port), cwd=self.app_root or APP_ROOT, env=self.env or app_env(self.app_root),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz in {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # our own session: the server's main process and workers only
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server's processes (main and workers): a per-request cost that other load on
        the machine does not skew. A worker that exited since takes its time with it: compare runs, not totals."""
        total = 0
        for pid in process_tree(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")


def need_wrk() -> str:
    if os.path.exists("/usr/bin/wrk"):
        return "/usr/bin/wrk"
    print("wrk is missing: installing the Debian package", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    return "/usr/bin/wrk"
