"""Arrivals before the start get random places at the start (reproducible from the stored seed); then first come,
first served; one place per cart and per email; no place for bots, HEADs or requests without the cart cookie."""

import secrets
from datetime import timedelta

from mall.admission.line import WaitingRoom, prequeue_order
from mall.admission.services import epoch_ms
from mall.extensions import redis_client
from tests.admission.conftest import room_settings


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


def _carts(n):
    return [f"cart-{i:03d}-{secrets.token_hex(4)}" for i in range(n)]


def test_the_pre_queue_is_shuffled_at_the_start_and_the_seed_reproduces_it(make, clock):
    brand = make.brand()
    variant = make.product(brand).variants[0]
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=10))
    room = WaitingRoom(redis_client(), drop.id)
    starts, ends = epoch_ms(drop.starts_at), epoch_ms(drop.ends_at)
    arrivals = _carts(30)
    for cart in arrivals:
        clock.shift(timedelta(seconds=1))
        assert room.join(cart, f"{cart}@example.com", "10.0.0.1", starts, ends, 100) == "pre"
    assert room.line_order() == []  # no places before the start

    clock.shift(timedelta(minutes=10))
    late = _carts(2)
    for cart in late:  # after the start: the shuffle happens first, then these go to the back
        assert room.join(cart, "", "10.0.0.2", starts, ends, 100) == "line"

    order = room.line_order()
    assert order[:30] != arrivals  # arriving first bought nothing
    assert sorted(order[:30]) == sorted(arrivals)
    assert order[30:] == late  # after the start: first come, first served
    assert prequeue_order(room.pre_queue(), room.seed()) == order[:30]  # anyone can recompute it from the seed
    assert prequeue_order(room.pre_queue(), room.seed() + "0") != order[:30]
    assert room.start_line() is False  # shuffled once only


def test_one_place_per_cart_and_per_email(client, queue_drop):
    drop, _, _ = queue_drop
    url = f"/shop/aurora/drops/{drop.id}/line"
    assert join(client, url, "ada@example.com").status_code == 303
    again = join(client, url, "other@example.com")
    assert again.status_code == 303  # the same cart keeps its one place
    other = client.application.test_client()
    taken = join(other, url, "ADA@example.com")
    assert taken.status_code == 409 and "one place per email" in taken.text
    room = WaitingRoom(_redis(client), drop.id)
    assert len(room.line_order()) == 1


def test_bots_heads_and_requests_without_cookies_get_no_place(client, queue_drop):
    drop, _, _ = queue_drop
    url = f"/shop/aurora/drops/{drop.id}/line"
    no_cookie = client.post(url, data={"email": "ada@example.com", "hold_token": "x"})
    assert no_cookie.status_code == 403 and "cookie" in no_cookie.text
    bot = join(client, url, "bot@example.com", headers={"User-Agent": "Googlebot/2.1"})
    assert bot.status_code == 403 and "Automated clients" in bot.text
    assert client.head(url).status_code == 200
    assert client.open(url, method="HEAD", data={"email": "x@example.com"}).status_code == 200
    assert WaitingRoom(_redis(client), drop.id).line_order() == []
    person = join(client, url, "ada@example.com", headers={"User-Agent": "Mozilla/5.0 Firefox/130"})
    assert person.status_code == 303
    assert len(WaitingRoom(_redis(client), drop.id).line_order()) == 1


def test_places_from_one_ip_are_limited(app, client, queue_drop):
    drop, _, _ = queue_drop
    room_settings(entries_per_ip=2)
    url = f"/shop/aurora/drops/{drop.id}/line"
    replies = [join(app.test_client(), url, f"s{i}@example.com").status_code for i in range(3)]
    assert replies == [303, 303, 429]


def join(client, url, email, **kwargs):
    """Join the line as the drop page's form does: the cart-bound token, given with the cart cookie."""
    kwargs.setdefault("headers", {"User-Agent": BROWSER})
    return client.post(url, data={"email": email, "hold_token": client.hold_token()}, **kwargs)


def _redis(client):
    with client.application.app_context():
        return redis_client()
