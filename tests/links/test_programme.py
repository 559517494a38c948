"""The programme: creators join and apply, brands invite, approve, set terms and end partnerships."""

from sqlalchemy import func, select

from mall.accounts.models import User
from mall.extensions import db
from mall.links.models import CreatorPartnership
from tests.links.conftest import partner
from tests.support import text_of

SIGNUP = {"name": "Cleo Creator", "email": "cleo@example.com", "password": "a long password", "confirm": "a long password"}


def row(tenant, user) -> CreatorPartnership:
    db.session.expire_all()
    return db.session.scalar(
        select(CreatorPartnership).where(CreatorPartnership.tenant_id == tenant.id, CreatorPartnership.creator_id == user.id)
    )


def test_joining_as_a_creator_makes_a_creator_account_and_opens_the_dashboard(client, app_ctx):
    response = client.submit("/creators/join", SIGNUP)
    assert response.status_code == 303 and response.headers["Location"] == "/creators"
    user = db.session.scalar(select(User).where(User.email == "cleo@example.com"))
    assert user.is_creator
    page = text_of(client.get("/creators"))
    assert "Your creator links" in page and "Apply to a brand" in page


def test_joining_with_bad_input_shows_what_to_fix(client, make):
    make.user(email="taken@example.com")
    response = client.submit("/creators/join", {**SIGNUP, "email": "taken@example.com", "confirm": "different"})
    assert response.status_code == 422
    assert "already exists" in text_of(response) and "do not match" in text_of(response)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_a_signed_in_shopper_or_seller_becomes_a_creator_with_one_button(client, make):
    user = make.user(email="seller@example.com")
    client.login_as(user)
    assert client.get("/creators").headers["Location"] == "/creators/join"
    assert "Become a creator" in text_of(client.get("/creators/join"))
    assert client.submit("/creators/join").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).is_creator


def test_creator_pages_need_a_login(client):
    response = client.get("/creators")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_a_creator_applies_and_a_manager_approves_on_their_terms(client, make, mall):
    cleo = make.user(email="cleo@example.com", name="Cleo", creator=True)
    client.login_as(cleo)
    response = client.submit("/creators/apply", {"brand": "plain"})
    assert response.status_code == 303
    assert row(mall.brands["plain"], cleo).status == "applied"
    assert "already applied" in text_of(client.submit("/creators/apply", {"brand": "plain"}))

    manager = make.member(mall.brands["plain"], role="manager")
    client.login_as(manager)
    page = client.get("/brands/plain/creators")
    assert "Cleo" in text_of(page) and "applied" in text_of(page)
    partnership = row(mall.brands["plain"], cleo)
    response = client.submit(
        f"/brands/plain/creators/{partnership.id}/approve", {"commission_percent": "7.5", "window_hours": "48"}
    )
    assert response.status_code == 303
    approved = row(mall.brands["plain"], cleo)
    assert (approved.status, approved.commission_bp, approved.window_hours) == ("approved", 750, 48)


def test_a_brand_invites_a_creator_who_accepts(client, make, mall):
    cleo = make.user(email="cleo@example.com", name="Cleo", creator=True)
    client.login_as(mall.owner)
    response = client.submit(
        "/brands/plain/creators/invite", {"email": "CLEO@example.com", "commission_percent": "12", "window_hours": "72"}
    )
    assert response.status_code == 303
    invited = row(mall.brands["plain"], cleo)
    assert (invited.status, invited.commission_bp, invited.window_hours) == ("invited", 1200, 72)

    client.login_as(cleo)
    assert "Plain Goods invites you: 12% commission" in text_of(client.get("/creators"))
    assert client.submit(f"/creators/partnerships/{invited.id}/accept").status_code == 303
    assert row(mall.brands["plain"], cleo).status == "approved"
    assert client.submit(f"/creators/partnerships/{invited.id}/accept").status_code == 303  # already answered
    assert "no longer open" in text_of(client.get("/creators"))


def test_inviting_someone_without_a_creator_account_explains_what_to_do(client, make, mall):
    make.user(email="shopper@example.com")
    client.login_as(mall.owner)
    response = client.submit(
        "/brands/plain/creators/invite", {"email": "shopper@example.com", "commission_percent": "10", "window_hours": "24"}
    )
    assert response.status_code == 422
    assert "/creators/join" in text_of(response)
    assert db.session.scalar(select(func.count(CreatorPartnership.id))) == 2  # the fixture's two


