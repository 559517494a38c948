"""The alerts job run by a real `worker.py` process, and its place among the periodic jobs."""

from datetime import timedelta

import pytest
from rq.job import Job

from mall.alerts.jobs import EVERY_SECONDS, evaluate_alerts
from mall.extensions import redis_client
from mall.jobs.queues import enqueue
from mall.schedule import PERIODIC_JOBS
from tests.alerts.conftest import alerts
from tests.jobs.test_drop_status_job import run_burst_worker

pytestmark = pytest.mark.worker


def test_the_evaluation_is_a_periodic_job():
    assert (evaluate_alerts, "default", EVERY_SECONDS) in PERIODIC_JOBS


def test_a_worker_runs_the_evaluation_twice_and_raises_once(app, make, engine):
    brand = make.brand(owner=make.user())
    variant = make.product(brand).variants[0]
    make.stock(variant, make.hub(), 4)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), limit=5)
    assert engine.place_hold(drop.id, variant.id, "cart-1", 4).ok  # sold out

    first, second = enqueue("default", evaluate_alerts), enqueue("default", evaluate_alerts)
    output = run_burst_worker(app)

    results = [Job.fetch(j.id, connection=redis_client()).return_value() for j in (first, second)]
    assert results == [{"raised": 1, "resolved": 0}, {"raised": 0, "resolved": 0}], output
    [alert] = alerts("sold_out")
    assert alert.tenant_id == brand.id and alert.link_id == variant.id
