import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from mall.clock import utcnow
from mall.extensions import db
from tenants.models import Membership
from tests.factories import PASSWORD
from tests.support import text_of


def _membership(tenant, user) -> Membership | None:
    db.session.expire_all()
    return db.session.scalar(select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id))


def _invite_link(client, brand, email, role="manager") -> str:
    response = client.submit(f"/brands/{brand.slug}/members/invite", {"email": email, "role": role})
    assert response.status_code == 200
    match = re.search(r'value="(http://[^"]+/invites/[^"]+)"', response.get_data(as_text=True))
    assert match, "the owner sees the invite link to copy"
    return match.group(1).split("localhost", 1)[1]


def test_members_page_lists_the_team_with_roles(client, make):
    owner = make.user(name="Olu Owner")
    brand = make.brand(owner=owner)
    make.member(brand, make.user(name="Sam Support"), role="support")
    make.member(brand, make.user(name="Mo Manager"), role="manager")
    client.login_as(owner)

    text = text_of(client.get(f"/brands/{brand.slug}/members"))

    assert re.search(r"Olu Owner.*owner.*Mo Manager.*manager.*Sam Support.*support", text)
    assert "Create invite link" in text


def test_non_owners_see_the_team_but_no_owner_controls(client, make):
    brand = make.brand(owner=make.user(name="Olu Owner"))
    manager = make.member(brand, role="manager")
    client.login_as(manager)

    response = client.get(f"/brands/{brand.slug}/members")

    assert response.status_code == 200
    assert "Olu Owner" in text_of(response)
    assert "Create invite link" not in text_of(response)
    assert "Only owners can invite people" in text_of(response)


def test_invite_flow_for_a_new_person_signing_up(client, make):
    owner = make.user()
    brand = make.brand(owner=owner, name="Fizz Labs")
    client.login_as(owner)
    link = _invite_link(client, brand, "New.Hire@example.com", role="manager")
    client.submit("/logout")

    page = client.get(link)
    assert page.status_code == 200
    assert "You are invited to join Fizz Labs" in text_of(page)
    assert "manager" in text_of(page)

    signup = client.submit(
        "/signup",
        {"name": "New Hire", "email": "new.hire@example.com", "password": "long password 1", "confirm": "long password 1"},
        query_string={"next": link},
    )
    assert signup.headers["Location"] == link
    accepted = client.submit(link)

    assert accepted.status_code == 303
    assert accepted.headers["Location"] == f"/brands/{brand.slug}/"
    assert "You joined Fizz Labs." in text_of(client.get(accepted.headers["Location"]))
    member = db.session.scalar(select(Membership).where(Membership.tenant_id == brand.id, Membership.role == "manager"))
    assert member.user.email == "new.hire@example.com"


