"""A brand's parcels page, and the estimate a shopper gets on a drop page before buying."""

from datetime import timedelta

from mall.drops.models import DropStatus
from mall.extensions import db
from mall.fulfilment import status
from tests.fulfilment.conftest import live_drops, parcels_of
from tests.support import text_of

HTMX = {"HX-Request": "true"}


def test_a_brand_sees_the_parcels_carrying_its_lines_and_only_its_own_items(client, brands, two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    client.login_as(brands["knits"]["owner"])

    page = text_of(client.get("/brands/knits/parcels"))

    assert f"#{parcel.id} {two_brand_order.number} Soho Micro-hub pickup at Camden Pickup" in page
    assert "1 × Aurora Knits hero" in page
    assert "Sole Club hero" not in page
    assert "Parcels" in text_of(client.get("/brands/knits/orders"))  # the dashboard nav links here


def test_a_brand_filters_its_parcels_by_status(client, brands, two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    status.mark_ready(db.session, parcel)
    client.login_as(brands["shoes"]["owner"])
    on_the_road = client.get("/brands/shoes/parcels?status=in_transit", headers=HTMX)
    assert f"#{parcel.id}" in text_of(on_the_road)  # packed at Soho, travelling to Camden
    status.receive_at_point(db.session, db.session.get(type(parcel), parcel.id))

    ready = client.get("/brands/shoes/parcels?status=ready_for_pickup", headers=HTMX)
    assert ready.status_code == 200 and "<html" not in ready.get_data(as_text=True)
    assert f"#{parcel.id}" in text_of(ready)
    assert "No parcels in this state yet." in text_of(client.get("/brands/shoes/parcels?status=handed_over"))
    assert f"#{parcel.id}" in text_of(client.get("/brands/shoes/parcels?status=bogus"))  # unknown filter: all


def test_a_brand_without_parcels_sees_an_empty_list(client, make):
    owner = make.user()
    make.brand(owner=owner, slug="quiet")
    client.login_as(owner)
    assert "No parcels yet." in text_of(client.get("/brands/quiet/parcels"))


def _stocked_drop(make, hubs, brands):
    for row in brands.values():
        make.stock(row["variant"], hubs["soho"], 5)
    return live_drops(make, brands)["knits"]["drop"]


def test_the_drop_page_offers_an_estimate_for_the_shoppers_area(client, make, hubs, brands):
    drop = _stocked_drop(make, hubs, brands)
    page = client.get(f"/shop/knits/drops/{drop.id}")
    html = page.get_data(as_text=True)
    assert "When could you have it?" in text_of(page)
    assert f'action="/eta/knits/{drop.id}"' in html and f'hx-get="/eta/knits/{drop.id}"' in html
    assert "js/fulfilment.js" in html


def test_a_postcode_gets_delivery_and_pickup_estimates(client, make, hubs, brands):
    drop = _stocked_drop(make, hubs, brands)

    page = text_of(client.get(f"/eta/knits/{drop.id}?postcode=w1d+3qu"))
    assert "Delivery by about" in page and "from Soho Micro-hub" in page
    assert "Pickup at Camden Pickup, 1 Camden High St from about" in page

    fragment = client.get(f"/eta/knits/{drop.id}?lat=51.53&lon=-0.08", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "Delivery by about" in text_of(fragment)


def test_a_bad_area_gets_a_clear_message(client, make, hubs, brands):
    drop = _stocked_drop(make, hubs, brands)
    cases = {
        "postcode=ZZ9+9ZZ": "We only know London postcodes so far",
        "postcode=": "Enter your postcode, or use your location.",
        "lat=nan&lon=0": "Enter a number.",
        "lat=95&lon=0": "Number must be between -90 and 90.",
        "lat=abc&lon=1": "Not a valid float value.",
    }
    for query, message in cases.items():
        response = client.get(f"/eta/knits/{drop.id}?{query}", headers=HTMX)
        assert response.status_code == 422, query
        assert message in text_of(response), query


def test_no_estimate_for_a_drop_nobody_can_see_or_nobody_stocks(client, make, hubs, brands):
    live_drops(make, brands)
    drop = brands["knits"]["drop"]
    assert "No hub has this drop's items in stock right now." in text_of(client.get(f"/eta/knits/{drop.id}?postcode=E1"))
    draft = make.drop(brands["knits"]["brand"], [brands["knits"]["variant"]], status=DropStatus.DRAFT)
    assert client.get(f"/eta/knits/{draft.id}?postcode=E1").status_code == 404
    assert client.get(f"/eta/shoes/{drop.id}?postcode=E1").status_code == 404
    ended = make.drop(brands["knits"]["brand"], [brands["knits"]["variant"]], starts_in=-timedelta(hours=3))
    assert "When could you have it?" not in text_of(client.get(f"/shop/knits/drops/{ended.id}"))
