"""Who may reach which brand page: other brands' members get 404, support gets 403 on owner actions."""

import pytest
from sqlalchemy import select

from mall.extensions import db
from tenants.models import Membership, Tenant
from tests.support import text_of

PAGES = ["/", "/members", "/settings"]
POSTS = [
    ("/settings", {"name": "Hijacked", "colour": "#000000", "cancellation_window_minutes": "1",
                   "first_response_minutes": "1", "resolution_minutes": "1"}),
    ("/members/invite", {"email": "spy@example.com", "role": "owner"}),
    ("/members/{owner_membership}/role", {"role": "support"}),
    ("/members/{owner_membership}/remove", {}),
]


@pytest.fixture
def two_brands(make):
    owner_a = make.user(email="owner-a@example.com")
    brand_a = make.brand(owner=owner_a, slug="brand-a", name="Brand A")
    owner_b = make.user(email="owner-b@example.com")
    make.brand(owner=owner_b, slug="brand-b", name="Brand B")
    owner_membership = db.session.scalar(select(Membership.id).where(Membership.tenant_id == brand_a.id))
    return brand_a, owner_a, owner_b, owner_membership


def _brand_a_unchanged(brand_a, owner_a):
    db.session.expire_all()
    assert db.session.get(Tenant, brand_a.id).name == "Brand A"
    roles = db.session.scalars(select(Membership.role).where(Membership.tenant_id == brand_a.id)).all()
    assert "owner" in roles


@pytest.mark.parametrize("page", PAGES)
def test_a_member_of_another_brand_gets_404_for_pages(client, two_brands, page):
    brand_a, owner_a, owner_b, _ = two_brands
    client.login_as(owner_b)

    response = client.get(f"/brands/brand-a{page}")

    assert response.status_code == 404
    assert "Brand A" not in text_of(response)


@pytest.mark.parametrize("path, data", POSTS)
def test_a_member_of_another_brand_gets_404_for_actions(client, two_brands, path, data):
    brand_a, owner_a, owner_b, owner_membership = two_brands
    client.login_as(owner_b)

    response = client.submit("/brands/brand-a" + path.format(owner_membership=owner_membership), data)

    assert response.status_code == 404
    _brand_a_unchanged(brand_a, owner_a)


@pytest.mark.parametrize("path, data", POSTS[2:])
def test_brand_b_cannot_reach_brand_a_members_through_its_own_url(client, two_brands, path, data):
    brand_a, owner_a, owner_b, owner_membership = two_brands
    client.login_as(owner_b)

    response = client.submit("/brands/brand-b" + path.format(owner_membership=owner_membership), data)

    assert response.status_code == 404
    _brand_a_unchanged(brand_a, owner_a)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, two_brands, page):
    response = client.get(f"/brands/brand-a{page}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/brands/brand-a")


def test_unknown_brand_is_404(client, two_brands):
    client.login_as(two_brands[1])
    assert client.get("/brands/no-such-brand/").status_code == 404


@pytest.mark.parametrize("path, data", POSTS)
def test_support_gets_403_on_owner_actions(client, make, two_brands, path, data):
    brand_a, owner_a, _, owner_membership = two_brands
    client.login_as(make.member(brand_a, role="support"))

    response = client.submit("/brands/brand-a" + path.format(owner_membership=owner_membership), data)

    assert response.status_code == 403
    assert "You do not have permission to do that." in text_of(response)
    _brand_a_unchanged(brand_a, owner_a)


def test_support_cannot_open_settings_but_sees_the_overview_and_team(client, make, two_brands):
    client.login_as(make.member(two_brands[0], role="support"))
    assert client.get("/brands/brand-a/settings").status_code == 403
    assert client.get("/brands/brand-a/").status_code == 200
    assert client.get("/brands/brand-a/members").status_code == 200


@pytest.mark.parametrize("path, data", POSTS[1:])
def test_managers_get_403_on_team_changes(client, make, two_brands, path, data):
    brand_a, owner_a, _, owner_membership = two_brands
    client.login_as(make.member(brand_a, role="manager"))

    response = client.submit("/brands/brand-a" + path.format(owner_membership=owner_membership), data)

    assert response.status_code == 403
    _brand_a_unchanged(brand_a, owner_a)
