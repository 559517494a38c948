"""ETA jobs run by real `worker.py` processes against the test database and Redis."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from rq import Retry
from rq.job import Job
from rq.registry import StartedJobRegistry

from mall.extensions import db, redis_client
from mall.fulfilment.jobs import ETA_JOB_TIMEOUT, ETA_QUEUE, ETA_RETRIES
from mall.fulfilment.models import Parcel
from mall.jobs.queues import enqueue, get_queue
from tests.fulfilment.conftest import parcels_of
from tests.fulfilment.slow_jobs import commit_etas_after_a_hang
from tests.jobs.test_drop_status_job import ROOT, run_burst_worker, wait_for, worker_env

pytestmark = pytest.mark.worker


def _parcel(parcel_id) -> Parcel:
    db.session.expire_all()
    return db.session.get(Parcel, parcel_id)


def _hub_form(hub, **changes) -> dict:
    values = {
        "code": hub.code, "name": hub.name, "kind": hub.kind, "address": hub.address,
        "latitude": hub.latitude, "longitude": hub.longitude, "throughput_per_hour": hub.throughput_per_hour,
        "opens_at": hub.opens_at.strftime("%H:%M"), "closes_at": hub.closes_at.strftime("%H:%M"), "active": "y",
    }
    values.update(changes)
    return values


def test_placing_an_order_yields_committed_etas(app, two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    assert parcel.committed_eta is None

    output = run_burst_worker(app)

    parcel = _parcel(parcel.id)
    assert parcel.committed_eta is not None, output
    assert parcel.eta == parcel.committed_eta > parcel.created_at
    assert [c.reason for c in parcel.eta_changes] == ["Committed when your order was placed"]


def test_changing_a_hubs_throughput_re_estimates_its_parcels(app, client, make, hubs, two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    run_burst_worker(app)
    committed = _parcel(parcel.id).committed_eta
    client.login_as(make.user(operator=True))

    saved = client.submit(f"/operator/hubs/{hubs['soho'].id}/edit", _hub_form(hubs["soho"], throughput_per_hour=1))
    assert saved.status_code == 303
    run_burst_worker(app)

    parcel = _parcel(parcel.id)
    assert parcel.committed_eta == committed  # the promise stays on record
    assert parcel.eta - committed >= timedelta(minutes=50)  # one parcel an hour now
    assert parcel.eta_changes[-1].reason == "The hub's hours or throughput changed"


def test_a_work_horse_killed_mid_job_is_retried_by_its_worker(app, two_brand_order, tmp_path):
    [parcel] = parcels_of(two_brand_order)
    get_queue(ETA_QUEUE, redis_client()).empty()  # only the job that hangs
    job = _enqueue_hanging(parcel.id, "hang:horse")
    worker = _start_worker(app, tmp_path / "worker.log")
    try:
        horse = _wait_for_the_hang("hang:horse", worker)
        os.kill(horse, signal.SIGKILL)
        assert worker.wait(timeout=60) == 0
    finally:
        _kill_group(worker)

    assert _parcel(parcel.id).committed_eta is not None
    job = Job.fetch(job.id, connection=redis_client())
    assert job.get_status() == "finished" and job.retries_left == ETA_RETRIES - 1


def test_a_worker_killed_mid_job_leaves_the_job_to_be_retried_not_lost(app, two_brand_order, tmp_path):
    [parcel] = parcels_of(two_brand_order)
    get_queue(ETA_QUEUE, redis_client()).empty()
    job = _enqueue_hanging(parcel.id, "hang:worker")
    worker = _start_worker(app, tmp_path / "first.log")
    try:
        _wait_for_the_hang("hang:worker", worker)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse, mid-job
        worker.wait(timeout=10)
    finally:
        _kill_group(worker)
    killed_at = time.monotonic()
    registry = StartedJobRegistry(ETA_QUEUE, connection=redis_client())
    assert job.id in registry.get_job_ids(cleanup=False)  # still "started" by a worker that is gone

    # A new worker requeues it once the dead worker's heartbeat has run out (RQ's abandoned-job handling).
    committed = wait_for(
        lambda: run_burst_worker(app) and _parcel(parcel.id).committed_eta, until=bool, seconds=240
    )
    recovered_after = time.monotonic() - killed_at

    assert committed is not None, "the ETA job was lost with its worker"
    job = Job.fetch(job.id, connection=redis_client())
    assert job.get_status() == "finished" and job.retries_left == ETA_RETRIES - 1
    print(f"\nETA committed {recovered_after:.0f} s after its worker was killed mid-job")
    assert recovered_after < 240


def _enqueue_hanging(parcel_id: int, marker: str) -> Job:
    return enqueue(
        ETA_QUEUE, commit_etas_after_a_hang, [parcel_id], marker, retry=Retry(max=ETA_RETRIES), job_timeout=ETA_JOB_TIMEOUT
    )


def _start_worker(app, log_path) -> subprocess.Popen:
    log = open(log_path, "w+")
    return subprocess.Popen(
        [sys.executable, "worker.py", "--burst"], cwd=ROOT, env=worker_env(app), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the test can kill it together with its work horse
    )


def _wait_for_the_hang(marker: str, worker: subprocess.Popen) -> int:
    pid = wait_for(lambda: redis_client().get(marker), until=bool, seconds=60)
    assert pid, f"the job never started (worker exit code {worker.poll()})"
    return int(pid)


def _kill_group(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
