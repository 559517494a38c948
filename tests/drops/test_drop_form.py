from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from mall.clock import utcnow
from mall.drops.models import Drop, DropItem, PriceTier
from mall.extensions import db
from tests.drops.conftest import FORMAT, drop_form, soon
from tests.support import text_of


def _drop_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Drop.id)))


def test_creating_a_drop_saves_a_draft_with_heroes_and_tiers(signed_in, tee, make, brand):
    spare = make.variant(tee.product, sku="TEE-BLK-L", name="Black, L")
    starts = soon(days=2)

    response = signed_in.submit(
        "/brands/acme/drops/new", drop_form([tee], starts=starts, fallback_variant=str(spare.id), hold_minutes="15")
    )

    assert response.status_code == 303
    drop = db.session.scalar(select(Drop))
    assert response.headers["Location"].endswith(f"/brands/acme/drops/{drop.id}")
    assert (drop.status, drop.tenant_id, drop.title) == ("draft", brand.id, "Midnight tee drop")
    assert (drop.starts_at, drop.ends_at) == (starts, starts + timedelta(hours=2))
    assert (drop.hold_minutes, drop.per_shopper_limit, drop.fallback_variant_id) == (15, 2, spare.id)
    assert [item.variant_id for item in drop.items] == [tee.id]
    assert [(t.from_minute, t.until_minute, t.percent_off) for t in drop.tiers] == [(0, 20, 30), (20, None, 15)]
    assert "Saved “Midnight tee drop” as a draft" in text_of(signed_in.get(response.headers["Location"]))


def test_times_are_read_in_the_malls_timezone(signed_in, tee, app, monkeypatch):
    monkeypatch.setitem(app.config, "MALL_TIMEZONE", "Europe/London")
    year = utcnow().year + (1 if utcnow().month >= 7 else 0)
    local_start = datetime(year, 7, 1, 18, 0)  # British Summer Time: UTC+1

    response = signed_in.submit(
        "/brands/acme/drops/new", drop_form([tee], starts=local_start, ends=local_start + timedelta(hours=1))
    )

    assert response.status_code == 303
    drop = db.session.scalar(select(Drop))
    assert drop.starts_at == datetime(year, 7, 1, 17, 0)
    edit_page = signed_in.get(f"/brands/acme/drops/{drop.id}/edit").get_data(as_text=True)
    assert f'value="{year}-07-01"' in edit_page and 'value="18:00"' in edit_page


def test_the_form_offers_only_this_brands_variants(signed_in, tee, make):
    make.product(make.brand(), name="Rival boots")

    text = text_of(signed_in.get("/brands/acme/drops/new"))

    assert "Heavy tee — Black, M · TEE-BLK-M" in text
    assert "Rival boots" not in text


