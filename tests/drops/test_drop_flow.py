from datetime import timedelta

import pytest
from sqlalchemy import update

from mall.drops.models import Drop
from mall.extensions import db, redis_client
from mall.stock.models import StockLevel
from tests.drops.conftest import drop_form
from tests.support import text_of


def _status(drop) -> str:
    db.session.expire_all()
    return db.session.get(Drop, drop.id).status


def test_scheduling_a_draft_with_stock(signed_in, stocked_tee, make, brand):
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(days=1), status="draft")
    redis_client().hset(f"fm:drop:{drop.id}", "open", "0")

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/schedule")

    assert response.status_code == 303
    assert _status(drop) == "scheduled"
    assert not redis_client().exists(f"fm:drop:{drop.id}")  # the stock engine reloads the new status
    assert "is scheduled" in text_of(signed_in.get(response.headers["Location"]))


def test_scheduling_is_refused_without_any_stock(signed_in, tee, make, brand, hubs):
    make.stock(tee, hubs[0], 3)
    db.session.execute(update(StockLevel).values(sold=3))  # all sold: nothing left to drop
    db.session.commit()
    drop = make.drop(brand, [tee], starts_in=timedelta(days=1), status="draft")

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/schedule")

    assert response.status_code == 409
    assert "The hero variants have no stock at any hub." in text_of(response)
    assert _status(drop) == "draft"


def test_scheduling_is_refused_when_the_window_has_ended(signed_in, stocked_tee, make, brand):
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(hours=-3), status="draft")

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/schedule")

    assert response.status_code == 409
    assert "The window of this drop has already ended." in text_of(response)
    assert _status(drop) == "draft"


def test_only_drafts_can_be_scheduled(signed_in, stocked_tee, make, brand):
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(days=1), status="cancelled")

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/schedule")

    assert response.status_code == 409
    assert "Only a draft can be scheduled." in text_of(response)
    assert _status(drop) == "cancelled"


@pytest.mark.parametrize(
    "status, starts_in",
    [
        ("draft", timedelta(days=1)),
        ("scheduled", timedelta(days=1)),
        ("scheduled", timedelta(minutes=-5)),
        ("live", timedelta(minutes=-5)),
    ],
)
def test_cancelling_a_draft_scheduled_or_live_drop(signed_in, stocked_tee, make, brand, status, starts_in):
    drop = make.drop(brand, [stocked_tee], starts_in=starts_in, status=status)

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/cancel")

    assert response.status_code == 303
    assert _status(drop) == "cancelled"


@pytest.mark.parametrize("status", ["ended", "scheduled"])
def test_an_ended_drop_cannot_be_cancelled(signed_in, stocked_tee, make, brand, status):
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(hours=-3), status=status)

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/cancel")

    assert response.status_code == 409
    assert "an ended drop cannot be cancelled" in text_of(response)
    assert _status(drop) == status


def test_cancelling_twice_says_so(signed_in, stocked_tee, make, brand):
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(days=1), status="cancelled")

    response = signed_in.submit(f"/brands/acme/drops/{drop.id}/cancel")

    assert response.status_code == 409
    assert "already cancelled" in text_of(response)


def test_drops_page_groups_live_upcoming_drafts_and_past(signed_in, stocked_tee, make, brand):
    make.drop(brand, [stocked_tee], title="Live tee", starts_in=timedelta(minutes=-5), status="scheduled")
    make.drop(brand, [stocked_tee], title="Soon tee", starts_in=timedelta(hours=5), status="scheduled")
    make.drop(brand, [stocked_tee], title="Draft tee", starts_in=timedelta(days=2), status="draft")
    make.drop(brand, [stocked_tee], title="Old tee", starts_in=timedelta(days=-2), status="ended")
    make.drop(brand, [stocked_tee], title="Called-off tee", starts_in=timedelta(days=1), status="cancelled")
    rival = make.brand()
    make.drop(rival, [make.product(rival).variants[0]], title="Rival drop")

    response = signed_in.get("/brands/acme/drops")
    text = text_of(response)

    assert response.status_code == 200
    live, upcoming, drafts, past = (text.index(h) for h in ("Live now (1)", "Upcoming (1)", "Drafts (1)", "Past (2)"))
    assert live < text.index("Live tee live") < upcoming < text.index("Soon tee scheduled") < drafts
    assert drafts < text.index("Draft tee draft") < past < text.index("Old tee ended")
    assert past < text.index("Called-off tee cancelled")
    assert "Rival drop" not in text
    html = response.get_data(as_text=True)
    assert html.count("data-countdown=") == 3  # live: to its end; upcoming and draft: to their start


def test_drop_detail_shows_settings_tier_times_and_hero_stock(signed_in, stocked_tee, make, brand, hubs):
    make.stock(stocked_tee, hubs[2], 40)
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(days=1), tiers=((0, 20, 30), (20, None, 15)), limit=3)
    start = drop.starts_at

    text = text_of(signed_in.get(f"/brands/acme/drops/{drop.id}"))

    fmt = "%a %d %b, %H:%M"
    assert f"{start:{fmt}} {start + timedelta(minutes=20):{fmt}} 30% £14.00" in text
    assert f"{start + timedelta(minutes=20):{fmt}} {drop.ends_at:{fmt}} 15% £17.00" in text
    assert "Per-shopper limit 3" in text
    assert "Soho micro-hub Micro-hub" in text and "Heavy tee — Black, M 10 0 40 50" in text


def test_support_can_watch_drops_but_not_change_them(as_role, stocked_tee, make, brand):
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(days=1), status="draft")
    client = as_role("support")

    assert client.get("/brands/acme/drops").status_code == 200
    page = client.get(f"/brands/acme/drops/{drop.id}")
    assert page.status_code == 200 and "Schedule" not in text_of(page)
    assert client.get("/brands/acme/drops/new").status_code == 403
    assert client.get(f"/brands/acme/drops/{drop.id}/edit").status_code == 403
    assert client.submit("/brands/acme/drops/new", drop_form([stocked_tee])).status_code == 403
    assert client.submit(f"/brands/acme/drops/{drop.id}/edit", drop_form([stocked_tee], title="X")).status_code == 403
    assert client.submit(f"/brands/acme/drops/{drop.id}/schedule").status_code == 403
    assert client.submit(f"/brands/acme/drops/{drop.id}/cancel").status_code == 403
    assert _status(drop) == "draft"
    assert db.session.get(Drop, drop.id).title == drop.title


def test_schedule_without_csrf_is_refused(signed_in, stocked_tee, make, brand):
    drop = make.drop(brand, [stocked_tee], starts_in=timedelta(days=1), status="draft")

    assert signed_in.post(f"/brands/acme/drops/{drop.id}/schedule").status_code == 400
    assert _status(drop) == "draft"
