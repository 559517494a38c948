"""What the shopper reads on the tracking page in each order state, and cancelling only while it is possible."""

import pytest
from sqlalchemy import select, update

from mall.extensions import db
from mall.fulfilment import status
from mall.fulfilment.models import Parcel
from mall.orders.models import Order, OrderLine, SubOrder
from mall.orders.services import CancelRefused, cancel_line
from mall.templating import money
from tests.fulfilment.conftest import parcels_of
from tests.support import text_of


def _lines(order) -> list[OrderLine]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OrderLine).join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
            .where(SubOrder.order_id == order.id).order_by(OrderLine.id).execution_options(all_tenants=True)
        )
    )


def _tracking(client, order) -> str:
    return text_of(client.get(f"/orders/{order.tracking_token}"))


def _hand_over(order) -> None:
    [parcel] = parcels_of(order)
    status.mark_ready(db.session, parcel)
    status.receive_at_point(db.session, db.session.get(Parcel, parcel.id))
    status.hand_over(db.session, db.session.get(Parcel, parcel.id))


@pytest.fixture
def total(two_brand_order) -> int:
    return sum(line.total_cents for line in _lines(two_brand_order))


def test_a_confirmed_order(client, two_brand_order, total):
    page = _tracking(client, two_brand_order)
    assert "Your order is confirmed." in page
    assert f"Total {money(total)}" in page and f"Payment: Pay {money(total)} at pickup." in page
    assert "You can ask Aurora Knits to cancel until" in page


def test_a_partly_cancelled_order_counts_only_what_is_left(client, engine, two_brand_order):
    first, second = _lines(two_brand_order)
    assert cancel_line(db.session, engine, first)

    page = _tracking(client, two_brand_order)

    assert "Your order is confirmed; 1 item was cancelled." in page
    assert f"Total {money(second.total_cents)} ({money(first.total_cents)} cancelled)" in page
    assert f"Pay {money(second.total_cents)} at pickup." in page
    assert "You can ask Sole Club to cancel until" in page and "You can ask Aurora Knits" not in page


def test_a_cancelled_order_says_so_and_asks_for_nothing(client, engine, two_brand_order, total):
    for line in _lines(two_brand_order):
        assert cancel_line(db.session, engine, line)

    page = _tracking(client, two_brand_order)

    assert "Your order was cancelled." in page and "confirmed" not in page
    assert f"Total £0.00 ({money(total)} cancelled)" in page
    assert "Payment: Nothing to pay." in page and "at pickup" not in page
    assert "cancel until" not in page and "Collect at your pickup point" not in page
    assert "This parcel was cancelled." in page


def test_a_refunded_order(client, two_brand_order, total):
    db.session.execute(update(Order).where(Order.id == two_brand_order.id).values(payment_state="refunded"))
    db.session.commit()
    page = _tracking(client, two_brand_order)
    assert "Your order was refunded." in page and f"Payment: Refunded {money(total)}." in page
    assert "confirmed" not in page


def test_a_handed_over_order_offers_no_cancellation(client, two_brand_order, total):
    _hand_over(two_brand_order)

    page = _tracking(client, two_brand_order)

    assert "Your order was collected on" in page and f"Payment: Paid {money(total)} at pickup." in page
    assert "Collected at" in page and "from Camden Pickup." in page
    assert "cancel until" not in page and "Collect at your pickup point" not in page and "Pay £" not in page


def test_cancelling_after_hand_over_is_refused_everywhere(client, engine, brands, two_brand_order):
    _hand_over(two_brand_order)
    line = next(line for line in _lines(two_brand_order) if line.tenant_id == brands["knits"]["brand"].id)

    with pytest.raises(CancelRefused, match="Too late to cancel: Aurora Knits hero was handed over"):
        cancel_line(db.session, engine, line)

    client.login_as(brands["knits"]["owner"])
    detail = f"/brands/knits/orders/{line.sub_order_id}"
    page = text_of(client.get(detail))
    assert "Cancel line" not in page and "Handed over" in page and "Paid" in page
    refused = client.submit(f"{detail}/lines/{line.id}/cancel")
    assert refused.status_code == 409 and "Too late to cancel" in text_of(refused)
    assert _lines(two_brand_order)[0].status == "active"

    listing = text_of(client.get("/brands/knits/orders"))
    assert "Handed over" in listing


def test_the_brand_list_shows_what_the_shopper_sees(client, engine, brands, two_brand_order):
    line = next(line for line in _lines(two_brand_order) if line.tenant_id == brands["knits"]["brand"].id)
    assert cancel_line(db.session, engine, line)
    client.login_as(brands["knits"]["owner"])
    listing = text_of(client.get("/brands/knits/orders"))
    assert "Cancelled Nothing to pay." in listing and "£0.00" in listing
    client.login_as(brands["shoes"]["owner"])
    assert "Confirmed Pay" in text_of(client.get("/brands/shoes/orders"))  # its own share is untouched


def test_eta_words_for_a_delivery_follow_its_steps(make, engine, hubs, brands):
    from mall.fulfilment.jobs import commit_parcel_etas
    from mall.support.placeholders import eta_text
    from mall.templating import local_time
    from tests.fulfilment.conftest import checkout, delivery_to, hold, live_drops

    make.stock(brands["knits"]["variant"], hubs["east"], 2)
    live_drops(make, brands)
    order = checkout(engine, [hold(engine, brands["knits"])], delivery_to("EC2A 3AY"))
    [parcel] = parcels_of(order)
    commit_parcel_etas([parcel.id])
    [parcel] = parcels_of(order)
    assert eta_text(db.session.get(Order, order.id)) == f"Your order should be with you by {local_time(parcel.eta)}."

    status.mark_ready(db.session, parcel)
    [parcel] = parcels_of(order)
    assert eta_text(db.session.get(Order, order.id)).startswith("Your order is out for delivery and should be with you by ")

    status.hand_over(db.session, parcel)
    [parcel] = parcels_of(order)
    assert eta_text(db.session.get(Order, order.id)) == f"Your order was delivered on {local_time(parcel.handed_over_at)}."


def test_a_parcel_in_transit_is_due_at_the_point_after_the_travel_time_between_the_hubs(hubs, two_brand_order):
    from datetime import timedelta

    from mall.fulfilment.etas import estimate
    from mall.fulfilment.geo import haversine_km
    from mall.fulfilment.timing import round_up, travel_minutes

    [parcel] = parcels_of(two_brand_order)
    status.mark_ready(db.session, parcel)
    [parcel] = parcels_of(two_brand_order)
    soho, camden = hubs["soho"], hubs["camden"]
    minutes = travel_minutes(haversine_km(soho.latitude, soho.longitude, camden.latitude, camden.longitude), 20)

    assert parcel.status == "in_transit" and minutes > 5
    assert estimate(parcel, parcel.sent_at, []) == round_up(parcel.sent_at + timedelta(minutes=minutes))
