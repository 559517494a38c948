"""A support member of brand A gets 404 for every brand-B thread URL and action, and changes nothing."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mall.clock import utcnow
from mall.extensions import db
from mall.orders.models import OrderLine
from mall.support.models import CannedReply, Compensation, SlaAlert, SupportMessage, SupportThread, ThreadTag
from tests.support_inbox.conftest import ask, latest_thread

SUPPORT_ENDPOINTS = [
    "support.inbox.index", "support.inbox.thread", "support.inbox.compose", "support.inbox.reply", "support.inbox.note",
    "support.inbox.change_status", "support.inbox.change_priority", "support.inbox.assign", "support.inbox.snooze",
    "support.inbox.escalate", "support.inbox.de_escalate", "support.inbox.add_tag", "support.inbox.remove_tag",
    "support.inbox.cancel_line", "support.inbox.compensate", "support.desk.canned", "support.desk.edit_canned",
    "support.desk.delete_canned", "support.desk.bulk_reply", "support.desk.banner", "support.desk.dismiss_alert",
]


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(("support.inbox.", "support.desk."))]


def test_the_list_covers_every_inbox_route(app):
    assert sorted(SUPPORT_ENDPOINTS) == sorted({r.endpoint for r in _rules(app)})
    assert all(r.rule.startswith("/brands/<slug>/inbox") for r in _rules(app))


@pytest.fixture
def brand_b(client, mall):
    """Brand B (Sole Club) with one of every row an inbox URL can name."""
    ask(client, mall.order, "sole", "Brand B question")
    thread = latest_thread()
    reply = CannedReply(tenant_id=mall.sole.tenant.id, title="B reply", body="B body")
    db.session.add_all([reply, ThreadTag(tenant_id=mall.sole.tenant.id, thread_id=thread.id, name="sold out")])
    db.session.flush()
    alert = SlaAlert(tenant_id=mall.sole.tenant.id, thread_id=thread.id, cause="first_response")
    db.session.add(alert)
    db.session.commit()
    line = db.session.scalar(select(OrderLine).where(OrderLine.tenant_id == mall.sole.tenant.id))
    return {"thread_id": thread.id, "line_id": line.id, "reply_id": reply.id, "alert_id": alert.id, "canned_reply": reply.id}


def _form(mall, ids) -> dict:
    """Every field any inbox form reads, filled with valid values, so only access can refuse."""
    return {
        "body": "Hijack", "note": "Hijack", "status": "resolved", "priority": "urgent", "assignee": mall.aurora.agent.id,
        "until": (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "name": "sold out", "kind": "refund",
        "amount": "1.00", "reason": "Hijack", "title": "Hijack", "tag": "sold out", "canned_reply": ids["canned_reply"],
        "then": "resolved", "headline": "Hijack", "faq": "Hijack",
    }


def _fingerprint(mall) -> dict:
    db.session.expire_all()
    thread = db.session.scalar(select(SupportThread).where(SupportThread.tenant_id == mall.sole.tenant.id))
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))
    return {
        "thread": (thread.status, thread.priority, thread.assignee_id, thread.escalated, thread.snoozed_until),
        "read": thread.brand_read_at,
        "messages": count(SupportMessage), "tags": count(ThreadTag), "canned": count(CannedReply),
        "compensations": count(Compensation),
        "alerts": db.session.scalars(select(SlaAlert.dismissed_at)).all(),
        "lines": db.session.scalars(select(OrderLine.status).order_by(OrderLine.id)).all(),
    }


def _requests(app, slug, ids):
    for rule in _rules(app):
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: slug if m.group(1) == "slug" else str(ids[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url, bool(rule.arguments - {"slug"})


@pytest.mark.parametrize("slug_of", ["brand_b", "brand_a"])
def test_brand_a_support_gets_404_for_every_brand_b_thread_url_and_action(app, client, mall, brand_b, slug_of):
    """Under B's slug A is not a member; under A's own slug B's ids are not found. Either way: 404, nothing changes."""
    slug = mall.sole.slug if slug_of == "brand_b" else mall.aurora.slug
    before = _fingerprint(mall)
    client.login_as(mall.aurora.agent)
    checked, wrong = 0, []
    for method, url, names_a_row in _requests(app, slug, brand_b):
        if slug_of == "brand_a" and not names_a_row:
            continue  # A's own inbox pages are A's to use
        response = client.get(url) if method == "GET" else client.submit(url, _form(mall, brand_b))
        checked += 1
        if response.status_code != 404:
            wrong.append((method, url, response.status_code))
    assert wrong == []
    assert checked == (25 if slug_of == "brand_b" else 18)
    assert _fingerprint(mall) == before


def test_the_htmx_fragments_of_brand_b_are_404_too(client, mall, brand_b):
    client.login_as(mall.aurora.agent)
    hx = {"HX-Request": "true"}
    assert client.get(f"/brands/aurora/inbox/{brand_b['thread_id']}?since=1", headers=hx).status_code == 404
    assert client.get("/brands/sole/inbox?status=all", headers=hx).status_code == 404
    compose = f"/brands/aurora/inbox/{brand_b['thread_id']}/compose?canned={brand_b['reply_id']}"
    assert client.get(compose, headers=hx).status_code == 404


def test_brand_b_threads_never_show_in_brand_a_lists(client, mall, brand_b):
    client.login_as(mall.aurora.agent)
    for query in ("", "?status=all", "?status=all&tag=sold+out", "?status=all&sla=due"):
        assert "Brand B question" not in client.get(f"/brands/aurora/inbox{query}").get_data(as_text=True)
        assert f'id="thread-{brand_b["thread_id"]}"' not in client.get(f"/brands/aurora/inbox{query}").get_data(as_text=True)
    assert "Missed the first response target" not in client.get("/brands/aurora/inbox").get_data(as_text=True)
