import pytest
from sqlalchemy import func, select

from mall.extensions import db
from tenants.models import Membership, Tenant
from tests.support import text_of

GOOD_BRAND = {"name": "Night Owl Coffee", "slug": "night-owl", "colour": "#1E3A8A", "tagline": "Roasted after dark."}


def _brands() -> int:
    return db.session.scalar(select(func.count(Tenant.id)))


def test_a_new_user_opens_a_brand_and_becomes_its_owner(client, make):
    user = make.user(email="founder@example.com")
    client.login_as(user)

    response = client.submit("/brands/new", GOOD_BRAND)

    assert response.status_code == 303
    assert response.headers["Location"] == "/brands/night-owl/"
    tenant = db.session.scalar(select(Tenant))
    assert (tenant.name, tenant.slug, tenant.colour, tenant.tagline) == (
        "Night Owl Coffee", "night-owl", "#1e3a8a", "Roasted after dark.",
    )
    membership = db.session.scalar(select(Membership))
    assert (membership.tenant_id, membership.user_id, membership.role) == (tenant.id, user.id, "owner")
    dashboard = text_of(client.get("/brands/night-owl/"))
    assert "Night Owl Coffee is open for business" in dashboard
    assert "You are owner of this brand" in dashboard


def test_onboarding_needs_a_logged_in_user(client, app_ctx):
    response = client.get("/brands/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/brands/new")
    assert client.submit("/brands/new", GOOD_BRAND).status_code == 302
    assert _brands() == 0


@pytest.mark.parametrize(
    "slug, message",
    [
        ("new", "is reserved by the mall"),
        ("admin", "is reserved by the mall"),
        ("operator", "is reserved by the mall"),
        ("api", "is reserved by the mall"),
        ("static", "is reserved by the mall"),
        ("login", "is reserved by the mall"),
        ("a", "Use 2 to 40 characters."),
        ("x" * 41, "Use 2 to 40 characters."),
        ("night owl", "Use lowercase letters, digits and hyphens"),
        ("-owl", "Use lowercase letters, digits and hyphens"),
        ("owl-", "Use lowercase letters, digits and hyphens"),
        ("owl_cafe", "Use lowercase letters, digits and hyphens"),
        ("caf\u00e9", "Use lowercase letters, digits and hyphens"),
        ("../etc", "Use lowercase letters, digits and hyphens"),
        ("", "Choose an address for your shop."),
    ],
)
def test_bad_slugs_are_refused_inline_and_no_brand_is_created(client, make, slug, message):
    client.login_as(make.user())

    response = client.submit("/brands/new", dict(GOOD_BRAND, slug=slug))

    assert response.status_code == 422
    assert message in text_of(response)
    assert _brands() == 0


def test_a_taken_slug_is_refused_inline(client, make):
    make.brand(slug="night-owl", name="The First Owl")
    client.login_as(make.user())

    response = client.submit("/brands/new", dict(GOOD_BRAND, slug="Night-Owl"))

    assert response.status_code == 422
    assert "Another brand already uses this address." in text_of(response)
    assert _brands() == 1
    assert db.session.scalar(select(func.count(Membership.id))) == 0


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "", "Give your brand a name."),
        ("name", "n" * 81, "Keep the name under 80 characters."),
        ("colour", "blue", "Use a colour like #6d28d9"),
        ("colour", "#12345g", "Use a colour like #6d28d9"),
        ("tagline", "t" * 161, "Keep the tagline under 160 characters."),
    ],
)
def test_other_bad_brand_fields_are_refused_inline(client, make, field, value, message):
    client.login_as(make.user())

    response = client.submit("/brands/new", dict(GOOD_BRAND, **{field: value}))

    assert response.status_code == 422
    assert message in text_of(response)
    assert _brands() == 0
