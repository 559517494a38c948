"""Acting on the order from a thread: cancel a line (stock returns exactly once), refunds and store credits."""

import pytest
from sqlalchemy import func, select

from mall.extensions import db, redis_client
from mall.orders.models import Order, OrderLine
from mall.stock.ledger import check_invariant
from mall.stock.models import StockLevel
from mall.support.models import Compensation, SupportMessage
from tests.support import text_of
from tests.support_inbox.conftest import ask, inbox_url, latest_thread


@pytest.fixture
def thread(client, mall):
    ask(client, mall.order, "aurora", "Please cancel my jumper")
    return latest_thread()


def _line(brand, order) -> OrderLine:
    return db.session.scalar(select(OrderLine).where(OrderLine.sub_order_id == brand.sub_order(order).id))


def _stock(brand, hub) -> tuple[int, int, int]:
    db.session.expire_all()
    level = db.session.scalar(
        select(StockLevel).where(StockLevel.variant_id == brand.variant.id, StockLevel.hub_id == hub.id)
    )
    available = int(redis_client().get(f"fm:avail:{brand.variant.id}:{hub.id}"))
    return level.on_hand, level.sold, available


def compensate(client, brand, thread, kind, amount, reason):
    return client.submit(inbox_url(brand, f"/{thread.id}/compensations"), {"kind": kind, "amount": amount, "reason": reason})


def _events(thread) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(SupportMessage.body).where(SupportMessage.thread_id == thread.id, SupportMessage.kind == "event")
    ))


def test_cancelling_from_the_thread_returns_the_stock_exactly_once(client, mall, thread):
    line = _line(mall.aurora, mall.order)
    assert _stock(mall.aurora, mall.hub) == (5, 1, 4)
    client.login_as(mall.aurora.agent)
    url = inbox_url(mall.aurora, f"/{thread.id}/lines/{line.id}/cancel")

    first = client.submit(url)
    assert first.status_code == 303
    assert _stock(mall.aurora, mall.hub) == (5, 0, 5)
    again = client.submit(url, follow_redirects=True)
    assert "That line was already cancelled." in text_of(again)
    assert _stock(mall.aurora, mall.hub) == (5, 0, 5)
    assert _events(thread) == ["Cancelled 1 × Aurora Knits hero; the units are back on sale."]
    assert db.session.get(OrderLine, line.id).status == "cancelled"
    assert all(check.ok for check in check_invariant(db.session, redis_client()))


def test_a_line_cancelled_from_the_orders_page_is_not_returned_again_from_the_thread(client, mall, thread):
    line = _line(mall.aurora, mall.order)
    client.login_as(mall.aurora.agent)
    client.submit(f"/brands/aurora/orders/{line.sub_order_id}/lines/{line.id}/cancel")
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/lines/{line.id}/cancel"))
    assert _stock(mall.aurora, mall.hub) == (5, 0, 5)
    assert _events(thread) == []


def test_a_line_outside_the_threads_order_is_404(client, mall, thread, make, engine):
    sole_line = _line(mall.sole, mall.order)
    client.login_as(mall.aurora.agent)
    assert client.submit(inbox_url(mall.aurora, f"/{thread.id}/lines/{sole_line.id}/cancel")).status_code == 404
    assert _stock(mall.sole, mall.hub) == (5, 1, 4)


def test_a_refund_is_recorded_with_its_reason_and_written_into_the_thread(client, mall, thread):
    client.login_as(mall.aurora.agent)
    response = compensate(client, mall.aurora, thread, "refund", "£12.50", "Late pickup")
    assert response.status_code == 303
    refund = db.session.scalar(select(Compensation))
    assert (refund.kind, refund.amount_cents, refund.reason) == ("refund", 1250, "Late pickup")
    assert refund.tenant_id == mall.aurora.tenant.id
    assert _events(thread) == ["Refund of £12.50 recorded. Reason: Late pickup"]
    assert db.session.get(Order, mall.order.id).payment_state == "due_on_handover"


def test_store_credit_and_refund_each_stay_within_the_brands_share(client, mall, thread):
    client.login_as(mall.aurora.agent)
    url = inbox_url(mall.aurora, f"/{thread.id}/compensations")
    assert client.submit(url, {"kind": "store_credit", "amount": "40", "reason": "Goodwill"}).status_code == 303
    over = client.submit(url, {"kind": "store_credit", "amount": "0.01", "reason": "More"})
    assert over.status_code == 422 and "more than the £0.00 left to give as store credit" in text_of(over)
    too_much = client.submit(url, {"kind": "refund", "amount": "40.01", "reason": "Too much"})
    assert too_much.status_code == 422 and "more than the £40.00 left to refund" in text_of(too_much)
    assert db.session.scalar(select(func.count()).select_from(Compensation)) == 1


@pytest.mark.parametrize("amount", ["", "0", "-5", "abc", "1.234", "12,50.0.1"])
def test_bad_amounts_are_refused_inline(client, mall, thread, amount):
    client.login_as(mall.aurora.agent)
    response = compensate(client, mall.aurora, thread, "refund", amount, "x")
    assert response.status_code == 422
    assert "Enter an amount" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Compensation)) == 0


def test_a_reason_is_required(client, mall, thread):
    client.login_as(mall.aurora.agent)
    response = compensate(client, mall.aurora, thread, "refund", "5", "")
    assert response.status_code == 422 and "Give a reason." in text_of(response)


def test_the_order_is_refunded_once_every_brand_refunded_its_share(client, mall, thread):
    client.login_as(mall.aurora.agent)
    compensate(client, mall.aurora, thread, "refund", "40", "Cancelled drop")
    assert db.session.get(Order, mall.order.id).payment_state == "due_on_handover"

    ask(client, mall.order, "sole", "Refund please")
    sole_thread = latest_thread()
    client.login_as(mall.sole.agent)
    compensate(client, mall.sole, sole_thread, "refund", "90.00", "Cancelled drop")
    db.session.expire_all()
    assert db.session.get(Order, mall.order.id).payment_state == "refunded"
    closed = compensate(client, mall.sole, sole_thread, "refund", "1", "again")
    assert closed.status_code == 422 and "already refunded" in text_of(closed)


def test_a_thread_without_an_order_has_no_order_actions(client, mall):
    client.submit("/shop/aurora/contact", {"name": "Bo", "email": "bo@example.com", "subject": "Hi", "message": "Hello"})
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    page = text_of(client.get(inbox_url(mall.aurora, f"/{thread.id}")))
    assert "No order" in page and "Refunds & credits" not in page
    response = compensate(client, mall.aurora, thread, "refund", "5", "x")
    assert response.status_code == 404
    line = _line(mall.aurora, mall.order)
    assert client.submit(inbox_url(mall.aurora, f"/{thread.id}/lines/{line.id}/cancel")).status_code == 404
