"""Committed ETAs from queue, throughput, opening hours and transfers; re-estimates; accuracy per hub."""

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select, update

from mall.extensions import db
from mall.fulfilment import status
from mall.fulfilment.etas import eta_accuracy
from mall.fulfilment.jobs import ETA_QUEUE, commit_parcel_etas, reestimate_hub_etas, settle_parcels
from mall.fulfilment.models import Parcel, ParcelItem
from mall.fulfilment.timing import OpeningHours
from mall.hubs.models import Hub
from mall.jobs.queues import get_queue
from mall.orders.models import OrderLine
from mall.orders.services import cancel_line
from tests.fulfilment.conftest import checkout, hold, live_drops, pickup_at

TODAY = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
SHOP_HOURS = {"opens_at": time(8, 0), "closes_at": time(22, 0)}


def at(hour: int, minute: int = 0) -> datetime:
    return TODAY + timedelta(hours=hour, minutes=minute)


def naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _camden_orders(make, engine, hubs, brands, count: int) -> list[int]:
    """`count` one-item orders packed at the Camden pickup point itself (6 parcels an hour)."""
    db.session.execute(update(Hub).where(Hub.id == hubs["camden"].id).values(throughput_per_hour=6, **SHOP_HOURS))
    db.session.commit()
    make.stock(brands["knits"]["variant"], hubs["camden"], 10)
    live_drops(make, brands)
    ids = []
    for n in range(count):
        placed = hold(engine, brands["knits"], cart=f"cart-{n}")
        order = checkout(engine, [placed], pickup_at(hubs["camden"]), cart=f"cart-{n}", key=f"key-eta-{n:012d}")
        ids.append(db.session.scalar(select(Parcel.id).where(Parcel.order_id == order.id)))
    return ids


def _etas(ids):
    db.session.expire_all()
    return [naive(p.eta) if p.eta else None for p in (db.session.get(Parcel, i) for i in ids)]


def test_each_parcel_waits_for_the_queue_ahead_of_it_at_the_hubs_throughput(make, engine, hubs, brands):
    with time_machine.travel(at(10), tick=False):
        ids = _camden_orders(make, engine, hubs, brands, 3)
        assert commit_parcel_etas(ids) == 3
    assert _etas(ids) == [naive(at(10, 10)), naive(at(10, 20)), naive(at(10, 30))]


def test_a_queue_that_runs_past_closing_time_continues_when_the_hub_opens(make, engine, hubs, brands):
    with time_machine.travel(at(21, 55), tick=False):
        ids = _camden_orders(make, engine, hubs, brands, 3)
        commit_parcel_etas(ids)
    assert _etas(ids) == [naive(at(32, 5)), naive(at(32, 15)), naive(at(32, 25))]  # tomorrow from 08:00


def test_units_from_the_reserve_add_the_transfer_lead_time(make, engine, hubs, brands, quick_transfers):
    with time_machine.travel(at(10), tick=False):
        make.stock(brands["knits"]["variant"], hubs["reserve"], 3)
        live_drops(make, brands)
        order = checkout(engine, [hold(engine, brands["knits"])], pickup_at(hubs["camden"]))
        parcel_id = db.session.scalar(select(Parcel.id).where(Parcel.order_id == order.id))
        commit_parcel_etas([parcel_id])
    assert _etas([parcel_id]) == [naive(at(10, 30))]  # the 30-minute lead from the reserve


def test_a_throughput_change_re_estimates_with_history_and_keeps_the_committed_eta(make, engine, hubs, brands):
    with time_machine.travel(at(10), tick=False):
        ids = _camden_orders(make, engine, hubs, brands, 3)
        commit_parcel_etas(ids)
        db.session.execute(update(Hub).where(Hub.id == hubs["camden"].id).values(throughput_per_hour=60))
        db.session.commit()

        assert reestimate_hub_etas(hubs["camden"].id, "The hub got faster") == 3
        assert reestimate_hub_etas(hubs["camden"].id, "The hub got faster") == 0  # safe to run twice

    assert _etas(ids) == [naive(at(10, 5))] * 3
    last = db.session.get(Parcel, ids[2])
    assert naive(last.committed_eta) == naive(at(10, 30))
    assert [(naive(c.eta), c.reason) for c in last.eta_changes] == [
        (naive(at(10, 30)), "Committed when your order was placed"),
        (naive(at(10, 5)), "The hub got faster"),
    ]


