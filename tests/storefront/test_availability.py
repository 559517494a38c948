import time
from datetime import timedelta

from mall.extensions import db
from tests.support import text_of


def fragment_url(drop) -> str:
    return f"/shop/{drop.tenant.slug}/drops/{drop.id}/availability"


def _set_soho_stock(mall, on_hand: int) -> None:
    mall["soho_level"].on_hand = on_hand
    db.session.commit()


def test_fragment_is_the_partial_alone(client, mall):
    response = client.get(fragment_url(mall["live"]), headers={"HX-Request": "true"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<body" not in html and "topbar" not in html
    assert "12</strong> left" in html
    assert "Soho Micro-hub" in html and "2 available" in html
    assert "Back to" not in html  # htmx swaps it into the drop page, which has its own links


def test_fragment_opened_without_javascript_links_back_to_the_drop(client, mall):
    html = client.get(fragment_url(mall["live"])).get_data(as_text=True)

    assert "<html" not in html
    assert f'href="/shop/aurora/drops/{mall["live"].id}"' in html and "Back to Fisherman jumper drop" in html


def test_fragment_reflects_a_stock_change_once_the_cache_expires(client, app, mall):
    assert "12</strong> left" in client.get(fragment_url(mall["live"])).get_data(as_text=True)
    _set_soho_stock(mall, 9)  # 9 - 3 sold = 6 at Soho

    time.sleep(app.config["AVAILABILITY_CACHE_SECONDS"] + 0.1)
    html = client.get(fragment_url(mall["live"])).get_data(as_text=True)

    assert "16</strong> left" in html and "6 available" in html


def test_within_the_cache_window_the_shown_stock_may_lag(client, app, mall, monkeypatch):
    monkeypatch.setitem(app.config, "AVAILABILITY_CACHE_SECONDS", 30)
    client.get(fragment_url(mall["live"]))
    _set_soho_stock(mall, 9)

    html = client.get(fragment_url(mall["live"])).get_data(as_text=True)

    assert "12</strong> left" in html  # served from Redis, not the stock tables


def test_drop_page_and_fragment_show_the_same_numbers(client, mall):
    page = text_of(client.get(f"/shop/aurora/drops/{mall['live'].id}"))
    fragment = text_of(client.get(fragment_url(mall["live"]), headers={"HX-Request": "true"}))

    assert fragment in page


def test_inactive_hubs_offer_nothing(client, mall):
    mall["soho"].active = False
    db.session.commit()

    html = client.get(fragment_url(mall["live"])).get_data(as_text=True)

    assert "Soho Micro-hub" not in html and "10</strong> left" in html


def test_polling_stops_once_the_drop_is_over(client, mall, clock):
    clock.shift(timedelta(hours=1))

    polled = client.get(fragment_url(mall["live"]), headers={"HX-Request": "true"})
    opened = client.get(fragment_url(mall["live"]))

    assert polled.status_code == 286  # htmx's "stop polling"
    assert opened.status_code == 200
