"""Test helpers that are not fixtures."""

import hashlib
import os
import re
import secrets

from flask.globals import _cv_app
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from mall.accounts.models import User
from mall.checkout.access import CART_COOKIE, hold_token
from mall.extensions import db


class CsrfClient(FlaskClient):
    """A test client that can submit forms the way a browser does, CSRF token included."""

    def open(self, *args, **kwargs):
        # Each request gets its own app context (own `g`, own DB session), as in production,
        # even while the test itself holds one open for the `make` factory.
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token") or hashlib.sha1(os.urandom(64)).hexdigest()
            session["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST `data` as a form, with a valid CSRF token (the cart-bound one for add-to-cart, as the page gives)."""
        form = dict(data or {})
        if url == "/cart/holds":
            form.setdefault("hold_token", self.hold_token())
        else:
            form.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=form, **kwargs)

    def hold_token(self) -> str:
        """The add-to-cart token for this client's cart cookie (given one first, as a drop page would)."""
        if self.get_cookie(CART_COOKIE) is None:
            self.set_cookie(CART_COOKIE, secrets.token_urlsafe(32))
        with self.application.app_context():
            return hold_token(self.get_cookie(CART_COOKIE).value)

    def login_as(self, user) -> None:
        """Sign in without the login form (the form has its own tests), with the user's current session generation."""
        with self.application.app_context():  # a session of its own: the test's copy of `user` may be out of date
            user_id = db.session.get(User, user.id).get_id()
        with self.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True


def text_of(response) -> str:
    """The visible text of an HTML response, tags stripped, spaces folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
