"""The scripted drop (see conftest.py) produces exactly the expected post-drop report and CSV."""

import csv
import io

from sqlalchemy import func, select

from mall.extensions import db, redis_client
from mall.monitor.csv_export import report_csv
from mall.monitor.jobs import build_drop_report
from mall.monitor.models import DropReport
from mall.monitor.report import rates
from tests.monitor.conftest import T0


def _report(shop) -> dict:
    build_drop_report(shop.north.id, shop.drop.id)
    return db.session.scalar(select(DropReport.data).where(DropReport.drop_id == shop.drop.id))


def test_conversion_funnel_and_rates(scripted):
    data = _report(scripted)
    assert data["funnel"] == {
        "views": 40, "holds": 8, "held_units": 9, "expired": 2, "released": 1, "checked_out": 5, "orders": 4,
    }
    assert rates(data) == {
        "orders_per_view": "10.0%",
        "holds_per_view": "20.0%",
        "orders_per_hold": "50.0%",
        "holds_checked_out": "62.5%",
        "holds_expired": "25.0%",
        "creator_orders": "25.0%",
        "creator_revenue": "36.8%",
        "on_time": "50.0%",
        "repeat_buyers": "50.0%",
    }


def test_units_and_revenue_by_tier(scripted):
    data = _report(scripted)
    assert data["units"] == {
        "sold": 5, "cancelled": 1, "on_hand": 15, "free": 10, "held": 0, "sold_all": 5,
        "hubs": [{"hub": "Soho Micro-hub", "on_hand": 15, "free": 10, "held": 0, "sold": 5, "sold_in_drop": 5}],
    }
    assert data["revenue_cents"] == 15_200
    assert data["tiers"] == [
        {"label": "30% off, 12:00–12:20", "percent_off": 30, "units": 3, "revenue_cents": 8_400,
         "cancelled_units": 0, "cancelled_revenue_cents": 0},
        {"label": "15% off, 12:20–13:00", "percent_off": 15, "units": 2, "revenue_cents": 6_800,
         "cancelled_units": 1, "cancelled_revenue_cents": 3_400},
    ]


def test_fulfilment_against_committed_etas(scripted):
    assert _report(scripted)["fulfilment"] == {
        "parcels": 4, "kept": 2, "waiting": 2,
        "avg_actual_minutes": 60.0, "avg_committed_minutes": 60.0, "avg_late_minutes": 0.0, "on_time": 1,
    }


def test_support_times_count_only_threads_about_the_drops_orders(scripted):
    assert _report(scripted)["support"] == {
        "threads": 2, "answered": 2, "resolved": 1, "breached": 1,
        "avg_first_response_minutes": 15.0, "median_first_response_minutes": 15.0,
        "avg_resolution_minutes": 60.0, "median_resolution_minutes": 60.0,
    }


def test_creators_share(scripted):
    creators = _report(scripted)["creators"]
    assert (creators["orders"], creators["revenue_cents"], creators["commission_cents"]) == (1, 5_600, 560)
    assert [(l["code"], l["creator"], l["clicks"], l["orders"], l["revenue_cents"], l["commission_cents"])
            for l in creators["links"]] == [
        ("cleo-jumper", "Cleo Creator", 3, 1, 5_600, 560),
        ("max-jumper", "Max Maker", 5, 0, 0, 0),
    ]


def test_repeat_buyers_bought_in_a_drop_that_started_after_this_one_ended(scripted):
    assert _report(scripted)["repeat_buyers"] == {
        "shoppers": 4,
        "repeat_buyers": 2,
        "by_brand": [{"brand": "North Knits", "buyers": 1, "orders": 1}, {"brand": "Sole Club", "buyers": 1, "orders": 1}],
    }


def test_per_minute_activity_covers_the_window_and_the_last_holds(scripted):
    minutes = {m["label"]: m for m in _report(scripted)["minutes"]}
    assert len(minutes) == 70 and min(minutes) == "12:00" and max(minutes) == "13:09"
    picked = {label: (m["views"], m["holds"], m["orders"], m["expired"], m["released"]) for label, m in minutes.items()
              if any((m["views"], m["holds"], m["orders"], m["expired"], m["released"]))}
    assert picked == {
        "12:01": (20, 0, 0, 0, 0), "12:02": (0, 1, 0, 0, 0), "12:03": (0, 0, 1, 0, 0), "12:05": (0, 1, 0, 0, 0),
        "12:10": (0, 1, 0, 0, 0), "12:11": (0, 0, 1, 0, 0), "12:15": (0, 0, 0, 1, 0), "12:25": (20, 0, 0, 0, 0),
        "12:30": (0, 1, 0, 0, 0), "12:31": (0, 0, 1, 0, 0), "12:32": (0, 2, 0, 0, 0), "12:33": (0, 0, 1, 0, 0),
        "12:40": (0, 1, 0, 0, 1), "12:45": (0, 1, 0, 0, 0), "12:55": (0, 0, 0, 1, 0),
    }


def test_the_report_survives_redis_losing_the_counters(scripted):
    from mall.monitor.jobs import save_drop_activity
    import time_machine

    with time_machine.travel(T0.replace(hour=13, minute=15), tick=False):
        assert save_drop_activity() > 0  # the periodic copy, shortly after the last holds ran out
    redis_client().flushdb()
    data = _report(scripted)
    assert (data["funnel"]["views"], data["funnel"]["holds"], data["funnel"]["expired"]) == (40, 8, 2)


