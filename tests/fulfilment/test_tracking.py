"""The shopper's tracking page: parcels, timeline, where and when, the cancellation window, live refresh."""

from sqlalchemy import delete, select, update

from mall.extensions import db
from mall.fulfilment import status
from mall.fulfilment.jobs import commit_parcel_etas, reestimate_hub_etas
from mall.fulfilment.models import Parcel
from mall.hubs.models import Hub
from mall.orders.models import OrderLine
from mall.orders.services import cancel_line
from tests.fulfilment.conftest import checkout, delivery_to, hold, live_drops, parcels_of
from tests.support import text_of

HTMX = {"HX-Request": "true"}


def test_the_order_page_shows_one_parcel_with_where_when_and_whats_in_it(client, two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    commit_parcel_etas([parcel.id])

    page = text_of(client.get(f"/orders/{two_brand_order.tracking_token}"))

    assert "Your parcel" in page and "Your 2 parcels" not in page
    assert "Ready for pickup by" in page
    assert "Packing at Soho Micro-hub for pickup at Camden Pickup, 1 Camden High St — it is brought there for you." in page
    assert "Collect at your pickup point" not in page  # not before it is there
    assert "Order placed" in page and "Being picked" in page and "On its way to Camden Pickup" in page
    assert "Collected" in page
    assert "1 × Aurora Knits hero" in page and "1 × Sole Club hero" in page
    assert "You can ask Aurora Knits to cancel until" in page and "You can ask Sole Club to cancel until" in page


def test_before_the_worker_commits_the_page_shows_the_routers_estimate(client, two_brand_order):
    page = text_of(client.get(f"/orders/{two_brand_order.tracking_token}"))
    assert "Estimated around" in page and "confirming with the hub" in page


def test_the_parcel_region_is_a_fragment_for_htmx_and_a_page_without_javascript(client, two_brand_order):
    url = f"/orders/{two_brand_order.tracking_token}/parcels"

    fragment = client.get(url, headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert f'hx-get="{url}"' in body and 'hx-trigger="every 5s"' in body

    page = client.get(url)
    assert page.status_code == 200 and "Back to your order" in text_of(page)
    assert client.get("/orders/not-a-real-token/parcels").status_code == 404


def test_polling_stops_once_every_parcel_is_handed_over(client, two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    status.mark_ready(db.session, parcel)
    status.receive_at_point(db.session, db.session.get(Parcel, parcel.id))
    status.hand_over(db.session, db.session.get(Parcel, parcel.id))

    fragment = client.get(f"/orders/{two_brand_order.tracking_token}/parcels", headers=HTMX)

    assert fragment.status_code == 286  # htmx stops polling
    assert "hx-trigger" not in fragment.get_data(as_text=True)
    assert "Collected" in text_of(fragment)


def test_a_parcel_whose_lines_were_all_cancelled_shows_as_cancelled_at_once(client, engine, two_brand_order):
    lines = db.session.scalars(select(OrderLine).execution_options(all_tenants=True)).all()
    for line in lines:
        assert cancel_line(db.session, engine, line)

    page = text_of(client.get(f"/orders/{two_brand_order.tracking_token}/parcels", headers=HTMX))

    assert "This parcel was cancelled." in page
    assert "cancel until" not in page  # no live lines left to cancel


def test_a_new_eta_appears_with_its_history(client, two_brand_order, hubs):
    [parcel] = parcels_of(two_brand_order)
    db.session.execute(update(Hub).where(Hub.id == hubs["soho"].id).values(throughput_per_hour=1))
    db.session.commit()
    commit_parcel_etas([parcel.id])
    db.session.execute(update(Hub).where(Hub.id == hubs["soho"].id).values(throughput_per_hour=600))
    db.session.commit()
    assert reestimate_hub_etas(hubs["soho"].id, "The hub sped up") == 1

    page = text_of(client.get(f"/orders/{two_brand_order.tracking_token}/parcels", headers=HTMX))

    assert "ETA changes (1)" in page
    assert "Committed when your order was placed" in page and "The hub sped up" in page


def test_a_delivery_shows_its_window_and_address(client, make, engine, hubs, brands):
    make.stock(brands["knits"]["variant"], hubs["east"], 2)
    live_drops(make, brands)
    order = checkout(engine, [hold(engine, brands["knits"])], delivery_to("EC2A 3AY"))
    [parcel] = parcels_of(order)
    commit_parcel_etas([parcel.id])

    page = text_of(client.get(f"/orders/{order.tracking_token}"))

    assert "Arriving" in page
    assert "Packing at Shoreditch Micro-hub for delivery to 12 Long Lane, London, EC2A 3AY." in page
    assert "Delivered from" not in page and "Delivered at" not in page
    assert "Out for delivery" in page and "Delivered" in page  # the timeline's steps to come

    status.mark_ready(db.session, parcel)
    page = text_of(client.get(f"/orders/{order.tracking_token}"))
    assert "Out for delivery from Shoreditch Micro-hub to 12 Long Lane, London, EC2A 3AY." in page

    status.hand_over(db.session, db.session.get(Parcel, parcel.id))
    page = text_of(client.get(f"/orders/{order.tracking_token}"))
    assert "Delivered at " in page and "to 12 Long Lane, London, EC2A 3AY." in page
    assert "Your order was delivered on" in page and "Paid £28.00 on delivery." in page  # the drop's price


def test_an_order_without_parcels_shows_no_parcel_region(client, two_brand_order):
    db.session.execute(delete(Parcel))
    db.session.commit()
    body = client.get(f"/orders/{two_brand_order.tracking_token}").get_data(as_text=True)
    assert "Your order is confirmed." in body
    assert 'id="parcels"' not in body and "hx-trigger" not in body
