import re

from sqlalchemy import func, select

from mall.extensions import db
from mall.orders.models import Order
from tests.support import text_of


def _hold(client, drop, variant, qty=1, **headers):
    return client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": qty}, headers=headers)


def _checkout_form(client):
    page = client.get("/checkout").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    holds = re.search(r'name="holds"[^>]*value="([^"]*)"', page).group(1)
    return {"idempotency_key": key, "holds": holds}


def _pickup_order(client, mall, **extra):
    form = _checkout_form(client)
    form.update(name="Ada Shopper", email="ada@example.com", fulfilment="pickup", pickup_hub_id=mall["pickup"].id,
                payment_provider="pay_on_handover")
    form.update(extra)
    return form


def test_a_shopper_holds_two_brands_and_sees_both_countdowns_in_the_cart(client, two_brand_mall):
    mall = two_brand_mall
    for drop, variant in zip(mall["drops"], mall["variants"]):
        assert _hold(client, drop, variant).status_code == 303
    page = client.get("/cart")
    text = text_of(page)
    assert "North Knits" in text and "Sole Club" in text
    assert page.get_data(as_text=True).count("data-countdown=") == 2
    assert "Total £91.00" in text  # £28.00 + £63.00 at the first tier


def test_a_refused_hold_says_why_with_a_conflict_status(client, two_brand_mall):
    mall = two_brand_mall
    drop, variant = mall["drops"][0], mall["variants"][0]
    refused = _hold(client, drop, variant, qty=4, **{"HX-Request": "true"})
    assert refused.status_code == 409
    assert "This drop allows 3 per shopper: choose 3 or fewer." in text_of(refused)
    assert "<html" not in refused.get_data(as_text=True)


def test_bad_hold_input_is_a_clear_422(client, two_brand_mall):
    response = client.submit("/cart/holds", {"drop_id": "x", "variant_id": "", "quantity": "-3"})
    assert response.status_code == 422
    assert "Choose an item of this drop and a quantity." in text_of(response)


def test_checkout_for_pickup_gives_a_private_tracking_page(client, two_brand_mall):
    mall = two_brand_mall
    for drop, variant in zip(mall["drops"], mall["variants"]):
        _hold(client, drop, variant)
    response = client.submit("/checkout", _pickup_order(client, mall))
    assert response.status_code == 303
    tracking = response.headers["Location"]
    assert re.fullmatch(r"/orders/[A-Za-z0-9_-]{32}", tracking)
    page = text_of(client.get(tracking))
    assert "Your order is confirmed." in page and "Camden pickup" in page and re.search(r"Pay £[0-9.]+ at pickup\.", page)
    assert client.get("/orders/not-a-real-token").status_code == 404


def test_a_double_submitted_checkout_makes_one_order(client, two_brand_mall):
    mall = two_brand_mall
    _hold(client, mall["drops"][0], mall["variants"][0])
    form = _pickup_order(client, mall)
    first = client.submit("/checkout", form)
    second = client.submit("/checkout", form)
    assert first.headers["Location"] == second.headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id))) == 1

    form["email"] = "someone.else@example.com"
    replay = client.submit("/checkout", form)
    assert replay.status_code == 409
    assert "different details" in text_of(replay)


def test_checkout_form_errors_are_inline_and_keep_the_holds(client, two_brand_mall):
    mall = two_brand_mall
    _hold(client, mall["drops"][0], mall["variants"][0])
    form = _pickup_order(client, mall, email="not-an-email")
    form["fulfilment"] = "delivery"
    response = client.submit("/checkout", form)
    assert response.status_code == 422
    text = text_of(response)
    assert "Invalid email address" in text and "full delivery address" in text
    assert "North Knits hero" in text_of(client.get("/cart"))


def test_checkout_without_csrf_is_refused(client, two_brand_mall):
    assert client.post("/checkout", data={"name": "x"}).status_code == 400
    assert client.post("/cart/holds", data={"drop_id": 1}).status_code == 400


def test_too_many_holds_from_one_cart_get_429_with_retry_after(app, client, two_brand_mall):
    mall = two_brand_mall
    drop, variant = mall["drops"][0], mall["variants"][0]
    app.config["HOLD_RATE_PER_CART"] = 2
    app.extensions.pop("flashmall.stock", None)
    try:
        replies = [_hold(client, drop, variant) for _ in range(3)]
    finally:
        app.config["HOLD_RATE_PER_CART"] = 20
        app.extensions.pop("flashmall.stock", None)
    assert [r.status_code for r in replies] == [303, 303, 429]
    assert 1 <= int(replies[-1].headers["Retry-After"]) <= 10
    assert "wait a moment" in text_of(replies[-1])


def test_brand_sees_only_its_own_lines_and_can_cancel_one(client, make, two_brand_mall):
    mall = two_brand_mall
    for drop, variant in zip(mall["drops"], mall["variants"]):
        _hold(client, drop, variant)
    client.submit("/checkout", _pickup_order(client, mall))
    owner = make.user()
    make.member(mall["brands"][0], owner, role="owner")
    client.login_as(owner)
    slug = mall["brands"][0].slug
    listing = text_of(client.get(f"/brands/{slug}/orders"))
    assert "North Knits hero" in listing and "Sole Club hero" not in listing

    order_page = client.get(f"/brands/{slug}/orders").get_data(as_text=True)
    detail_url = re.search(rf'href="(/brands/{slug}/orders/\d+)"', order_page).group(1)
    cancel_url = re.search(r'action="([^"]+/cancel)"', client.get(detail_url).get_data(as_text=True)).group(1)
    assert client.submit(cancel_url).status_code == 303
    assert "back on sale" in text_of(client.get(detail_url))
    assert client.submit(cancel_url).status_code == 303
    assert "already cancelled" in text_of(client.get(detail_url))

    other_slug = mall["brands"][1].slug
    assert client.get(f"/brands/{other_slug}/orders").status_code == 404


def test_an_expired_line_says_so_and_can_be_held_again(client, two_brand_mall):
    import time_machine
    from datetime import timedelta

    mall = two_brand_mall
    drop, variant = mall["drops"][0], mall["variants"][0]
    with time_machine.travel(drop.starts_at + timedelta(minutes=1), tick=False) as traveller:
        _hold(client, drop, variant, qty=2)
        traveller.shift(timedelta(minutes=10, seconds=5))
        page = client.get("/cart")
        text = text_of(page)
        assert "Your hold expired and the units went back on sale" in text
        assert "Check out" not in text
        again = re.search(r'name="replaces" value="(\d+)"', page.get_data(as_text=True)).group(1)
        response = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": 2, "replaces": again})
        assert response.status_code == 303
        text = text_of(client.get("/cart"))
    assert "expired" not in text and "North Knits hero" in text and "£56.00" in text


def test_checkout_stays_rate_limited_while_holds_count_their_own_tries(app, client, two_brand_mall, monkeypatch):
    mall = two_brand_mall
    monkeypatch.setitem(app.config, "CHECKOUT_RATE_LIMIT", "2 per minute")
    assert _hold(client, mall["drops"][0], mall["variants"][0], **{"HX-Request": "true"}).status_code == 200

    replies = [client.submit("/checkout", {"name": "Ada"}).status_code for _ in range(3)]

    assert replies == [422, 422, 429]
