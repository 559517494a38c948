"""The drop-status job, run by a real `worker.py` process against the test database and Redis."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from rq.cron import CronScheduler
from rq.job import Job

from mall.drops.models import Drop, DropStatus
from mall.extensions import db, redis_client
from mall.drops.jobs import refresh_drop_statuses
from mall.jobs.queues import JOB_TIMEOUTS, enqueue

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
HOUR = timedelta(hours=1)
MINUTES_AGO_5 = timedelta(minutes=-5)


def worker_env(app) -> dict:
    """The worker sees the same database and Redis as the test app."""
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "SECRET_KEY": "test-secret",
        "FLASHMALL_ENV": "development",
    }


def run_burst_worker(app) -> str:
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT, env=worker_env(app), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def drops(make):
    """One drop in every situation the refresh must handle, spread over two brands."""
    brand_a, brand_b = make.brand(), make.brand()
    hero_a = make.product(brand_a).variants[0]
    hero_b = make.product(brand_b).variants[0]
    rows = {
        "starting": make.drop(brand_a, [hero_a], starts_in=MINUTES_AGO_5, lasts=HOUR, status=DropStatus.SCHEDULED),
        "running": make.drop(brand_a, [hero_a], starts_in=MINUTES_AGO_5, lasts=HOUR, status=DropStatus.LIVE),
        "finishing": make.drop(brand_b, [hero_b], starts_in=-2 * HOUR, lasts=HOUR, status=DropStatus.LIVE),
        "missed": make.drop(brand_b, [hero_b], starts_in=-3 * HOUR, lasts=HOUR, status=DropStatus.SCHEDULED),
        "upcoming": make.drop(brand_a, [hero_a], starts_in=HOUR, lasts=HOUR, status=DropStatus.SCHEDULED),
        "draft": make.drop(brand_a, [hero_a], starts_in=MINUTES_AGO_5, lasts=HOUR, status=DropStatus.DRAFT),
        "cancelled": make.drop(brand_b, [hero_b], starts_in=-2 * HOUR, lasts=HOUR, status=DropStatus.CANCELLED),
    }
    return {name: drop.id for name, drop in rows.items()}


EXPECTED = {
    "starting": "live",
    "running": "live",
    "finishing": "ended",
    "missed": "ended",
    "upcoming": "scheduled",
    "draft": "draft",
    "cancelled": "cancelled",
}


def stored_statuses(drop_ids: dict) -> dict:
    db.session.expire_all()
    return {name: db.session.get(Drop, drop_id).status for name, drop_id in drop_ids.items()}


def test_worker_moves_drops_along_and_a_second_run_changes_nothing(app, drops):
    job = enqueue("default", refresh_drop_statuses)
    assert job.timeout == JOB_TIMEOUTS["default"]

    output = run_burst_worker(app)

    job = Job.fetch(job.id, connection=redis_client())
    assert job.get_status() == "finished", output
    assert job.return_value() == {"live": 1, "ended": 2}
    assert stored_statuses(drops) == EXPECTED

    again = enqueue("default", refresh_drop_statuses)
    run_burst_worker(app)
    again = Job.fetch(again.id, connection=redis_client())
    assert again.return_value() == {"live": 0, "ended": 0}
    assert stored_statuses(drops) == EXPECTED


def test_running_worker_refreshes_on_its_own_and_stops_its_scheduler(app, drops, tmp_path):
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(
        [sys.executable, "worker.py"], cwd=ROOT, env=worker_env(app), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        statuses = wait_for(lambda: stored_statuses(drops), until=lambda s: s == EXPECTED, seconds=60)
        assert statuses == EXPECTED, log_text(log)
        schedulers = wait_for(lambda: CronScheduler.all(redis_client()), until=bool, seconds=10)
        assert [s.pid for s in schedulers], "the periodic-job scheduler never registered"
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
    assert code == 0, log_text(log)
    for scheduler in schedulers:
        assert not process_exists(scheduler.pid), "the periodic-job scheduler outlived its worker"
    assert CronScheduler.all(redis_client()) == []


def test_refresh_drops_command(app, drops):
    result = app.test_cli_runner().invoke(args=["refresh-drops"])

    assert result.exit_code == 0, result.output
    assert "Drops gone live: 1; drops ended: 2." in result.output
    assert stored_statuses(drops) == EXPECTED


def wait_for(read, until, seconds):
    deadline = time.monotonic() + seconds
    value = read()
    while not until(value) and time.monotonic() < deadline:
        time.sleep(0.3)
        value = read()
    return value


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def log_text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()
