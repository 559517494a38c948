"""Drop activity: the counters the live monitor, alerts and reports read."""

import os
from datetime import timedelta

import time_machine

from mall.extensions import redis_client
from mall.stock.access import drop_activity
from mall.stock.activity import Actor, Counts, DropActivity


def test_holds_expiries_and_releases_are_counted_in_the_minute_they_happen(engine, live_drop):
    drop, variant, _, _ = live_drop
    activity = DropActivity(engine.redis, batch_ms=0)
    start = (drop.starts_at + timedelta(minutes=6)).replace(second=0, microsecond=0)
    with time_machine.travel(start + timedelta(seconds=5), tick=False) as traveller:
        first = engine.place_hold(drop.id, variant.id, "cart-a", 2, ip="10.0.0.1")
        engine.place_hold(drop.id, variant.id, "cart-b", 1, ip="10.0.0.1")
        traveller.shift(timedelta(minutes=1))
        third = engine.place_hold(drop.id, variant.id, "cart-c", 1, ip="10.0.0.2")
        engine.release_hold("cart-c", third.hold_id)
        traveller.shift(timedelta(minutes=10))  # cart-a's and cart-b's holds (10 min) are over
        engine.sweep_expired()

    minutes = activity.per_minute(drop.id, start, start + timedelta(minutes=12))
    assert len(minutes) == 12 and minutes[0][0] == start
    assert minutes[0][1] == Counts(holds=2, held_units=3)
    assert minutes[1][1] == Counts(holds=1, held_units=1, released=1)
    assert sum(c.expired for _, c in minutes) == 2  # counted in the minute each hold ran out
    assert minutes[10][1].expired_units == 3
    assert activity.totals(drop.id) == Counts(holds=3, held_units=4, expired=2, expired_units=3, released=1)
    assert first.ok


def test_actors_rank_who_holds_most_and_how_much_of_it_expired(engine, live_drop):
    drop, variant, _, _ = live_drop
    activity = DropActivity(engine.redis, batch_ms=0)
    with time_machine.travel(drop.starts_at + timedelta(minutes=6), tick=False) as traveller:
        for cart in ("a", "b", "c"):
            assert engine.place_hold(drop.id, variant.id, cart, 1, ip="203.0.113.9").ok
        assert engine.place_hold(drop.id, variant.id, "d", 1, ip="198.51.100.4").ok
        traveller.shift(timedelta(minutes=11))
        engine.sweep_expired()

    actors = activity.actors(drop.id, min_holds=2)
    assert actors == [Actor("ip", "203.0.113.9", holds=3, expired=3)]
    assert Actor("cart", "d", 1, 1) in activity.actors(drop.id)


def test_drop_page_views_are_counted_for_shoppers_not_for_crawlers(client, live_drop):
    drop, _, _, _ = live_drop
    url = f"/shop/{drop.tenant.slug}/drops/{drop.id}"
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0"}
    assert client.get(url, headers=browser).status_code == 200
    assert client.get(url, headers=browser).status_code == 200
    assert client.get(url, headers={"User-Agent": "Googlebot/2.1"}).status_code == 200
    assert client.head(url, headers=browser).status_code == 200
    assert drop_activity().totals(drop.id).views == 2


def test_batched_views_reach_redis_when_shipped_and_survive_a_failed_try(app_ctx, live_drop):
    drop, _, _, _ = live_drop
    activity = DropActivity(redis_client(), batch_ms=60_000)  # no shipper thread runs before we ship
    activity._shipper._pid = os.getpid()  # as if its shipper thread ran already: only ship() sends here
    for _ in range(5):
        activity.record_view(drop.id)
    assert activity.totals(drop.id).views == 0
    activity.ship()
    assert activity.totals(drop.id).views == 5


def test_counters_lost_with_redis_are_not_recreated_by_expiries_and_always_expire(engine, live_drop):
    drop, variant, _, _ = live_drop
    with time_machine.travel(drop.starts_at + timedelta(minutes=6), tick=False) as traveller:
        assert engine.place_hold(drop.id, variant.id, "a", 1).ok
        engine.redis.delete(f"fm:act:{drop.id}", f"fm:actors:{drop.id}")
        traveller.shift(timedelta(minutes=11))
        engine.sweep_expired()
    assert not engine.redis.exists(f"fm:act:{drop.id}")  # no key without an end date
    assert engine.place_hold(drop.id, variant.id, "b", 1).ok  # a new hold starts counting again
    for key in (f"fm:act:{drop.id}", f"fm:actors:{drop.id}"):
        assert engine.redis.pttl(key) > 6 * 86400 * 1000


def test_a_cart_is_an_actor_once_one_of_its_holds_expired(engine, live_drop):
    drop, variant, _, _ = live_drop
    activity = DropActivity(engine.redis, batch_ms=0)
    with time_machine.travel(drop.starts_at + timedelta(minutes=6), tick=False) as traveller:
        assert engine.place_hold(drop.id, variant.id, "keeper", 1, ip="192.0.2.7").ok
        assert engine.place_hold(drop.id, variant.id, "keeper", 1, ip="192.0.2.7").ok
        assert activity.actors(drop.id) == [Actor("ip", "192.0.2.7", holds=2, expired=0)]
        traveller.shift(timedelta(minutes=11))
        engine.sweep_expired()
    assert activity.actors(drop.id) == [Actor("cart", "keeper", 2, 2), Actor("ip", "192.0.2.7", 2, 2)]
