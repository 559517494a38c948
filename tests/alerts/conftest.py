"""A scripted live drop for alert scenarios: the real stock engine, real orders, a frozen clock."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from mall.alerts.evaluate import evaluate_everything
from mall.alerts.models import Alert
from mall.checkout.services import CheckoutDetails, place_order
from mall.extensions import db, redis_client
from mall.stock.activity import DropActivity


# A week after the real date, never a fixed one: Redis expires the drop's keys by its own clock, so a scene
# frozen on a day that has passed would see them vanish (this suite failed so once 2026-11-24 was behind us).
SCENE_DAY = date.today() + timedelta(days=7)


@pytest.fixture
def scene(make):
    """Brand with an owner and a manager; a drop of one hero item with 60 units at a micro-hub, live from 10:00:30.

    The clock is frozen at 10:20:05 (a drop minute boundary + 5 s) so hold-rate windows hold known minutes.
    """
    owner = make.user(email="owner@example.com", name="Olive Owner")
    brand = make.brand(owner=owner, name="Aurora Knits", slug="aurora")
    manager = make.member(brand, make.user(email="manager@example.com", name="Max Manager"), role="manager")
    hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
    pickup = make.hub(code="PP-CAMDEN", name="Camden Pickup", kind="pickup_point")
    variant = make.product(brand, name="Aurora jumper", price_cents=5_000).variants[0]
    make.stock(variant, hub, 60)
    start = datetime.combine(SCENE_DAY, time(10, 0, 30))
    with time_machine.travel(start - timedelta(minutes=30), tick=False):
        drop = make.drop(brand, [variant], starts_in=timedelta(minutes=30), lasts=timedelta(hours=2), limit=5, title="Winter jumper drop")
    with time_machine.travel(datetime.combine(SCENE_DAY, time(10, 20, 5)), tick=False) as clock:
        yield Scene(brand, owner, manager, hub, pickup, variant, drop, clock)


class Scene:
    def __init__(self, brand, owner, manager, hub, pickup, variant, drop, clock):
        self.brand, self.owner, self.manager = brand, owner, manager
        self.hub, self.pickup, self.variant, self.drop, self.clock = hub, pickup, variant, drop, clock
        self.orders = 0

    def hold(self, engine, cart: str, quantity: int = 1, ip: str = "198.51.100.1"):
        outcome = engine.place_hold(self.drop.id, self.variant.id, cart, quantity, ip=ip)
        assert outcome.ok, outcome.reason
        return outcome

    def order(self, engine, cart: str, email="ada@example.com", ip="198.51.100.1", address="", postcode="", quantity=1):
        """A shopper holds and checks out in one go: pickup, or delivery when an address is given."""
        hold = self.hold(engine, cart, quantity, ip)
        self.orders += 1
        details = CheckoutDetails(
            "Ada Shopper", email, "delivery" if address else "pickup", None if address else self.pickup.id,
            address, postcode, "pay_on_handover",
        )
        return place_order(db.session, engine, cart, f"key-alerts-{self.orders:012d}", details, [hold.hold_id], ip=ip)


def evaluate(engine) -> dict:
    """One periodic evaluation, as the job runs it, at the frozen time."""
    from mall.clock import utcnow

    return evaluate_everything(db.session, engine, DropActivity(redis_client(), batch_ms=0), utcnow()).counts


def alerts(kind: str | None = None, open_only: bool = False) -> list[Alert]:
    db.session.expire_all()
    query = select(Alert).order_by(Alert.id)
    if kind:
        query = query.where(Alert.kind == kind)
    if open_only:
        query = query.where(Alert.resolved_at.is_(None))
    return list(db.session.scalars(query))
