import pytest
from sqlalchemy import select, update

from mall.extensions import db, redis_client
from mall.stock.models import StockLevel
from tests.support import text_of


@pytest.fixture
def variant(make, brand):
    return make.variant(make.product(brand, name="Heavy tee", variants=0), sku="TEE-BLK-M", name="Black, M")


def _form(hubs, *values):
    return {f"hub_{hub.id}": str(value) for hub, value in zip(hubs, values)}


def _levels():
    db.session.expire_all()
    return {(level.hub_id): (level.on_hand, level.sold) for level in db.session.scalars(select(StockLevel))}


def _sell(variant, hub, units):
    db.session.execute(
        update(StockLevel).where(StockLevel.variant_id == variant.id, StockLevel.hub_id == hub.id).values(sold=units)
    )
    db.session.commit()


def test_stock_page_shows_every_active_hub_with_its_kind(signed_in, variant, hubs, make):
    make.hub(name="Closed hub", active=False)

    text = text_of(signed_in.get(f"/brands/acme/variants/{variant.id}/stock"))

    assert "Soho micro-hub Micro-hub" in text
    assert "Camden pickup Pickup point" in text
    assert "Central reserve Central reserve" in text
    assert "Closed hub" not in text


def test_saving_a_split_creates_rows_and_shows_totals(signed_in, variant, hubs, brand):
    response = signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 12, 0, 30))

    assert response.status_code == 303
    assert _levels() == {hubs[0].id: (12, 0), hubs[2].id: (30, 0)}
    assert {level.tenant_id for level in db.session.scalars(select(StockLevel))} == {brand.id}
    text = text_of(signed_in.get(response.headers["Location"]))
    assert "Stock for TEE-BLK-M saved." in text
    assert "Total 42 0 0 42" in text


def test_stock_at_an_inactive_hub_is_shown_read_only_and_kept(signed_in, variant, hubs, make):
    closed = make.hub(name="Closed hub", active=False)
    make.stock(variant, closed, 4)

    page = signed_in.get(f"/brands/acme/variants/{variant.id}/stock")
    assert "Closed hub inactive Micro-hub 4 0 0 4" in text_of(page)
    assert f'name="hub_{closed.id}"' not in page.get_data(as_text=True)

    response = signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 1, 0, 0))
    assert response.status_code == 303
    assert _levels() == {closed.id: (4, 0), hubs[0].id: (1, 0)}


def test_saving_again_updates_rows_in_place(signed_in, variant, hubs, make):
    make.stock(variant, hubs[0], 5)

    response = signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 8, 2, 0))

    assert response.status_code == 303
    assert _levels() == {hubs[0].id: (8, 0), hubs[1].id: (2, 0)}


def test_available_is_on_hand_minus_sold(signed_in, variant, hubs, make):
    make.stock(variant, hubs[0], 10)
    _sell(variant, hubs[0], 4)

    text = text_of(signed_in.get(f"/brands/acme/variants/{variant.id}/stock"))

    assert "Soho micro-hub Micro-hub 0 4 6" in text  # held 0, sold 4, available 6


def test_on_hand_cannot_go_below_units_sold_and_nothing_is_saved(signed_in, variant, hubs, make):
    make.stock(variant, hubs[0], 10)
    make.stock(variant, hubs[1], 3)
    _sell(variant, hubs[0], 6)

    response = signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 5, 9, 50))

    assert response.status_code == 422
    assert "Soho micro-hub has already sold 6 units; on hand cannot go below that." in text_of(response)
    assert _levels() == {hubs[0].id: (10, 6), hubs[1].id: (3, 0)}


def test_units_held_in_carts_also_set_the_floor(signed_in, variant, hubs, make):
    make.stock(variant, hubs[0], 10)
    redis_client().set(f"fm:held:{variant.id}:{hubs[0].id}", 4)

    response = signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 3, 0, 0))

    assert response.status_code == 422
    assert "Soho micro-hub has 0 units sold and 4 held in carts; on hand cannot go below 4." in text_of(response)
    assert _levels() == {hubs[0].id: (10, 0)}


