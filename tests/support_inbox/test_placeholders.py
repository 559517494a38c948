"""Canned replies: placeholders filled from the thread's real order, through the picker and on send."""

import pytest
from sqlalchemy import select

from mall.extensions import db
from mall.fulfilment.services import ETA_ESTIMATING
from mall.support.models import CannedReply, SupportMessage
from mall.support.placeholders import eta_text, fill_placeholders
from tests.support import text_of
from tests.support_inbox.conftest import ask, inbox_url, latest_thread

TEMPLATE = "Hi {shopper_name}, order {order_number} arrives {eta} at {pickup_point}."


@pytest.fixture
def canned(mall):
    reply = CannedReply(tenant_id=mall.aurora.tenant.id, title="Where is it", body=TEMPLATE)
    db.session.add(reply)
    db.session.commit()
    return reply


@pytest.fixture
def fulfilment_eta(monkeypatch):
    from mall.fulfilment import services

    monkeypatch.setattr(services, "order_eta_sentence", lambda order: f"Ready by 18:30 today (order {order.number}).")


def test_only_the_four_known_placeholders_are_filled():
    values = {"shopper_name": "Ada", "order_number": "FM-1", "eta": "soon", "pickup_point": "Camden"}
    assert fill_placeholders(TEMPLATE, values) == "Hi Ada, order FM-1 arrives soon at Camden."
    tricky = "{shopper_name.__class__} {0} {unknown} {{eta}} {ETA}"
    assert fill_placeholders(tricky, values) == "{shopper_name.__class__} {0} {unknown} {soon} {ETA}"


def test_a_name_that_looks_like_a_placeholder_is_not_expanded_again():
    values = {"shopper_name": "{eta}", "order_number": "FM-1", "eta": "soon", "pickup_point": "Camden"}
    assert fill_placeholders("Hi {shopper_name}", values) == "Hi {eta}"


def test_eta_is_a_whole_sentence_while_the_hub_is_still_estimating(mall):
    assert eta_text(mall.order) == ETA_ESTIMATING
    assert ETA_ESTIMATING == "We are working out when your order will be ready and will confirm the time shortly."
    assert eta_text(None).startswith("We will confirm your ETA")


def test_eta_comes_from_fulfilment(mall, fulfilment_eta):
    assert eta_text(mall.order) == f"Ready by 18:30 today (order {mall.order.number})."


def test_the_picker_inserts_the_reply_filled_in_for_this_thread(client, mall, canned, fulfilment_eta):
    ask(client, mall.order, "aurora", "Where is my jumper?")
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    compose = inbox_url(mall.aurora, f"/{thread.id}/compose?canned={canned.id}&body=Thanks+for+waiting.")
    fragment = client.get(compose, headers={"HX-Request": "true"})
    number = mall.order.number
    expected = f"Hi Ada Shopper, order {number} arrives Ready by 18:30 today (order {number}). at Camden Pickup, 1 Camden High St."
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="reply-body">') and f"Thanks for waiting.\n\n{expected}" in html

    without_js = client.get(inbox_url(mall.aurora, f"/{thread.id}/compose?canned={canned.id}"))
    assert without_js.status_code == 303
    assert without_js.headers["Location"].endswith(f"/inbox/{thread.id}?canned={canned.id}")
    assert expected in text_of(client.get(without_js.headers["Location"]))


def test_placeholders_typed_by_hand_are_filled_on_send(client, mall):
    ask(client, mall.order, "sole", "Where?")
    thread = latest_thread()
    client.login_as(mall.sole.agent)
    client.submit(inbox_url(mall.sole, f"/{thread.id}/reply"), {"body": TEMPLATE, "then": "pending"})
    reply = db.session.scalar(select(SupportMessage).where(SupportMessage.kind == "reply"))
    assert reply.body == (
        f"Hi Ada Shopper, order {mall.order.number} arrives {ETA_ESTIMATING}"
        " at Camden Pickup, 1 Camden High St."
    )


def test_a_thread_without_an_order_gets_plain_words(client, mall, canned):
    client.submit("/shop/aurora/contact", {"name": "Bo", "email": "bo@example.com", "subject": "Hi", "message": "Hello"})
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/reply"), {"body": TEMPLATE, "then": "pending"})
    reply = db.session.scalar(select(SupportMessage).where(SupportMessage.kind == "reply"))
    assert reply.body == (
        "Hi Bo, order your order arrives We will confirm your ETA as soon as we know which order this is about."
        " at your pickup point."
    )


def test_another_brands_canned_reply_cannot_be_picked(client, mall, canned):
    ask(client, mall.order, "sole", "Where?")
    thread = latest_thread()
    client.login_as(mall.sole.agent)
    response = client.get(inbox_url(mall.sole, f"/{thread.id}/compose?canned={canned.id}"), headers={"HX-Request": "true"})
    assert response.status_code == 404


@pytest.mark.parametrize("canned_id", ["999999", "99999999999999999999", "abc"])
def test_an_unknown_canned_reply_is_404_or_ignored(client, mall, canned_id):
    ask(client, mall.order, "aurora", "Where?")
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    expected = 200 if canned_id == "abc" else 404  # not a number: no canned reply asked for
    compose = client.get(inbox_url(mall.aurora, f"/{thread.id}/compose?canned={canned_id}"), headers={"HX-Request": "true"})
    assert compose.status_code == expected
    assert client.get(inbox_url(mall.aurora, f"/{thread.id}?canned={canned_id}")).status_code == expected


def test_eta_is_the_real_committed_eta_of_the_orders_parcels(mall):
    from sqlalchemy import select

    from mall.extensions import db
    from mall.fulfilment.etas import commit_etas
    from mall.fulfilment.models import Parcel

    parcel_ids = db.session.scalars(select(Parcel.id).where(Parcel.order_id == mall.order.id)).all()
    assert parcel_ids, "checkout routes every order into parcels"
    commit_etas(db.session, list(parcel_ids), "test")
    db.session.expire_all()
    text = eta_text(db.session.get(type(mall.order), mall.order.id))
    assert text.startswith("Your order will be ready for pickup at Camden Pickup by ")
