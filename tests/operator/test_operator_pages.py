from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mall.drops.models import DropStatus
from mall.extensions import db
from mall.hubs.models import Hub
from tests.support import text_of

PAGES = ["/operator/hubs", "/operator/hubs/new", "/operator/brands"]

GOOD_HUB = {
    "code": "MH-ISLINGTON",
    "name": "Islington Micro-hub",
    "kind": "micro_hub",
    "address": "Upper Street, London N1 0PN",
    "latitude": "51.5362",
    "longitude": "-0.1033",
    "throughput_per_hour": "240",
    "opens_at": "07:30",
    "closes_at": "22:00",
    "active": "y",
}


@pytest.fixture
def operator(make, client):
    user = make.user(email="op@flashmall.test", operator=True)
    client.login_as(user)
    return user


def _hub_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Hub))


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, app_ctx, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("url", PAGES)
def test_the_area_does_not_exist_for_a_non_operator(client, make, url):
    owner = make.user()
    make.brand(owner=owner)
    client.login_as(owner)

    assert client.get(url).status_code == 404


def test_a_non_operator_cannot_create_or_edit_hubs(client, make):
    hub = make.hub(code="MH-KEEP")
    client.login_as(make.user())

    assert client.submit("/operator/hubs/new", GOOD_HUB).status_code == 404
    assert client.submit(f"/operator/hubs/{hub.id}/edit", GOOD_HUB).status_code == 404
    db.session.expire_all()
    assert _hub_count() == 1 and db.session.get(Hub, hub.id).code == "MH-KEEP"


def test_hubs_table_shows_details_and_units_stocked_across_brands(client, make, operator):
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub", throughput_per_hour=321)
    make.hub(code="PU-EMPTY", name="Empty pickup", kind="pickup_point", active=False)
    for price, units in ((1000, 7), (2000, 5)):
        product = make.product(make.brand(), price_cents=price)
        level = make.stock(product.variants[0], hub, units)
    level.sold = 2
    db.session.commit()

    page = text_of(client.get("/operator/hubs"))

    assert "MH-SOHO Soho Micro-hub Micro-hub" in page
    assert "321" in page and "08:00–22:00" in page
    assert "12 10" in page  # 7 + 5 stocked by two brands, 2 of them sold
    assert "PU-EMPTY Empty pickup Pickup point" in page and "No 0 0" in page


def test_operator_creates_a_hub(client, operator):
    response = client.submit("/operator/hubs/new", GOOD_HUB)

    assert response.status_code == 303 and response.headers["Location"] == "/operator/hubs"
    hub = db.session.scalar(select(Hub).where(Hub.code == "MH-ISLINGTON"))
    assert hub.name == "Islington Micro-hub" and hub.kind == "micro_hub"
    assert hub.latitude == pytest.approx(51.5362) and hub.longitude == pytest.approx(-0.1033)
    assert hub.throughput_per_hour == 240 and hub.active
    assert hub.opens_at.strftime("%H:%M") == "07:30" and hub.closes_at.strftime("%H:%M") == "22:00"
    assert "Islington Micro-hub" in text_of(client.get("/operator/hubs"))


def test_a_lowercase_code_is_stored_uppercase(client, operator):
    client.submit("/operator/hubs/new", {**GOOD_HUB, "code": "mh-angel", "opens_at": "07:30:00"})

    assert db.session.scalar(select(Hub.code)) == "MH-ANGEL"


def test_operator_edits_a_hub(client, make, operator):
    hub = make.hub(code="MH-OLD", name="Old name")

    form = client.get(f"/operator/hubs/{hub.id}/edit")
    assert form.status_code == 200 and 'value="MH-OLD"' in form.get_data(as_text=True)
    data = {k: v for k, v in GOOD_HUB.items() if k != "active"}  # an unticked box is not sent
    response = client.submit(f"/operator/hubs/{hub.id}/edit", {**data, "code": "MH-OLD", "name": "New name"})

    assert response.status_code == 303
    db.session.expire_all()
    hub = db.session.get(Hub, hub.id)
    assert hub.name == "New name" and hub.code == "MH-OLD" and not hub.active


def test_editing_an_unknown_hub_is_404(client, operator):
    assert client.get("/operator/hubs/4040/edit").status_code == 404
    assert client.get(f"/operator/hubs/{10**20}/edit").status_code == 404


