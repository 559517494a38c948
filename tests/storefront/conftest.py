"""A small mall at a frozen moment, so tier prices and countdowns are exact."""

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from mall.extensions import db

NOW = datetime(2026, 3, 2, 12, 0, 0)


@pytest.fixture
def clock(app_ctx):
    """The mall clock frozen at NOW (UTC); `clock.shift(timedelta)` moves it."""
    with time_machine.travel(NOW.replace(tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller


@pytest.fixture
def mall(make, clock):
    """Two brands: Aurora has a live drop (started 5 min ago), Borealis an upcoming one (in 2 h)."""
    aurora = make.brand(
        slug="aurora",
        name="Aurora Knits",
        colour="#0e7490",
        tagline="Jumpers for cold mornings.",
        returns_policy="Return unworn knits within 30 days.",
        warranty_policy="Seams guaranteed for a year.",
        cancellation_policy="Cancel before dispatch.",
        cancellation_window_minutes=45,
    )
    borealis = make.brand(slug="borealis", name="Borealis Tea", colour="#15803d")
    central = make.hub(code="RSV-1", name="Central Reserve", kind="central_reserve")
    soho = make.hub(code="MH-SOHO", name="Soho Micro-hub", kind="micro_hub")
    jumper = make.product(aurora, name="Fisherman jumper", price_cents=4000)
    make.stock(jumper.variants[0], central, 10)
    level = make.stock(jumper.variants[0], soho, 5)
    level.sold = 3
    db.session.commit()
    tea = make.product(borealis, name="Smoked oolong", price_cents=2500)
    make.stock(tea.variants[0], soho, 8)
    live = make.drop(aurora, jumper.variants, starts_in=timedelta(minutes=-5), lasts=timedelta(hours=1),
                     title="Fisherman jumper drop")
    upcoming = make.drop(borealis, tea.variants, starts_in=timedelta(hours=2), lasts=timedelta(hours=1),
                         title="Oolong morning")
    return dict(aurora=aurora, borealis=borealis, central=central, soho=soho, jumper=jumper, tea=tea,
                live=live, upcoming=upcoming, soho_level=level)
