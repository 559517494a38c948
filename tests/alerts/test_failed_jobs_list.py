"""The operator's list of failed jobs: every failure RQ keeps, each linking to its traceback; operators only."""

from rq import SimpleWorker

from mall.extensions import redis_client
from mall.jobs.queues import enqueue, get_queue
from tests.alerts.failing_jobs import charge_the_moon
from tests.support import text_of


def test_the_operator_lists_failed_jobs_and_opens_one(client, make):
    client.login_as(make.user(operator=True))
    assert "No failed job on any queue." in text_of(client.get("/operator/jobs/failed"))

    jobs = [enqueue("low", charge_the_moon), enqueue("low", charge_the_moon)]
    SimpleWorker([get_queue("low")], connection=redis_client()).work(burst=True)

    page = client.get("/operator/jobs/failed")
    html, text = page.get_data(as_text=True), text_of(page)
    assert page.status_code == 200
    assert text.count("RuntimeError: the moon refused the charge") == 2
    assert "tests.alerts.failing_jobs.charge_the_moon" in text
    for job in jobs:
        assert f'href="/operator/jobs/low/{job.id}"' in html
    assert 'href="/operator/jobs/failed" aria-current="page"' in html  # the sidebar marks where the operator is
    detail = client.get(f"/operator/jobs/low/{jobs[0].id}").get_data(as_text=True)
    assert 'href="/operator/jobs/failed"' in detail  # and the traceback page leads back to the list

    assert client.submit(f"/operator/jobs/low/{jobs[0].id}/requeue").status_code == 303
    assert f'href="/operator/jobs/low/{jobs[0].id}"' not in client.get("/operator/jobs/failed").get_data(as_text=True)


def test_nobody_else_learns_the_failed_jobs_list_exists(client, make):
    assert client.get("/operator/jobs/failed").status_code in (302, 404)
    client.login_as(make.user())
    assert client.get("/operator/jobs/failed").status_code == 404