def test_a_logged_out_visitor_is_sent_to_log_in_and_back(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    invited = make.user(email="friend@example.com")
    client.login_as(owner)
    link = _invite_link(client, brand, invited.email, role="support")
    client.submit("/logout")

    assert client.submit(link).headers["Location"].startswith("/login?next=/invites/")
    page = client.get(link).get_data(as_text=True)
    assert 'href="/login?next=/invites/' in page
    login = client.submit("/login", {"email": invited.email, "password": PASSWORD}, query_string={"next": link})
    assert login.headers["Location"] == link

    assert client.submit(link).status_code == 303
    assert client.submit(link).status_code == 303
    assert _membership(brand, invited).role == "support"


def test_accepting_as_an_existing_member_changes_nothing(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    support = make.member(brand, make.user(email="helper@example.com"), role="support")
    client.login_as(owner)
    link = _invite_link(client, brand, "someone@example.com", role="owner")
    client.login_as(support)

    response = client.submit(link)

    assert response.status_code == 303
    assert _membership(brand, support).role == "support"


def test_an_invite_for_another_email_cannot_be_accepted(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    client.login_as(owner)
    link = _invite_link(client, brand, "intended@example.com")
    stranger = make.user(email="stranger@example.com")
    client.login_as(stranger)

    assert client.get(link).status_code == 403
    response = client.submit(link)

    assert response.status_code == 403
    assert "This invite is for intended@example.com" in text_of(response)
    assert _membership(brand, stranger) is None


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "xyz", lambda t: "x" + t, lambda t: "not-a-token", lambda t: t[:10]])
def test_a_tampered_invite_gets_a_friendly_400(client, make, mangle):
    owner = make.user()
    brand = make.brand(owner=owner)
    client.login_as(owner)
    token = _invite_link(client, brand, "friend@example.com").rsplit("/", 1)[1]
    friend = make.user(email="friend@example.com")
    client.login_as(friend)

    for response in (client.get(f"/invites/{mangle(token)}"), client.submit(f"/invites/{mangle(token)}")):
        assert response.status_code == 400
        assert "This invite link is not valid" in text_of(response)
    assert _membership(brand, friend) is None


def test_an_invite_expires_after_seven_days(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    friend = make.user(email="friend@example.com")
    client.login_as(owner)
    with time_machine.travel(utcnow(), tick=False):
        link = _invite_link(client, brand, friend.email)
    client.login_as(friend)

    with time_machine.travel(utcnow() + timedelta(days=6, hours=23), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1), tick=False):
        response = client.submit(link)

    assert response.status_code == 400
    assert "This invite link has expired" in text_of(response)
    assert _membership(brand, friend) is None


def test_a_removed_member_cannot_come_back_with_the_old_link(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    friend = make.user(email="friend@example.com")
    client.login_as(owner)
    link = _invite_link(client, brand, friend.email)
    client.login_as(friend)
    client.submit(link)
    membership_id = _membership(brand, friend).id
    client.login_as(owner)
    assert client.submit(f"/brands/{brand.slug}/members/{membership_id}/remove").status_code == 303

    client.login_as(friend)
    response = client.submit(link)
    assert response.status_code == 400
    assert "withdrawn" in text_of(response)
    client.login_as(owner)
    fresh_link = _invite_link(client, brand, friend.email)
    client.login_as(friend)
    assert client.submit(fresh_link).status_code == 303
    assert _membership(brand, friend) is not None


def test_inviting_someone_already_on_the_team_or_a_bad_email_is_refused_inline(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    make.member(brand, make.user(email="helper@example.com"))
    client.login_as(owner)

    taken = client.submit(f"/brands/{brand.slug}/members/invite", {"email": "HELPER@example.com", "role": "manager"})
    bad_email = client.submit(f"/brands/{brand.slug}/members/invite", {"email": "nope", "role": "manager"})
    bad_role = client.submit(f"/brands/{brand.slug}/members/invite", {"email": "x@example.com", "role": "emperor"})

    assert taken.status_code == bad_email.status_code == bad_role.status_code == 422
    assert "This person is already on the team." in text_of(taken)
    assert "Enter a valid email address" in text_of(bad_email)
    assert "Not a valid choice" in text_of(bad_role)
    assert "/invites/" not in taken.get_data(as_text=True) + bad_email.get_data(as_text=True)


def test_owner_changes_a_role(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    helper = make.member(brand, make.user(name="Sam Support"), role="support")
    client.login_as(owner)
    membership = _membership(brand, helper)

    response = client.submit(f"/brands/{brand.slug}/members/{membership.id}/role", {"role": "manager"})

    assert response.status_code == 303
    assert "Sam Support is now manager." in text_of(client.get(response.headers["Location"]))
    assert _membership(brand, helper).role == "manager"


def test_the_last_owner_cannot_be_demoted_or_removed(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    client.login_as(owner)
    own = _membership(brand, owner)

    demote = client.submit(f"/brands/{brand.slug}/members/{own.id}/role", {"role": "support"})
    remove = client.submit(f"/brands/{brand.slug}/members/{own.id}/remove")

    assert demote.status_code == remove.status_code == 422
    assert "A brand needs at least one owner." in text_of(demote)
    assert "The last owner cannot be removed." in text_of(remove)
    assert _membership(brand, owner).role == "owner"


def test_with_a_second_owner_an_owner_may_step_down_and_leave(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    co_owner = make.member(brand, role="owner")
    client.login_as(owner)
    own = _membership(brand, owner)

    assert client.submit(f"/brands/{brand.slug}/members/{own.id}/role", {"role": "manager"}).status_code == 303
    assert _membership(brand, owner).role == "manager"
    client.login_as(co_owner)
    last = _membership(brand, co_owner)
    assert client.submit(f"/brands/{brand.slug}/members/{last.id}/role", {"role": "manager"}).status_code == 422
    response = client.submit(f"/brands/{brand.slug}/members/{own.id}/remove")
    assert response.status_code == 303
    assert _membership(brand, owner) is None


def test_removing_yourself_takes_you_back_to_the_mall(client, make):
    owner = make.user()
    brand = make.brand(owner=owner, name="Fizz Labs")
    make.member(brand, role="owner")
    client.login_as(owner)

    response = client.submit(f"/brands/{brand.slug}/members/{_membership(brand, owner).id}/remove")

    assert response.headers["Location"] == "/"
    assert client.get(f"/brands/{brand.slug}/").status_code == 404


def test_an_unknown_role_or_membership_is_refused(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    helper = make.member(brand)
    client.login_as(owner)
    membership = _membership(brand, helper)

    bad_role = client.submit(f"/brands/{brand.slug}/members/{membership.id}/role", {"role": "emperor"})
    assert bad_role.status_code == 422
    assert "Choose owner, manager or support." in text_of(bad_role)
    assert _membership(brand, helper).role == "support"
    assert client.submit(f"/brands/{brand.slug}/members/999999/role", {"role": "manager"}).status_code == 404
    assert client.submit(f"/brands/{brand.slug}/members/999999/remove").status_code == 404
