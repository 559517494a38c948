import re

from mall.outbox.delivery import deliver_email
from mall.outbox.models import OutboxEmail
from mall.extensions import db
from sqlalchemy import select
from tests.checkout.test_cart_and_checkout_pages import _hold, _pickup_order
from tests.support import text_of


def test_the_confirmation_email_waits_in_the_outbox_for_the_operator(client, make, two_brand_mall):
    mall = two_brand_mall
    _hold(client, mall["drops"][0], mall["variants"][0])
    tracking = client.submit("/checkout", _pickup_order(client, mall)).headers["Location"]

    key = db.session.scalar(select(OutboxEmail.dedupe_key))
    assert deliver_email(key) == "kept in outbox"
    assert deliver_email(key) == "nothing to do"  # a second run changes nothing

    client.login_as(make.user(operator=True))
    page = client.get("/operator/outbox")
    text = text_of(page)
    assert "ada@example.com" in text and "outbox" in text
    assert re.search(rf"http://[^\s<]+{re.escape(tracking)}", page.get_data(as_text=True))
    assert "North Knits hero" in text


def test_only_operators_can_read_the_outbox(client, make):
    client.login_as(make.user())
    assert client.get("/operator/outbox").status_code == 404
