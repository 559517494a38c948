from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from mall.draw import services
from mall.draw.models import Draw, DrawEntry
from mall.drops.models import Drop
from mall.extensions import db
from mall.outbox.models import OutboxEmail


@pytest.fixture
def clock(app_ctx):
    """The clock frozen at a whole minute; `clock.shift(timedelta)` moves it."""
    from mall.clock import utcnow

    with time_machine.travel(utcnow().replace(second=0, microsecond=0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller


@dataclass
class DrawSetup:
    drop: Drop
    draw: Draw
    variant: object
    pickup: object
    set_up_at: datetime

    def at(self, minutes: int) -> timedelta:
        """How far to shift the clock to reach `minutes` after the draw was set up."""
        from mall.clock import utcnow

        return self.set_up_at + timedelta(minutes=minutes) - utcnow()


def make_draw_drop(make, units: int, brand=None) -> DrawSetup:
    """A scheduled drop sold by draw, starting in 60 minutes for 2 hours; entries open 5 to 50 minutes from now,
    winners have 15 minutes to buy."""
    from mall.clock import utcnow

    brand = brand or make.brand(slug="aurora", name="Aurora Knits")
    hub = make.hub(kind="micro_hub")
    pickup = make.hub(kind="pickup_point", name="Camden pickup")
    variant = make.product(brand, name="Fisherman jumper", price_cents=10_000).variants[0]
    make.stock(variant, hub, units)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=60), lasts=timedelta(hours=2), limit=1, tiers=())
    drop.admission_mode = "draw"
    db.session.commit()
    now = utcnow()
    draw = services.save_draw(
        db.session, drop, services.DrawSettings(now + timedelta(minutes=5), now + timedelta(minutes=50), 15), now
    )
    return DrawSetup(drop, draw, variant, pickup, now)


@pytest.fixture
def draw_drop(make, clock) -> DrawSetup:
    return make_draw_drop(make, units=2)


def enter(setup: DrawSetup, email: str, cart: str | None = None, ip: str = "10.0.0.1", address: str = "1 Long Lane",
          postcode: str = "N1 1AA") -> DrawEntry:
    from mall.clock import utcnow

    details = services.EntryDetails(email, setup.variant.id, address, postcode)
    return services.enter(db.session, setup.drop, details, cart or f"cart-{email}", ip, utcnow())


def enter_confirmed(setup: DrawSetup, email: str, **kwargs) -> DrawEntry:
    from mall.clock import utcnow

    entry = enter(setup, email, **kwargs)
    services.confirm(db.session, entry, utcnow())
    return entry


def states() -> dict[str, str]:
    db.session.expire_all()
    return {e.email: e.state for e in db.session.scalars(select(DrawEntry).execution_options(all_tenants=True))}


def emails(prefix: str = "draw-") -> dict[str, list[str]]:
    """Outbox rows of the draw: to address -> the keys' kinds (confirm, win, reserve, lost)."""
    db.session.expire_all()
    found: dict[str, list[str]] = {}
    for email in db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)):
        if email.dedupe_key.startswith(prefix):
            found.setdefault(email.to_address, []).append(email.dedupe_key.split(":")[0].removeprefix("draw-"))
    return found
