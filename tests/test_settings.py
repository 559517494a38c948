"""Settings come from the environment; production refuses to start without a real secret."""

import pytest
from flask import session

from mall import create_app
from mall.settings import ConfigError, load_settings


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("FLASHMALL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return monkeypatch


def test_production_without_secret_key_refuses_to_start(production):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_with_secret_key_builds_and_sends_secure_cookies(production, app):
    production.setenv("SECRET_KEY", "a-long-random-production-secret")
    prod = create_app(
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"]}
    )

    @prod.get("/_remember-me")
    def remember_me():
        session["seen"] = True
        return "ok"

    assert prod.secret_key == "a-long-random-production-secret"
    response = prod.test_client().get("/_remember-me")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_cookies_work_over_plain_http(monkeypatch):
    monkeypatch.delenv("FLASHMALL_ENV", raising=False)
    settings = load_settings()
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECRET_KEY"]
