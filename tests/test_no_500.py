"""No input reaches a 500: every POST route in the URL map gets every odd body, with a valid CSRF token, and
answers a 4xx; the bodies no form can be read from write nothing. Ids past the database's range are a 404."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields.core import UnboundField

from mall.extensions import db
from mall.ids import MAX_ID
from mall.links import services as links
from mall.links.models import CreatorPartnership, PartnershipStatus
from mall.support.models import SupportThread
from tests.support import text_of

ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>[a-z_]+)>")
HUGE_IDS = [str(MAX_ID + 1), str(2**63), "9" * 30, "9" * 5000]
ODD_STRINGS = ["9" * 30, "-1", "0", "x" * 3000, "%FF%FE", ".."]
HOLD_FIELDS = ["drop_id", "variant_id", "quantity", "replaces", "hub_1"]  # read by hand, not through a form class


def _form_field_names() -> list[str]:
    """Every field name of every form class the app defines (sub-forms as the first row of a list)."""
    names = set(HOLD_FIELDS)
    classes = list(Form.__subclasses__())
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        fields = [name for name in dir(cls) if isinstance(getattr(cls, name, None), UnboundField)]
        names.update(fields)
        if not issubclass(cls, FlaskForm):  # a sub-form, posted as rows of a list
            names.update(f"tiers-0-{name}" for name in fields)
    return sorted(names)


def _multipart(fields: list[tuple[str, bytes]]) -> dict:
    boundary = "fm-boundary-7d1"
    parts = [
        b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary.encode(), name.encode(), value)
        for name, value in fields
    ]
    body = b"".join(parts) + b"--%s--\r\n" % boundary.encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _urlencoded(body: bytes) -> dict:
    return {"data": body, "content_type": "application/x-www-form-urlencoded"}


def unreadable_bodies(tokens: bytes, csrf: str, limit: int) -> dict[str, dict]:
    """Bodies no form can be read from: each is refused before any view runs, so nothing can be written."""
    return {
        "invalid UTF-8, urlencoded": _urlencoded(tokens + b"&email=\xff\xfe&name=Ada\xff&body=\xc3"),
        "invalid UTF-8, multipart": _multipart(
            [("csrf_token", csrf.encode()), ("email", b"\xff\xfe"), ("name", b"Ada\xff")]
        ),
        "JSON array": {"data": b"[1,2,3]", "content_type": "application/json"},
        "JSON object": {
            "data": json.dumps(
                {"csrf_token": csrf, "email": 12345, "name": None, "quantity": [1, 2], "commission_percent": {"a": 1}}
            ),
            "content_type": "application/json",
        },
        "text/plain": {"data": b"email=ada@example.com", "content_type": "text/plain"},
        "XML": {"data": b'<?xml version="1.0"?><form><email>a</email></form>', "content_type": "application/xml"},
        "raw bytes, no content type": {"data": b"\xff\xfe\x00\x01"},
        "oversized form": _urlencoded(tokens + b"&note=" + b"x" * limit),
        "oversized multipart": _multipart([("csrf_token", csrf.encode()), ("note", b"x" * limit)]),
        "NUL in a field": _urlencoded(tokens + b"&name=Ada%00&email=a%00@example.com"),
    }


def odd_forms(tokens: bytes, names: list[str]) -> dict[str, dict]:
    """Readable forms with odd values in every field any form has: refused field by field, never a 500."""

    def every_field(*values: str) -> dict:
        pairs = b"&".join(f"{name}={value}".encode() for name in names for value in values)
        return _urlencoded(tokens + b"&" + pairs)

    return {
        "huge decimals": every_field("9e99"),
        "decimals past any range": every_field("1e400"),
        "infinity": every_field("Infinity"),
        "digits past 64 bits": every_field("9" * 30),
        "negative past 64 bits": every_field("-" + "9" * 30),
        "5,000 digits": every_field("9" * 5000),
        "repeated fields": every_field("1", "x", ""),
        "arrays spelled in names": _urlencoded(tokens + b"&email[]=a&email[0]=b&quantity[]=1"),
        "only the tokens": _urlencoded(tokens),
        "empty body": {},
    }


@pytest.fixture
def everything(make, client):
    """A signed-in user who is operator, brand owner and creator, with a row behind every kind of id."""
    user = make.user(email="all@example.com", operator=True, creator=True)
    brand = make.brand(owner=user, slug="north")
    colleague = make.member(brand, role="support")
    hub = make.hub(code="MH-1")
    pickup = make.hub(code="PP-1", kind="pickup_point")
    product = make.product(brand)
    variant = product.variants[0]
    make.stock(variant, hub, 20)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-1), limit=5, tiers=())
    partnership = CreatorPartnership(
        tenant_id=brand.id, creator_id=user.id, status=str(PartnershipStatus.APPROVED), commission_bp=1000,
        window_hours=24,
    )
    db.session.add(partnership)
    db.session.commit()
    link = links.create_link(db.session, user, brand.id, None, "")
    order = _ordered(client, drop, variant, pickup)
    thread = client.submit(f"/orders/{order}/ask/north", {"about": "lines", "message": "Where is my parcel?"})
    assert thread.status_code < 400, text_of(thread)
    hold = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": 1})
    assert hold.status_code == 303
    hold_id = re.search(r'action="/cart/holds/([^/"]+)/release"', client.get("/cart").get_data(as_text=True))[1]
    client.login_as(user)
    return {
        "slug": "north", "code": "MH-1", "token": order, "drop_id": drop.id, "product_id": product.id,
        "variant_id": variant.id, "membership_id": _membership_id(brand, colleague), "partnership_id": partnership.id,
        "link_id": link.id, "hub_id": hub.id, "hold_id": hold_id, "action": "start-picking", "user": user,
        ("support.reply", "token"): db.session.scalar(select(SupportThread.token)),
    }


def _ordered(client, drop, variant, pickup) -> str:
    held = client.submit("/cart/holds", {"drop_id": drop.id, "variant_id": variant.id, "quantity": 1})
    assert held.status_code == 303
    page = client.get("/checkout").get_data(as_text=True)
    form = {
        "idempotency_key": re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1),
        "holds": re.search(r'name="holds"[^>]*value="([^"]*)"', page).group(1),
        "name": "Sam Shopper", "email": "sam@example.com", "fulfilment": "pickup", "pickup_hub_id": pickup.id,
        "payment_provider": "pay_on_handover",
    }
    placed = client.submit("/checkout", form)
    assert placed.status_code == 303, text_of(placed)
    return placed.headers["Location"].rsplit("/", 1)[-1]


def _membership_id(brand, user) -> int:
    from tenants.models import Membership

    mine = select(Membership.id).where(Membership.tenant_id == brand.id, Membership.user_id == user.id)
    return db.session.scalar(mine)


def _sign_out(client) -> None:
    with client.session_transaction() as session:
        session.pop("_user_id", None)


def _row_count() -> int:
    """Rows in every table, in one query."""
    db.session.expire_all()
    counts = [select(func.count()).select_from(table).scalar_subquery() for table in db.metadata.sorted_tables]
    return sum(db.session.execute(select(*counts)).one())


def _urls(rule, known: dict) -> list[str]:
    """The rule's path with valid ids (where `known` has a row), then with every huge or odd value per argument."""
    arguments = {m["name"]: (m["converter"] or "default", m["options"]) for m in ARGUMENT.finditer(rule.rule)}
    valid = {}
    for name, (converter, options) in arguments.items():
        if converter == "any":
            valid[name] = options.split(",")[0].strip()
        else:
            valid[name] = str(known.get((rule.endpoint, name), known.get(name, 1 if converter == "id" else "x")))
    urls = [rule.rule]
    for name, (converter, _) in arguments.items():
        odd = HUGE_IDS if converter == "id" else [] if converter == "any" else ODD_STRINGS
        urls += [_fill(rule.rule, {**valid, name: value}) for value in odd]
    urls[0] = _fill(rule.rule, valid)
    return urls


