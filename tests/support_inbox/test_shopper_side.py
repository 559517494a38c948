"""The shopper asks from the order page or the contact form and follows the thread through a private link."""

from sqlalchemy import func, select

from mall.extensions import db
from mall.outbox.models import OutboxEmail
from mall.support import services
from mall.support.models import SupportMessage, SupportThread
from mall.support.placeholders import eta_text
from tests.support import text_of
from tests.support_inbox.conftest import ask, inbox_url, latest_thread


def test_the_order_page_offers_to_ask_each_brand(client, mall):
    page = text_of(client.get(f"/orders/{mall.order.tracking_token}"))
    assert "Ask Aurora Knits about this order" in page
    assert "Ask Sole Club about this order" in page


def test_asking_about_one_brands_lines_goes_to_that_brand_only(client, mall):
    response = ask(client, mall.order, "sole", "Can I swap the runner for a bigger size?")

    thread = latest_thread()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/support/{thread.token}"
    assert len(thread.token) >= 32
    assert thread.tenant_id == mall.sole.tenant.id
    assert thread.sub_order_id == mall.sole.sub_order(mall.order).id
    assert thread.topic == "lines" and thread.subject == f"Order {mall.order.number} — Sole Club items"
    assert (thread.shopper_name, thread.shopper_email) == ("Ada Shopper", "ada@example.com")
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.dedupe_key == f"support-opened:{thread.id}"))
    assert email.to_address == "ada@example.com" and f"/support/{thread.token}" in email.body

    page = text_of(client.get(f"/support/{thread.token}"))
    assert "Can I swap the runner for a bigger size?" in page
    assert "Sole Club hero" in page and "Camden Pickup" in page and "Pay £90.00 at pickup." in page
    assert "Aurora Knits hero" not in page


def test_asking_about_the_whole_order(client, mall):
    ask(client, mall.order, "aurora", "When can I collect everything?", about="order")
    thread = latest_thread()
    assert (thread.topic, thread.tenant_id, thread.subject) == ("order", mall.aurora.tenant.id, f"Order {mall.order.number}")


def test_the_order_page_links_to_the_shoppers_conversations(client, mall):
    ask(client, mall.order, "aurora", "Is the jumper wool?")
    thread = latest_thread()
    html = client.get(f"/orders/{mall.order.tracking_token}").get_data(as_text=True)
    assert f'href="/support/{thread.token}"' in html


def test_an_empty_question_is_refused_inline_and_nothing_is_saved(client, mall):
    response = ask(client, mall.order, "aurora", "   ")
    assert response.status_code == 422
    assert "Write your question." in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(SupportThread)) == 0


def test_unknown_order_or_brand_not_in_the_order_is_404(client, mall, make):
    stranger = make.brand(slug="stranger")
    assert client.get("/orders/not-a-token/ask/aurora").status_code == 404
    assert client.get(f"/orders/{mall.order.tracking_token}/ask/{stranger.slug}").status_code == 404
    assert ask(client, mall.order, "stranger", "hello?").status_code == 404


def test_a_token_opens_only_its_own_thread(client, mall):
    ask(client, mall.order, "aurora", "First question")
    first = latest_thread()
    ask(client, mall.order, "sole", "Second question")
    second = latest_thread()

    first_page = text_of(client.get(f"/support/{first.token}"))
    assert "First question" in first_page and "Second question" not in first_page
    assert client.get(f"/support/{first.token[:-1]}").status_code == 404
    assert client.get(f"/support/{first.token}x").status_code == 404
    assert client.get("/support/" + "A" * 32).status_code == 404
    assert client.submit("/support/" + "A" * 32 + "/reply", {"message": "hi"}).status_code == 404

    client.submit(f"/support/{first.token}/reply", {"message": "Only for Aurora"})
    db.session.expire_all()
    bodies = lambda t: [m.body for m in db.session.scalars(select(SupportMessage).where(SupportMessage.thread_id == t.id))]
    assert bodies(first) == ["First question", "Only for Aurora"]
    assert bodies(second) == ["Second question"]


