"""Login is throttled per IP and per account; the 429 is the login form again, saying when to try again."""

import re

import pytest

from tests.factories import PASSWORD
from tests.support import text_of


@pytest.fixture
def limits(app, monkeypatch):
    """Set the login limits for one test."""

    def set_limits(per_ip="100 per minute", per_account="100 per minute"):
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", per_ip)
        monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", per_account)

    return set_limits


def _login(client, email, password="a wrong guess", ip="203.0.113.1", **kwargs):
    return client.submit("/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}, **kwargs)


def _wait_shown(response) -> int:
    match = re.search(r"Try again in (\d+) seconds?\.", text_of(response))
    assert match, text_of(response)
    return int(match.group(1))


def test_one_ip_is_throttled_whichever_accounts_it_tries(client, make, limits):
    limits(per_ip="3 per minute")
    make.user(email="owner@example.com")

    tries = [_login(client, f"someone{n}@example.com").status_code for n in range(3)]
    blocked = _login(client, "owner@example.com", PASSWORD)

    assert tries == [422, 422, 422]
    assert blocked.status_code == 429
    assert client.get("/brands/new").status_code == 302  # the right password while throttled signs no one in
    assert client.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.1"}).status_code == 200  # only POSTs count
    assert _login(client, "owner@example.com", PASSWORD, ip="198.51.100.7").status_code == 303


def test_one_account_is_throttled_whichever_ips_try_it(app, make, limits):
    limits(per_account="2 per minute")
    make.user(email="owner@example.com")
    other = make.user(email="other@example.com")
    attacker = app.test_client()

    tries = [_login(attacker, email, ip=f"203.0.113.{n}").status_code for n, email in
             enumerate(["owner@example.com", "  OWNER@Example.com "], start=1)]
    blocked = _login(attacker, "Owner@example.com", PASSWORD, ip="192.0.2.99")

    assert tries == [422, 422]
    assert blocked.status_code == 429 and "Try again in" in text_of(blocked)
    owner = app.test_client()
    assert _login(owner, "owner@example.com", PASSWORD, ip="198.51.100.7").status_code == 429
    assert owner.get("/brands/new").status_code == 302
    someone_else = app.test_client()
    assert _login(someone_else, other.email, PASSWORD, ip="192.0.2.99").status_code == 303


def test_the_throttled_page_is_the_form_again_with_the_email_kept_and_when_to_try_again(client, make, limits):
    limits(per_account="1 per minute")
    make.user(email="owner@example.com")
    _login(client, "owner@example.com")

    blocked = _login(client, "owner@example.com", "my secret guess", query_string={"next": "/brands/acme/"})

    html = blocked.get_data(as_text=True)
    wait = _wait_shown(blocked)
    assert blocked.status_code == 429
    assert 1 <= wait <= 60
    assert 0 <= int(blocked.headers["Retry-After"]) <= wait
    assert "Too many attempts to log in." in text_of(blocked)
    assert re.search(r'<input[^>]*name="email"[^>]*value="owner@example.com"', html)
    assert "my secret guess" not in html
    assert 'name="csrf_token"' in html and 'name="password"' in html
    assert 'action="/login?next=/brands/acme/"' in html


def test_signing_up_and_other_forms_keep_the_plain_too_many_requests_page(client, limits, monkeypatch, app):
    monkeypatch.setitem(app.config, "SIGNUP_RATE_LIMIT", "1 per minute")
    form = {"name": "Maya", "email": "maya@example.com", "password": "a long enough secret", "confirm": "nope"}
    client.submit("/signup", form)

    blocked = client.submit("/signup", form)

    assert blocked.status_code == 429 and "Too many requests" in text_of(blocked)
    assert int(blocked.headers["Retry-After"]) >= 0
