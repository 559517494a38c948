"""ETA breaches (brand), hub overload and failed jobs (operator), and support SLA breaches in the unified list."""

from datetime import timedelta

from rq import SimpleWorker
from sqlalchemy import select, update

from mall.alerts.models import AlertSettings
from mall.extensions import db, redis_client
from mall.fulfilment import etas
from mall.fulfilment.models import Parcel
from mall.fulfilment.status import mark_ready, receive_at_point
from mall.hubs.models import Hub
from mall.jobs.queues import enqueue, get_queue
from mall.orders.models import SubOrder
from mall.outbox.models import OutboxEmail
from mall.support.jobs import check_support_deadlines
from mall.support.models import Topic
from mall.support.services import brand_reply, open_about_order
from tests.alerts.conftest import alerts, evaluate
from tests.alerts.failing_jobs import charge_the_moon


def _parcel_of(order) -> Parcel:
    db.session.expire_all()
    return db.session.scalar(select(Parcel).where(Parcel.order_id == order.id))


def test_a_parcel_late_past_its_committed_eta_by_more_than_the_grace(engine, scene):
    order = scene.order(engine, "eta-cart")
    parcel = _parcel_of(order)
    etas.commit_etas(db.session, [parcel.id], etas.COMMITTED)
    committed = _parcel_of(order).committed_eta

    scene.clock.move_to(committed + timedelta(minutes=15))  # exactly the grace: not yet a breach
    evaluate(engine)
    assert alerts("eta_breach") == []

    scene.clock.move_to(committed + timedelta(minutes=16))
    evaluate(engine)
    [alert] = alerts("eta_breach")
    sub_order = db.session.scalar(select(SubOrder).where(SubOrder.order_id == order.id))
    assert (alert.tenant_id, alert.link_kind, alert.link_id) == (scene.brand.id, "sub_order", sub_order.id)
    assert alert.message.startswith(f"Parcel {parcel.id} of order {order.number} is 16 min past its committed ETA")

    mark_ready(db.session, _parcel_of(order))
    assert _parcel_of(order).status == "in_transit"  # packed at another hub: not at the point yet, still late
    evaluate(engine)
    assert alerts("eta_breach")[0].resolved_at is None
    receive_at_point(db.session, _parcel_of(order))  # the promise is kept (late) when the point has it
    evaluate(engine)
    assert alerts("eta_breach")[0].resolved_at is not None


def test_the_grace_is_the_brands_setting(engine, scene):
    db.session.add(AlertSettings(tenant_id=scene.brand.id, eta_grace_minutes=60))
    db.session.commit()
    order = scene.order(engine, "eta-cart")
    etas.commit_etas(db.session, [_parcel_of(order).id], etas.COMMITTED)
    scene.clock.move_to(_parcel_of(order).committed_eta + timedelta(minutes=30))
    evaluate(engine)
    assert alerts("eta_breach") == []


def test_a_hub_with_more_than_two_hours_of_picking_queued_alerts_the_operators_once(engine, scene, make):
    make.user(email="ops@example.com", operator=True)
    db.session.execute(update(Hub).values(throughput_per_hour=1))
    db.session.commit()
    first, _second = scene.order(engine, "q1", ip="192.0.2.1"), scene.order(engine, "q2", ip="192.0.2.2")
    evaluate(engine)
    assert alerts("hub_overload") == []  # two parcels at one an hour: two hours, not more

    scene.order(engine, "q3", ip="192.0.2.3")
    evaluate(engine)
    evaluate(engine)
    [alert] = alerts("hub_overload")
    packer = db.session.get(Hub, _parcel_of(first).hub_id)
    assert alert.tenant_id is None and alert.severity == "severe" and alert.link_id == packer.id
    assert alert.message.startswith(f"{packer.name} ({packer.code}) has 3 parcels waiting: 3.0 hours of picking")
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.dedupe_key.like("alert:%"))).all()
    assert [e.to_address for e in emails] == ["ops@example.com"]

    mark_ready(db.session, _parcel_of(first))
    evaluate(engine)
    assert alerts("hub_overload")[0].resolved_at is not None


def test_a_job_that_really_failed_raises_one_operator_alert_per_function(app, engine, scene, client, make):
    jobs = [enqueue("low", charge_the_moon), enqueue("low", charge_the_moon)]
    SimpleWorker([get_queue("low")], connection=redis_client()).work(burst=True)
    assert all(j.get_status(refresh=True) == "failed" for j in jobs)

    evaluate(engine)
    evaluate(engine)
    [alert] = alerts("failed_job")
    assert alert.tenant_id is None and alert.severity == "warning"
    assert alert.message == (
        "tests.alerts.failing_jobs.charge_the_moon failed on the low queue (2 failures): "
        "RuntimeError: the moon refused the charge"
    )
    newest = alert.link_ref.split("/")[1]
    assert newest in {j.id for j in jobs}

    client.login_as(make.user(operator=True))
    page = client.get(f"/operator/jobs/low/{newest}")
    assert page.status_code == 200 and "the moon refused the charge" in page.get_data(as_text=True)
    listing = client.get("/operator/alerts").get_data(as_text=True)
    assert f'href="/operator/jobs/low/{newest}"' in listing

    for job in jobs:
        assert client.submit(f"/operator/jobs/low/{job.id}/requeue").status_code == 303
    evaluate(engine)
    assert alerts("failed_job")[0].resolved_at is not None
    assert client.get(f"/operator/jobs/low/{newest}").status_code == 404  # no longer failed


def test_failed_job_pages_are_for_operators_only(app, client, make):
    job = enqueue("low", charge_the_moon)
    SimpleWorker([get_queue("low")], connection=redis_client()).work(burst=True)
    client.login_as(make.user())
    assert client.get(f"/operator/jobs/low/{job.id}").status_code == 404
    assert client.get("/operator/alerts").status_code == 404
    client.login_as(make.user(operator=True))
    assert client.get("/operator/jobs/nowhere/abc").status_code == 404
    assert client.get("/operator/jobs/low/not-a-job").status_code == 404


def test_a_missed_support_target_shows_in_the_unified_list_and_clears_with_the_first_reply(engine, scene):
    order = scene.order(engine, "asks")
    sub_order = order.sub_orders[0]
    thread = open_about_order(db.session, order, sub_order, Topic.LINES, "Where is my jumper?")
    scene.clock.shift(timedelta(minutes=16))  # first response target: 15 minutes
    check_support_deadlines()
    evaluate(engine)
    [alert] = alerts("sla_breach")
    assert (alert.tenant_id, alert.link_kind, alert.link_id) == (scene.brand.id, "thread", thread.id)
    assert alert.message.startswith("Missed the first response target")

    brand_reply(db.session, thread, scene.owner, "On its way!", "pending")
    evaluate(engine)
    assert alerts("sla_breach")[0].resolved_at is not None
