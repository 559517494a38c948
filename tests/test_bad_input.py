"""Input no person types (NUL characters) is refused with a clear 400 everywhere, never a 500; percent-escapes
that are not UTF-8 are read as the text they are. (Every POST route and every odd body: test_no_500.py.)"""

import pytest

from tests.support import text_of


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("GET", "/shop/a%00b", None),
        ("GET", "/?q=%00", None),
        ("POST", "/login", {"email": "a\x00@example.com", "password": "x"}),
        ("POST", "/signup", {"name": "Ada\x00", "email": "ada@example.com", "password": "x" * 12, "confirm": "x" * 12}),
        ("POST", "/checkout", {"name": "\x00"}),
    ],
)
def test_nul_characters_get_a_clear_400(client, method, url, data):
    response = client.get(url) if method == "GET" else client.submit(url, data)
    assert response.status_code == 400
    assert "character we cannot accept" in text_of(response)


def test_brand_order_search_with_nul_is_refused(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    client.login_as(owner)
    assert client.get(f"/brands/{brand.slug}/orders?q=%00").status_code == 400


def test_percent_escapes_that_are_not_utf8_are_read_as_text(client):
    body = f"csrf_token={client.csrf_token()}&email=%FF%FE%41&password=%C3".encode()

    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 422 and "%FF%FEA" in response.get_data(as_text=True)  # shown back, as typed


def test_a_json_body_with_a_valid_csrf_header_is_refused_before_any_form_reads_it(client):
    for body in ("[1,2,3]", '{"email": 12345, "password": null}'):
        headers = {"X-CSRFToken": client.csrf_token()}
        response = client.post("/login", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 415 and "takes a form" in text_of(response)
