"""{eta} is a true, whole sentence in every parcel state; the reply box warns about a closed order."""

from sqlalchemy import select

from mall.extensions import db
from mall.fulfilment import status
from mall.fulfilment.etas import commit_etas
from mall.fulfilment.models import Parcel
from mall.fulfilment.services import ETA_ESTIMATING
from mall.orders.models import Order, OrderLine
from mall.orders.services import cancel_line
from mall.support.placeholders import eta_text
from mall.templating import local_time
from tests.support import text_of
from tests.support_inbox.conftest import ask, inbox_url, latest_thread


def _parcel(order) -> Parcel:
    db.session.expire_all()
    return db.session.scalar(select(Parcel).where(Parcel.order_id == order.id))


def _eta(order) -> str:
    db.session.expire_all()
    return eta_text(db.session.get(Order, order.id))


def test_eta_follows_the_parcel_through_every_step(mall):
    assert _eta(mall.order) == ETA_ESTIMATING

    commit_etas(db.session, [_parcel(mall.order).id], "test")
    parcel = _parcel(mall.order)
    assert _eta(mall.order) == f"Your order will be ready for pickup at Camden Pickup by {local_time(parcel.eta)}."

    status.mark_ready(db.session, parcel)  # packed at Soho for Camden: on the road
    commit_etas(db.session, [parcel.id], "sent")
    parcel = _parcel(mall.order)
    assert parcel.status == "in_transit"
    assert _eta(mall.order) == f"Your order is on its way to Camden Pickup and will be ready there by {local_time(parcel.eta)}."

    status.receive_at_point(db.session, parcel)
    parcel = _parcel(mall.order)
    assert _eta(mall.order) == f"Your order has been ready for pickup at Camden Pickup since {local_time(parcel.ready_at)}."

    status.hand_over(db.session, parcel)
    parcel = _parcel(mall.order)
    assert _eta(mall.order) == f"Your order was collected on {local_time(parcel.handed_over_at)}."


def test_eta_of_a_cancelled_order(mall, engine):
    for line in db.session.scalars(select(OrderLine).execution_options(all_tenants=True)).all():
        assert cancel_line(db.session, engine, line)
    assert _eta(mall.order) == "Your order was cancelled, so there is nothing to collect."


def test_the_reply_box_warns_about_a_cancelled_order_and_previews_the_placeholders(client, mall, engine):
    ask(client, mall.order, "aurora", "Where is my jumper?")
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    page = text_of(client.get(inbox_url(mall.aurora, f"/{thread.id}")))
    assert "Careful: this order is" not in page
    assert f"{{eta}} {ETA_ESTIMATING}" in page  # the preview says what will be sent

    for line in db.session.scalars(select(OrderLine).execution_options(all_tenants=True)).all():
        assert cancel_line(db.session, engine, line)
    page = text_of(client.get(inbox_url(mall.aurora, f"/{thread.id}")))

    assert "Careful: this order is cancelled. Your order was cancelled." in page
    assert "{eta} Your order was cancelled, so there is nothing to collect." in page
    assert "Cancel line" not in page and "Nothing to pay." in page


def test_the_reply_box_warns_about_a_handed_over_order(client, mall):
    ask(client, mall.order, "sole", "Thanks!")
    thread = latest_thread()
    parcel = _parcel(mall.order)
    status.mark_ready(db.session, parcel)
    status.receive_at_point(db.session, _parcel(mall.order))
    status.hand_over(db.session, _parcel(mall.order))
    client.login_as(mall.sole.agent)

    page = text_of(client.get(inbox_url(mall.sole, f"/{thread.id}")))

    assert "Careful: this order is handed over. Your order was collected on" in page
    assert "Cancel line" not in page and "Paid £90.00 at pickup." in page
