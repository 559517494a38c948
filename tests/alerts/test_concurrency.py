"""Evaluations running at the same moment (two workers, or the periodic job beside an on-demand one) raise each alert once."""

import threading

from sqlalchemy import func, select

from mall.alerts.evaluate import evaluate_everything
from mall.alerts.jobs import evaluate_drop_alerts
from mall.clock import utcnow
from mall.extensions import db, redis_client
from mall.outbox.models import OutboxEmail
from mall.stock.access import stock_engine
from mall.stock.activity import DropActivity
from tests.alerts.conftest import alerts

RUNS = 4


def _run_together(app, work) -> list[BaseException]:
    start, errors = threading.Barrier(RUNS), []

    def one():
        with app.app_context():
            try:
                start.wait()
                work()
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_evaluations_raise_each_alert_and_its_email_once(app, engine, scene):
    for n in range(5):
        scene.order(engine, f"v{n}", email="fast@example.com", ip=f"192.0.2.{n}")  # velocity: severe, emailed
    for n in range(11):
        scene.hold(engine, f"big{n}", quantity=5, ip=f"198.51.100.{n}")  # the other 55 units: sold out

    def evaluate():
        evaluate_everything(db.session, stock_engine(), DropActivity(redis_client(), 0), utcnow())

    assert _run_together(app, evaluate) == []
    assert _run_together(app, lambda: evaluate_drop_alerts(scene.brand.id, scene.drop.id)) == []

    kinds = sorted(a.kind for a in alerts())
    assert kinds == ["order_velocity", "sold_out"]
    db.session.expire_all()
    emails = db.session.scalar(select(func.count(OutboxEmail.id)).where(OutboxEmail.dedupe_key.like("alert:%")))
    assert emails == 1


def test_the_database_refuses_a_second_open_alert_for_one_cause_even_past_the_read(scene, monkeypatch):
    from mall.alerts import raising
    from mall.alerts.models import Kind, LinkKind, Severity

    monkeypatch.setattr(raising, "already_open", lambda session, key: False)  # as if both runs read before either wrote
    finding = raising.Finding(scene.brand.id, Kind.LOW_STOCK, Severity.WARNING, "low_stock:drop:1", "Low.", LinkKind.DROP, 1)
    first = raising.raise_alert(db.session, finding, utcnow())
    second = raising.raise_alert(db.session, finding, utcnow())
    db.session.commit()

    assert first is not None and second is None
    assert [a.id for a in alerts("low_stock")] == [first.id]
