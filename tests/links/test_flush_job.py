"""The click flush as the worker runs it: a real `worker.py --burst` process, and the periodic schedule."""

import pytest
from rq.job import Job
from sqlalchemy import func, select

from mall.extensions import db, redis_client
from mall.jobs.queues import enqueue
from mall.schedule import PERIODIC_JOBS
from mall.links.jobs import flush_link_clicks
from mall.links.models import LinkClickHour
from tests.jobs.test_drop_status_job import run_burst_worker
from tests.links.conftest import click, make_link

pytestmark = pytest.mark.worker


def test_the_worker_flushes_clicks_and_rebuilds_a_lost_redirect_table(app, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    for n in range(3):
        click(app.test_client(), link.code, ip=f"10.1.0.{n}")
    redis_client().delete(f"fm:link:{link.code}")  # as if Redis lost the table

    job = enqueue("default", flush_link_clicks)
    output = run_burst_worker(app)

    job = Job.fetch(job.id, connection=redis_client())
    assert job.get_status() == "finished", output
    assert job.return_value() == {"clicks": 3, "links_synced": 1}
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(LinkClickHour.clicks))) == 3
    assert click(app.test_client(), link.code).headers["Location"].startswith("/shop/north/drops/")


def test_the_flush_runs_every_few_seconds():
    assert (flush_link_clicks, "default", 10) in PERIODIC_JOBS