INVALID = [
    ("code", "", "This field is required."),
    ("code", "MH 1!", "Use uppercase letters, digits and dashes only"),
    ("code", "X" * 21, "Field cannot be longer than 20 characters."),
    ("name", "  ", "This field is required."),
    ("address", "a" * 201, "Field cannot be longer than 200 characters."),
    ("kind", "warehouse", "Not a valid choice."),
    ("latitude", "91", "Number must be between -90 and 90."),
    ("latitude", "nan", "Enter a number."),
    ("latitude", "north", "Not a valid float value."),
    ("longitude", "-180.5", "Number must be between -180 and 180."),
    ("longitude", "", "This field is required."),
    ("throughput_per_hour", "0", "Number must be between 1 and 100000."),
    ("throughput_per_hour", "100001", "Number must be between 1 and 100000."),
    ("throughput_per_hour", "2.5", "Not a valid integer value."),
    ("opens_at", "25:00", "Not a valid time value."),
    ("closes_at", "07:00", "Closing time must be after opening time."),
    ("closes_at", "07:30", "Closing time must be after opening time."),
]


@pytest.mark.parametrize("field, value, message", INVALID)
def test_invalid_new_hub_is_refused_inline_and_nothing_is_saved(client, operator, field, value, message):
    response = client.submit("/operator/hubs/new", {**GOOD_HUB, field: value})

    assert response.status_code == 422
    assert message in text_of(response)
    assert 'class="field invalid"' in response.get_data(as_text=True)
    assert _hub_count() == 0


@pytest.mark.parametrize("field, value, message", INVALID[:3] + INVALID[6:7] + INVALID[-1:])
def test_invalid_edit_leaves_the_hub_as_it_was(client, make, operator, field, value, message):
    hub = make.hub(code="MH-KEEP", name="Keep me")

    response = client.submit(f"/operator/hubs/{hub.id}/edit", {**GOOD_HUB, field: value})

    assert response.status_code == 422 and message in text_of(response)
    db.session.expire_all()
    kept = db.session.get(Hub, hub.id)
    assert (kept.code, kept.name, kept.throughput_per_hour) == ("MH-KEEP", "Keep me", 60)


def test_a_code_another_hub_uses_is_refused(client, make, operator):
    make.hub(code="MH-TAKEN")
    mine = make.hub(code="MH-MINE")

    created = client.submit("/operator/hubs/new", {**GOOD_HUB, "code": "mh-taken"})
    edited = client.submit(f"/operator/hubs/{mine.id}/edit", {**GOOD_HUB, "code": "MH-TAKEN"})
    kept = client.submit(f"/operator/hubs/{mine.id}/edit", {**GOOD_HUB, "code": "MH-MINE"})

    assert created.status_code == 422 and "Another hub already uses this code." in text_of(created)
    assert edited.status_code == 422 and "Another hub already uses this code." in text_of(edited)
    assert kept.status_code == 303  # keeping its own code is fine
    assert _hub_count() == 2


def test_a_post_without_csrf_is_refused(client, operator):
    response = client.post("/operator/hubs/new", data=GOOD_HUB)

    assert response.status_code == 400 and _hub_count() == 0


def test_brands_page_lists_owners_team_products_and_drop_counts(client, make, operator):
    owner, partner = make.user(email="ada@aurora.test"), make.user(email="bo@aurora.test")
    aurora = make.brand(owner=owner, name="Aurora Knits")
    make.member(aurora, partner, role="owner")
    make.member(aurora, role="support")
    product = make.product(aurora)
    make.product(aurora)
    make.drop(aurora, product.variants, starts_in=timedelta(minutes=-5))
    make.drop(aurora, product.variants, starts_in=timedelta(hours=3))
    make.drop(aurora, product.variants, starts_in=timedelta(hours=4))
    make.drop(aurora, product.variants, starts_in=timedelta(hours=5), status=DropStatus.DRAFT)
    make.drop(aurora, product.variants, starts_in=timedelta(days=-2))
    make.brand(name="Quiet Brand")

    page = text_of(client.get("/operator/brands"))

    assert "Aurora Knits /brand-" in page
    assert "ada@aurora.test, bo@aurora.test 3 2 1 2" in page  # members, products, live, upcoming
    assert "Quiet Brand" in page and "— 0 0 0 0" in page
