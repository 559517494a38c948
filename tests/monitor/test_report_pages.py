"""The report page before and after it is built, its CSV download, and asking for a rebuild."""

import re

import time_machine
from sqlalchemy import select

from mall.extensions import db, redis_client
from mall.monitor.jobs import build_drop_report
from mall.monitor.models import DropReport
from tests.monitor.conftest import T0, at
from tests.support import text_of


def report_url(shop) -> str:
    return f"/brands/north/drops/{shop.drop.id}/report"


def test_before_it_is_built_the_page_says_when_it_will_be(shop, client):
    client.login_as(shop.owner)
    with time_machine.travel(at(30), tick=False):
        page = client.get(report_url(shop))
        csv = client.get(report_url(shop) + ".csv")
    assert page.status_code == 200
    assert f"built when the drop is over and its last holds have run out: at {T0:%a %d %b}, 13:10" in text_of(page)
    assert csv.status_code == 303 and csv.headers["Location"] == report_url(shop)


def test_once_over_and_not_yet_built_the_page_polls_for_it(shop, client):
    client.login_as(shop.owner)
    with time_machine.travel(at(72), tick=False):
        page = client.get(report_url(shop)).get_data(as_text=True)
    assert "The report is being built" in page
    assert f'hx-get="{report_url(shop)}" hx-trigger="every 5s"' in page


def test_a_poll_of_a_pending_report_gets_the_report_once_built(shop, client):
    client.login_as(shop.owner)
    with time_machine.travel(at(72), tick=False):
        waiting = client.get(report_url(shop), headers={"HX-Request": "true"}).get_data(as_text=True)
        build_drop_report(shop.north.id, shop.drop.id)
        built = client.get(report_url(shop), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert waiting.lstrip().startswith('<div id="report" hx-get=') and "being built" in waiting
    assert built.lstrip().startswith('<div id="report">') and "<html" not in built
    assert "Download CSV" in built and 'data-chart="report-funnel"' in built


def test_the_built_report_shows_its_figures_charts_and_csv(scripted, client):
    build_drop_report(scripted.north.id, scripted.drop.id)
    client.login_as(scripted.owner)
    page = client.get(report_url(scripted))
    html, text = page.get_data(as_text=True), text_of(page)
    assert re.search(r'data-figure="conversion"><strong>10.0%</strong>', html)
    assert re.search(r'data-figure="holds-to-orders"><strong>50.0%</strong>', html)
    assert "Creator links brought 1 of 4 orders (25.0%) and £56.00 of £152.00 revenue (36.8%); commission £5.60." in text
    assert "2 of 4 shoppers (50.0%) bought again in a later drop of the mall." in text
    minutes_chart = re.search(r'<svg [^>]*data-chart="report-minutes" data-top="(\d+)".*?</svg>', html, re.S)
    # a bar per minute with holds (7), orders (4) or expiries (2); the highest is eve's 2 holds at 12:32
    assert minutes_chart.group(1) == "2" and minutes_chart.group(0).count("<rect") == 13
    assert re.search(r'data-chart="report-tiers" data-top="8400"', html)
    download = client.get(report_url(scripted) + ".csv")
    assert download.mimetype == "text/csv"
    assert re.fullmatch(rf'attachment; filename="drop-{scripted.drop.id}-report-{T0:%Y%m%d}-1410.csv"',
                        download.headers["Content-Disposition"])
    assert "conversion,,orders per drop view,10.0%" in download.get_data(as_text=True)


def test_a_manager_may_queue_a_rebuild_a_support_member_may_not(scripted, client, make):
    build_drop_report(scripted.north.id, scripted.drop.id)
    agent = make.member(scripted.north, role="support")
    client.login_as(agent)
    assert client.submit(report_url(scripted) + "/rebuild").status_code == 403
    client.login_as(scripted.owner)
    answer = client.submit(report_url(scripted) + "/rebuild")
    assert answer.status_code == 303
    assert redis_client().exists(f"rq:job:drop-report-{scripted.drop.id}")
    assert db.session.scalar(select(DropReport.requested_at)) is not None
    assert "a rebuild is queued" in client.get(report_url(scripted)).get_data(as_text=True)


def test_a_rebuild_before_the_drop_is_over_is_refused(shop, client):
    client.login_as(shop.owner)
    with time_machine.travel(at(30), tick=False):
        answer = client.submit(report_url(shop) + "/rebuild")
    assert answer.status_code == 409
    assert "once the drop is over" in text_of(answer)