def _fill(pattern: str, values: dict) -> str:
    return ARGUMENT.sub(lambda m: values[m["name"]], pattern)


def _post_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods), key=lambda r: r.rule)


def test_every_post_route_answers_every_odd_body_with_a_4xx_and_writes_nothing(app, client, everything):
    csrf = client.csrf_token()
    tokens = f"csrf_token={csrf}&hold_token={client.hold_token()}".encode()
    headers = {"X-CSRFToken": csrf}
    unreadable = unreadable_bodies(tokens, csrf, app.config["MAX_CONTENT_LENGTH"])
    odd = odd_forms(tokens, _form_field_names())
    rules = _post_rules(app)
    assert len(rules) > 40  # the URL map, not a hand-made list
    failures = []
    for rule in rules:
        valid_url, *odd_urls = _urls(rule, everything)
        for url, sample in [(valid_url, slice(None))] + [(url, slice(0, 2)) for url in odd_urls]:
            for name, body in list(unreadable.items())[sample]:
                client.login_as(everything["user"])
                before = _row_count()
                response = client.post(url, headers=headers, **body)
                if not 400 <= response.status_code < 500 or _row_count() != before:
                    failures.append((url[:80], name, response.status_code))
            for name, body in list(odd.items())[sample]:
                client.login_as(everything["user"])
                response = client.post(url, headers=headers, **body)
                if response.status_code >= 500:
                    failures.append((url[:80], name, response.status_code))
        for name, body in odd.items():  # and signed out: sign-up, sign-in and the shopper's forms
            _sign_out(client)
            response = client.post(valid_url, headers=headers, **body)
            if response.status_code >= 500:
                failures.append((valid_url[:80], f"{name}, signed out", response.status_code))
    assert failures == []


