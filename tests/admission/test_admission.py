"""Admissions follow the stock; a hold needs one while the line is on; sold out reaches everyone in line; the line
page answers from Redis alone."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from mall.admission.line import WaitingRoom
from mall.admission.services import admit, run_tick
from mall.admission.settings import RoomSettings, current_settings
from mall.checkout.services import place_order
from mall.extensions import db, redis_client
from mall.orders.models import Order
from mall.stock.access import stock_engine
from tests.admission.conftest import room_settings
from tests.admission.test_prequeue import BROWSER, join
from tests.checkout.conftest import pickup_details


def _line(drop):
    return f"/shop/aurora/drops/{drop.id}/line"


def _tick():
    return run_tick(db.session, stock_engine())


def _hold(client, drop, variant):
    return client.post("/cart/holds", data={"hold_token": client.hold_token(), "drop_id": drop.id,
                                            "variant_id": variant.id, "quantity": 1})


def test_a_hold_without_an_admission_is_refused_while_the_line_is_on(app, queue_drop):
    drop, hero, _ = queue_drop
    first, second = app.test_client(), app.test_client()
    for n, shopper in enumerate((first, second)):
        assert join(shopper, _line(drop), f"s{n}@example.com").status_code == 303
    refused = _hold(first, drop, hero)
    assert refused.status_code == 403
    assert "not your turn" in refused.text and f'href="{_line(drop)}"' in refused.text
    room_settings(overbook_percent=100)
    (done,) = _tick()
    assert done.allowance == 2 and len(done.admitted) == 2  # two units: both let in
    page = first.get(_line(drop), headers={"User-Agent": BROWSER})
    assert 'data-phase="admitted"' in page.text and "your turn" in page.text
    assert _hold(first, drop, hero).status_code == 303  # the admission cookie from the line page
    assert _hold(second, drop, hero).status_code == 403  # admitted in Redis, but never fetched its admission
    copied = app.test_client()  # another cart with the first one's admission cookie gets nothing from it
    copied.set_cookie(f"fm_adm_{drop.id}", first.get_cookie(f"fm_adm_{drop.id}").value)
    assert _hold(copied, drop, hero).status_code == 403


def test_the_drop_page_sends_the_line_to_the_line_until_a_shopper_is_let_in(app, queue_drop):
    drop, hero, _ = queue_drop
    shopper = app.test_client()
    page = shopper.get(f"/shop/aurora/drops/{drop.id}", headers={"User-Agent": BROWSER})
    assert "This drop has a line" in page.text and 'name="variant_id"' not in page.text
    join(shopper, _line(drop), "ada@example.com")
    _tick()
    shopper.get(_line(drop), headers={"User-Agent": BROWSER})
    page = shopper.get(f"/shop/aurora/drops/{drop.id}", headers={"User-Agent": BROWSER})
    assert "This drop has a line" not in page.text and f'name="variant_id" value="{hero.id}"' in page.text


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    units=st.integers(0, 6), shoppers=st.integers(0, 15), overbook=st.integers(100, 300), capacity=st.integers(1, 8),
    steps=st.lists(st.sampled_from(["tick", "hold", "expire"]), max_size=12),
)
def test_admissions_never_exceed_the_stock_aware_allowance(make, units, shoppers, overbook, capacity, steps):
    redis_client().flushdb()
    brand = make.brand()
    hub = make.hub()
    variant = make.product(brand).variants[0]
    make.stock(variant, hub, units)
    drop = make.drop(brand, [variant], limit=1, hold_minutes=1)
    engine, room = stock_engine(), WaitingRoom(redis_client(), drop.id)
    rules = RoomSettings(capacity=capacity, overbook_percent=overbook, admission_minutes=1, expiring_seconds=60)
    for n in range(shoppers):
        room.join(f"cart-{n}", "", f"10.0.0.{n}", 0, 2**45, 100)
    admitted: list[str] = []
    for step in steps + ["tick"]:
        if step == "tick":
            done = admit(engine, drop.id, rules)
            left = engine.drop_units_now(drop.id, 60_000)
            allowance = rules.allowance(left.free, left.expiring)
            assert done.allowance == allowance
            assert len(done.admitted) <= max(0, allowance - done.outstanding)
            assert room.outstanding() <= max(allowance, done.outstanding)  # never more let in than allowed
            admitted += done.admitted
        elif step == "hold" and admitted:
            cart = admitted.pop(0)
            if engine.place_hold(drop.id, variant.id, cart, 1).ok:
                room.admission_used(cart)
        elif step == "expire":
            engine.sweep_expired(now=2**43)
    if units == 0:
        assert admitted == [] and room.redis.zcard(room.k("log")) == 0  # nothing to buy: nobody let in


def test_sold_out_reaches_everyone_in_line_with_the_fallback_and_the_waitlist(app, queue_drop):
    drop, hero, fallback = queue_drop
    room_settings(overbook_percent=100)
    shoppers = [app.test_client() for _ in range(4)]
    for n, shopper in enumerate(shoppers):
        join(shopper, _line(drop), f"s{n}@example.com")
    _tick()  # two units: the first two are let in
    for buyer in shoppers[:2]:
        buyer.get(_line(drop), headers={"User-Agent": BROWSER})
        assert _hold(buyer, drop, hero).status_code == 303
        token = buyer.get_cookie("fm_cart").value
        engine = stock_engine()
        holds = [h.id for h in engine.cart_holds(token)]
        details = pickup_details(_pickup(), email=f"{token[:6]}@example.com")
        place_order(db.session, engine, token, f"key-{token[:8]}", details, holds, "127.0.0.1")
    assert db.session.scalar(select(Order.id).limit(1)) is not None
    before = redis_client().zcard(f"fm:q:{drop.id}:log")
    _tick()
    assert redis_client().zcard(f"fm:q:{drop.id}:log") == before  # nobody let in after the sell-out
    for shopper in shoppers:
        page = shopper.get(_line(drop), headers={"User-Agent": BROWSER})
        assert 'data-phase="sold_out"' in page.text
        assert "Sold out" in page.text and "Wool hat" in page.text  # the fallback, offered
        assert "Join the waitlist" in page.text
        fragment = shopper.get(_line(drop), headers={"User-Agent": BROWSER, "HX-Request": "true"})
        assert fragment.status_code == 286  # htmx stops polling: nothing more will change
    late = app.test_client()
    assert _hold(late, drop, fallback).status_code == 303  # the fallback needs no place in the closed line


def _pickup():
    from mall.hubs.models import Hub

    return db.session.scalar(select(Hub).where(Hub.kind == "pickup_point"))


def test_the_line_page_and_its_refresh_make_no_database_query(app, queue_drop):
    drop, _, _ = queue_drop
    shopper = app.test_client()
    join(shopper, _line(drop), "ada@example.com")
    join(app.test_client(), _line(drop), "bob@example.com")
    _tick()
    shopper.get(_line(drop), headers={"User-Agent": BROWSER})
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = shopper.get(_line(drop), headers={"User-Agent": BROWSER})
        refresh = shopper.get(_line(drop), headers={"User-Agent": BROWSER, "HX-Request": "true"})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert page.status_code == 200 and refresh.status_code == 200
    assert 'hx-get="' + _line(drop) + '"' in page.text and "<html" not in refresh.text
    assert statements == []


def test_a_shopper_sees_their_place_and_can_leave(app, queue_drop):
    drop, _, _ = queue_drop
    room_settings(capacity=1)
    first, second, third = (app.test_client() for _ in range(3))
    for n, shopper in enumerate((first, second, third)):
        join(shopper, _line(drop), f"s{n}@example.com")
    _tick()  # capacity 1: only the first is let in
    page = third.get(_line(drop), headers={"User-Agent": BROWSER})
    assert "data-position>2<" in page.text and "data-ahead>1<" in page.text
    assert "2 left" in page.text.replace("<strong data-units-left>", "").replace("</strong>", "")
    left = second.post(_line(drop) + "/leave", data={"hold_token": second.hold_token()})
    assert left.status_code == 303
    page = third.get(_line(drop), headers={"User-Agent": BROWSER})
    assert "data-position>1<" in page.text and "data-ahead>0<" in page.text
    forged = third.post(_line(drop) + "/leave", data={"hold_token": "forged"})
    assert forged.status_code == 400


def test_an_open_drop_queues_when_its_crowd_passes_the_capacity(app, make):
    brand = make.brand(slug="aurora")
    hub = make.hub()
    variant = make.product(brand).variants[0]
    make.stock(variant, hub, 10)
    drop = make.drop(brand, [variant])
    room_settings(capacity=2)
    crowd = [app.test_client() for _ in range(3)]
    for shopper in crowd:
        shopper.hold_token()  # a cart cookie, as a first page gives
        shopper.get(f"/shop/aurora/drops/{drop.id}", headers={"User-Agent": BROWSER})
    assert _hold(crowd[0], drop, variant).status_code == 303  # open still
    _tick()
    refused = _hold(crowd[1], drop, variant)
    assert refused.status_code == 403 and "/line" in refused.text


def test_the_operator_sets_the_capacity(app, make):
    operator = make.user(operator=True)
    client = app.test_client()
    client.login_as(operator)
    data = {"capacity": 40, "overbook_percent": 150, "admission_minutes": 4, "expiring_seconds": 30,
            "entries_per_ip": 5}
    assert client.submit("/operator/admission", data).status_code == 303
    assert current_settings(db.session) == RoomSettings(40, 150, 4, 30, 5)
    bad = client.submit("/operator/admission", data | {"overbook_percent": 50})
    assert bad.status_code == 422


def test_the_brand_sees_the_line_on_the_monitor_and_the_waits_in_the_report(app, make, queue_drop, clock):
    from datetime import timedelta

    from mall.clock import utcnow
    from mall.monitor.report import build_report

    drop, _, _ = queue_drop
    owner = make.user()
    make.member(drop.tenant, owner, role="owner")
    shoppers = [app.test_client() for _ in range(3)]
    for n, shopper in enumerate(shoppers):
        join(shopper, _line(drop), f"s{n}@example.com")
    clock.shift(timedelta(seconds=90))
    room_settings(overbook_percent=100)
    _tick()  # two units: two let in after waiting 90 s, one still in line
    brand = app.test_client()
    brand.login_as(owner)
    page = brand.get(f"/brands/aurora/drops/{drop.id}/live").text
    assert 'data-figure="in-line">1' in page
    assert "2 let in so far" in page and "median\n      1 min 30 s" in page
    report = build_report(db.session, drop, utcnow())
    assert report["line"]["admitted"] == 2 and report["line"]["wait_median_s"] == 90
