"""Small urlencoded forms take a short path: they must read exactly as werkzeug's own parser reads them."""

import io
from urllib.parse import quote, urlencode

from flask import Request
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from mall.wrappers import SMALL_FORM_BYTES, MallRequest

FORM = "application/x-www-form-urlencoded"


def _both(body: bytes, content_type: str = FORM):
    environ = EnvironBuilder(method="POST", path="/", data=body, content_type=content_type).get_environ()
    parsed = []
    for request_class in (MallRequest, Request):
        environ = {**environ, "wsgi.input": io.BytesIO(body)}
        request = request_class(environ)
        parsed.append((list(request.form.items(multi=True)), request.get_data()))
    return parsed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=8))
def test_any_small_form_reads_the_same_as_werkzeug_reads_it(app, pairs):
    body = urlencode(pairs).encode()
    with app.app_context():
        ours, theirs = _both(body)
    assert ours == theirs


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_broken_percent_escapes_and_odd_bytes_read_the_same_too(app, raw):
    body = quote(raw, safe="=&%+").encode()
    with app.app_context():
        ours, theirs = _both(body)
    assert ours == theirs


def test_large_or_other_forms_take_werkzeugs_own_path(app_ctx):
    big = urlencode({"note": "x" * (SMALL_FORM_BYTES + 1)}).encode()
    assert _both(big)[0] == _both(big)[1]
    with_charset = _both(b"a=1&b=%C3%A9", FORM + "; charset=utf-8")
    assert with_charset[0][0] == [("a", "1"), ("b", "é")]


def test_the_app_uses_the_short_path(app):
    assert app.request_class is MallRequest
