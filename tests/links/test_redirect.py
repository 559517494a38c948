"""`/c/<code>`: a 302 to the stored internal destination, answered from Redis alone."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, update

from mall.drops.models import Drop, DropStatus
from mall.extensions import db, redis_client
from mall.links.attribution import ATTRIBUTION_COOKIE
from mall.links.clicks import VISITOR_COOKIE
from mall.stock.engine import StockEngine
from tests.links.conftest import BROWSER, click, make_link, ready_table
from tests.support import text_of


def _cookie(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


def test_a_drop_link_redirects_to_the_drop_and_sets_first_party_cookies(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])

    response = click(client, link.code)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/shop/north/drops/{mall.drops['north'].id}"
    assert response.headers["Cache-Control"] == "no-store"
    attribution, visitor = _cookie(response, ATTRIBUTION_COOKIE), _cookie(response, VISITOR_COOKIE)
    assert attribution and "HttpOnly" in attribution and "SameSite=Lax" in attribution and "Max-Age=86400" in attribution
    assert visitor and "Max-Age=31536000" in visitor and "Domain" not in visitor
    assert "Drop" in text_of(client.get(response.headers["Location"]))


def test_a_brand_link_goes_to_the_brand_page_and_codes_are_case_insensitive(client, mall):
    make_link(mall.creator, mall.brands["sole"], code="sole-fans")

    response = click(client, "Sole-FANS")

    assert response.status_code == 302
    assert response.headers["Location"] == "/shop/sole"


def test_an_unknown_code_is_a_friendly_404(client, mall):
    ready_table()
    response = click(client, "no-such-link")
    assert response.status_code == 404
    assert "This link does not lead anywhere" in text_of(response)
    assert "Location" not in response.headers


def test_before_the_table_is_loaded_a_miss_asks_to_try_again_instead_of_denying_a_real_link(client, mall):
    response = click(client, "not-loaded-yet")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again in a few seconds" in text_of(response)
    assert redis_client().exists("fm:links:warming")


def test_an_ended_drop_sends_the_shopper_to_the_brand_page_with_a_message(client, mall):
    drop = mall.drops["north"]
    link = make_link(mall.creator, mall.brands["north"], drop)

    with time_machine.travel(drop.ends_at + timedelta(seconds=1)):
        response = click(client, link.code)  # the stored end time alone tells: no sync, no database
        assert response.status_code == 302
        assert response.headers["Location"] == "/shop/north"
        assert "That drop has ended" in text_of(client.get("/shop/north"))


def test_a_cancelled_drop_redirects_to_the_brand_once_the_table_is_synced(client, mall):
    drop = mall.drops["north"]
    link = make_link(mall.creator, mall.brands["north"], drop)
    db.session.execute(update(Drop).where(Drop.id == drop.id).values(status=DropStatus.CANCELLED.value))
    db.session.commit()
    ready_table()

    response = click(client, link.code)

    assert response.headers["Location"] == "/shop/north"
    assert "That drop has ended" in text_of(client.get("/shop/north"))


def test_a_drop_the_stock_engine_shows_sold_out_goes_to_the_brand_page(client, mall, engine):
    drop, variant = mall.drops["sole"], mall.variants["sole"]
    link = make_link(mall.creator, mall.brands["sole"], drop)
    assert engine.place_hold(drop.id, variant.id, "cart-big", 5).ok
    assert engine.place_hold(drop.id, variant.id, "cart-other", 5).ok  # every unit held: nothing left to buy

    response = click(client, link.code)

    assert response.headers["Location"] == "/shop/sole"
    assert "Every unit of that drop is sold or held right now" in text_of(client.get("/shop/sole"))
    engine.release_hold("cart-big", engine.cart_holds("cart-big")[0].id)
    assert click(client, link.code).headers["Location"] == f"/shop/sole/drops/{drop.id}"


def test_a_drop_with_no_stock_left_in_the_database_counts_as_sold_out_before_the_engine_loads_it(client, make, mall):
    brand = mall.brands["north"]
    variant = make.product(brand, name="Gone already").variants[0]
    make.stock(variant, mall.hub, 0)
    drop = make.drop(brand, [variant], tiers=())
    link = make_link(mall.creator, brand, drop)

    assert click(client, link.code).headers["Location"] == "/shop/north"


def test_the_redirect_never_touches_the_database(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    ready_table()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for code in (link.code, link.code, "unknown-code"):
            click(client, code)
        click(client, link.code, agent="Googlebot/2.1")
        click(client, link.code, method="HEAD")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []


def test_when_redis_is_down_the_redirect_says_try_again_never_500(client, mall, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    from mall.links.table import LinkTable

    link = make_link(mall.creator, mall.brands["north"])

    def down(self, *args, **kwargs):
        raise RedisDown("gone")

    monkeypatch.setattr(LinkTable, "follow", down)
    response = click(client, link.code)
    assert response.status_code == 503
    assert "Location" not in response.headers


@pytest.mark.parametrize("agent", [BROWSER, "Googlebot/2.1", ""])
def test_bots_and_head_requests_still_reach_the_destination(client, mall, agent):
    link = make_link(mall.creator, mall.brands["north"])
    assert click(client, link.code, agent=agent).headers["Location"] == "/shop/north"
    assert click(client, link.code, agent=agent, method="HEAD").headers["Location"] == "/shop/north"


def test_a_click_asks_the_stock_engine_whether_the_drop_is_sold_out(client, mall, engine, monkeypatch):
    drop, variant = mall.drops["sole"], mall.variants["sole"]
    link = make_link(mall.creator, mall.brands["sole"], drop)
    assert engine.place_hold(drop.id, variant.id, "cart-a", 1).ok  # loaded: 9 of 10 units free
    asked = []

    def none_left(self, drop_id):
        asked.append(drop_id)
        return 0

    monkeypatch.setattr(StockEngine, "drop_units_left", none_left)

    assert click(client, link.code).headers["Location"] == "/shop/sole"
    assert asked == [drop.id]


def test_a_sold_out_drop_with_a_fallback_lands_on_its_drop_page_offering_the_fallback(client, make, mall, engine):
    drop, variant, brand = mall.drops["sole"], mall.variants["sole"], mall.brands["sole"]
    socks = make.product(brand, name="Club socks", price_cents=1_500).variants[0]
    make.stock(socks, mall.hub, 3)
    drop.fallback_variant_id = socks.id
    db.session.commit()
    link = make_link(mall.creator, brand, drop)
    assert engine.place_hold(drop.id, variant.id, "cart-big", 5).ok
    assert engine.place_hold(drop.id, variant.id, "cart-other", 5).ok

    response = click(client, link.code)

    assert response.headers["Location"] == f"/shop/sole/drops/{drop.id}"
    page = client.get(response.headers["Location"])
    html, text = page.get_data(as_text=True), text_of(page)
    assert "Every unit of that drop is sold or held right now." in text
    assert "Offered instead Club socks" in text and "All held — 10 may come back by" in text
    hold_forms = re.findall(r'<form[^>]*class="hold-form".*?</form>', html, re.S)
    sold_here = [re.search(r'name="variant_id" value="(\d+)"', form).group(1) for form in hold_forms]
    assert sold_here == [str(socks.id)]  # only the fallback can be added to a cart
    assert "Leave your email" in text  # the held item offers its waitlist instead


def test_the_brand_page_a_sold_out_link_lands_on_says_sold_out_not_live(client, mall):
    drop, variant = mall.drops["sole"], mall.variants["sole"]
    variant.stock_levels[0].sold = 10
    db.session.commit()
    link = make_link(mall.creator, mall.brands["sole"], drop)

    landing = client.get(click(client, link.code).headers["Location"])

    html, text = landing.get_data(as_text=True), text_of(landing)
    assert 'data-sell-state="sold_out">Sold out</span>' in html and 'data-sell-state="live"' not in html
    assert "Shop the drop" not in text