def test_what_each_unreadable_body_is_told(app, client):
    csrf = client.csrf_token()
    tokens = f"csrf_token={csrf}".encode()
    bodies = unreadable_bodies(tokens, csrf, app.config["MAX_CONTENT_LENGTH"])
    expected = {
        "invalid UTF-8, urlencoded": (400, "not sent as UTF-8"),
        "invalid UTF-8, multipart": (400, "not sent as UTF-8"),
        "JSON array": (415, "takes a form"),
        "JSON object": (415, "not application/json"),
        "text/plain": (415, "not text/plain"),
        "XML": (415, "not application/xml"),
        "raw bytes, no content type": (415, "takes a form"),
        "oversized form": (413, "at most 256 KB"),
        "oversized multipart": (413, "at most 256 KB"),
        "NUL in a field": (400, "character we cannot accept"),
    }
    for name, body in bodies.items():
        for url in ("/login", "/cart/holds", "/checkout"):
            response = client.post(url, headers={"X-CSRFToken": csrf}, **body)
            code, message = expected[name]
            assert (response.status_code, message in text_of(response)) == (code, True), (url, name)


def test_get_routes_with_ids_past_the_database_range_are_404(app, client, everything):
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and "<id:" in r.rule]
    assert len(rules) > 15
    for rule in rules:
        for url in _urls(rule, everything)[1:]:
            if any(huge in url for huge in HUGE_IDS):
                assert client.get(url).status_code == 404, url[:80]


ODD_QUERY = "&".join(f"{name}={'9' * 30}" for name in ("drop", "since", "canned", "page", "lat", "lon")) + "&q=%FF%FE"


def test_get_routes_with_odd_strings_and_query_values_never_500(app, client, everything):
    for rule in (r for r in app.url_map.iter_rules() if "GET" in r.methods):
        for url in _urls(rule, everything) if "<" in rule.rule else [rule.rule]:
            for query in ("", ODD_QUERY):
                status = client.get(f"{url}?{query}").status_code
                assert status < 500 or (status == 503 and url.startswith("/c/")), url[:80]  # 503: links loading
