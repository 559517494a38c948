"""The live monitor: the figures a brand watches during the drop, refreshed by htmx from one shared computation."""

import re
import threading
import time
from datetime import timedelta

import time_machine

from mall.extensions import db, redis_client
from mall.monitor import live
from mall.monitor.shared_cache import shared_value
from mall.support.models import Topic
from mall.support.services import open_about_order
from tests.monitor.conftest import at
from tests.support import text_of

HTMX = {"HX-Request": "true"}


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"><strong>([^<]*)</strong>', html)
    assert found, f"no {name} figure in the page"
    return found.group(1)


def url(shop) -> str:
    return f"/brands/{shop.north.slug}/drops/{shop.drop.id}/live"


def test_the_monitor_shows_units_holds_orders_funnel_links_and_threads(shop, client):
    s = shop
    with time_machine.travel(at(1), tick=False) as clock:
        s.clock = clock
        s.views(1, 12)
        ada = s.buy(3, "cart-ada", "ada@example.com", [s.hold(2, "cart-ada", 2)])
        s.hold(4, "cart-bob")
        s.move_to(5)
        open_about_order(db.session, ada, s.sub_order(ada, s.north), Topic.LINES, "When can I collect?")
        client.login_as(s.owner)
        page = client.get(url(s))

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert [figure(html, n) for n in ("units-left", "held", "sold", "orders")] == ["12", "1", "2", "1"]
    # 3 units held over 12:01-12:05 (none back yet): 0.6 a minute, so the 12 left last about 20 minutes
    assert figure(html, "sellout") == "20 min"
    assert "12 views → 2 holds (16.7%) → 1 order (50.0% of holds, 8.3% of views)" in text_of(page)
    assert re.search(r'<tr data-hub="Soho Micro-hub"><td>Soho Micro-hub</td><td class="num">15</td>'
                     r'<td class="num">12</td>\s*<td class="num">1</td><td class="num">2</td>', html)
    assert "Order " in html and "When can I collect?" not in html  # the thread is listed by its subject
    assert 'data-figure="threads">(1)' in html
    chart = re.search(r'<svg [^>]*data-chart="per-minute" data-top="1".*?</svg>', html, re.S).group(0)
    assert chart.count('class="series-holds"') == 2 and chart.count('class="series-orders"') == 1  # 12:02, 12:04; 12:03
    assert 'hx-trigger="every 2s"' in html and f'href="{url(s)}"' in html  # polls, and a real link to refresh


def test_a_poll_after_a_new_hold_and_order_gets_new_figures_without_the_page(shop, client):
    s = shop
    with time_machine.travel(at(1), tick=False) as clock:
        s.clock = clock
        s.buy(3, "cart-ada", "ada@example.com", [s.hold(2, "cart-ada", 2)])
        client.login_as(s.owner)
        before = client.get(url(s), headers=HTMX).get_data(as_text=True)
        s.buy(6, "cart-cat", "cat@example.com", [s.hold(6, "cart-cat")])
        s.hold(6, "cart-bob", 2)
        after = client.get(url(s), headers=HTMX).get_data(as_text=True)

    assert before.lstrip().startswith('<div id="monitor"') and "<html" not in after
    assert [figure(before, n) for n in ("units-left", "held", "sold", "orders")] == ["13", "0", "2", "1"]
    assert [figure(after, n) for n in ("units-left", "held", "sold", "orders")] == ["10", "2", "3", "2"]


def test_fifty_polls_within_the_freshness_window_compute_once(shop, client, monkeypatch):
    computed = []
    real = live.compute_figures
    monkeypatch.setattr(live, "compute_figures", lambda *args: computed.append(1) or real(*args))
    client.login_as(shop.owner)
    with time_machine.travel(at(5), tick=False) as clock:
        statuses = {client.get(url(shop), headers=HTMX).status_code for _ in range(50)}
        assert statuses == {200} and len(computed) == 1
        clock.shift(timedelta(seconds=2))  # past the 1.5 s freshness: the next poll recomputes, once
        for _ in range(10):
            client.get(url(shop), headers=HTMX)
    assert len(computed) == 2


def test_simultaneous_polls_on_a_cold_cache_wait_for_one_computation(app_ctx):
    computed, answers, redis = [], [], redis_client()

    def slow():
        computed.append(1)
        time.sleep(0.3)  # a slow set of queries, so the other callers arrive while it runs
        return {"units_left": 7}

    def poll():
        answers.append(shared_value(redis, "fm:monitor:test", 1.5, slow))

    threads = [threading.Thread(target=poll) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(computed) == 1 and answers == [{"units_left": 7}] * 8


def test_a_support_member_may_watch_and_another_brand_gets_404(shop, client, make):
    agent = make.member(shop.north, role="support")
    client.login_as(agent)
    assert client.get(url(shop)).status_code == 200
    outsider = make.user()
    make.brand(owner=outsider)
    client.login_as(outsider)
    assert client.get(url(shop)).status_code == 404
    assert client.get(url(shop), headers=HTMX).status_code == 404


def test_the_drop_page_and_the_drops_list_link_to_the_monitor_while_live(shop, client):
    client.login_as(shop.owner)
    with time_machine.travel(at(5), tick=False):
        detail = client.get(f"/brands/north/drops/{shop.drop.id}").get_data(as_text=True)
        listing = client.get("/brands/north/drops").get_data(as_text=True)
    assert f'href="{url(shop)}">Live monitor</a>' in detail
    assert f'href="{url(shop)}">Live monitor</a>' in listing


def test_after_the_drop_the_monitor_stops_polling_and_points_to_the_report(shop, client):
    client.login_as(shop.owner)
    with time_machine.travel(at(75), tick=False):
        html = client.get(url(shop)).get_data(as_text=True)
        detail = client.get(f"/brands/north/drops/{shop.drop.id}").get_data(as_text=True)
    assert "hx-trigger" not in html.split('id="monitor"')[1].split(">")[0]
    assert f'href="/brands/north/drops/{shop.drop.id}/report">Post-drop report</a>' in html
    assert f'href="/brands/north/drops/{shop.drop.id}/report">Post-drop report</a>' in detail


def test_the_monitor_says_all_held_then_sold_out_and_shows_the_fallback_apart(shop, client):
    s = shop
    scarf = s.make.product(s.north, name="Fisherman scarf", price_cents=2000).variants[0]
    s.make.stock(scarf, s.hub, 4)
    s.drop.fallback_variant_id = scarf.id
    db.session.commit()
    with time_machine.travel(at(1), tick=False) as clock:
        s.clock = clock
        holds = [s.hold(1, f"cart-{n}", 3) for n in range(5)]  # all 15 held, until 12:11
        client.login_as(s.owner)
        html = client.get(url(s)).get_data(as_text=True)
        assert 'data-sell-state="all_held">All held</span>' in html
        assert "All held — 15 may come back by 12:11" in html
        assert "Offered instead: <strong>Fisherman scarf</strong>" in html and "4 free, 0 held, 0 sold" in html

        for n, hold in enumerate(holds):
            s.buy(2, f"cart-{n}", f"shopper{n}@example.com", [hold])
        redis_client().delete(live.cache_key(s.drop.id))
        html = client.get(url(s)).get_data(as_text=True)
    assert 'data-sell-state="sold_out">Sold out</span>' in html and ">Live<" not in html
    assert figure(html, "units-left") == "0" and figure(html, "sold") == "15"
