"""Clicks: counted in Redis once per visitor per link per hour, bots and HEAD never, flushed exactly once."""

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from mall.extensions import db, redis_client
from mall.links.clicks import flush_clicks
from mall.links.models import ClickFlush, LinkClickHour, LinkVisitor
from mall.links.table import link_table
from tests.links.conftest import BROWSER, click, make_link

NOON = datetime(2030, 5, 4, 12, 10)
BOTS = [
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "TelegramBot (like TwitterBot)",
    "curl/8.5.0",
    "python-requests/2.32.0",
    "",
]


def flush() -> int:
    return flush_clicks(db.session, link_table())


def buckets(link) -> dict:
    db.session.expire_all()
    return dict(db.session.execute(select(LinkClickHour.hour, LinkClickHour.clicks).where(LinkClickHour.link_id == link.id)).all())


def visitors(link) -> int:
    return db.session.scalar(select(func.count()).select_from(LinkVisitor).where(LinkVisitor.link_id == link.id))


@pytest.fixture
def link(mall):
    return make_link(mall.creator, mall.brands["north"], mall.drops["north"])


def test_each_visitor_counts_once_per_hour_and_again_the_next_hour(app, link):
    first, second = app.test_client(), app.test_client()
    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            assert click(first, link.code).status_code == 302
        click(second, link.code, ip="10.0.0.2")
    with time_machine.travel(NOON + timedelta(minutes=55), tick=False):
        click(first, link.code)  # 13:05: a new hour, counted again
    assert flush() == 3
    assert buckets(link) == {datetime(2030, 5, 4, 12): 2, datetime(2030, 5, 4, 13): 1}
    assert visitors(link) == 2


def test_without_cookies_a_visitor_is_known_by_ip_and_browser(app, link):
    with time_machine.travel(NOON, tick=False):
        for _ in range(2):
            click(app.test_client(), link.code)  # fresh client, no cookie: same IP and browser
        click(app.test_client(), link.code, agent=BROWSER + " Firefox/128.0")
        click(app.test_client(), link.code, ip="10.0.0.9")
    assert flush() == 3
    assert visitors(link) == 3


def test_the_visitor_cookie_is_the_same_id_the_fallback_gave(app, link):
    client = app.test_client()
    with time_machine.travel(NOON, tick=False):
        first = click(client, link.code)
        assert any(h.startswith("fm_vid=") for h in first.headers.getlist("Set-Cookie"))
        again = click(client, link.code)  # now with the cookie: no new cookie, no new click
    assert not any(h.startswith("fm_vid=") for h in again.headers.getlist("Set-Cookie"))
    assert flush() == 1


def test_known_bots_are_not_counted(app, link):
    for n, agent in enumerate(BOTS):
        response = click(app.test_client(), link.code, agent=agent, ip=f"10.2.0.{n}")
        assert response.status_code == 302, agent
        assert not any(h.startswith(("fm_vid=", "fm_ref=")) for h in response.headers.getlist("Set-Cookie")), agent
    assert flush() == 0
    assert buckets(link) == {}


def test_head_requests_are_not_counted(app, link):
    response = click(app.test_client(), link.code, method="HEAD")
    assert response.status_code == 302
    assert flush() == 0
    click(app.test_client(), link.code)
    assert flush() == 1


def test_a_second_flush_counts_nothing_more(app, link):
    for n in range(5):
        click(app.test_client(), link.code, agent=f"{BROWSER} v{n}")
    assert flush() == 5
    assert flush() == 0
    assert sum(buckets(link).values()) == 5


def test_a_flush_that_died_after_writing_is_not_counted_twice(app, link):
    for n in range(4):
        click(app.test_client(), link.code, agent=f"{BROWSER} v{n}")
    table = link_table()
    real_finish = table.finish_flush
    table.finish_flush = lambda batch: False  # the worker dies after the commit, before Redis forgets the batch
    try:
        assert flush() == 4
    finally:
        table.finish_flush = real_finish
    assert redis_client().exists("fm:clicks:flushing")
    click(app.test_client(), link.code, agent=f"{BROWSER} late")  # arrives while the old batch is stuck
    assert flush() == 1  # the stuck batch is recognised by its id; only the new click is added
    assert sum(buckets(link).values()) == 5
    assert not redis_client().exists("fm:clicks:flushing")


def test_a_flush_that_died_before_writing_loses_nothing(app, link, monkeypatch):
    for n in range(3):
        click(app.test_client(), link.code, agent=f"{BROWSER} v{n}")
    from mall.links import clicks

    def crash(*args):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(clicks, "_apply_batch", crash)
    with pytest.raises(RuntimeError):
        flush()
    monkeypatch.undo()
    assert flush() == 3
    assert sum(buckets(link).values()) == 3


def test_two_flushes_of_the_same_batch_at_once_count_it_once(app, link):
    from mall.links.clicks import _apply_batch, _read_batch

    for n in range(3):
        click(app.test_client(), link.code, agent=f"{BROWSER} v{n}")
    table = link_table()
    batch = table.start_flush("batch-a")
    assert table.start_flush("batch-b") == batch  # the second worker gets the same batch, not a new one
    data = _read_batch(table.redis)
    assert _apply_batch(db.session, batch, *data) == 3
    assert _apply_batch(db.session, batch, *data) == 0
    assert table.finish_flush(batch)
    assert sum(buckets(link).values()) == 3
    assert db.session.scalar(select(func.count()).select_from(ClickFlush)) == 1


def test_clicks_on_a_link_whose_creator_left_the_programme_are_not_counted(app, mall, link):
    from mall.links.services import end_partnership, partnership

    end_partnership(db.session, partnership(db.session, mall.brands["north"].id, mall.creator.id))
    response = click(app.test_client(), link.code)
    assert response.headers["Location"].startswith("/shop/north/drops/")  # the poster still works for shoppers
    assert not any(h.startswith("fm_ref=") for h in response.headers.getlist("Set-Cookie"))
    assert flush() == 0
