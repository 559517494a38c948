"""Answering every thread with a tag at once: only that brand's unresolved threads carrying the tag."""

import pytest
from sqlalchemy import select

from mall.extensions import db
from mall.outbox.models import OutboxEmail
from mall.support import services, surge
from mall.support.models import CannedReply, SupportMessage, ThreadTag
from tests.support import text_of
from tests.support_inbox.conftest import ask, inbox_url, latest_thread


@pytest.fixture
def threads(client, mall):
    """Aurora: two tagged "sold out", one tagged and resolved, one untagged. Sole: one tagged "sold out"."""
    made = {}
    for name in ("tagged", "tagged_too", "resolved", "untagged", "other_brand"):
        ask(client, mall.order, "sole" if name == "other_brand" else "aurora", f"Question {name}")
        made[name] = latest_thread()
    for name in ("tagged", "tagged_too", "resolved", "other_brand"):
        thread = made[name]
        db.session.add(ThreadTag(tenant_id=thread.tenant_id, thread_id=thread.id, name="sold out"))
    db.session.commit()
    surge.add_tag(db.session, made["untagged"], "where is my order")
    services.set_status(db.session, made["resolved"], mall.aurora.agent, "resolved")
    return made


@pytest.fixture
def canned(mall):
    body = "Sorry {shopper_name}, order {order_number}: sold out."
    reply = CannedReply(tenant_id=mall.aurora.tenant.id, title="Sold out", body=body)
    db.session.add(reply)
    db.session.commit()
    return reply


def send_bulk(client, mall, tag, canned_id):
    return client.submit(inbox_url(mall.aurora, "/bulk"), {"tag": tag, "canned_reply": canned_id, "then": "pending"})


def _replies(thread) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(SupportMessage.body).where(SupportMessage.thread_id == thread.id, SupportMessage.kind == "reply")
    ))


def test_bulk_reply_touches_only_the_tagged_open_threads_of_that_brand(client, mall, threads, canned):
    client.login_as(mall.aurora.agent)
    page = text_of(client.get(inbox_url(mall.aurora, "/bulk")))
    assert "sold out (2 open)" in page and "where is my order (1 open)" in page

    response = send_bulk(client, mall, "sold out", canned.id)
    assert response.status_code == 303
    assert "Answered 2 conversations tagged “sold out”." in text_of(client.get(response.headers["Location"]))

    expected = f"Sorry Ada Shopper, order {mall.order.number}: sold out."
    assert _replies(threads["tagged"]) == [expected]
    assert _replies(threads["tagged_too"]) == [expected]
    for untouched in ("resolved", "untagged", "other_brand"):
        assert _replies(threads[untouched]) == []
    db.session.expire_all()
    assert threads["tagged"].status == "pending" and threads["tagged"].first_responded_at is not None
    assert threads["other_brand"].status == "open" and threads["resolved"].status == "resolved"
    emails = db.session.scalars(select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.like("support-reply:%"))).all()
    assert len(emails) == 2


def test_bulk_reply_refuses_a_tag_or_canned_reply_it_does_not_offer(client, mall, threads, canned):
    sole_reply = CannedReply(tenant_id=mall.sole.tenant.id, title="Sole", body="Sole text")
    db.session.add(sole_reply)
    db.session.commit()
    client.login_as(mall.aurora.agent)
    unknown_tag = send_bulk(client, mall, "nope", canned.id)
    assert unknown_tag.status_code == 422
    foreign_reply = send_bulk(client, mall, "sold out", sole_reply.id)
    assert foreign_reply.status_code == 422
    for thread in threads.values():
        assert _replies(thread) == []
