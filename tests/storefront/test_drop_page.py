from datetime import timedelta

import pytest

from mall.drops.models import DropStatus
from mall.extensions import db
from tests.support import text_of


def drop_url(drop, slug=None) -> str:
    return f"/shop/{slug or drop.tenant.slug}/drops/{drop.id}"


def test_brand_page_shows_tagline_its_drops_and_policies(client, make, mall):
    make.drop(mall["aurora"], mall["jumper"].variants, starts_in=timedelta(days=-3), title="Autumn run")
    make.drop(mall["aurora"], mall["jumper"].variants, status=DropStatus.DRAFT, title="Secret draft")

    response = client.get("/shop/aurora")

    page = text_of(response)
    assert response.status_code == 200
    assert "Aurora Knits" in page and "Jumpers for cold mornings." in page
    live, rest = page.split("Upcoming", 1)
    upcoming, past = rest.split("Past drops", 1)
    assert "Fisherman jumper drop" in live
    assert "No drops scheduled yet." in upcoming
    assert "Autumn run" in past
    assert "Secret draft" not in page
    assert "Oolong morning" not in page  # another brand's drop
    assert "Return unworn knits within 30 days." in page and "within 45 minutes" in page


def test_live_drop_page_shows_current_and_next_tier_hubs_policies_and_rules(client, mall):
    response = client.get(drop_url(mall["live"]))

    html, page = response.get_data(as_text=True), text_of(response)
    assert response.status_code == 200
    assert "Fisherman jumper drop" in page and "Ends in" in page
    assert "£28.00" in page and "−30%" in page  # current tier
    assert "From 12:15: 15% off — in 15 min" in page  # next tier: minute 20 after a 11:55 start
    assert "then £34.00 from 12:15" in page
    assert 'data-countdown="2026-03-02T12:15:00Z"' in html  # counting down to the tier change
    assert 'data-countdown="2026-03-02T12:55:00Z"' in html  # and to the end
    assert "Up to 2 units" in page and "held for 10 minutes" in page
    assert "Central Reserve Central reserve 10 available" in page
    assert "Soho Micro-hub Micro-hub 2 available" in page
    assert "12 left" in page
    assert "<details>" in html and "Seams guaranteed for a year." in page and "Cancel before dispatch." in page


def test_drop_page_region_polls_the_fragment_and_links_to_it(client, mall):
    html = client.get(drop_url(mall["live"])).get_data(as_text=True)

    url = drop_url(mall["live"]) + "/availability"
    assert f'hx-get="{url}" hx-trigger="every 5s"' in html
    assert 'aria-live="polite"' in html
    assert f'<a href="{url}"' in html and "Refresh availability" in html


def test_after_the_last_tier_change_there_is_no_next_tier(client, mall, clock):
    clock.shift(timedelta(minutes=30))

    page = text_of(client.get(drop_url(mall["live"])))

    assert "£34.00" in page and "−15%" in page
    assert "From " not in page


def test_a_tier_that_lapses_before_the_end_announces_the_full_price(client, make, mall):
    drop = make.drop(mall["aurora"], mall["jumper"].variants, tiers=((0, 30, 25),), title="Early bird only")

    page = text_of(client.get(drop_url(drop)))

    assert "£30.00" in page and "From 12:25: full price" in page and "then £40.00 from 12:25" in page


def test_upcoming_drop_page_counts_down_to_the_start_with_the_launch_price(client, mall):
    response = client.get(drop_url(mall["upcoming"]))

    page = text_of(response)
    assert response.status_code == 200
    assert "Starts in" in page and "£17.50" in page and "Launch price: 30% off until 14:20" in page
    assert 'data-countdown="2026-03-02T14:00:00Z"' in response.get_data(as_text=True)


def test_ended_drop_page_says_it_ended_with_sold_and_left_numbers(client, mall, clock):
    clock.shift(timedelta(hours=1))

    page = text_of(client.get(drop_url(mall["live"])))

    assert "This drop has ended" in page and "3 sold" in page and "12 left unsold" in page


def test_ended_and_sold_out_drop_says_sold_out(client, make, mall, clock):
    for level in mall["jumper"].variants[0].stock_levels:
        level.sold = level.on_hand
    db.session.commit()
    clock.shift(timedelta(hours=1))

    page = text_of(client.get(drop_url(mall["live"])))

    assert "15 sold" in page and "sold out" in page


def test_cancelled_drop_page_says_cancelled(client, mall):
    mall["live"].status = DropStatus.CANCELLED.value
    db.session.commit()

    response = client.get(drop_url(mall["live"]))

    assert response.status_code == 200
    assert "This drop was cancelled by Aurora Knits" in text_of(response)
    assert 'hx-get="/shop/aurora/drops/' not in response.get_data(as_text=True)  # nothing asks about it again


@pytest.mark.parametrize("suffix", ["", "/availability"])
def test_unknown_brand_other_brands_drop_and_drafts_are_404(client, make, mall, suffix):
    draft = make.drop(mall["aurora"], mall["jumper"].variants, status=DropStatus.DRAFT)

    assert client.get("/shop/nobody").status_code == 404
    assert client.get(drop_url(mall["live"], slug="nobody") + suffix).status_code == 404
    assert client.get(drop_url(mall["upcoming"], slug="aurora") + suffix).status_code == 404
    assert client.get(drop_url(draft) + suffix).status_code == 404
    assert client.get(f"/shop/aurora/drops/999999{suffix}").status_code == 404
    assert client.get(f"/shop/aurora/drops/{10**20}{suffix}").status_code == 404  # past any database integer
    assert client.get(drop_url(mall["live"]) + suffix).status_code == 200


def test_variants_of_one_hero_product_are_listed_together_with_their_prices(client, make, mall):
    boots = make.product(mall["aurora"], name="Felt boots", variants=0)
    small = make.variant(boots, sku="BOOT-S", name="Size 5", price_cents=6000)
    large = make.variant(boots, sku="BOOT-L", name="Size 9", price_cents=7000)
    make.stock(small, mall["soho"], 3)
    make.stock(large, mall["soho"], 3)
    drop = make.drop(mall["aurora"], [small, large], title="Boot drop")

    response = client.get(drop_url(drop))

    page = text_of(response)
    assert response.get_data(as_text=True).count("<h3>Felt boots</h3>") == 1
    assert "Size 5 £42.00 was £60.00 −30% then £51.00 from 12:15" in page
    assert "Size 9 £49.00 was £70.00 −30% then £59.50 from 12:15" in page
