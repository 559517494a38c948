"""Flask's signed-cookie session, read only when a request actually looks inside it.

A shopper's browser sends the session cookie with every request, but most surge requests (holds,
stock polls) never need it: verifying and decoding it is a third of an add-to-cart's CPU. Same cookie,
same signature and lifetime rules as Flask's own interface; only *when* it is checked changes.
"""

from flask import Flask, Request, Response, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class LazyCookieSession(SecureCookieSession):
    """Holds the raw cookie until the first read or write, then behaves as Flask's session."""

    def __init__(self, cookie: str | None = None, load=None) -> None:
        super().__init__()
        self._cookie, self._load = cookie, load
        self.loaded = cookie is None

    def _ensure_loaded(self) -> None:
        if not self.loaded:
            self.loaded = True
            data = self._load(self._cookie)
            self._cookie = self._load = None
            if data:
                dict.update(self, data)  # the stored contents, not a change: `modified` stays False

    __hash__ = None


def _loading_first(name: str):
    """The dict method `name`, reading the cookie first (a dict subclass must override each one it wants to see)."""
    method = getattr(SecureCookieSession, name)

    def loading(self, *args, **kwargs):
        self._ensure_loaded()
        return method(self, *args, **kwargs)

    loading.__name__ = name
    return loading


for _name in (
    "__getitem__", "get", "__contains__", "__iter__", "__len__", "__eq__", "__repr__", "keys", "values", "items",
    "__setitem__", "__delitem__", "setdefault", "pop", "popitem", "update", "clear",
):
    setattr(LazyCookieSession, _name, _loading_first(_name))


def _copy(self) -> dict:
    self._ensure_loaded()
    return dict(SecureCookieSession.items(self))


def _merge(self, other):
    self.update(other)
    return self


LazyCookieSession.copy, LazyCookieSession.__ior__ = _copy, _merge


class LazyCookieSessionInterface(SecureCookieSessionInterface):
    session_class = LazyCookieSession

    def open_session(self, app: Flask, request: Request) -> LazyCookieSession | None:
        if not app.secret_key:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()

        def load(value: str) -> dict:
            max_age = int(app.permanent_session_lifetime.total_seconds())
            try:
                return self.get_signing_serializer(app).loads(value, max_age=max_age)
            except BadSignature:  # forged, from an old key, or too old: an empty session, as Flask does
                return {}

        return self.session_class(cookie, load)

    def save_session(self, app: Flask, session, response: Response) -> None:
        if isinstance(session, LazyCookieSession) and not session.loaded:
            # Never read, so never changed: the browser's cookie stays as it is.
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def is_unread(session) -> bool:
    """True while this request has not looked inside its session."""
    return isinstance(session, LazyCookieSession) and not session.loaded


def install(app: Flask, login_manager) -> None:
    """Use the lazy session, and keep Flask-Login's after-request hook from reading it for nothing.

    Flask-Login's remember-me hook only acts on a `_remember` mark that login_user/logout_user put in the
    session during the same request, and those requests read the session; an unread session has none.
    """
    app.session_interface = LazyCookieSessionInterface()
    if app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
        return  # that setting makes every response touch the session: nothing to skip
    original = login_manager._update_remember_cookie

    def update_remember_cookie(response):
        if is_unread(session._get_current_object()):
            return response
        return original(response)

    hooks = app.after_request_funcs.setdefault(None, [])
    hooks[:] = [update_remember_cookie if hook == original else hook for hook in hooks]
