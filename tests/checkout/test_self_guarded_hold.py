"""Add-to-cart guards itself (cart-bound token, tries counted in its Lua, three integers): the app-wide guards
skip it, and every other form keeps them."""

from mall.extensions import csrf, limiter


def _count_calls(monkeypatch, owner, name) -> list:
    calls, real = [], getattr(owner, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def test_a_hold_asks_neither_flask_wtf_nor_flask_limiter_and_other_forms_still_do(client, two_brand_mall, monkeypatch):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]
    protects = _count_calls(monkeypatch, csrf, "protect")
    limits = _count_calls(monkeypatch, limiter, "identify_request")  # the first thing Flask-Limiter's check does

    held = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": 1})
    assert held.status_code == 303 and protects == [] and limits == []

    assert client.post("/checkout", data={"name": "Ada"}).status_code == 400  # no session token: refused
    assert protects  # by Flask-WTF's own check
    assert client.submit("/checkout", {"name": "Ada"}).status_code == 422 and limits  # and counted by Flask-Limiter


def test_a_hold_with_a_nul_character_is_refused_by_its_own_checks(client, two_brand_mall):
    drop, variant = two_brand_mall["drops"][0], two_brand_mall["variants"][0]

    reply = client.submit("/cart/holds", {"drop_id": f"{drop.id}\x00", "variant_id": variant.id, "quantity": 1})

    assert reply.status_code == 422
    assert client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": "1\x00"}).status_code == 422
