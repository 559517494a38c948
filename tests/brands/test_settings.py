import pytest

from mall.extensions import db
from tenants.models import Tenant
from tests.support import text_of

GOOD_SETTINGS = {
    "name": "Fizz Labs Ltd",
    "tagline": "Small-batch sodas.",
    "colour": "#0F766E",
    "returns_policy": "Return unopened bottles within 14 days.",
    "warranty_policy": "Bottles are guaranteed fresh for 30 days.",
    "cancellation_policy": "Cancel within the window for a full refund.",
    "cancellation_window_minutes": "45",
    "first_response_minutes": "20",
    "resolution_minutes": "600",
}


def _fresh(brand) -> Tenant:
    db.session.expire_all()
    return db.session.get(Tenant, brand.id)


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_save_the_settings(client, make, role):
    brand = make.brand(owner=make.user(), name="Fizz Labs")
    client.login_as(make.member(brand, role=role))

    response = client.submit(f"/brands/{brand.slug}/settings", GOOD_SETTINGS)

    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Brand settings saved." in text_of(page)
    assert "Fizz Labs Ltd" in text_of(page)
    saved = _fresh(brand)
    assert (saved.name, saved.colour) == ("Fizz Labs Ltd", "#0f766e")
    assert saved.returns_policy == "Return unopened bottles within 14 days."
    assert (saved.cancellation_window_minutes, saved.first_response_minutes, saved.resolution_minutes) == (45, 20, 600)


def test_the_settings_page_shows_the_current_values(client, make):
    owner = make.user()
    brand = make.brand(owner=owner, name="Fizz Labs", returns_policy="Fourteen days, no questions.")
    client.login_as(owner)

    response = client.get(f"/brands/{brand.slug}/settings")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Fizz Labs"' in html
    assert "Fourteen days, no questions." in html


def test_a_logo_is_an_upload_now_and_saving_settings_keeps_the_old_logo_link_readable(client, make):
    owner = make.user()
    brand = make.brand(owner=owner, logo_url="https://old.example.com/logo.png")
    client.login_as(owner)

    page = client.get(f"/brands/{brand.slug}/settings").get_data(as_text=True)
    assert 'name="logo_url"' not in page and 'name="logo-image"' in page and 'enctype="multipart/form-data"' in page
    sent = dict(GOOD_SETTINGS, logo_url="javascript:alert(1)")  # an old form's field is ignored, not stored
    assert client.submit(f"/brands/{brand.slug}/settings", sent).status_code == 303
    assert _fresh(brand).logo_url == "https://old.example.com/logo.png"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "", "Give your brand a name."),
        ("colour", "red", "Use a colour like #6d28d9"),
        ("returns_policy", "r" * 4001, "Keep it under 4000 characters."),
        ("warranty_policy", "w" * 4001, "Keep it under 4000 characters."),
        ("cancellation_policy", "c" * 4001, "Keep it under 4000 characters."),
        ("cancellation_window_minutes", "-1", "Use 0 to 1440 minutes"),
        ("cancellation_window_minutes", "1441", "Use 0 to 1440 minutes"),
        ("cancellation_window_minutes", "soon", "Not a valid integer value"),
        ("cancellation_window_minutes", "", "Enter a number of minutes"),
        ("first_response_minutes", "0", "Use 1 to 10080 minutes"),
        ("first_response_minutes", "10081", "Use 1 to 10080 minutes"),
        ("resolution_minutes", "99999999999999999999", "Use 1 to 10080 minutes"),
        ("resolution_minutes", "10", "cannot take less time than the first response"),
    ],
)
def test_bad_settings_are_refused_inline_and_nothing_is_saved(client, make, field, value, message):
    owner = make.user()
    brand = make.brand(owner=owner, name="Fizz Labs", tagline="Before")
    client.login_as(owner)

    response = client.submit(f"/brands/{brand.slug}/settings", dict(GOOD_SETTINGS, **{field: value}))

    assert response.status_code == 422
    assert message in text_of(response)
    saved = _fresh(brand)
    assert (saved.name, saved.tagline, saved.cancellation_window_minutes) == ("Fizz Labs", "Before", 30)


def test_a_zero_minute_cancellation_window_is_allowed(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    client.login_as(owner)

    assert client.submit(f"/brands/{brand.slug}/settings", dict(GOOD_SETTINGS, cancellation_window_minutes="0")).status_code == 303
    assert _fresh(brand).cancellation_window_minutes == 0


def test_settings_without_csrf_are_refused(client, make):
    owner = make.user()
    brand = make.brand(owner=owner, name="Fizz Labs")
    client.login_as(owner)

    response = client.post(f"/brands/{brand.slug}/settings", data=GOOD_SETTINGS)

    assert response.status_code == 400
    assert "Your form expired" in text_of(response)
    assert _fresh(brand).name == "Fizz Labs"