def test_a_ready_parcel_records_how_far_the_promise_was_off_for_the_hub_report(make, engine, hubs, brands):
    with time_machine.travel(at(10), tick=False):
        ids = _camden_orders(make, engine, hubs, brands, 2)
        commit_parcel_etas(ids)
    with time_machine.travel(at(10, 25), tick=False):
        status.mark_ready(db.session, db.session.get(Parcel, ids[0]))  # promised 10:10
        status.mark_ready(db.session, db.session.get(Parcel, ids[1]))  # promised 10:20

    [row] = eta_accuracy(db.session)
    assert (row.hub.code, row.parcels, row.mean_error_minutes, row.on_time_share) == ("PP-CAMDEN", 2, 10.0, 0.0)
    assert db.session.get(Parcel, ids[0]).eta_error_minutes == 15


def test_cancelling_every_line_of_a_parcel_cancels_it_and_the_queue_behind_moves_up(make, engine, hubs, brands):
    with time_machine.travel(at(10), tick=False):
        ids = _camden_orders(make, engine, hubs, brands, 2)
        commit_parcel_etas(ids)
        first_line = db.session.scalar(
            select(OrderLine)
            .join(ParcelItem, ParcelItem.order_line_id == OrderLine.id)
            .where(ParcelItem.parcel_id == ids[0])
            .execution_options(all_tenants=True)
        )
        assert cancel_line(db.session, engine, first_line)
        assert db.session.get(Parcel, ids[0]).status == "cancelled"  # at once, not at the next settle
        [job] = [job for job in get_queue(ETA_QUEUE).get_jobs() if job.func is reestimate_hub_etas]
        assert job.args == (hubs["camden"].id, "Parcels ahead were cancelled")
        job.perform()  # what the worker does next

        assert settle_parcels()["cancelled_hubs"] == 0  # nothing left for the periodic backstop

    first, second = db.session.get(Parcel, ids[0]), db.session.get(Parcel, ids[1])
    assert first.status == "cancelled" and first.cancelled_at is not None
    assert naive(second.eta) == naive(at(10, 10))
    assert second.eta_changes[-1].reason == "Parcels ahead were cancelled"


def test_a_parcel_whose_eta_job_was_lost_gets_one_from_the_periodic_settle(make, engine, hubs, brands):
    with time_machine.travel(at(10), tick=False):
        ids = _camden_orders(make, engine, hubs, brands, 1)
    with time_machine.travel(at(10, 2), tick=False):
        assert settle_parcels()["committed"] == 1
    assert _etas(ids) == [naive(at(10, 15))]  # from 10:02, ten minutes at 6 an hour, promised to the next 5 minutes


@pytest.mark.parametrize(
    "moment, minutes, expected",
    [
        (datetime(2026, 3, 28, 21, 50), 20, datetime(2026, 3, 29, 7, 10)),  # closes 22:00 GMT, opens 08:00 BST (07:00 UTC)
        (datetime(2026, 3, 29, 6, 0), 0, datetime(2026, 3, 29, 7, 0)),
        (datetime(2026, 10, 24, 20, 55), 10, datetime(2026, 10, 25, 8, 5)),  # closes 22:00 BST, opens 08:00 GMT
    ],
)
def test_opening_hours_follow_the_wall_clock_across_daylight_saving(moment, minutes, expected):
    london = OpeningHours(time(8), time(22), ZoneInfo("Europe/London"))
    assert london.add_working_minutes(moment, minutes) == expected
