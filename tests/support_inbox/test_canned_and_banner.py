"""Managing canned replies, and the brand-wide banner/FAQ on the contact form and live drop pages."""

from datetime import timedelta

from sqlalchemy import func, select

from mall.extensions import db
from mall.support.models import CannedReply
from tests.support import text_of
from tests.support_inbox.conftest import inbox_url


def test_an_agent_writes_edits_and_deletes_canned_replies(client, mall):
    client.login_as(mall.aurora.agent)
    created = client.submit(inbox_url(mall.aurora, "/canned"), {"title": "Sold out", "body": "Sorry {shopper_name}!"})
    assert created.status_code == 303
    reply = db.session.scalar(select(CannedReply))
    assert (reply.tenant_id, reply.title, reply.body) == (mall.aurora.tenant.id, "Sold out", "Sorry {shopper_name}!")

    duplicate = client.submit(inbox_url(mall.aurora, "/canned"), {"title": "sold OUT", "body": "again"})
    assert duplicate.status_code == 422 and "already have a canned reply with that title" in text_of(duplicate)
    empty = client.submit(inbox_url(mall.aurora, "/canned"), {"title": "", "body": ""})
    assert empty.status_code == 422 and "Give it a short title." in text_of(empty)

    edited = client.submit(inbox_url(mall.aurora, f"/canned/{reply.id}"), {"title": "Sold out!", "body": "Back soon"})
    assert edited.status_code == 303
    db.session.expire_all()
    assert (reply.title, reply.body) == ("Sold out!", "Back soon")
    assert client.submit(inbox_url(mall.aurora, f"/canned/{reply.id}/delete")).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(CannedReply)) == 0


def test_the_banner_shows_on_the_contact_form_and_on_live_drops_only(client, mall, make):
    client.login_as(mall.aurora.owner)
    banner = {"headline": "Sold out? Holds return every 10 minutes.", "faq": "Q: Restock?\nA: Friday."}
    saved = client.submit(inbox_url(mall.aurora, "/banner"), banner)
    assert saved.status_code == 303
    too_long = client.submit(inbox_url(mall.aurora, "/banner"), {"headline": "x" * 201, "faq": ""})
    assert too_long.status_code == 422 and "Keep the banner under 200 characters." in text_of(too_long)

    assert "Sold out? Holds return every 10 minutes." in text_of(client.get("/shop/aurora/contact"))
    live = text_of(client.get(f"/shop/aurora/drops/{mall.aurora.drop.id}"))
    assert "Sold out? Holds return every 10 minutes." in live and "Restock?" in live
    assert "Still stuck? Ask Aurora Knits" in live

    upcoming = make.drop(mall.aurora.tenant, [mall.aurora.variant], starts_in=timedelta(hours=2))
    later = text_of(client.get(f"/shop/aurora/drops/{upcoming.id}"))
    assert "Sold out? Holds return" not in later and "Questions? Ask Aurora Knits" in later
    assert "Sold out? Holds return" not in text_of(client.get(f"/shop/sole/drops/{mall.sole.drop.id}"))
