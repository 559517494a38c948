"""Whatever is typed into the stock form: never a 500, never negative stock, never below sold."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from mall.extensions import db
from mall.stock.models import StockLevel

numberish = st.one_of(
    st.integers(min_value=0, max_value=20).map(str),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(["", " ", "0", "1_000", "+5", "-0", "٣", "1e3", "0x1f", "NaN", "12 ", "\x00"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(numberish, min_size=3, max_size=3))
def test_stock_form_survives_anything(signed_in, brand, hubs, make, values):
    product = make.product(brand, variants=1)
    variant = product.variants[0]
    make.stock(variant, hubs[0], 10)
    db.session.execute(update(StockLevel).values(sold=4))
    db.session.commit()

    response = signed_in.submit(
        f"/brands/acme/variants/{variant.id}/stock", {f"hub_{hub.id}": value for hub, value in zip(hubs, values)}
    )

    assert response.status_code in (303, 400, 422)  # 400: a NUL character, refused for the whole request
    db.session.expire_all()
    levels = db.session.scalars(select(StockLevel).where(StockLevel.variant_id == variant.id)).all()
    assert all(0 <= level.sold <= level.on_hand <= 1_000_000 for level in levels)
    if response.status_code in (400, 422):
        assert [(lv.hub_id, lv.on_hand) for lv in levels] == [(hubs[0].id, 10)]
    else:
        saved = {lv.hub_id: lv.on_hand for lv in levels}
        assert saved[hubs[0].id] == int(values[0]) >= 4
    db.session.delete(product)
    db.session.commit()
