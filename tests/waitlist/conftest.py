from datetime import timedelta, timezone

import pytest
import time_machine


@pytest.fixture
def one_unit_drop(make):
    """A live drop whose hero has one unit, at one micro-hub; offers last 5 minutes, holds 10."""
    brand = make.brand(slug="aurora", name="Aurora Knits")
    hub = make.hub(kind="micro_hub")
    variant = make.product(brand, name="Fisherman jumper", price_cents=10_000).variants[0]
    make.stock(variant, hub, 1)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), lasts=timedelta(hours=2), limit=2, tiers=())
    drop.waitlist_offer_minutes = 5
    from mall.extensions import db

    db.session.commit()
    return drop, variant, hub


@pytest.fixture
def clock(app_ctx):
    """The clock frozen now (drops made by the tests start a few minutes ago); `clock.shift(timedelta)` moves it."""
    from mall.clock import utcnow

    with time_machine.travel(utcnow().replace(microsecond=0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller
