"""A web process's view of the redirect table: a short-lived cache that any link change clears, and a
click queue shipped to Redis in the background without losing a click when Redis hiccups."""

import time

import pytest
from redis.exceptions import ConnectionError as RedisDown

from mall.extensions import db, redis_client
from mall.links import services
from mall.links.redirects import _ms
from mall.links.table import LinkTable
from mall.stock.access import stock_engine
from tests.links.conftest import make_link


def wait_for(read, until, seconds=5.0):
    deadline = time.monotonic() + seconds
    value = read()
    while not until(value) and time.monotonic() < deadline:
        time.sleep(0.02)
        value = read()
    return value


def pending(link) -> int:
    hour = time.strftime("%Y%m%d%H", time.gmtime())
    return int(redis_client().hget("fm:clicks:pending", f"{link.id}:{hour}") or 0)


def counting_lookups(table, monkeypatch) -> list:
    calls, real = [], table._run

    def run(*args):
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(table, "_run", run)
    return calls


def test_a_warm_link_is_answered_from_the_process_without_asking_redis(app_ctx, mall, monkeypatch):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    table = LinkTable(redis_client(), stock_engine(), cache_seconds=60, batch_ms=10**9)  # the shipper never wakes here
    calls = counting_lookups(table, monkeypatch)
    for n in range(5):
        assert table.follow(link.code, f"{n:032x}", time.time(), True).path.endswith(f"/drops/{mall.drops['north'].id}")
    assert calls == ["lookup"]
    assert table.ship() == 5 and pending(link) == 5


def test_the_background_shipper_counts_clicks_once_per_visitor(app_ctx, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    table = LinkTable(redis_client(), stock_engine(), cache_seconds=1, batch_ms=20)
    for n in range(50):
        table.follow(link.code, f"{n:032x}", time.time(), True)
    table.follow(link.code, f"{0:032x}", time.time(), True)  # the same visitor again this hour
    assert wait_for(lambda: pending(link), lambda n: n == 50) == 50
    time.sleep(0.1)
    assert pending(link) == 50


def test_a_failed_shipment_keeps_every_click_for_the_next_one(app_ctx, mall, monkeypatch):
    link = make_link(mall.creator, mall.brands["north"])
    table = LinkTable(redis_client(), stock_engine(), cache_seconds=60, batch_ms=10**9)
    for n in range(3):
        table.follow(link.code, f"{n:032x}", time.time(), True)
    real = table._run

    def redis_away(*args):
        if args[0] == "record":
            raise RedisDown("Redis restarting")
        return real(*args)

    monkeypatch.setattr(table, "_run", redis_away)
    with pytest.raises(RedisDown):
        table.ship()
    monkeypatch.setattr(table, "_run", real)
    assert table.ship() == 3 and pending(link) == 3


def test_a_link_change_reaches_every_process_within_a_moment(app_ctx, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    table = LinkTable(redis_client(), stock_engine(), cache_seconds=3600, batch_ms=20)
    assert table.follow(link.code, "a" * 32, time.time(), True).earning
    services.end_partnership(db.session, services.partnership(db.session, mall.brands["north"].id, mall.creator.id))

    followed = wait_for(lambda: table.follow(link.code, "b" * 32, time.time(), True), lambda f: not f.earning)
    assert not followed.earning  # no longer counted or credited, though the link still leads to the drop
    assert followed.path.endswith(f"/drops/{mall.drops['north'].id}")


def test_the_drop_end_is_judged_at_each_click_even_from_the_cache(app_ctx, mall):
    drop = mall.drops["north"]
    link = make_link(mall.creator, mall.brands["north"], drop)
    table = LinkTable(redis_client(), stock_engine(), cache_seconds=3600, batch_ms=10**9)
    now = time.time()
    assert table.follow(link.code, "a" * 32, now, False).state == "ok"
    assert table.follow(link.code, "a" * 32, _ms(drop.ends_at) / 1000, False).state == "over"
