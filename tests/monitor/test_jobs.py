"""Report and activity jobs: built once the drop is over, once per drop, refreshed daily, safe to repeat."""

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from mall.extensions import db, redis_client
from mall.monitor.jobs import build_due_reports, save_drop_activity
from mall.monitor.models import DropActivityMinute, DropReport
from mall.stock.access import drop_activity
from tests.monitor.conftest import at


def _reports() -> dict[int, object]:
    db.session.expire_all()
    return {r.drop_id: r.built_at for r in db.session.scalars(select(DropReport))}


def test_a_report_is_built_once_the_last_holds_have_run_out_and_only_once(shop, make):
    draft = make.drop(shop.north, [shop.variant], status="draft", title="Never scheduled")
    with time_machine.travel(at(69), tick=False):
        assert build_due_reports() == []  # over at 13:00, but a hold placed at 12:59 may still be bought until 13:10
    with time_machine.travel(at(71), tick=False):
        assert build_due_reports() == [shop.drop.id]
        assert build_due_reports() == []
    assert list(_reports()) == [shop.drop.id] and draft.id not in _reports()


def test_a_report_is_refreshed_daily_for_two_weeks(shop):
    with time_machine.travel(at(71), tick=False):
        build_due_reports()
    first = _reports()[shop.drop.id]
    with time_machine.travel(at(71 + 60 * 24 + 1), tick=False):
        assert build_due_reports() == [shop.drop.id]
    assert _reports()[shop.drop.id] > first
    with time_machine.travel(at(60 + 60 * 24 * 15), tick=False):
        assert build_due_reports() == []


def test_activity_is_copied_by_minute_and_never_lowered_by_a_redis_that_lost_it(shop):
    with time_machine.travel(at(1), tick=False) as clock:
        for _ in range(3):
            drop_activity().record_view(shop.drop.id)
        shop.engine.place_hold(shop.drop.id, shop.variant.id, "cart-a", 2)
        clock.move_to(at(2))
        assert save_drop_activity() == 1
        assert save_drop_activity() == 0  # nothing new
        redis_client().delete(f"fm:act:{shop.drop.id}")  # Redis lost the counters...
        drop_activity().record_view(shop.drop.id)  # ...and counts again from zero
        clock.move_to(at(3))
        save_drop_activity()
    rows = db.session.scalars(select(DropActivityMinute).order_by(DropActivityMinute.minute)).all()
    assert [(r.minute, r.views, r.holds, r.held_units) for r in rows] == [(at(1), 3, 1, 2), (at(2), 1, 0, 0)]


def test_activity_of_drops_long_over_is_left_alone(shop):
    with time_machine.travel(at(1), tick=False):
        drop_activity().record_view(shop.drop.id)
    with time_machine.travel(at(70) + timedelta(minutes=16), tick=False):
        assert save_drop_activity() == 0
    assert db.session.scalar(select(func.count(DropActivityMinute.id))) == 0
