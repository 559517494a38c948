"""Input no person types (NUL characters) is refused with a clear 400 everywhere, never a 500."""

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
