"""Limit messages name the drop's real limit; a refused checkout keeps what was typed; a hold that expired on the
checkout page can be held again in place; after an order the cart and checkout pages link to it."""

import re
from datetime import timedelta

import time_machine

from tests.support import text_of

HTMX = {"HX-Request": "true"}


def _hold(client, drop, variant, qty=1, **headers):
    return client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": qty}, headers=headers)


def _typed_checkout(client, mall, **extra):
    page = client.get("/checkout").get_data(as_text=True)
    form = {
        "idempotency_key": re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1),
        "holds": re.search(r'name="holds"[^>]*value="([^"]*)"', page).group(1),
        "name": "Ada Shopper", "email": "ada@example.com", "fulfilment": "delivery", "pickup_hub_id": "0",
        "delivery_address": "12 Long Lane, London", "postcode": "SE1 4PL", "payment_provider": "pay_on_handover",
    }
    form.update(extra)
    return form


def test_asking_for_more_than_the_drops_limit_names_the_limit(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]
    refused = _hold(client, drop, variant, qty=5, **HTMX)
    assert refused.status_code == 409
    assert text_of(refused) == "This drop allows 3 per shopper: choose 3 or fewer."


def test_a_second_add_to_cart_past_the_limit_says_how_many_the_cart_has(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]
    assert _hold(client, drop, variant, qty=2, **HTMX).status_code == 200
    refused = _hold(client, drop, variant, qty=2, **HTMX)
    assert text_of(refused) == "This drop allows 3 per shopper and your cart already holds 2, so you can add 1 more."
    assert _hold(client, drop, variant, qty=1, **HTMX).status_code == 200
    full = _hold(client, drop, variant, qty=1, **HTMX)
    assert text_of(full) == "This drop allows 3 per shopper and your cart already holds 3: that is the most you can have."
    assert "50" not in text_of(full)


def test_an_impossible_quantity_names_the_drops_limit_not_50(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]
    for quantity in ("0", "51", "lots"):
        refused = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": quantity})
        assert refused.status_code == 422
        assert "Choose a quantity between 1 and 3, the most this drop allows per shopper." in text_of(refused)


def test_changing_the_quantity_in_the_cart_names_the_drops_limit(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]
    _hold(client, drop, variant, qty=1)
    hold_id = re.search(r'data-hold="(\d+)"', client.get("/cart").get_data(as_text=True)).group(1)
    for quantity in ("4", "0", "60"):
        response = client.submit(f"/cart/holds/{hold_id}/quantity", {"quantity": quantity})
        assert response.status_code == 422
        assert "Choose a quantity between 1 and 3, the most this drop allows per shopper." in text_of(response)
    assert client.submit(f"/cart/holds/{hold_id}/quantity", {"quantity": "3"}).status_code == 303


def test_a_refused_checkout_keeps_everything_typed(client, two_brand_mall):
    _hold(client, two_brand_mall["drops"][0], two_brand_mall["variants"][0])
    form = _typed_checkout(client, two_brand_mall, email="not-an-email")
    page = client.submit("/checkout", form)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'value="Ada Shopper"' in html and 'value="not-an-email"' in html and 'value="SE1 4PL"' in html
    assert "12 Long Lane, London</textarea>" in html
    assert re.search(r'<input checked[^>]*value="delivery"', html)
    assert 'id="place-order"' in html and 'id="place-order" data-once disabled' not in html


def test_a_hold_that_expired_on_the_checkout_page_keeps_the_form_and_offers_hold_again(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]
    with time_machine.travel(drop.starts_at + timedelta(minutes=1), tick=False) as clock:
        _hold(client, drop, variant, qty=2)
        form = _typed_checkout(client, two_brand_mall)
        clock.shift(timedelta(minutes=10, seconds=5))

        refused = client.submit("/checkout", form)
        assert refused.status_code == 409
        html = refused.get_data(as_text=True)
        assert "Some of your holds expired before checkout" in text_of(refused)
        assert 'value="Ada Shopper"' in html and 'value="SE1 4PL"' in html and "12 Long Lane, London</textarea>" in html
        assert "Your hold expired and the units went back on sale" in html
        assert re.search(r'<button type="submit" form="checkout-form" id="place-order" data-once disabled>', html)
        replaces = re.search(r'name="replaces" value="(\d+)"', html).group(1)

        again = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": 2,
                                              "replaces": replaces}, headers=HTMX)
        assert again.status_code == 200 and again.headers["HX-Trigger"] == "hold-placed"
        items = client.get("/checkout/items", headers=HTMX)
        items_html = items.get_data(as_text=True)
        assert "<html" not in items_html and "expired" not in text_of(items)
        assert 'id="place-order" data-once>' in items_html
        new_holds = re.search(r'name="holds" value="(\d+)"', items_html).group(1)
        assert new_holds != replaces

        form["holds"] = new_holds
        placed = client.submit("/checkout", form)
    assert placed.status_code == 303


def test_after_an_order_the_cart_and_the_checkout_page_link_to_it(client, two_brand_mall):
    _hold(client, two_brand_mall["drops"][0], two_brand_mall["variants"][0])
    placed = client.submit("/checkout", _typed_checkout(client, two_brand_mall))
    tracking = placed.headers["Location"]

    for url in ("/cart", "/checkout"):
        page = client.get(url)
        assert page.headers["Cache-Control"] == "no-store"
        html = page.get_data(as_text=True)
        assert re.search(r"Your order FM-[A-Z0-9-]+ was placed — track it", text_of(page)), url
        assert f'href="{tracking}"' in html
        assert 'name="name"' not in html  # no empty form that would fail


def test_another_shoppers_cart_shows_no_order_link(client, app, two_brand_mall):
    _hold(client, two_brand_mall["drops"][0], two_brand_mall["variants"][0])
    client.submit("/checkout", _typed_checkout(client, two_brand_mall))
    stranger = app.test_client()
    assert "was placed" not in text_of(stranger.get("/cart"))
