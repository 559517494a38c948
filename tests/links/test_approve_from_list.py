"""A creator's application shows on the creators list, with a count in the sidebar, and is approved from there."""

import re

from mall.extensions import db
from mall.links import services
from tests.links.test_programme import row
from tests.support import text_of


def _applied(make, mall, name="Cleo"):
    cleo = make.user(email=f"{name.lower()}@example.com", name=name, creator=True)
    services.apply_to_brand(db.session, cleo, mall.brands["plain"])
    return cleo


def _approve_form(html: str) -> tuple[str, dict]:
    """The list's Approve form: where it posts and the hidden fields it sends (the creator's requested terms)."""
    form = re.search(r'<form method="post" action="(/brands/plain/creators/\d+/approve)" class="approve-form">(.*?)</form>',
                     html, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form[2]))
    fields.pop("csrf_token")
    return form[1], fields


def test_an_application_shows_as_a_badge_and_is_approved_from_the_list(client, make, mall):
    cleo = _applied(make, mall)
    client.login_as(mall.owner)

    page = client.get("/brands/plain/creators")

    html = page.get_data(as_text=True)
    assert re.search(r'Creators <span class="badge count"[^>]*>1</span>', html)  # the sidebar counts it
    assert "Approve Cleo" in text_of(page)
    action, fields = _approve_form(html)
    assert fields == {"from": "list", "commission_percent": "10", "window_hours": "24"}
    response = client.submit(action, fields)
    assert response.status_code == 303 and response.headers["Location"] == "/brands/plain/creators"
    approved = row(mall.brands["plain"], cleo)
    assert (approved.status, approved.commission_bp, approved.window_hours) == ("approved", 1000, 24)
    after = client.get("/brands/plain/creators")
    assert "Approve Cleo" not in text_of(after)
    assert 'Creators <span class="badge count"' not in after.get_data(as_text=True)


def test_the_approve_button_needs_csrf_and_a_manager(client, make, mall):
    cleo = _applied(make, mall)
    partnership = row(mall.brands["plain"], cleo)
    helper = make.member(mall.brands["plain"], role="support")
    client.login_as(helper)
    assert "Approve Cleo" not in text_of(client.get("/brands/plain/creators"))
    url = f"/brands/plain/creators/{partnership.id}/approve"
    assert client.submit(url, {"from": "list", "commission_percent": "10", "window_hours": "24"}).status_code == 403

    client.login_as(mall.owner)
    no_token = client.post(url, data={"from": "list", "commission_percent": "10", "window_hours": "24"})
    assert no_token.status_code == 400
    assert row(mall.brands["plain"], cleo).status == "applied"


def test_another_brands_application_cannot_be_approved_from_this_list(client, make, mall):
    cleo = _applied(make, mall)
    partnership = row(mall.brands["plain"], cleo)
    other_owner = next(b for slug, b in mall.brands.items() if slug != "plain")
    client.login_as(mall.owner)
    response = client.submit(f"/brands/{other_owner.slug}/creators/{partnership.id}/approve",
                             {"from": "list", "commission_percent": "10", "window_hours": "24"})
    assert response.status_code == 404
    assert row(mall.brands["plain"], cleo).status == "applied"
