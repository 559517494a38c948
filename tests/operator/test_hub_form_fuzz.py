"""Whatever an operator types into the hub form, the answer is a save or an inline refusal, never a 500."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mall.extensions import db
from mall.hubs.models import Hub
from tests.operator.test_operator_pages import GOOD_HUB

junk = st.one_of(
    st.text(max_size=300),
    st.from_regex(r"-?\d{1,25}(\.\d{1,10})?", fullmatch=True),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "24:00", "23:59:59", "00:00", "micro_hub", "central_reserve"]),
)
codes = itertools.count(1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(GOOD_HUB)), value=junk)
def test_any_single_bad_value_is_saved_or_refused_cleanly(client, make, field, value):
    client.login_as(make.user(operator=True))
    before = db.session.scalar(select(func.count()).select_from(Hub))
    data = {**GOOD_HUB, "code": f"FUZZ-{next(codes)}", field: value}

    response = client.submit("/operator/hubs/new", data)

    assert response.status_code in (303, 400, 422)  # 400: a NUL character, refused for the whole request
    if response.status_code == 400:
        assert "NUL" in response.get_data(as_text=True)
    after = db.session.scalar(select(func.count()).select_from(Hub))
    assert after == before + (1 if response.status_code == 303 else 0)
