"""The drop form's window: an ISO date and a 24-hour time per end, read and shown in the mall's time zone,
whatever the browser's language; bad input gets a message that says what to type."""

import re
from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from mall.drops.models import Drop
from mall.extensions import db
from tests.drops.conftest import drop_form
from tests.support import text_of

SUMMER_NOW, WINTER_NOW = datetime(2027, 6, 10, 12, 0), datetime(2027, 1, 10, 12, 0)


@pytest.fixture
def london(app, monkeypatch):
    monkeypatch.setitem(app.config, "MALL_TIMEZONE", "Europe/London")


@contextmanager
def _travel(signed_in, owner, now):
    """Months away from today: sign in again there, as a session from today would have lapsed."""
    with time_machine.travel(now, tick=False):
        signed_in.login_as(owner)
        yield


def _window_inputs(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)


@pytest.mark.parametrize(
    ("now", "day", "utc_start", "utc_end"),
    [
        (SUMMER_NOW, "2027-07-01", datetime(2027, 7, 1, 17, 0), datetime(2027, 7, 1, 19, 30)),  # BST, UTC+1
        (WINTER_NOW, "2027-01-20", datetime(2027, 1, 20, 18, 0), datetime(2027, 1, 20, 20, 30)),  # GMT
    ],
)
def test_a_window_typed_in_london_time_is_saved_in_utc_and_shown_back_as_typed(
    signed_in, owner, tee, london, now, day, utc_start, utc_end
):
    with _travel(signed_in, owner, now):
        form = drop_form([tee], starts_at=[day, "18:00"], ends_at=[day, "20:30"])
        assert signed_in.submit("/brands/acme/drops/new", form).status_code == 303
        drop = db.session.scalar(select(Drop))
        assert (drop.starts_at, drop.ends_at) == (utc_start, utc_end)

        edit = signed_in.get(f"/brands/acme/drops/{drop.id}/edit").get_data(as_text=True)
        assert _window_inputs(edit, "starts_at") == [day, "18:00"]
        assert _window_inputs(edit, "ends_at") == [day, "20:30"]
        assert 'type="datetime-local"' not in edit and 'placeholder="2026-12-05"' in edit and 'placeholder="18:30"' in edit
        assert "24-hour times as HH:MM" in text_of(signed_in.get(f"/brands/acme/drops/{drop.id}/edit"))

        again = drop_form([tee], starts_at=_window_inputs(edit, "starts_at"), ends_at=_window_inputs(edit, "ends_at"))
        assert signed_in.submit(f"/brands/acme/drops/{drop.id}/edit", again).status_code == 303
        db.session.expire_all()
        assert (db.session.get(Drop, drop.id).starts_at, db.session.get(Drop, drop.id).ends_at) == (utc_start, utc_end)


def test_a_single_iso_value_is_still_read(signed_in, owner, tee, london):
    with _travel(signed_in, owner, SUMMER_NOW):
        form = drop_form([tee], starts_at="2027-07-01T18:00", ends_at="2027-07-01 20:30")
        assert signed_in.submit("/brands/acme/drops/new", form).status_code == 303
    assert db.session.scalar(select(Drop.starts_at)) == datetime(2027, 7, 1, 17, 0)


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        (["05/07/2027", "18:00"], "“05/07/2027” is not a date: enter it as YYYY-MM-DD, e.g. 2026-12-05."),
        (["2027-02-30", "18:00"], "“2027-02-30” is not a date: enter it as YYYY-MM-DD"),
        (["2027-07-01", "6:30 PM"], "“6:30 PM” is not a 24-hour time: enter it as HH:MM, e.g. 18:30 (not 6:30 PM)."),
        (["2027-07-01", "24:00"], "“24:00” is not a 24-hour time"),
        (["2027-07-01", ""], "Enter the time as 24-hour HH:MM, e.g. 18:30."),
        (["", "18:00"], "Enter the date as YYYY-MM-DD, e.g. 2026-12-05."),
        (["", ""], "Enter when the drop starts."),
        (["2028-03-26", "01:30"], "01:30 does not exist on 2028-03-26 in this time zone (the clocks go forward)"),
        (["2027-07-01", "18:00", "extra"], "Enter a date and a 24-hour time, e.g. 2026-12-05 and 18:30."),
    ],
)
def test_bad_window_input_is_a_clear_422_and_nothing_is_saved(signed_in, owner, tee, london, starts, message):
    with _travel(signed_in, owner, SUMMER_NOW):
        response = signed_in.submit("/brands/acme/drops/new", drop_form([tee], starts_at=starts))
    assert response.status_code == 422
    assert message in text_of(response)
    assert db.session.scalar(select(func.count(Drop.id))) == 0
    typed = [value for value in starts if value] if len(starts) == 2 else []
    assert all(f'value="{value}"' in response.get_data(as_text=True) for value in typed)  # what was typed stays