def _shifted(minutes: int):
    """An end time relative to the start the test will use (computed when the test runs)."""
    return lambda starts: (starts + timedelta(minutes=minutes)).strftime(FORMAT)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Give the drop a title."),
        ({"title": "T" * 121}, "Keep the title under 120 characters."),
        ({"description": "d" * 2001}, "Keep the description under 2,000 characters."),
        ({"starts_at": (utcnow() - timedelta(hours=1)).strftime(FORMAT)}, "The start time is in the past"),
        ({"starts_at": "tomorrow at six"}, "“tomorrow” is not a date: enter it as YYYY-MM-DD, e.g. 2026-12-05."),
        ({"starts_at": ""}, "Enter when the drop starts."),
        ({"starts_at": (utcnow() + timedelta(days=400)).strftime(FORMAT)}, "Drops can be planned up to a year ahead."),
        ({"ends_at": _shifted(0)}, "The drop must end after it starts."),
        ({"ends_at": _shifted(-60)}, "The drop must end after it starts."),
        ({"ends_at": _shifted(7 * 24 * 60 + 1)}, "A drop can last at most 7 days."),
        ({"hold_minutes": "0"}, "The hold must be 1 to 120 minutes."),
        ({"hold_minutes": "121"}, "The hold must be 1 to 120 minutes."),
        ({"hold_minutes": "ten"}, "Enter a whole number, e.g. 12."),
        ({"per_shopper_limit": "0"}, "The limit must be 1 to 50 units."),
        ({"per_shopper_limit": "51"}, "The limit must be 1 to 50 units."),
        ({"per_shopper_limit": ""}, "Enter the per-shopper limit."),
        ({"hero_variants": []}, "Pick at least one hero variant."),
        ({"hero_variants": ["999999"]}, "Choose hero variants from your own products."),
        ({"hero_variants": ["abc"]}, "Choose hero variants from your own products."),
        ({"fallback_variant": "999999"}, "Choose the fallback from your own products."),
        ({"tiers-1-from_minute": "10"}, "Price tiers overlap"),
        ({"tiers-0-until_minute": "", "tiers-1-from_minute": "30"}, "Price tiers overlap"),
        (
            {"tiers-1-from_minute": "120", "tiers-0-until_minute": "120"},
            "A tier starts after the drop ends (the drop lasts 120 minutes).",
        ),
        ({"tiers-1-percent_off": "96"}, "Between 0 and 95 percent."),
        ({"tiers-1-percent_off": ""}, "Enter the percent off."),
        ({"tiers-0-from_minute": ""}, "Enter the minute this tier starts"),
        ({"tiers-0-until_minute": "0"}, "A tier must end after it starts."),
        ({"tiers-0-from_minute": "-5"}, "Between 0 and 10080 minutes."),
    ],
)
def test_each_rule_is_an_inline_422_and_nothing_is_saved(signed_in, tee, changes, message):
    starts = soon(days=1)
    changes = {name: value(starts) if callable(value) else value for name, value in changes.items()}
    response = signed_in.submit("/brands/acme/drops/new", drop_form([tee], starts=starts, **changes))

    assert response.status_code == 422
    assert message in text_of(response)
    assert "nothing was saved" in text_of(response)
    assert _drop_count() == 0


def test_the_fallback_must_not_be_a_hero(signed_in, tee):
    response = signed_in.submit("/brands/acme/drops/new", drop_form([tee], fallback_variant=str(tee.id)))

    assert response.status_code == 422
    assert "The fallback must not be one of the hero variants." in text_of(response)
    assert _drop_count() == 0


def test_another_brands_variant_cannot_be_a_hero_or_fallback(signed_in, tee, make):
    rival = make.product(make.brand(), name="Rival boots").variants[0]

    as_hero = signed_in.submit("/brands/acme/drops/new", drop_form([tee, rival]))
    as_fallback = signed_in.submit("/brands/acme/drops/new", drop_form([tee], fallback_variant=str(rival.id)))

    assert as_hero.status_code == as_fallback.status_code == 422
    assert "Choose hero variants from your own products." in text_of(as_hero)
    assert "Choose the fallback from your own products." in text_of(as_fallback)
    assert _drop_count() == 0
    assert db.session.scalar(select(func.count(DropItem.id))) == 0


def test_a_drop_without_tiers_is_fine(signed_in, tee):
    response = signed_in.submit("/brands/acme/drops/new", drop_form([tee], tiers=()))

    assert response.status_code == 303
    assert db.session.scalar(select(func.count(PriceTier.id))) == 0


def test_editing_replaces_heroes_and_tiers(signed_in, tee, make, brand):
    other = make.variant(tee.product, sku="TEE-WHT-M", name="White, M")
    drop = make.drop(brand, [tee], starts_in=timedelta(days=1), status="draft")
    new_start = soon(days=3)

    response = signed_in.submit(
        f"/brands/acme/drops/{drop.id}/edit",
        drop_form([other, tee], starts=new_start, title="Renamed", tiers=((0, None, 10),)),
    )

    assert response.status_code == 303
    db.session.expire_all()
    drop = db.session.get(Drop, drop.id)
    assert drop.title == "Renamed"
    assert drop.starts_at == new_start
    assert [item.variant_id for item in drop.items] == [other.id, tee.id]
    assert [(t.from_minute, t.until_minute, t.percent_off) for t in drop.tiers] == [(0, None, 10)]


