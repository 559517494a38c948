"""SLA targets with the clock moved: breaches marked once, one alert per cause, snoozes wake, metrics add up."""

from datetime import timedelta, timezone

import pytest
import time_machine
from rq.job import Job
from sqlalchemy import func, select, update

from mall.clock import utcnow
from mall.extensions import db, redis_client
from mall.jobs.queues import enqueue
from mall.schedule import PERIODIC_JOBS
from mall.support import services
from mall.support.jobs import check_support_deadlines
from mall.support.models import SlaAlert, SupportThread
from mall.support.sla import brand_metrics
from tests.jobs.test_drop_status_job import run_burst_worker
from tests.support import text_of
from tests.support_inbox.conftest import ask, inbox_url, latest_thread


@pytest.fixture
def clock():
    with time_machine.travel(utcnow().replace(microsecond=0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller


def _alerts() -> list[tuple[int, str]]:
    db.session.expire_all()
    return db.session.execute(select(SlaAlert.thread_id, SlaAlert.cause).order_by(SlaAlert.id)).all()


def test_the_job_runs_every_minute_with_the_other_periodic_jobs():
    assert (check_support_deadlines, "default", 60) in PERIODIC_JOBS


def test_a_missed_first_response_is_marked_once_and_alerted_once(client, mall, clock):
    ask(client, mall.order, "aurora", "Hello?")
    thread = latest_thread()
    opened = thread.created_at
    assert thread.first_response_due_at == opened + timedelta(minutes=15)

    clock.shift(timedelta(minutes=14, seconds=59))
    assert check_support_deadlines() == {"woken": 0, "alerts": 0}
    clock.shift(timedelta(seconds=2))
    assert check_support_deadlines() == {"woken": 0, "alerts": 1}
    assert check_support_deadlines() == {"woken": 0, "alerts": 0}
    assert _alerts() == [(thread.id, "first_response")]
    assert latest_thread().first_response_breached_at == opened + timedelta(minutes=15, seconds=1)

    client.login_as(mall.aurora.agent)
    inbox = client.get(inbox_url(mall.aurora))
    assert "Missed the first response target" in text_of(inbox) and "First response overdue" in text_of(inbox)
    breached = client.get(inbox_url(mall.aurora, "?status=all&sla=breached")).get_data(as_text=True)
    assert f'id="thread-{thread.id}"' in breached

    clock.shift(timedelta(hours=4))
    assert check_support_deadlines()["alerts"] == 1
    assert _alerts() == [(thread.id, "first_response"), (thread.id, "resolution")]


def test_a_reply_in_time_means_no_breach(client, mall, clock):
    ask(client, mall.order, "aurora", "Hello?")
    thread = latest_thread()
    clock.shift(timedelta(minutes=10))
    services.brand_reply(db.session, thread, mall.aurora.agent, "Hi!", "resolved")
    clock.shift(timedelta(days=2))
    assert check_support_deadlines()["alerts"] == 0
    thread = latest_thread()
    assert thread.first_response_breached_at is None and thread.resolution_breached_at is None


def test_a_late_reply_counts_as_a_breach_even_before_the_job_runs(client, mall, clock):
    ask(client, mall.order, "aurora", "Hello?")
    thread = latest_thread()
    clock.shift(timedelta(minutes=20))
    services.brand_reply(db.session, thread, mall.aurora.agent, "Sorry for the wait", "pending")
    assert latest_thread().first_response_breached_at is not None
    assert check_support_deadlines()["alerts"] == 0  # nothing left to chase


def test_due_soon_and_breached_filters_follow_the_clock(client, mall, clock):
    ask(client, mall.order, "aurora", "Hello?")
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    listed = lambda q: f'id="thread-{thread.id}"' in client.get(inbox_url(mall.aurora, q)).get_data(as_text=True)
    assert listed("?sla=due") and not listed("?sla=breached")
    clock.shift(timedelta(minutes=16))
    assert listed("?sla=breached") and not listed("?sla=due")


def test_a_snoozed_thread_wakes_when_its_time_comes(client, mall, clock):
    ask(client, mall.order, "aurora", "Hello?")
    thread = latest_thread()
    services.snooze(db.session, thread, mall.aurora.agent, utcnow() + timedelta(hours=1))
    clock.shift(timedelta(minutes=59))
    assert check_support_deadlines()["woken"] == 0
    clock.shift(timedelta(minutes=2))
    assert check_support_deadlines()["woken"] == 1
    woken = latest_thread()
    assert (woken.status, woken.snoozed_until) == ("open", None)


def test_metrics_give_medians_and_the_breach_rate(client, mall, clock):
    threads = []
    for question in ("One", "Two", "Three"):
        ask(client, mall.order, "aurora", question)
        threads.append(latest_thread())
    ask(client, mall.order, "sole", "Other brand")  # never counted for Aurora
    clock.shift(timedelta(minutes=4))
    services.brand_reply(db.session, threads[0], mall.aurora.agent, "Quick", "pending")
    clock.shift(timedelta(minutes=16))
    services.brand_reply(db.session, threads[1], mall.aurora.agent, "Late", "pending")
    clock.shift(timedelta(minutes=10))
    services.set_status(db.session, threads[0], mall.aurora.agent, "resolved")
    check_support_deadlines()

    metrics = brand_metrics(db.session, mall.aurora.tenant.id, utcnow())
    assert metrics.threads == 3
    assert metrics.median_first_response == timedelta(minutes=12)
    assert metrics.median_resolution == timedelta(minutes=30)
    assert metrics.breach_rate == pytest.approx(2 / 3)

    client.login_as(mall.aurora.agent)
    page = text_of(client.get(inbox_url(mall.aurora)))
    assert "12 min median first response" in page and "30 min median resolution" in page and "67% missed a target" in page


@pytest.mark.worker
def test_a_real_worker_marks_the_breach(app, client, mall):
    ask(client, mall.order, "sole", "Anyone there?")
    thread = latest_thread()
    past = utcnow() - timedelta(minutes=1)
    db.session.execute(update(SupportThread).where(SupportThread.id == thread.id).values(first_response_due_at=past))
    db.session.commit()

    job = enqueue("default", check_support_deadlines)
    output = run_burst_worker(app)

    job = Job.fetch(job.id, connection=redis_client())
    assert job.get_status() == "finished", output
    assert job.return_value() == {"woken": 0, "alerts": 1}
    assert _alerts() == [(thread.id, "first_response")]
    sole_alerts = select(func.count()).select_from(SlaAlert).where(SlaAlert.tenant_id == mall.sole.tenant.id)
    assert db.session.scalar(sole_alerts) == 1
