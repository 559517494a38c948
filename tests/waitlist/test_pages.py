"""What a shopper sees: the join form next to an all-held item, their place in line, leaving, and the offer link."""

import re
from datetime import timedelta

from sqlalchemy import select

from mall.checkout.access import CART_COOKIE
from mall.extensions import db
from mall.outbox.models import OutboxEmail
from mall.storefront.cache import forget_cached_pages
from mall.waitlist import services
from tests.support import text_of


def _drop_url(drop) -> str:
    return f"/shop/aurora/drops/{drop.id}"


def _join(client, drop, variant, email="ada@example.com", **extra):
    return client.post(
        f"/waitlist/drops/{drop.id}/join",
        data={"hold_token": client.hold_token(), "variant_id": variant.id, "email": email, **extra},
    )


def test_the_join_form_shows_only_next_to_an_item_nobody_can_hold(client, engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    assert "Join the waitlist" not in client.get(_drop_url(drop)).get_data(as_text=True)
    assert engine.place_hold(drop.id, variant.id, "someone-else", 1).ok
    forget_cached_pages()  # the shared copy lives half a second, and this clock stands still
    page = client.get(_drop_url(drop))
    assert "Join the waitlist" in text_of(page) and "each held for you 5 minutes" in text_of(page)


def test_a_shopper_joins_sees_their_place_and_can_leave(client, engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    assert engine.place_hold(drop.id, variant.id, "someone-else", 1).ok
    services.join(db.session, engine, drop, variant.id, "first@example.com")

    joined = _join(client, drop, variant)
    assert joined.status_code == 303
    page = client.get(joined.headers["Location"])
    assert "You're number 2 on the waitlist" in text_of(page)
    assert "Fisherman jumper" in text_of(page)

    left = client.submit(joined.headers["Location"] + "/leave")
    assert left.status_code == 303
    assert "You left this waitlist" in text_of(client.get(left.headers["Location"]))
    assert services.waiting_count(db.session, variant.id) == 1


def test_bad_input_to_the_join_form_is_a_4xx_with_a_message(client, engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    free = _join(client, drop, variant)
    assert free.status_code == 409 and "units free right now" in text_of(free)
    assert engine.place_hold(drop.id, variant.id, "someone-else", 1).ok
    bad_email = _join(client, drop, variant, email="not-an-email")
    assert bad_email.status_code == 422 and "Enter a valid email address." in text_of(bad_email)
    no_email = _join(client, drop, variant, email="")
    assert no_email.status_code == 422 and "Enter your email to join the waitlist." in text_of(no_email)
    other = _join(client, drop, variant, variant_id=variant.id + 1000)
    assert other.status_code == 404 and "not part of this drop" in text_of(other)
    forged = client.post(f"/waitlist/drops/{drop.id}/join", data={"hold_token": "forged", "variant_id": variant.id,
                                                                   "email": "ada@example.com"})
    assert forged.status_code == 400
    assert client.get("/waitlist/entries/forged").status_code == 404
    assert services.waiting_count(db.session, variant.id) == 0


def test_the_offer_link_opens_the_cart_holding_the_unit_until_it_lapses(client, engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    assert engine.place_hold(drop.id, variant.id, "someone-else", 1).ok
    assert _join(client, drop, variant).status_code == 303
    clock.shift(timedelta(minutes=11))
    services.offer_returned_units(db.session, engine)
    body = db.session.scalar(select(OutboxEmail.body))
    link = re.search(r"http://[^/]+(/waitlist/offers/\S+)", body)[1]

    opened = client.get(link)
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/cart")
    cart = client.get("/cart")
    assert "Fisherman jumper" in text_of(cart) and "A unit came back for you" in text_of(cart)
    assert client.get_cookie(CART_COOKIE).value == services.live_offer(db.session, engine, *_ids(link)).offer_cart_token

    clock.shift(timedelta(minutes=6))
    gone = client.get(link)
    assert gone.status_code == 410 and "This offer has ended" in text_of(gone)
    assert client.get("/waitlist/offers/not-a-token").status_code == 404


def _ids(link: str):
    from mall.waitlist.links import read_offer_token

    return read_offer_token(link.rsplit("/", 1)[-1])


def test_the_brands_live_monitor_shows_how_many_wait(client, make, engine, one_unit_drop, clock):
    drop, variant, _ = one_unit_drop
    owner = make.member(drop.tenant, role="owner")
    assert engine.place_hold(drop.id, variant.id, "someone-else", 1).ok
    for email in ("a@example.com", "b@example.com"):
        services.join(db.session, engine, drop, variant.id, email)
    client.login_as(owner)
    page = client.get(f"/brands/aurora/drops/{drop.id}/live")
    assert page.status_code == 200 and "2 on the waitlist" in text_of(page)


def test_an_offer_opened_in_a_browser_with_its_own_cart_joins_that_cart(client, make, engine, one_unit_drop, clock):
    drop, variant, hub = one_unit_drop
    scarf = make.product(drop.tenant, name="Lambswool scarf", price_cents=3_000).variants[0]
    make.stock(scarf, hub, 5)
    other = make.drop(drop.tenant, [scarf], starts_in=timedelta(minutes=-1), tiers=())
    assert engine.place_hold(drop.id, variant.id, "someone-else", 1).ok
    assert _join(client, drop, variant).status_code == 303
    clock.shift(timedelta(minutes=11))
    assert client.submit("/cart/holds", {"drop_id": other.id, "variant_id": scarf.id, "quantity": 1}).status_code == 303
    own_cart = client.get_cookie(CART_COOKIE).value
    services.offer_returned_units(db.session, engine)
    link = re.search(r"http://[^/]+(/waitlist/offers/\S+)", db.session.scalar(select(OutboxEmail.body)))[1]

    assert client.get(link).status_code == 303
    cart = text_of(client.get("/cart"))
    assert "Lambswool scarf" in cart and "Fisherman jumper" in cart
    assert client.get_cookie(CART_COOKIE).value == own_cart
    assert sorted(h.variant_id for h in engine.cart_holds(own_cart)) == sorted([scarf.id, variant.id])
    assert client.get(link).status_code == 303  # opened again: still the same cart, still held
    assert len(engine.cart_holds(own_cart)) == 2
