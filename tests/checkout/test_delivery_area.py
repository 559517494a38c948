"""Checkout delivers only where the mall can estimate, with the drop page estimator's own words."""

import html

from sqlalchemy import func, select

from mall.extensions import db
from mall.fulfilment.geo import UNKNOWN_AREA
from mall.orders.models import Order
from tests.checkout.test_cart_and_checkout_pages import _checkout_form, _hold
from tests.support import text_of


def _delivery_order(client, postcode: str) -> dict:
    form = _checkout_form(client)
    form.update(
        name="Ada Shopper", email="ada@example.com", fulfilment="delivery", delivery_address="12 Long Lane, Flat 3",
        postcode=postcode, payment_provider="pay_on_handover",
    )
    return form


def test_a_postcode_the_mall_cannot_estimate_is_refused_and_what_was_typed_stays(client, two_brand_mall):
    mall = two_brand_mall
    _hold(client, mall["drops"][0], mall["variants"][0])

    refused = client.submit("/checkout", _delivery_order(client, "ZZ9 9ZZ"))

    assert refused.status_code == 422
    page = text_of(refused)
    assert UNKNOWN_AREA in page and "Check it, or choose a pickup point." in page
    body = html.unescape(refused.get_data(as_text=True))
    assert 'value="ZZ9 9ZZ"' in body and "12 Long Lane, Flat 3" in body
    assert 'value="Ada Shopper"' in body and 'value="ada@example.com"' in body
    assert db.session.scalar(select(func.count(Order.id))) == 0

    estimator = client.get(f"/eta/{mall['brands'][0].slug}/{mall['drops'][0].id}?postcode=ZZ9+9ZZ")
    assert estimator.status_code == 422 and UNKNOWN_AREA in text_of(estimator)  # the same words on the drop page


def test_an_empty_postcode_is_refused_for_delivery_but_not_needed_for_pickup(client, two_brand_mall):
    mall = two_brand_mall
    _hold(client, mall["drops"][0], mall["variants"][0])
    refused = client.submit("/checkout", _delivery_order(client, ""))
    assert refused.status_code == 422 and "Enter the postcode." in text_of(refused)


def test_a_london_postcode_is_delivered_to(client, two_brand_mall):
    mall = two_brand_mall
    _hold(client, mall["drops"][0], mall["variants"][0])
    placed = client.submit("/checkout", _delivery_order(client, "ec2a 3ay"))
    assert placed.status_code == 303
    assert db.session.scalar(select(Order.postcode)) == "EC2A 3AY"
