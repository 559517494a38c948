from datetime import timedelta

import pytest


@pytest.fixture
def live_drop(make):
    """A live drop of one hero variant: 3 units at a micro-hub, 2 in the central reserve."""
    brand = make.brand()
    hub = make.hub(kind="micro_hub")
    reserve = make.hub(kind="central_reserve")
    variant = make.product(brand, price_cents=10_000).variants[0]
    make.stock(variant, hub, 3)
    make.stock(variant, reserve, 2)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-5), limit=3, hold_minutes=10)
    return drop, variant, hub, reserve
