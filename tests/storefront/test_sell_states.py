"""Every shop surface says the drop's true sell state: live, all held (and when units may come back), sold out,
upcoming, ended; a sold-out or all-held item never shows a buy button or a "now" discount, and its drop offers the
fallback item."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from mall.drops.models import DropStatus
from mall.extensions import db
from mall.storefront.cache import forget_cached_pages
from tests.support import text_of

# The `mall` fixture (conftest.py): Aurora's live drop, Fisherman jumper at £40.00, 30% off until 12:20, 12 units
# free (10 at the Central Reserve, 2 of 5 at Soho), limit 2 per shopper, holds of 10 minutes; the clock at 12:00.


@pytest.fixture
def clock(app_ctx):
    """12:00 UTC on a day to come: Redis expires a drop's keys by its own clock, so holds need a real future."""
    noon = datetime.combine(date.today() + timedelta(days=30), time(12, 0), tzinfo=UTC)
    with time_machine.travel(noon, tick=False) as traveller:
        yield traveller


def drop_url(drop) -> str:
    return f"/shop/{drop.tenant.slug}/drops/{drop.id}"


def sell_out(mall) -> None:
    """Every jumper sold (as checkouts elsewhere would leave the stock rows)."""
    for level in mall["jumper"].variants[0].stock_levels:
        level.sold = level.on_hand
    db.session.commit()
    forget_cached_pages()  # the clock stands still: a page rendered before would otherwise be served again


def hold_everything(mall, engine) -> None:
    """Six shoppers hold the 12 free jumpers, two each, at 12:00: their holds end at 12:10."""
    drop, variant = mall["live"], mall["jumper"].variants[0]
    for n in range(6):
        assert engine.place_hold(drop.id, variant.id, f"cart-{n}", 2).ok


@pytest.fixture
def scarf(make, mall):
    """Aurora's fallback for the jumper drop: a scarf at £20.00 with 4 units at Soho."""
    scarf = make.product(mall["aurora"], name="Fisherman scarf", price_cents=2000).variants[0]
    make.stock(scarf, mall["soho"], 4)
    mall["live"].fallback_variant_id = scarf.id
    db.session.commit()
    return scarf


def no_buy_button_or_now_badge(html: str) -> None:
    assert "Add to cart" not in html
    assert "off now" not in html.lower()
    assert 'class="badge live"' not in html


def test_a_live_item_is_sold_with_its_button_and_now_badge(client, mall):
    html = client.get(drop_url(mall["live"])).get_data(as_text=True)

    assert "Add to cart" in html and "30% off now" in html
    assert 'data-sell-state="live">Live</span>' in html


def test_a_sold_out_drop_page_says_sold_out_and_sells_nothing(client, mall):
    sell_out(mall)

    page = client.get(drop_url(mall["live"]))
    html, text = page.get_data(as_text=True), text_of(page)

    no_buy_button_or_now_badge(html)
    assert 'data-sell-state="sold_out">Sold out</span>' in html
    assert "Sold out." in text
    assert "Sold out List price £40.00" in text  # the item itself, without a discounted "now" price
    assert "£28.00" not in text


def test_an_all_held_drop_says_how_many_may_come_back_and_by_when(client, mall, engine):
    hold_everything(mall, engine)

    page = client.get(drop_url(mall["live"]))
    html, text = page.get_data(as_text=True), text_of(page)

    no_buy_button_or_now_badge(html)
    assert 'data-sell-state="all_held">All held</span>' in html
    assert "All held — 12 may come back by 12:10" in text


def test_the_latest_hold_decides_when_units_may_come_back(client, mall, engine, clock):
    drop, variant = mall["live"], mall["jumper"].variants[0]
    for n in range(5):
        assert engine.place_hold(drop.id, variant.id, f"early-{n}", 2).ok  # end at 12:10
    clock.shift(timedelta(minutes=3, seconds=20))
    assert engine.place_hold(drop.id, variant.id, "late", 2).ok  # ends at 12:13:20: by 12:14 at the latest

    assert "All held — 12 may come back by 12:14" in text_of(client.get(drop_url(drop)))


def test_the_live_fragment_says_the_state_too(client, mall, engine):
    hold_everything(mall, engine)
    fragment = client.get(drop_url(mall["live"]) + "/availability", headers={"HX-Request": "true"})
    assert "All held — 12 may come back by 12:10" in text_of(fragment)

    for n in range(6):
        engine.release_hold(f"cart-{n}", engine.cart_holds(f"cart-{n}")[0].id)
    sell_out(mall)
    fragment = client.get(drop_url(mall["live"]) + "/availability", headers={"HX-Request": "true"})
    assert 'data-sell-state="sold_out"' in fragment.get_data(as_text=True)
    assert "Sold out" in text_of(fragment)


@pytest.mark.parametrize("page", ["/", "/shop/aurora"])
def test_cards_of_a_sold_out_drop_say_sold_out_not_shop_the_drop(client, mall, page):
    assert "Shop the drop" in text_of(client.get(page))
    sell_out(mall)

    response = client.get(page)
    html, text = response.get_data(as_text=True), text_of(response)

    assert "Fisherman jumper drop" in text
    assert "Shop the drop" not in text and "View drop" in text
    assert 'data-sell-state="sold_out">Sold out</span>' in html
    assert 'data-sell-state="live"' not in html
    assert "£28.00" not in text  # no discounted price shown for what cannot be bought


@pytest.mark.parametrize("page", ["/", "/shop/aurora"])
def test_cards_of_an_all_held_drop_say_when_units_may_come_back(client, mall, engine, page):
    hold_everything(mall, engine)

    text = text_of(client.get(page))

    assert "All held — 12 may come back by 12:10" in text
    assert "Shop the drop" not in text


