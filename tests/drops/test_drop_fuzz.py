"""Whatever is posted to the drop form: never a 500, and the database never holds a broken drop."""

from datetime import timedelta
from types import SimpleNamespace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mall.drops.models import Drop
from mall.extensions import db
from tests.drops.conftest import FORMAT, drop_form, soon

junk = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
numberish = st.one_of(
    st.integers(min_value=-5, max_value=130).map(str),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    junk,
)
moment = st.one_of(
    st.integers(min_value=-3 * 24 * 60, max_value=9 * 24 * 60).map(lambda m: soon(days=1, minutes=m).strftime(FORMAT)),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["", "9999-12-31T23:59", "0001-01-01T00:00", "2026-02-30T10:00", "2026-03-29T01:30", "now"]),
    junk,
)


FIELDS = ("title", "description", "hero_variants", "starts_at", "ends_at", "hold_minutes", "per_shopper_limit",
          "fallback_variant", "tiers")


@st.composite
def drop_posts(draw, own_ids, foreign_id):
    """A valid drop with a few fields (sometimes none) replaced by arbitrary input."""
    ids = st.sampled_from([str(i) for i in own_ids] + [str(foreign_id), "", "0", "-1", "x", "1e9"])
    fuzz = {
        "title": st.one_of(junk, st.text(min_size=121, max_size=130)),
        "description": junk,
        "hero_variants": st.lists(ids, max_size=3),
        "starts_at": moment,
        "ends_at": moment,
        "hold_minutes": numberish,
        "per_shopper_limit": numberish,
        "fallback_variant": ids,
    }
    starts = soon(days=1, minutes=draw(st.integers(min_value=0, max_value=600)))
    lasts = draw(st.integers(min_value=1, max_value=7 * 24 * 60))
    data = drop_form([SimpleNamespace(id=own_ids[0])], starts=starts, ends=starts + timedelta(minutes=lasts), tiers=())
    data["fallback_variant"] = str(own_ids[1])
    for name in draw(st.sets(st.sampled_from(FIELDS), max_size=3)):
        if name == "tiers":
            for i in range(draw(st.integers(min_value=0, max_value=5))):
                for part in ("from_minute", "until_minute", "percent_off"):
                    data[f"tiers-{i}-{part}"] = draw(st.one_of(st.integers(0, 200).map(str), numberish, st.just("")))
        else:
            data[name] = draw(fuzz[name])
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_drop_form_survives_anything(signed_in, brand, make, data):
    product = make.product(brand, variants=2)
    rival = make.brand()
    foreign = make.product(rival).variants[0]
    post = data.draw(drop_posts([v.id for v in product.variants], foreign.id))

    response = signed_in.submit("/brands/acme/drops/new", post)

    event(f"status {response.status_code}")
    assert response.status_code in (303, 400, 422), response.status_code  # 400: NUL, refused app-wide
    db.session.expire_all()
    drops = db.session.scalars(select(Drop)).all()
    assert len(drops) == (1 if response.status_code == 303 else 0)
    for drop in drops:
        assert drop.ends_at > drop.starts_at and drop.ends_at - drop.starts_at <= timedelta(days=7)
        assert drop.items and all(item.variant.tenant_id == brand.id for item in drop.items)
        assert 1 <= drop.hold_minutes <= 120 and 1 <= drop.per_shopper_limit <= 50
        assert drop.fallback_variant_id not in [item.variant_id for item in drop.items]
        db.session.delete(drop)
    db.session.delete(product)
    db.session.delete(rival)
    db.session.commit()