def test_an_unchanged_start_that_has_passed_does_not_block_other_edits(signed_in, tee, make, brand):
    drop = make.drop(brand, [tee], starts_in=timedelta(minutes=-30), status="draft")
    data = drop_form(
        [tee], starts=drop.starts_at, ends=drop.ends_at, title="New title", tiers=((0, 20, 30), (20, None, 15))
    )

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/edit", data)

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Drop, drop.id).title == "New title"


def test_rescheduling_into_the_past_is_refused(signed_in, tee, make, brand):
    drop = make.drop(brand, [tee], starts_in=timedelta(days=1), status="scheduled")
    past = utcnow() - timedelta(hours=2)

    data = drop_form([tee], starts=past, ends=past + timedelta(hours=3))
    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/edit", data)

    assert response.status_code == 422
    assert "The start time is in the past" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Drop, drop.id).starts_at == drop.starts_at


@pytest.mark.parametrize("starts_in", [timedelta(minutes=-10), timedelta(hours=-3)], ids=["live", "ended"])
def test_a_live_or_ended_drops_window_cannot_move(signed_in, tee, make, brand, starts_in):
    drop = make.drop(brand, [tee], starts_in=starts_in, lasts=timedelta(hours=1), status="scheduled")
    window = (drop.starts_at, drop.ends_at)

    moved_end = signed_in.submit(
        f"/brands/acme/drops/{drop.id}/edit",
        drop_form([tee], starts=drop.starts_at, ends=drop.ends_at + timedelta(hours=1)),
    )
    moved_start = signed_in.submit(
        f"/brands/acme/drops/{drop.id}/edit", drop_form([tee], starts=soon(days=1), ends=soon(days=1, hours=1))
    )

    for response in (moved_end, moved_start):
        assert response.status_code == 422
        assert "This drop is live or has ended; its window can no longer change." in text_of(response)
    db.session.expire_all()
    assert (db.session.get(Drop, drop.id).starts_at, db.session.get(Drop, drop.id).ends_at) == window


def test_a_live_drop_can_still_get_a_new_title(signed_in, tee, make, brand):
    drop = make.drop(brand, [tee], starts_in=timedelta(minutes=-10), status="live")

    response = signed_in.submit(
        f"/brands/acme/drops/{drop.id}/edit",
        drop_form([tee], starts=drop.starts_at, ends=drop.ends_at, title="Going fast"),
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Drop, drop.id).title == "Going fast"


def test_the_new_drop_page_says_when_there_is_nothing_to_sell(signed_in):
    page = signed_in.get("/brands/acme/drops/new")

    assert page.status_code == 200
    assert "A drop needs a hero variant." in text_of(page)


def test_a_brand_chooses_how_shoppers_are_admitted_and_the_drop_page_says_it(signed_in, tee):
    assert 'option selected value="open"' in signed_in.get("/brands/acme/drops/new").get_data(as_text=True)

    response = signed_in.submit("/brands/acme/drops/new", drop_form([tee], admission_mode="queue"))

    assert response.status_code == 303
    assert db.session.scalar(select(Drop)).admission_mode == "queue"
    assert "Admission Queue: a waiting room lets shoppers in as the stock allows" in text_of(
        signed_in.get(response.headers["Location"])
    )


def test_an_unknown_admission_mode_is_refused_inline(signed_in, tee):
    response = signed_in.submit("/brands/acme/drops/new", drop_form([tee], admission_mode="lottery"))

    assert response.status_code == 422
    assert "Choose how shoppers get in: open, queue or draw." in text_of(response)
    assert _drop_count() == 0
