"""One way to write time: durations in two units ("1 h 22 min", "3 min 16 s"), clock times 24-hour in the mall's zone."""

from datetime import datetime, timedelta

import pytest

from mall.templating import local_time
from mall.timefmt import duration, ms_iso, seconds_until, time_left

MINUTE, HOUR, DAY = 60, 3600, 86400


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (1, "1 s"),
        (59, "59 s"),
        (59.999, "59 s"),  # whole seconds, rounded down like the browser's countdown
        (60, "1 min"),
        (61, "1 min 1 s"),
        (3 * MINUTE + 16, "3 min 16 s"),
        (10 * MINUTE, "10 min"),
        (HOUR - 1, "59 min 59 s"),
        (HOUR, "1 h"),
        (HOUR + 59, "1 h"),  # seconds no longer matter once there are hours
        (HOUR + 22 * MINUTE, "1 h 22 min"),
        (HOUR + 22 * MINUTE + 59, "1 h 22 min"),
        (DAY - 1, "23 h 59 min"),
        (DAY, "1 d"),
        (DAY + 23 * HOUR + 57 * MINUTE, "1 d 23 h"),
        (2 * DAY + HOUR, "2 d 1 h"),
        (30 * DAY, "30 d"),
        (-5, "0 s"),
    ],
)
def test_a_duration_is_written_in_its_two_largest_units(seconds, text):
    assert duration(seconds) == text


def test_the_old_clock_and_letter_styles_are_gone():
    for seconds in range(0, 3 * DAY, 997):
        text = duration(seconds)
        assert ":" not in text and not any(part.endswith(("d", "h", "m")) and part[:-1].isdigit() for part in text.split())


def test_time_left_counts_down_to_a_moment_or_an_epoch_ms_instant_then_says_it_is_done():
    now = datetime(2026, 12, 5, 18, 0, 0)
    assert time_left(now + timedelta(hours=1, minutes=22, seconds=30), now=now) == "1 h 22 min"
    assert time_left(now + timedelta(minutes=3, seconds=16, milliseconds=900), now=now) == "3 min 16 s"
    epoch_ms = int((now - datetime(1970, 1, 1)).total_seconds() * 1000) + 196_000
    assert time_left(epoch_ms, now=now) == "3 min 16 s"
    assert seconds_until(epoch_ms, now=now) == 196
    assert time_left(now, "Ended", now=now) == "Ended"
    assert time_left(now + timedelta(milliseconds=999), "Ended", now=now) == "Ended"  # under a second: done, as in JS
    assert time_left(now - timedelta(days=1), "Hold expired", now=now) == "Hold expired"
    assert time_left(None) == ""


def test_an_epoch_ms_instant_reads_as_utc_for_the_browser():
    assert ms_iso(1_796_493_600_000) == "2026-12-05T18:00:00Z"


@pytest.mark.parametrize(
    ("zone", "moment", "text"),
    [
        ("Europe/London", datetime(2026, 7, 1, 17, 5), "Wed 01 Jul, 18:05"),  # summer time: UTC+1
        ("Europe/London", datetime(2026, 12, 5, 17, 5), "Sat 05 Dec, 17:05"),  # winter: UTC
        ("UTC", datetime(2026, 12, 5, 23, 59), "Sat 05 Dec, 23:59"),
        ("America/New_York", datetime(2026, 12, 5, 23, 30), "Sat 05 Dec, 18:30"),
    ],
)
def test_clock_times_are_24_hour_in_the_malls_zone(app, monkeypatch, zone, moment, text):
    monkeypatch.setitem(app.config, "MALL_TIMEZONE", zone)
    with app.app_context():
        assert local_time(moment) == text
        assert "PM" not in local_time(moment) and "AM" not in local_time(moment)


def test_no_template_writes_a_12_hour_clock():
    from pathlib import Path

    for template in (Path(__file__).parents[1] / "templates").rglob("*.*"):
        source = template.read_text()
        assert "%I" not in source and "%p" not in source and "%l" not in source, template


def test_the_monitor_and_support_figures_write_durations_the_same_way(app):
    from mall.monitor.presenting import minutes_text
    from mall.support.blueprint import support_duration

    assert [minutes_text(m) for m in (None, 0.4, 12.4, 65, 60 * 24 + 90)] == ["—", "under a minute", "12 min", "1 h 5 min", "1 d 1 h"]
    assert [support_duration(s) for s in (None, 0, 12, timedelta(minutes=65), 90)] == ["–", "0 min", "12 min", "1 h 5 min", "1 h 30 min"]
