"""Attribution: the last click within the window carries the order; commission is per brand line."""

import time
from datetime import timedelta

import time_machine
from sqlalchemy import select

from mall.clock import utcnow
from mall.extensions import db
from mall.links import services, stats
from mall.links.attribution import ATTRIBUTION_COOKIE, attribution_cookie, read_attribution
from mall.links.models import CreatorCommission
from mall.orders.models import Order, OrderLine
from mall.orders.services import cancel_line
from mall.stock.access import stock_engine
from tests.links.conftest import check_out, click, hold, make_link, partner


def placed_order() -> Order:
    db.session.expire_all()
    return db.session.scalars(select(Order).order_by(Order.id.desc())).first()


def credits_by_brand(order) -> dict:
    rows = db.session.scalars(select(CreatorCommission).where(CreatorCommission.order_id == order.id))
    return {row.tenant_id: row.commission_bp for row in rows}


def test_an_order_after_a_click_carries_the_link(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    click(client, link.code)
    hold(client, mall, "north")
    check_out(client, mall)
    assert placed_order().creator_link_id == link.id


def test_an_order_without_a_click_carries_no_link(client, mall):
    hold(client, mall, "north")
    check_out(client, mall)
    order = placed_order()
    assert order.creator_link_id is None and credits_by_brand(order) == {}


def test_the_window_is_respected(app, mall):
    north_terms = services.partnership(db.session, mall.brands["north"].id, mall.creator.id)
    services.change_terms(db.session, north_terms, 1000, 1)  # 1 hour
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    start = utcnow()
    inside, outside = app.test_client(), app.test_client()
    with time_machine.travel(start, tick=False):
        click(inside, link.code, ip="10.0.0.1")
        click(outside, link.code, ip="10.0.0.2")
    with time_machine.travel(start + timedelta(minutes=59)):
        hold(inside, mall, "north")
        check_out(inside, mall, email="inside@example.com")
        assert placed_order().creator_link_id == link.id
    with time_machine.travel(start + timedelta(minutes=61)):
        hold(outside, mall, "north")
        check_out(outside, mall, email="outside@example.com")
        assert placed_order().creator_link_id is None


def test_a_cookie_past_its_window_is_refused_even_if_the_browser_still_sends_it(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    two_days_ago = int(time.time()) - 2 * 86400
    client.set_cookie(ATTRIBUTION_COOKIE, attribution_cookie(link.id, two_days_ago, 86400))
    hold(client, mall, "north")
    check_out(client, mall)
    assert placed_order().creator_link_id is None


def test_a_forged_or_stretched_cookie_is_ignored(app, mall):
    link = make_link(mall.creator, mall.brands["north"])
    now = int(time.time())
    genuine = attribution_cookie(link.id, now, 3600)
    assert read_attribution(genuine, now) == link.id
    link_id, clicked, window, signature = genuine.split(".")
    for forged in (
        f"{int(link_id) + 1}.{clicked}.{window}.{signature}",  # someone else's link
        f"{link_id}.{clicked}.{10 ** 9}.{signature}",  # a longer window
        f"{link_id}.{clicked}.{window}.{'0' * 32}",
        f"{link_id}.{clicked}.{window}",
        "garbage", "", "1.2.3.4.5", "-1.0.0.x",
    ):
        assert read_attribution(forged, now) is None, forged
    assert read_attribution(genuine, now + 3601) is None
    assert read_attribution(attribution_cookie(link.id, now + 86400, 3600), now) is None  # clicked "tomorrow"


def test_the_last_click_wins(client, make, mall):
    bea = make.user(email="bea@example.com", name="Bea Creator", creator=True)
    partner(mall.brands["north"], bea, commission_bp=1500)
    ada_link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    bea_link = make_link(bea, mall.brands["north"], mall.drops["north"])
    click(client, ada_link.code)
    click(client, bea_link.code)
    hold(client, mall, "north")
    check_out(client, mall)
    order = placed_order()
    assert order.creator_link_id == bea_link.id
    assert credits_by_brand(order) == {mall.brands["north"].id: 1500}


def test_a_creator_who_left_the_programme_is_not_credited(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    click(client, link.code)
    services.end_partnership(db.session, services.partnership(db.session, mall.brands["north"].id, mall.creator.id))
    hold(client, mall, "north")
    check_out(client, mall)
    assert placed_order().creator_link_id is None


def test_a_creator_buying_through_their_own_link_earns_nothing(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    client.login_as(mall.creator)
    click(client, link.code)
    hold(client, mall, "north")
    check_out(client, mall)
    assert placed_order().creator_link_id is None


def test_commission_is_per_brand_line_at_each_brands_rate(client, mall):
    north, sole, plain = (mall.brands[s] for s in ("north", "sole", "plain"))
    link = make_link(mall.creator, north, mall.drops["north"])
    click(client, link.code)
    hold(client, mall, "north", qty=2)  # 2 x £40.00, north pays 10 %
    hold(client, mall, "sole")  # £90.00, sole pays 5 %
    hold(client, mall, "plain")  # £20.00, plain has no programme with this creator
    check_out(client, mall)

    order = placed_order()
    assert order.creator_link_id == link.id and order.total_cents == 19_000
    assert credits_by_brand(order) == {north.id: 1000, sole.id: 500}
    mine = stats.link_results(db.session, [link.id])[link.id]
    assert (mine.orders, mine.revenue_cents, mine.commission_cents) == (1, 17_000, 800 + 450)
    assert stats.link_results(db.session, [link.id], brand_id=sole.id)[link.id].commission_cents == 450
    assert stats.creator_credits(db.session, [mall.creator.id], north.id)[mall.creator.id].revenue_cents == 8_000
    assert stats.creator_credits(db.session, [mall.creator.id], plain.id) == {}


def test_new_terms_never_rewrite_credited_orders(client, app, mall):
    north = mall.brands["north"]
    link = make_link(mall.creator, north, mall.drops["north"])
    click(client, link.code)
    hold(client, mall, "north")
    check_out(client, mall, email="first@example.com")
    services.change_terms(db.session, services.partnership(db.session, north.id, mall.creator.id), 2000, 24)

    second = app.test_client()
    click(second, link.code, ip="10.0.0.7")
    hold(second, mall, "north")
    check_out(second, mall, email="second@example.com")

    mine = stats.link_results(db.session, [link.id])[link.id]
    assert (mine.orders, mine.revenue_cents, mine.commission_cents) == (2, 8_000, 400 + 800)


def test_a_cancelled_line_stops_earning(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    click(client, link.code)
    hold(client, mall, "north")
    hold(client, mall, "sole")
    check_out(client, mall)
    line = db.session.scalar(select(OrderLine).where(OrderLine.variant_id == mall.variants["sole"].id))
    assert cancel_line(db.session, stock_engine(), line)

    mine = stats.link_results(db.session, [link.id])[link.id]
    assert (mine.revenue_cents, mine.commission_cents) == (4_000, 400)
