from sqlalchemy import func, select

from mall.accounts.models import User
from mall.accounts.passwords import password_matches
from mall.extensions import db
from tests.factories import PASSWORD
from tests.support import text_of

GOOD_SIGNUP = {
    "name": "Maya Patel",
    "email": "Maya@Example.com",
    "password": "a long enough secret",
    "confirm": "a long enough secret",
}


def _users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_signup_creates_an_account_logs_in_and_goes_to_brand_onboarding(client, app_ctx):
    response = client.submit("/signup", GOOD_SIGNUP)

    assert response.status_code == 303
    assert response.headers["Location"] == "/brands/new"
    page = client.get("/brands/new")
    assert page.status_code == 200
    assert "Welcome to Flashmall, Maya Patel!" in text_of(page)
    assert "Open your brand" in text_of(page)
    user = db.session.scalar(select(User))
    assert user.email == "maya@example.com"
    assert password_matches(user.password_hash, "a long enough secret")


def test_signup_follows_a_safe_next_and_ignores_an_external_one(client, app_ctx):
    response = client.submit("/signup", GOOD_SIGNUP, query_string={"next": "/shop/acme"})
    assert response.headers["Location"] == "/shop/acme"

    client.submit("/logout")
    other = dict(GOOD_SIGNUP, email="second@example.com")
    response = client.submit("/signup", other, query_string={"next": "//evil.com"})
    assert response.headers["Location"] == "/brands/new"


def test_signup_refuses_an_email_already_used_in_another_case(client, make):
    make.user(email="taken@example.com")

    response = client.submit("/signup", dict(GOOD_SIGNUP, email="  TAKEN@example.COM "))

    assert response.status_code == 422
    assert "An account with this email already exists" in text_of(response)
    assert _users() == 1


def test_signup_shows_every_problem_inline_and_saves_nothing(client, app_ctx):
    response = client.submit("/signup", {"name": "", "email": "not-an-email", "password": "short", "confirm": "other"})

    text = text_of(response)
    assert response.status_code == 422
    assert "Tell us your name." in text
    assert "Enter a valid email address" in text
    assert "Use at least 10 characters" in text
    assert "The two passwords do not match." in text
    assert _users() == 0


def test_signup_refuses_an_oversized_name(client, app_ctx):
    response = client.submit("/signup", dict(GOOD_SIGNUP, name="x" * 500))
    assert response.status_code == 422
    assert "Keep your name under 120 characters." in text_of(response)
    assert _users() == 0


def test_login_and_logout(client, make):
    user = make.user(email="owner@example.com", name="Olu Owner")
    brand = make.brand(owner=user, name="Olu Socks", slug="olus-socks")

    response = client.submit("/login", {"email": "Owner@Example.com", "password": PASSWORD})

    assert response.status_code == 303
    assert response.headers["Location"] == "/brands/olus-socks/"
    dashboard = client.get(response.headers["Location"])
    assert "Welcome back, Olu Owner." in text_of(dashboard)
    assert brand.name in text_of(dashboard)

    response = client.submit("/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/brands/olus-socks/").status_code == 302


def test_login_with_a_safe_next_returns_there(client, make):
    user = make.user(email="owner@example.com")
    make.brand(owner=user, slug="acme")

    response = client.submit("/login", {"email": user.email, "password": PASSWORD}, query_string={"next": "/brands/acme/members"})

    assert response.headers["Location"] == "/brands/acme/members"


def test_wrong_password_and_unknown_email_get_the_same_generic_message(client, make):
    make.user(email="owner@example.com")

    wrong_password = client.submit("/login", {"email": "owner@example.com", "password": "not the password"})
    unknown_email = client.submit("/login", {"email": "nobody@example.com", "password": "not the password"})

    for response in (wrong_password, unknown_email):
        assert response.status_code == 422
        assert "Email or password is wrong." in text_of(response)
    assert text_of(wrong_password) == text_of(unknown_email)
    assert client.get("/brands/new").status_code == 302


def test_an_outdated_password_hash_is_upgraded_on_login(client, make):
    from argon2 import PasswordHasher

    user = make.user(email="old@example.com")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db.session.commit()
    old_hash = user.password_hash

    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 303

    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh.password_hash != old_hash
    assert password_matches(fresh.password_hash, PASSWORD)


def test_login_and_logout_without_csrf_are_refused(client, make):
    user = make.user(email="owner@example.com")

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form expired" in text_of(response)

    client.login_as(user)
    assert client.post("/logout").status_code == 400
    assert client.get("/brands/new").status_code == 200


def test_logout_needs_a_post(client):
    assert client.get("/logout").status_code == 405


def test_signup_is_rate_limited_per_address_without_creating_the_extra_accounts(app, client, app_ctx):
    original = app.config["SIGNUP_RATE_LIMIT"]
    app.config["SIGNUP_RATE_LIMIT"] = "2 per minute"
    try:
        made = []
        for n in range(2):
            made.append(client.submit("/signup", {**GOOD_SIGNUP, "email": f"seller{n}@example.com"}))
            client.submit("/logout")
        blocked = client.submit("/signup", {**GOOD_SIGNUP, "email": "seller9@example.com"})
    finally:
        app.config["SIGNUP_RATE_LIMIT"] = original

    assert [r.status_code for r in made] == [303, 303]
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 0
    assert db.session.scalar(select(User).where(User.email == "seller9@example.com")) is None


def test_signed_out_visitors_find_the_creator_programme_from_every_page(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/creators/join"' in page and "For creators" in page
