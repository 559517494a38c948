"""Every surface that shows a countdown writes it one way ("1 h 22 min", "10 min", "1 d 23 h"), at its first render."""

import re
from datetime import timedelta

import pytest
import time_machine

from mall.clock import utcnow
from tests.support import text_of

ONE_FORMAT = re.compile(r"^(\d+ d( \d+ h)?|\d+ h( \d+ min)?|\d+ min( \d+ s)?|\d+ s)$")
COUNTDOWN = re.compile(r'<span[^>]*data-countdown="[^"]+"[^>]*>([^<]*)</span>')


def countdowns(response) -> list[str]:
    found = COUNTDOWN.findall(response.get_data(as_text=True))
    assert found, "no countdown on the page"
    return [text.strip() for text in found]


@pytest.fixture
def mall(make):
    """A live drop ending in 1 h 22 min 30 s and one starting in 1 d 23 h 57 min, frozen in time."""
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False) as clock:
        hub = make.hub(code="HUB-T")
        pickup = make.hub(kind="pickup_point", code="PICK-T", name="Camden pickup")
        owner = make.user()
        brand = make.brand(name="North Knits")
        make.member(brand, owner, role="owner")
        variant = make.product(brand, name="Knit hero", price_cents=4_000).variants[0]
        make.stock(variant, hub, 5)
        live = make.drop(brand, [variant], starts_in=timedelta(minutes=-30), lasts=timedelta(minutes=112, seconds=30),
                         limit=3, title="Live knits")
        later = make.drop(brand, [variant], starts_in=timedelta(days=1, hours=23, minutes=57), title="Later knits")
        yield {"clock": clock, "brand": brand, "owner": owner, "variant": variant, "live": live, "later": later,
               "pickup": pickup}


def _hold(client, mall, **headers):
    form = {"drop_id": mall["live"].id, "variant_id": mall["variant"].id, "quantity": 1}
    return client.submit("/cart/holds", form, headers=headers)


def test_the_drop_page_counts_down_in_hours_and_minutes(client, mall):
    page = client.get(f"/shop/{mall['brand'].slug}/drops/{mall['live'].id}")
    assert countdowns(page)[0] == "1 h 22 min"
    assert all(ONE_FORMAT.match(text) for text in countdowns(page))


def test_home_and_brand_cards_count_down_to_the_upcoming_drop_in_days_and_hours(client, mall):
    for url in ("/", f"/shop/{mall['brand'].slug}"):
        texts = countdowns(client.get(url))
        assert "1 d 23 h" in texts and "1 h 22 min" in texts, url
        assert all(ONE_FORMAT.match(text) for text in texts), texts


def test_the_hold_reply_cart_and_checkout_count_the_hold_down_alike(client, mall):
    reply = _hold(client, mall, **{"HX-Request": "true"})
    assert countdowns(reply) == ["10 min"]
    mall["clock"].shift(timedelta(minutes=6, seconds=44))
    assert countdowns(client.get("/cart")) == ["3 min 16 s"]
    assert countdowns(client.get("/checkout")) == ["10 min"]  # opening checkout gives the hold a fresh length once


def test_the_tracking_page_counts_down_the_cancellation_window(client, mall):
    _hold(client, mall)
    page = client.get("/checkout").get_data(as_text=True)
    form = {
        "idempotency_key": re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1),
        "holds": re.search(r'name="holds"[^>]*value="([^"]*)"', page).group(1),
        "name": "Ada Shopper", "email": "ada@example.com", "fulfilment": "pickup",
        "pickup_hub_id": mall["pickup"].id, "payment_provider": "pay_on_handover",
    }
    tracking = client.submit("/checkout", form).headers["Location"]
    minutes = mall["brand"].cancellation_window_minutes
    assert countdowns(client.get(tracking)) == [f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"]


def test_the_monitor_and_the_dashboard_lists_count_down_in_the_same_words(client, mall):
    client.login_as(mall["owner"])
    slug = mall["brand"].slug
    assert countdowns(client.get(f"/brands/{slug}/drops/{mall['live'].id}/live")) == ["1 h 22 min"]
    assert countdowns(client.get(f"/brands/{slug}/drops/{mall['later'].id}")) == ["1 d 23 h"]
    listed = countdowns(client.get(f"/brands/{slug}/drops"))
    assert "1 h 22 min" in listed and "1 d 23 h" in listed
    assert all(ONE_FORMAT.match(text) for text in listed)
    assert all(ONE_FORMAT.match(text) for text in countdowns(client.get(f"/brands/{slug}/")))


def test_the_last_seconds_count_in_seconds_on_the_brands_drop_page(client, mall):
    client.login_as(mall["owner"])
    url = f"/brands/{mall['brand'].slug}/drops/{mall['live'].id}"
    assert "Ends in 1 h 22 min" in text_of(client.get(url))
    mall["clock"].shift(timedelta(hours=1, minutes=22, seconds=3))
    assert "Ends in 27 s" in text_of(client.get(url))
