"""No input can turn a creator link into an open redirect, and none of them can cause a 500.

Each test walks the whole list of nasty values in one go (one mall set-up), naming the value that fails.
"""

from urllib.parse import quote, urlsplit

from sqlalchemy import func, select

from mall.accounts.models import User
from mall.extensions import db, redis_client
from mall.links.models import CreatorLink
from tests.accounts.test_safe_next import NASTY
from tests.links.conftest import click, make_link, ready_table
from tests.support import text_of

TEXT_NASTY = [t for t in NASTY if t] + ["https:evil.com", "/\t/evil.com", "%0d%0aLocation:%20https://evil.com", "evil.com%2F"]
BAD_NAMES = TEXT_NASTY + ["a", "-dash-first", "dash-last-", "join", "creators", "x" * 41, "two--hyphens", "ünïcode", "a b"]


def assert_internal(response, nasty) -> None:
    assert response.status_code < 500, nasty
    location = response.headers.get("Location")
    if location is None:
        return
    parts = urlsplit(location)
    if parts.scheme:  # Werkzeug's own slash-merging 308 names this site; no other host may appear
        assert parts.netloc == "localhost", (nasty, location)
        location = location[len(f"{parts.scheme}://{parts.netloc}"):]
    assert not urlsplit(location).netloc, (nasty, location)
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, (nasty, location)
    assert not any(ord(ch) < 32 for ch in location), (nasty, location)


def test_nasty_codes_in_the_path_are_a_404_never_a_redirect_elsewhere(client, app_ctx):
    ready_table()
    for nasty in TEXT_NASTY:
        for code in (quote(nasty, safe=""), quote(nasty, safe="/:")):
            response = click(client, code)
            assert_internal(response, nasty)
            assert response.status_code in (404, 400, 308), (nasty, response.status_code)


def test_query_parameters_never_change_where_a_link_goes(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    for nasty in TEXT_NASTY:
        query = "&".join(f"{name}={quote(nasty, safe='')}" for name in ("next", "url", "to", "redirect", "target", "r"))
        response = click(client, f"{link.code}?{query}")
        assert_internal(response, nasty)
        if "\x00" in nasty:  # refused app-wide, before any view
            assert response.status_code == 400
        else:
            assert response.headers["Location"] == f"/shop/north/drops/{mall.drops['north'].id}", nasty


def test_request_headers_never_change_where_a_link_goes(client, mall):
    link = make_link(mall.creator, mall.brands["north"])
    for header in ("Host", "X-Forwarded-Host", "X-Forwarded-Proto", "Referer", "X-Original-URL", "X-Rewrite-URL"):
        response = click(client, link.code, **{header: "evil.com"})
        assert_internal(response, header)
        assert response.headers["Location"] == "/shop/north", header


def test_a_tampered_redirect_table_entry_is_refused_not_followed(client, mall):
    link = make_link(mall.creator, mall.brands["north"], mall.drops["north"])
    for field in ("path", "brand"):
        for stored in ("//evil.com", "https://evil.com", "/\\evil.com", "/shop/north/../../evil", "/shop/x\r\nSet-Cookie: a=b"):
            original = redis_client().hgetall(f"fm:link:{link.code}")
            redis_client().hset(f"fm:link:{link.code}", field, stored)
            response = click(client, link.code)
            assert_internal(response, stored)
            assert response.status_code == 404, (field, stored)
            redis_client().hset(f"fm:link:{link.code}", mapping=original)


def test_custom_link_names_that_are_not_plain_slugs_are_refused(client, mall):
    client.login_as(mall.creator)
    for nasty in BAD_NAMES:
        response = client.submit("/creators/links/new", {"target": f"b:{mall.brands['north'].id}", "code": nasty})
        assert response.status_code == (400 if "\x00" in nasty else 422), nasty
        assert any(word in text_of(response) for word in ("Use ", "reserved", "cannot accept")), nasty
    assert db.session.scalar(select(func.count(CreatorLink.id))) == 0


def test_custom_link_names_are_case_insensitive(client, mall):
    client.login_as(mall.creator)
    response = client.submit("/creators/links/new", {"target": f"b:{mall.brands['north'].id}", "code": "Ada-KNITS"})
    assert response.headers["Location"].startswith("/creators/links/")
    assert db.session.scalar(select(CreatorLink.code)) == "ada-knits"


def test_creator_sign_up_ignores_a_next_parameter(client, app_ctx):
    for n, nasty in enumerate(["//evil.com", "https:evil.com", "/\t/evil.com", "/%0d%0aSet-Cookie:x=1", "https://evil.com"]):
        client.submit("/logout")
        form = {"name": "Ada", "email": f"ada.new{n}@example.com", "password": "long enough pw", "confirm": "long enough pw"}
        response = client.submit(f"/creators/join?next={quote(nasty, safe='')}", form)
        assert_internal(response, nasty)
        assert response.status_code == 303 and response.headers["Location"] == "/creators", nasty
    assert db.session.scalar(select(func.count(User.id)).where(User.is_creator.is_(True))) == 5
