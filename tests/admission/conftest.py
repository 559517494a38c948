from datetime import timedelta

import pytest

from mall.admission.settings import RoomSettings, save_settings
from mall.extensions import db


@pytest.fixture(autouse=True)
def _line_pages_read_redis_each_time(app):
    """The line page's per-process copy (0.5 s) would hide a change made a moment before within one test."""
    app.config["LINE_CACHE_SECONDS"] = 0
    yield
    app.config.pop("LINE_CACHE_SECONDS", None)


@pytest.fixture
def queue_drop(make):
    """A live drop in queue mode: its hero has 2 units at one micro-hub, and a fallback item has 5."""
    brand = make.brand(slug="aurora", name="Aurora Knits")
    hub = make.hub(kind="micro_hub")
    make.hub(kind="pickup_point", code="PICK-1")
    hero = make.product(brand, name="Fisherman jumper", price_cents=10_000).variants[0]
    fallback = make.product(brand, name="Wool hat", price_cents=3_000).variants[0]
    make.stock(hero, hub, 2)
    make.stock(fallback, hub, 5)
    drop = make.drop(brand, [hero], starts_in=timedelta(minutes=-2), lasts=timedelta(hours=2), limit=1, tiers=())
    drop.admission_mode = "queue"
    drop.fallback_variant_id = fallback.id
    db.session.commit()
    return drop, hero, fallback


def room_settings(**values):
    """Save the operator's settings (defaults for what is not given)."""
    defaults = vars(RoomSettings()) | values
    save_settings(db.session, defaults)


@pytest.fixture
def clock(app_ctx):
    import time_machine
    from datetime import timezone

    from mall.clock import utcnow

    with time_machine.travel(utcnow().replace(microsecond=0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller
