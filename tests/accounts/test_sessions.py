"""Sessions end for real: logging out, changing the password or leaving a brand signs out every copy of a session."""

from flask_login import encode_cookie
from sqlalchemy import select

from mall.accounts.models import User
from mall.accounts.passwords import password_matches
from mall.extensions import db
from tenants.models import Membership
from tests.factories import PASSWORD
from tests.support import text_of

NEW_PASSWORD = "a brand new long secret"


def _signed_in(app, user, password=PASSWORD):
    """A browser of its own, signed in through the login form."""
    browser = app.test_client()
    assert browser.submit("/login", {"email": user.email, "password": password}).status_code == 303
    return browser


def _copy_of(app, browser):
    """Another browser holding a copy of `browser`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def _asked_to_log_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _membership(tenant, user) -> Membership:
    return db.session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    )


def test_a_session_cookie_copied_before_logout_no_longer_opens_the_brand(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    browser = _signed_in(app, owner)
    thief = _copy_of(app, browser)
    assert thief.get(f"/brands/{brand.slug}/").status_code == 200

    assert browser.submit("/logout").status_code == 303

    assert _asked_to_log_in(thief.get(f"/brands/{brand.slug}/"))
    assert _asked_to_log_in(browser.get(f"/brands/{brand.slug}/"))


def test_logging_out_in_one_browser_signs_out_the_others_and_logging_in_again_works(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    laptop, phone = _signed_in(app, owner), _signed_in(app, owner)

    laptop.submit("/logout")

    assert _asked_to_log_in(phone.get(f"/brands/{brand.slug}/"))
    again = _signed_in(app, owner)
    assert again.get(f"/brands/{brand.slug}/").status_code == 200


def test_a_remember_me_cookie_stops_working_after_logout(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    cookie = encode_cookie(owner.get_id())
    remembered = app.test_client()
    remembered.set_cookie("remember_token", cookie)
    assert remembered.get(f"/brands/{brand.slug}/").status_code == 200

    _signed_in(app, owner).submit("/logout")

    assert _asked_to_log_in(remembered.get(f"/brands/{brand.slug}/"))
    only_the_cookie = app.test_client()
    only_the_cookie.set_cookie("remember_token", cookie)
    assert _asked_to_log_in(only_the_cookie.get(f"/brands/{brand.slug}/"))


def test_a_session_written_with_a_bare_user_id_does_not_sign_anyone_in(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = str(owner.id)  # what sessions held before generations existed

    assert _asked_to_log_in(browser.get(f"/brands/{brand.slug}/"))


def test_a_forged_session_cookie_is_a_signed_out_visitor(app, make):
    browser = app.test_client()
    browser.set_cookie("session", "eyJfdXNlcl9pZCI6IjE6MCJ9.forged.signature")

    assert _asked_to_log_in(browser.get("/brands/new"))


def test_a_request_that_changes_nothing_in_the_session_sends_no_new_session_cookie(app, make):
    owner = make.user(email="owner@example.com")
    browser = _signed_in(app, owner)
    browser.get("/brands/new")  # the welcome message is shown and gone
    cookie = browser.get_cookie("session").value

    for path in ("/healthz", "/brands/new"):
        response = browser.get(path)
        assert response.status_code == 200
        assert not any(line.startswith("session=") for line in response.headers.getlist("Set-Cookie")), path
    assert browser.get_cookie("session").value == cookie


def test_changing_the_password_signs_out_every_other_browser_and_keeps_this_one(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    here, elsewhere = _signed_in(app, owner), _signed_in(app, owner)
    thief = _copy_of(app, here)
    assert "Change your password" in text_of(here.get("/account"))

    response = here.submit("/account", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert "Your password is changed." in text_of(here.get("/account"))
    assert here.get(f"/brands/{brand.slug}/").status_code == 200
    assert _asked_to_log_in(elsewhere.get(f"/brands/{brand.slug}/"))
    assert _asked_to_log_in(thief.get(f"/brands/{brand.slug}/"))
    db.session.expire_all()
    assert password_matches(db.session.get(User, owner.id).password_hash, NEW_PASSWORD)
    assert app.test_client().submit("/login", {"email": owner.email, "password": PASSWORD}).status_code == 422
    assert _signed_in(app, owner, NEW_PASSWORD).get(f"/brands/{brand.slug}/").status_code == 200


def test_a_wrong_current_password_or_a_mismatch_changes_nothing_and_signs_no_one_out(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    here, elsewhere = _signed_in(app, owner), _signed_in(app, owner)

    wrong = here.submit("/account", {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    mismatch = here.submit("/account", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": "something else"})
    short = here.submit("/account", {"current": PASSWORD, "password": "short", "confirm": "short"})

    assert wrong.status_code == mismatch.status_code == short.status_code == 422
    assert "That is not your current password." in text_of(wrong)
    assert "The two passwords do not match." in text_of(mismatch)
    assert "Use at least 10 characters" in text_of(short)
    assert elsewhere.get(f"/brands/{brand.slug}/").status_code == 200
    db.session.expire_all()
    assert password_matches(db.session.get(User, owner.id).password_hash, PASSWORD)


def test_the_account_page_needs_a_signed_in_user_and_a_csrf_token(app, client, make):
    owner = make.user(email="owner@example.com")
    assert _asked_to_log_in(client.get("/account"))

    browser = _signed_in(app, owner)
    refused = browser.post("/account", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert refused.status_code == 400
    db.session.expire_all()
    assert password_matches(db.session.get(User, owner.id).password_hash, PASSWORD)


def test_a_member_removed_from_a_brand_is_signed_out_of_every_browser(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    helper = make.member(brand, make.user(email="helper@example.com"), role="manager")
    helpers_browser = _signed_in(app, helper)
    copied = _copy_of(app, helpers_browser)
    assert copied.get(f"/brands/{brand.slug}/").status_code == 200

    removal = _signed_in(app, owner).submit(f"/brands/{brand.slug}/members/{_membership(brand, helper).id}/remove")

    assert removal.status_code == 303
    assert _asked_to_log_in(copied.get(f"/brands/{brand.slug}/"))
    assert _asked_to_log_in(helpers_browser.get("/brands/new"))


def test_leaving_a_brand_yourself_keeps_this_browser_signed_in_and_signs_out_the_others(app, make):
    owner = make.user(email="owner@example.com")
    brand = make.brand(owner=owner, slug="acme")
    other = make.brand(owner=owner, slug="other")
    make.member(brand, role="owner")
    here, elsewhere = _signed_in(app, owner), _signed_in(app, owner)

    response = here.submit(f"/brands/{brand.slug}/members/{_membership(brand, owner).id}/remove")

    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert here.get(f"/brands/{brand.slug}/").status_code == 404
    assert here.get(f"/brands/{other.slug}/").status_code == 200
    assert _asked_to_log_in(elsewhere.get(f"/brands/{other.slug}/"))