def test_csv_rows(scripted):
    rows = list(csv.reader(io.StringIO(report_csv(_report(scripted)))))
    assert rows[0] == ["section", "item", "measure", "value"]
    figures = [row for row in rows[1:] if row[0] != "minute"]
    assert figures == [
        ["drop", "Jumper drop", "starts (UTC)", f"{T0:%Y-%m-%d}T12:00:00"],
        ["drop", "Jumper drop", "ends (UTC)", f"{T0:%Y-%m-%d}T13:00:00"],
        ["funnel", "", "drop views", "40"],
        ["funnel", "", "holds placed", "8"],
        ["funnel", "", "units held", "9"],
        ["funnel", "", "holds expired", "2"],
        ["funnel", "", "holds released", "1"],
        ["funnel", "", "holds checked out", "5"],
        ["funnel", "", "orders", "4"],
        ["conversion", "", "orders per drop view", "10.0%"],
        ["conversion", "", "holds per drop view", "20.0%"],
        ["conversion", "", "orders per hold", "50.0%"],
        ["conversion", "", "holds checked out", "62.5%"],
        ["conversion", "", "holds expired", "25.0%"],
        ["units", "", "sold", "5"],
        ["units", "", "cancelled", "1"],
        ["units", "", "on hand", "15"],
        ["units", "", "free", "10"],
        ["units", "", "held", "0"],
        ["units", "", "sold in all drops", "5"],
        ["units", "Soho Micro-hub", "sold", "5"],
        ["units", "Soho Micro-hub", "on hand", "15"],
        ["units", "Soho Micro-hub", "free", "10"],
        ["units", "Soho Micro-hub", "held", "0"],
        ["units", "Soho Micro-hub", "sold in all drops", "5"],
        ["revenue", "", "total", "152.00"],
        ["tier", "30% off, 12:00–12:20", "units", "3"],
        ["tier", "30% off, 12:00–12:20", "revenue", "84.00"],
        ["tier", "30% off, 12:00–12:20", "cancelled units", "0"],
        ["tier", "30% off, 12:00–12:20", "cancelled revenue", "0.00"],
        ["tier", "15% off, 12:20–13:00", "units", "2"],
        ["tier", "15% off, 12:20–13:00", "revenue", "68.00"],
        ["tier", "15% off, 12:20–13:00", "cancelled units", "1"],
        ["tier", "15% off, 12:20–13:00", "cancelled revenue", "34.00"],
        ["fulfilment", "", "parcels", "4"],
        ["fulfilment", "", "promises kept", "2"],
        ["fulfilment", "", "still waiting", "2"],
        ["fulfilment", "", "average minutes to keep the promise", "60.0"],
        ["fulfilment", "", "average committed minutes", "60.0"],
        ["fulfilment", "", "average minutes late", "0.0"],
        ["fulfilment", "", "on time", "50.0%"],
        ["support", "", "threads", "2"],
        ["support", "", "answered", "2"],
        ["support", "", "resolved", "1"],
        ["support", "", "missed a target", "1"],
        ["support", "", "average first response minutes", "15.0"],
        ["support", "", "median first response minutes", "15.0"],
        ["support", "", "average resolution minutes", "60.0"],
        ["support", "", "median resolution minutes", "60.0"],
        ["creators", "", "orders", "1"],
        ["creators", "", "share of orders", "25.0%"],
        ["creators", "", "revenue", "56.00"],
        ["creators", "", "share of revenue", "36.8%"],
        ["creators", "", "commission", "5.60"],
        ["creator link", "/c/cleo-jumper (Cleo Creator)", "clicks", "3"],
        ["creator link", "/c/cleo-jumper (Cleo Creator)", "orders", "1"],
        ["creator link", "/c/cleo-jumper (Cleo Creator)", "revenue", "56.00"],
        ["creator link", "/c/cleo-jumper (Cleo Creator)", "commission", "5.60"],
        ["creator link", "/c/max-jumper (Max Maker)", "clicks", "5"],
        ["creator link", "/c/max-jumper (Max Maker)", "orders", "0"],
        ["creator link", "/c/max-jumper (Max Maker)", "revenue", "0.00"],
        ["creator link", "/c/max-jumper (Max Maker)", "commission", "0.00"],
        ["repeat buyers", "", "shoppers", "4"],
        ["repeat buyers", "", "bought again in a later drop", "2"],
        ["repeat buyers", "", "share", "50.0%"],
        ["repeat buyers", "North Knits", "buyers", "1"],
        ["repeat buyers", "North Knits", "orders", "1"],
        ["repeat buyers", "Sole Club", "buyers", "1"],
        ["repeat buyers", "Sole Club", "orders", "1"],
    ]
    minute_rows = [row for row in rows[1:] if row[0] == "minute"]
    assert len(minute_rows) == 70 * 5
    assert ["minute", f"{T0:%Y-%m-%d}T12:32:00", "holds", "2"] in minute_rows
    assert ["minute", f"{T0:%Y-%m-%d}T12:33:00", "orders", "1"] in minute_rows


def test_the_report_job_is_idempotent_and_rebuilds_in_place(scripted):
    first = build_drop_report(scripted.north.id, scripted.drop.id)
    second = build_drop_report(scripted.north.id, scripted.drop.id)
    assert first == second
    assert db.session.scalar(select(func.count(DropReport.id))) == 1
