"""Add-to-cart checks its own token, bound to the cart cookie, instead of the session's CSRF token; every other
form keeps Flask-WTF's check, and the app-wide input checks cover the hold too."""

from tests.support import text_of


def test_a_hold_needs_its_cart_token_and_not_the_sessions_csrf_token(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]
    choice = {"drop_id": drop.id, "variant_id": variant.id, "quantity": 1}

    assert client.post("/cart/holds", data={**choice, "hold_token": client.hold_token()}).status_code == 303
    refused = client.post("/cart/holds", data={**choice, "hold_token": "forged"})
    assert refused.status_code == 400 and "reload" in text_of(refused)
    assert client.post("/checkout", data={"name": "Ada"}).status_code == 400  # other forms: Flask-WTF's token


def test_a_hold_with_a_nul_character_is_refused_like_any_form(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]

    reply = client.submit("/cart/holds", {"drop_id": f"{drop.id}\x00", "variant_id": variant.id, "quantity": 1})

    assert reply.status_code == 400 and "character we cannot accept" in text_of(reply)
    assert "Your cart is empty" in text_of(client.get("/cart"))