def test_html_and_scripts_in_messages_are_shown_as_text(client, mall):
    evil = '<script>alert("x")</script><a href="https://evil.example.com">click</a> <img src=x onerror=alert(1)>'
    ask(client, mall.order, "aurora", evil)
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    reply = {"body": "Hi <b>there</b> https://flashmall.example.com", "then": "pending"}
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/reply"), reply)

    for html in (client.get(f"/support/{thread.token}").get_data(as_text=True),
                 client.get(inbox_url(mall.aurora, f"/{thread.id}")).get_data(as_text=True)):
        assert "<script>alert" not in html and '<a href="https://evil' not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert "Hi &lt;b&gt;there&lt;/b&gt; https://flashmall.example.com" in html
        assert 'href="https://flashmall.example.com"' not in html


def test_internal_notes_and_events_stay_out_of_the_shoppers_view(client, mall):
    ask(client, mall.order, "aurora", "Where is it?")
    thread = latest_thread()
    client.login_as(mall.aurora.agent)
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/notes"), {"note": "Shopper seems upset, go gently"})
    client.submit(inbox_url(mall.aurora, f"/{thread.id}/priority"), {"priority": "high"})
    page = text_of(client.get(f"/support/{thread.token}"))
    assert "Where is it?" in page
    assert "go gently" not in page and "Priority set" not in page


def test_a_shopper_reply_reopens_a_resolved_or_snoozed_thread(client, mall):
    ask(client, mall.order, "aurora", "Question")
    thread = latest_thread()
    services.set_status(db.session, thread, mall.aurora.agent, "resolved")
    response = client.submit(f"/support/{thread.token}/reply", {"message": "Actually, one more thing"})
    assert response.status_code == 303
    thread = latest_thread()
    assert (thread.status, thread.resolved_at) == ("open", None)


def test_contact_form_opens_a_general_thread(client, mall):
    response = client.submit(
        "/shop/aurora/contact",
        {"name": "Bo Visitor", "email": "Bo@Example.com", "subject": "Wholesale?", "message": "Do you sell wholesale?"},
    )
    thread = latest_thread()
    assert response.status_code == 303 and response.headers["Location"] == f"/support/{thread.token}"
    assert (thread.topic, thread.sub_order_id, thread.shopper_email) == ("general", None, "bo@example.com")
    assert thread.tenant_id == mall.aurora.tenant.id


def test_contact_form_links_the_shoppers_order_when_number_and_email_match(client, mall):
    data = {"name": "Ada", "email": "ada@example.com", "subject": "Size", "message": "Wrong size"}
    data["order_number"] = mall.order.number.lower()
    assert client.submit("/shop/sole/contact", data).status_code == 303
    thread = latest_thread()
    assert (thread.topic, thread.sub_order_id) == ("order", mall.sole.sub_order(mall.order).id)

    wrong = client.submit("/shop/sole/contact", {**data, "email": "someone@example.com"})
    assert wrong.status_code == 422
    assert f"We could not find order {mall.order.number} with Sole Club items" in text_of(wrong)
    assert db.session.scalar(select(func.count()).select_from(SupportThread)) == 1


def test_contact_form_rejects_bad_input_inline(client, mall):
    blank = {"name": "", "email": "nope", "subject": "", "message": "", "order_number": "123"}
    response = client.submit("/shop/aurora/contact", blank)
    page = text_of(response)
    assert response.status_code == 422
    for message in ("Tell us your name.", "Enter a valid email address.", "Give your question a subject.",
                    "Write your question.", "Order numbers look like FM-ABCD2345."):
        assert message in page
    assert client.get("/shop/nobody/contact").status_code == 404


def test_the_ask_page_shows_the_order_with_its_eta(client, mall):
    page = text_of(client.get(f"/orders/{mall.order.tracking_token}/ask/aurora"))
    assert f"Ask Aurora Knits about order {mall.order.number}" in page
    assert "My Aurora Knits items" in page and "My whole order" in page
    assert eta_text(mall.order) in page and "Camden Pickup" in page