def test_a_live_drops_availability_moves_with_the_new_split(signed_in, variant, hubs, make):
    make.stock(variant, hubs[0], 10)
    key = f"fm:avail:{variant.id}:{hubs[0].id}"
    redis_client().set(key, 10)

    signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 7, 0, 0))
    assert int(redis_client().get(key)) == 7
    signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 12, 0, 0))
    assert int(redis_client().get(key)) == 12


def test_units_a_shopper_just_held_cannot_be_written_off(signed_in, variant, hubs, make):
    make.stock(variant, hubs[0], 10)
    make.stock(variant, hubs[1], 5)
    redis_client().set(f"fm:avail:{variant.id}:{hubs[0].id}", 1)  # 9 units went into carts a moment ago
    redis_client().set(f"fm:avail:{variant.id}:{hubs[1].id}", 5)

    response = signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 6, 2, 0))

    assert response.status_code == 422
    assert "Soho micro-hub: shoppers just put some of these units in their carts" in text_of(response)
    assert _levels() == {hubs[0].id: (10, 0), hubs[1].id: (5, 0)}
    assert int(redis_client().get(f"fm:avail:{variant.id}:{hubs[1].id}")) == 5


def test_stock_at_a_new_hub_makes_live_drops_reload(signed_in, variant, hubs, make, brand):
    make.stock(variant, hubs[0], 10)
    drop = make.drop(brand, [variant])
    redis_client().hset(f"fm:drop:{drop.id}", "open", "1")

    signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 10, 4, 0))

    assert not redis_client().exists(f"fm:drop:{drop.id}")


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "Between 0 and 1,000,000 units."),
        ("1000001", "Between 0 and 1,000,000 units."),
        ("2.5", "Enter a whole number, e.g. 12."),
        ("ten", "Enter a whole number, e.g. 12."),
        ("", "Enter the units on hand at Soho micro-hub (0 for none)."),
    ],
)
def test_bad_numbers_are_inline_errors(signed_in, variant, hubs, make, value, message):
    make.stock(variant, hubs[1], 3)
    data = _form(hubs, 0, 9, 9)
    data[f"hub_{hubs[0].id}"] = value

    response = signed_in.submit(f"/brands/acme/variants/{variant.id}/stock", data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert _levels() == {hubs[1].id: (3, 0)}


def test_support_sees_stock_but_cannot_change_it(as_role, variant, hubs, make):
    make.stock(variant, hubs[0], 10)
    client = as_role("support")

    page = client.get(f"/brands/acme/variants/{variant.id}/stock")
    assert page.status_code == 200 and "Save stock" not in text_of(page)
    assert client.submit(f"/brands/acme/variants/{variant.id}/stock", _form(hubs, 0, 0, 0)).status_code == 403
    assert _levels() == {hubs[0].id: (10, 0)}


def test_stock_matrix_has_row_and_column_totals(signed_in, brand, hubs, make):
    product = make.product(brand, name="Heavy tee", variants=0)
    black = make.variant(product, sku="TEE-BLK", name="Black")
    white = make.variant(product, sku="TEE-WHT", name="White")
    make.stock(black, hubs[0], 5)
    make.stock(black, hubs[2], 20)
    make.stock(white, hubs[1], 3)

    text = text_of(signed_in.get("/brands/acme/stock"))

    assert "Heavy tee — Black TEE-BLK 5 0 20 25" in text
    assert "Heavy tee — White TEE-WHT 0 3 0 3" in text
    assert "Total 5 3 20 28" in text


def test_stock_matrix_only_counts_this_brands_variants(signed_in, brand, hubs, make):
    other = make.product(make.brand(), name="Rival boots")
    make.stock(other.variants[0], hubs[0], 99)

    text = text_of(signed_in.get("/brands/acme/stock"))

    assert "Rival boots" not in text and "99" not in text
