from datetime import timedelta

from sqlalchemy import event

from mall.drops.models import DropStatus
from mall.extensions import db
from tests.support import text_of


def _sections(html: str) -> tuple[str, str, str]:
    live, rest = html.split('id="upcoming-heading"', 1)
    upcoming, brands = rest.split('id="brands-heading"', 1)
    return live, upcoming, brands


def test_home_lists_live_and_upcoming_drops_across_brands_with_prices_and_units(client, mall):
    response = client.get("/")

    assert response.status_code == 200
    live, upcoming, brands = _sections(response.get_data(as_text=True))
    assert "Fisherman jumper drop" in live and "Aurora Knits" in live
    assert "£28.00" in live and "£40.00" in live  # 30% off the first 20 minutes, list price struck through
    assert "<s class=\"was\">" in live
    assert "12</strong> left" in live  # 10 in the reserve + (5 - 3 sold) in Soho
    assert f'data-countdown="2026-03-02T12:55:00Z"' in live  # ends in 55 minutes
    assert "Oolong morning" in upcoming and "Borealis Tea" in upcoming
    assert "£17.50" in upcoming  # launch price: the first tier's 30% off
    assert 'data-countdown="2026-03-02T14:00:00Z"' in upcoming  # starts in 2 hours
    assert "Oolong morning" not in live and "Fisherman jumper drop" not in upcoming
    assert "Aurora Knits" in brands and "Jumpers for cold mornings." in brands
    assert f'href="/shop/aurora/drops/{mall["live"].id}"' in live


def test_price_follows_the_tier_and_units_follow_sales(client, mall, clock):
    clock.shift(timedelta(minutes=20))  # 25 minutes in: the 15% tier
    mall["soho_level"].sold = 5
    db.session.commit()

    live, _, _ = _sections(client.get("/").get_data(as_text=True))

    assert "£34.00" in live and "£28.00" not in live
    assert "10</strong> left" in live


def test_drafts_cancelled_and_ended_drops_are_not_on_the_front(client, make, mall):
    variants = mall["jumper"].variants
    make.drop(mall["aurora"], variants, status=DropStatus.DRAFT, title="Secret draft")
    make.drop(mall["aurora"], variants, status=DropStatus.CANCELLED, title="Called off")
    make.drop(mall["aurora"], variants, starts_in=timedelta(hours=-3), lasts=timedelta(hours=1), title="Last week")

    page = text_of(client.get("/"))

    assert "Fisherman jumper drop" in page
    for hidden in ("Secret draft", "Called off", "Last week"):
        assert hidden not in page


def test_a_drop_whose_stored_status_lags_is_shown_by_the_clock(client, make, mall, clock):
    clock.shift(timedelta(hours=2, minutes=1))  # the upcoming drop has started, its row still says scheduled

    live, upcoming, _ = _sections(client.get("/").get_data(as_text=True))

    assert "Oolong morning" in live and "Oolong morning" not in upcoming
    assert "Fisherman jumper drop" not in live  # ended an hour ago


def test_empty_mall_says_so(client, app_ctx):
    page = text_of(client.get("/"))
    assert "Nothing is live right now" in page and "No drops are scheduled yet." in page


def _statements_for(client, url: str) -> int:
    count = 0

    def counter(*args, **kwargs):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return count


def test_home_queries_do_not_grow_with_the_number_of_drops(client, make, mall):
    few = _statements_for(client, "/")
    for n in range(18):
        brand = make.brand()
        product = make.product(brand, variants=2)
        make.stock(product.variants[0], mall["soho"], 4)
        make.stock(product.variants[1], mall["central"], 4)
        make.drop(brand, product.variants, starts_in=timedelta(minutes=n - 9))

    many = _statements_for(client, "/")

    assert many == few


def test_a_drop_with_several_options_leads_with_the_cheapest(client, make, mall):
    boots = make.product(mall["aurora"], name="Felt boots", variants=0)
    large = make.variant(boots, sku="BOOT-L", name="Size 9", price_cents=7000)
    small = make.variant(boots, sku="BOOT-S", name="Size 5", price_cents=6000)
    make.stock(large, mall["soho"], 2)
    make.stock(small, mall["soho"], 2)
    make.drop(mall["aurora"], [large, small], title="Boot drop")

    page = text_of(client.get("/"))

    assert "Boot drop Felt boots · 2 options from £42.00 was £60.00 −30%" in page
