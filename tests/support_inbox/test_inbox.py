"""The brand inbox: list, filters and counts, live regions, replies, notes and triage."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mall.clock import utcnow
from mall.extensions import db
from mall.outbox.models import OutboxEmail
from mall.support.models import SupportMessage
from tests.support import text_of
from tests.support_inbox.conftest import ask, inbox_url, latest_thread


@pytest.fixture
def thread(client, mall):
    ask(client, mall.order, "aurora", "Where is my jumper?")
    return latest_thread()


@pytest.mark.parametrize("role", ["support", "manager", "owner"])
def test_every_role_works_the_inbox(client, mall, make, thread, role):
    member = make.member(mall.aurora.tenant, make.user(), role=role)
    client.login_as(member)
    inbox = client.get(inbox_url(mall.aurora))
    assert inbox.status_code == 200
    assert "Where is my jumper?" not in text_of(inbox)  # the list shows subjects
    assert f"Order {mall.order.number} — Aurora Knits items" in text_of(inbox)
    reply = client.submit(inbox_url(mall.aurora, f"/{thread.id}/reply"), {"body": "On its way!", "then": "pending"})
    assert reply.status_code == 303


def test_the_dashboard_nav_shows_the_inbox_with_its_open_count(client, mall, thread):
    client.login_as(mall.aurora.agent)
    html = client.get(f"/brands/{mall.aurora.slug}/").get_data(as_text=True)
    assert f'href="/brands/{mall.aurora.slug}/inbox"' in html
    assert 'class="badge count"' in html and "1 open conversation" in html
    client.login_as(mall.sole.agent)
    quiet = client.get(f"/brands/{mall.sole.slug}/").get_data(as_text=True)
    assert f'href="/brands/{mall.sole.slug}/inbox"' in quiet and 'class="badge count"' not in quiet


def test_a_thread_shows_the_order_beside_it(client, mall, thread):
    client.login_as(mall.aurora.agent)
    page = text_of(client.get(inbox_url(mall.aurora, f"/{thread.id}")))
    for text in (f"Order {mall.order.number}", "ada@example.com", "Camden Pickup", "1 × Aurora Knits hero",
                 "from Soho Micro-hub", "Pay £40.00 at pickup.", "We are working out when your order will be ready", "First response due"):
        assert text in page
    assert "Sole Club hero" not in page  # the other brand's line stays private


def test_replying_emails_the_shopper_and_records_the_first_response(client, mall, thread):
    client.login_as(mall.aurora.agent)
    reply_url = inbox_url(mall.aurora, f"/{thread.id}/reply")
    response = client.submit(reply_url, {"body": "Hi {shopper_name}, it ships today.", "then": "pending"})
    assert response.status_code == 303

    thread = latest_thread()
    assert thread.status == "pending" and thread.first_responded_at is not None
    reply = db.session.scalar(select(SupportMessage).where(SupportMessage.kind == "reply"))
    assert reply.body == "Hi Ada Shopper, it ships today." and reply.author_name == "Aurora Knits agent"
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.dedupe_key == f"support-reply:{reply.id}"))
    assert email.to_address == "ada@example.com"
    assert "Hi Ada Shopper, it ships today." in email.body and f"/support/{thread.token}" in email.body
    assert "Hi Ada Shopper, it ships today." in text_of(client.get(f"/support/{thread.token}"))


def test_an_empty_reply_is_refused_inline(client, mall, thread):
    client.login_as(mall.aurora.agent)
    response = client.submit(inbox_url(mall.aurora, f"/{thread.id}/reply"), {"body": " ", "then": "pending"})
    assert response.status_code == 422 and "Write a reply." in text_of(response)
    assert latest_thread().first_responded_at is None


def test_the_list_filters_by_status_assignee_priority_and_tag(client, mall, thread):
    ask(client, mall.order, "aurora", "Second question", about="order")
    second = latest_thread()
    client.login_as(mall.aurora.agent)
    client.submit(inbox_url(mall.aurora, f"/{second.id}/assign"), {"assignee": mall.aurora.agent.id})
    client.submit(inbox_url(mall.aurora, f"/{second.id}/priority"), {"priority": "high"})
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/tags"), {"name": "  Sold   OUT "})
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/status"), {"status": "pending"})

    def listed(query):
        html = client.get(inbox_url(mall.aurora) + query).get_data(as_text=True)
        return {t.id for t in (thread, second) if f'id="thread-{t.id}"' in html}

    assert listed("") == {second.id}
    assert listed("?status=pending") == {thread.id}
    assert listed("?status=all") == {thread.id, second.id}
    assert listed("?status=all&who=mine") == {second.id}
    assert listed("?status=all&who=unassigned") == {thread.id}
    assert listed("?status=all&priority=high") == {second.id}
    assert listed("?status=all&tag=sold+out") == {thread.id}
    assert listed("?status=nonsense") == {second.id}  # unknown filters fall back to the default

    page = text_of(client.get(inbox_url(mall.aurora)))
    assert "Open 1" in page and "Pending 1" in page and "All 2" in page and "Mine 1" in page


def test_polling_gets_only_the_list_region(client, mall, thread):
    client.login_as(mall.aurora.agent)
    full = client.get(inbox_url(mall.aurora)).get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in full and 'id="inbox-list"' in full
    assert f'href="/brands/{mall.aurora.slug}/inbox">Refresh' in full or ">Refresh</a>" in full

    region = client.get(inbox_url(mall.aurora), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert region.lstrip().startswith('<div id="inbox-list"') and "<html" not in region
    assert "New message" in region


def test_the_new_message_marker_clears_once_the_brand_reads_the_thread(client, mall, thread):
    client.login_as(mall.aurora.agent)
    assert "New message" in text_of(client.get(inbox_url(mall.aurora)))
    opened = client.get(inbox_url(mall.aurora, f"/{thread.id}")).get_data(as_text=True)
    assert "is-new" in opened  # the unread question is marked in the thread
    assert "New message" not in text_of(client.get(inbox_url(mall.aurora)))

    client.submit(f"/support/{thread.token}/reply", {"message": "Any news?"})
    assert "New message" in text_of(client.get(inbox_url(mall.aurora)))


def test_the_open_thread_polls_its_messages_and_marks_the_new_ones(client, mall, thread):
    client.login_as(mall.aurora.agent)
    question = db.session.scalar(select(SupportMessage.id))
    first_look = client.get(inbox_url(mall.aurora, f"/{thread.id}")).get_data(as_text=True)
    assert f'hx-get="/brands/{mall.aurora.slug}/inbox/{thread.id}?since={question}"' in first_look
    html = client.get(inbox_url(mall.aurora, f"/{thread.id}")).get_data(as_text=True)
    since = question + 1  # read now: only what arrives from here on is new
    assert f'hx-get="/brands/{mall.aurora.slug}/inbox/{thread.id}?since={since}"' in html and "is-new" not in html

    client.submit(f"/support/{thread.token}/reply", {"message": "Hello again"})
    region = client.get(inbox_url(mall.aurora, f"/{thread.id}?since={since}"), headers={"HX-Request": "true"})
    body = region.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="thread-messages"') and "<html" not in body
    assert body.count("is-new") == 1 and "Hello again" in body


def test_internal_notes_are_kept_in_the_thread(client, mall, thread):
    client.login_as(mall.aurora.agent)
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/notes"), {"note": "Check with the hub first"})
    page = text_of(client.get(inbox_url(mall.aurora, f"/{thread.id}")))
    assert "Check with the hub first" in page and "internal note" in page


def test_assignment_only_to_members_of_the_brand(client, mall, thread):
    client.login_as(mall.aurora.agent)
    refused = client.submit(inbox_url(mall.aurora, f"/{thread.id}/assign"), {"assignee": mall.sole.agent.id})
    assert refused.status_code == 422 and "Not a valid choice" in text_of(refused)
    assert latest_thread().assignee_id is None

    client.submit(inbox_url(mall.aurora, f"/{thread.id}/assign"), {"assignee": mall.aurora.owner.id})
    assert latest_thread().assignee_id == mall.aurora.owner.id
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/assign"), {"assignee": 0})
    assert latest_thread().assignee_id is None


def test_snooze_until_a_future_time_and_wake_on_shopper_reply(client, mall, thread):
    client.login_as(mall.aurora.agent)
    past = client.submit(inbox_url(mall.aurora, f"/{thread.id}/snooze"), {"until": "2000-01-01T09:00"})
    assert past.status_code == 422 and "Choose a time in the future." in text_of(past)
    bad = client.submit(inbox_url(mall.aurora, f"/{thread.id}/snooze"), {"until": "tomorrow"})
    assert bad.status_code == 422

    later = (utcnow() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.submit(inbox_url(mall.aurora, f"/{thread.id}/snooze"), {"until": later}).status_code == 303
    snoozed = latest_thread()
    assert snoozed.status == "snoozed" and snoozed.snoozed_until is not None

    client.submit(f"/support/{thread.token}/reply", {"message": "Hello?"})
    woken = latest_thread()
    assert (woken.status, woken.snoozed_until) == ("open", None)


def test_status_and_priority_changes_are_written_into_the_thread(client, mall, thread):
    client.login_as(mall.aurora.agent)
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/status"), {"status": "resolved"})
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/priority"), {"priority": "low"})
    assert client.submit(inbox_url(mall.aurora, f"/{thread.id}/priority"), {"priority": "sky-high"}).status_code == 422
    thread = latest_thread()
    assert (thread.status, thread.priority) == ("resolved", "low") and thread.resolved_at is not None
    page = text_of(client.get(inbox_url(mall.aurora, f"/{thread.id}")))
    assert "Status changed to resolved." in page and "Priority set to low." in page


def test_escalation_raises_priority_and_emails_every_owner_once(client, mall, make, thread):
    second_owner = make.member(mall.aurora.tenant, make.user(email="second-owner@example.com"), role="owner")
    client.login_as(mall.aurora.agent)
    assert client.submit(inbox_url(mall.aurora, f"/{thread.id}/escalate")).status_code == 303
    again = client.submit(inbox_url(mall.aurora, f"/{thread.id}/escalate"))
    assert again.status_code == 303

    thread = latest_thread()
    assert thread.escalated and thread.priority == "urgent"
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.dedupe_key.like("support-escalated:%"))).all()
    assert sorted(e.to_address for e in emails) == sorted([mall.aurora.owner.email, second_owner.email])
    assert all(f"/brands/{mall.aurora.slug}/inbox/{thread.id}" in e.body for e in emails)
    assert mall.sole.owner.email not in {e.to_address for e in emails}

    client.submit(inbox_url(mall.aurora, f"/{thread.id}/escalate/withdraw"))
    assert latest_thread().escalated is False
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/escalate"))  # a new escalation notifies again
    escalations = select(func.count()).select_from(OutboxEmail).where(OutboxEmail.dedupe_key.like("support-escalated:%"))
    assert db.session.scalar(escalations) == 4


def test_tags_are_normalised_and_validated(client, mall, thread):
    client.login_as(mall.aurora.agent)
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/tags"), {"name": "Where is my ORDER"})
    bad = client.submit(inbox_url(mall.aurora, f"/{thread.id}/tags"), {"name": "<b>"})
    assert bad.status_code == 422 and "Use up to 40 letters" in text_of(bad)
    assert [t.name for t in latest_thread().tags] == ["where is my order"]
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/tags/remove"), {"name": "where is my order"})
    assert latest_thread().tags == []