def test_upcoming_and_ended_drops_keep_their_own_states(client, mall, make, clock):
    ended = make.drop(mall["aurora"], mall["jumper"].variants, starts_in=timedelta(hours=-3), lasts=timedelta(hours=1),
                      title="Last week's jumpers")
    home = client.get("/").get_data(as_text=True)
    assert 'data-sell-state="upcoming">Upcoming</span>' in home  # the Oolong morning, in two hours

    brand = client.get("/shop/aurora").get_data(as_text=True)
    assert 'data-sell-state="ended">Ended</span>' in brand
    page = client.get(drop_url(ended)).get_data(as_text=True)
    assert "Add to cart" not in page and 'data-sell-state="ended"' in page


def test_a_cancelled_drop_is_never_shown_as_live(client, mall):
    mall["live"].status = DropStatus.CANCELLED.value
    db.session.commit()
    html = client.get(drop_url(mall["live"])).get_data(as_text=True)
    assert ">Cancelled</span>" in html and "Add to cart" not in html


def test_a_sold_out_hero_offers_the_fallback_with_its_price_on_the_drop_page(client, mall, scarf):
    page = client.get(drop_url(mall["live"]))
    assert "Offered instead" not in text_of(page)  # the hero is on sale: no fallback yet

    sell_out(mall)
    page = client.get(drop_url(mall["live"]))
    html, text = page.get_data(as_text=True), text_of(page)

    assert "Sold out — Aurora Knits offers Fisherman scarf instead." in text
    assert "Offered instead Fisherman scarf" in text
    assert "£14.00 was £20.00 −30% 4 left" in text  # the drop's tier prices the fallback too
    forms = re.findall(r'<form[^>]*class="hold-form".*?</form>', html, flags=re.DOTALL)
    assert len(forms) == 1 and f'name="variant_id" value="{scarf.id}"' in forms[0]
    assert "Offered instead: Fisherman scarf — 4 available" in text  # the live stock panel, apart from the drop's
    assert "0 left" in text  # the drop's own units stay about its hero


def test_an_all_held_hero_offers_the_fallback_too(client, mall, engine, scarf):
    hold_everything(mall, engine)
    text = text_of(client.get(drop_url(mall["live"])))
    assert "All held — 12 may come back by 12:10 — Aurora Knits offers Fisherman scarf instead." in text


@pytest.mark.parametrize("page", ["/", "/shop/aurora"])
def test_cards_offer_the_fallback(client, mall, scarf, page):
    sell_out(mall)
    text = text_of(client.get(page))
    assert "Sold out Instead: Fisherman scarf £14.00 was £20.00 −30% 4 left" in text
    assert "Shop the fallback" in text


def test_a_fallback_that_is_sold_out_too_is_not_offered(client, mall, scarf):
    sell_out(mall)
    scarf.stock_levels[0].sold = 4
    db.session.commit()
    text = text_of(client.get(drop_url(mall["live"])))
    assert "Offered instead" not in text and "Add to cart" not in text


def test_the_fallback_is_held_priced_and_checked_out_like_any_item(client, make, mall, scarf):
    pickup = make.hub(kind="pickup_point", code="PP-1", name="Camden pickup")
    sell_out(mall)
    drop = mall["live"]

    held = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": scarf.id, "quantity": 2})
    assert held.status_code == 303
    over = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": scarf.id, "quantity": 1})
    assert over.status_code == 409 and "2 per shopper" in text_of(over)  # the drop's limit of 2 covers the fallback
    cart = text_of(client.get("/cart"))
    assert "Fisherman scarf" in cart and "Fisherman jumper drop" in cart and "Total £28.00" in cart

    checkout = client.get("/checkout").get_data(as_text=True)
    form = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', checkout).group(1) for name in ("idempotency_key", "holds")}
    form.update(name="Ada Shopper", email="ada@example.com", fulfilment="pickup", pickup_hub_id=pickup.id,
                payment_provider="pay_on_handover")
    placed = client.submit("/checkout", form)
    assert placed.status_code == 303
    order = text_of(client.get(placed.headers["Location"]))
    assert "Fisherman scarf" in order and "£28.00" in order


def test_an_expired_hold_of_a_sold_out_item_offers_no_hold_again(client, mall, engine, clock):
    drop, variant = mall["live"], mall["jumper"].variants[0]
    assert client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": 1}).status_code == 303
    clock.shift(timedelta(minutes=11))  # the hold expires
    assert "Hold again" in text_of(client.get("/cart"))

    hold_everything(mall, engine)
    cart = text_of(client.get("/cart"))
    assert "Your hold expired. All held — 12 may come back by 12:21" in cart and "Hold again" not in cart

    for n in range(6):
        engine.release_hold(f"cart-{n}", engine.cart_holds(f"cart-{n}")[0].id)
    sell_out(mall)
    cart = text_of(client.get("/cart"))
    assert "Your hold expired. Sold out" in cart and "Hold again" not in cart


def test_the_home_page_copy_follows_the_tiers_direction(client, mall, make):
    # The fixture's drops go 30% off then 15% off: the price steps up.
    assert "Prices step up in tiers: the earliest shoppers pay least" in text_of(client.get("/"))

    for drop in (mall["live"], mall["upcoming"]):
        for tier in drop.tiers:
            tier.percent_off = 10 if tier.from_minute == 0 else 40
    db.session.commit()
    assert "Prices step down in tiers as a drop goes on" in text_of(client.get("/"))