BAD_TERMS = [
    ({"commission_percent": "60", "window_hours": "24"}, "between 0 and 50"),
    ({"commission_percent": "-1", "window_hours": "24"}, "between 0 and 50"),
    ({"commission_percent": "NaN", "window_hours": "24"}, "Enter a number"),
    ({"commission_percent": "Infinity", "window_hours": "24"}, "Enter a number"),
    ({"commission_percent": "ten", "window_hours": "24"}, "Enter a number written with digits"),
    ({"commission_percent": "9e99", "window_hours": "24"}, "Enter a number written with digits"),
    ({"commission_percent": "1e400", "window_hours": "24"}, "Enter a number written with digits"),
    ({"commission_percent": "9" * 40, "window_hours": "24"}, "Enter a number written with digits"),
    ({"commission_percent": "7.555", "window_hours": "24"}, "at most 2 decimals"),
    ({"commission_percent": "", "window_hours": "24"}, "Enter the commission"),
    ({"commission_percent": "10", "window_hours": "0"}, "1 to 720"),
    ({"commission_percent": "10", "window_hours": "721"}, "1 to 720"),
    ({"commission_percent": "10", "window_hours": "1.5"}, "whole number"),
    ({"commission_percent": "10", "window_hours": ""}, "how many hours"),
]


def test_bad_terms_are_refused_with_a_clear_message(client, mall):
    partnership = row(mall.brands["north"], mall.creator)
    client.login_as(mall.owner)
    for terms, message in BAD_TERMS:
        response = client.submit(f"/brands/north/creators/{partnership.id}/terms", terms)
        assert response.status_code == 422, terms
        assert message in text_of(response), terms
        invite = client.submit("/brands/north/creators/invite", {"email": "ada@example.com", **terms})
        assert invite.status_code == 422 and message in text_of(invite), terms
    assert row(mall.brands["north"], mall.creator).commission_bp == 1000


def test_support_members_see_the_programme_but_cannot_change_it(client, make, mall):
    support = make.member(mall.brands["north"], role="support")
    partnership = row(mall.brands["north"], mall.creator)
    client.login_as(support)
    page = client.get("/brands/north/creators")
    assert page.status_code == 200 and "Ada Creator" in text_of(page) and "Invite a creator" not in text_of(page)
    assert client.get(f"/brands/north/creators/{partnership.id}").status_code == 200
    for action in ("terms", "end"):
        assert client.submit(f"/brands/north/creators/{partnership.id}/{action}", {"commission_percent": "50", "window_hours": "1"}).status_code == 403
    invite = {"email": "x@example.com", "commission_percent": "1", "window_hours": "1"}
    assert client.submit("/brands/north/creators/invite", invite).status_code == 403
    assert row(mall.brands["north"], mall.creator).status == "approved"


def test_another_brands_partnership_is_a_404(client, make, mall):
    other_owner = make.user(email="other@example.com")
    other = make.brand(owner=other_owner, slug="other")
    theirs = partner(other, mall.creator)
    client.login_as(mall.owner)
    assert client.get(f"/brands/north/creators/{theirs.id}").status_code == 404
    assert client.submit(f"/brands/north/creators/{theirs.id}/end").status_code == 404
    assert client.get("/brands/other/creators").status_code == 404  # not a member of that brand
    assert row(other, mall.creator).status == "approved"


def test_a_creator_cannot_answer_someone_elses_invitation(client, make, mall):
    cleo = make.user(email="cleo@example.com", creator=True)
    invited = partner(mall.brands["plain"], cleo, status="invited")
    client.login_as(mall.creator)
    assert client.submit(f"/creators/partnerships/{invited.id}/accept").status_code == 404
    assert row(mall.brands["plain"], cleo).status == "invited"


def test_ending_a_partnership_stops_new_links(client, mall):
    partnership = row(mall.brands["north"], mall.creator)
    client.login_as(mall.owner)
    assert client.submit(f"/brands/north/creators/{partnership.id}/end").status_code == 303
    assert row(mall.brands["north"], mall.creator).status == "ended"
    client.login_as(mall.creator)
    response = client.submit("/creators/links/new", {"target": f"b:{mall.brands['north'].id}", "code": ""})
    assert response.status_code == 422
