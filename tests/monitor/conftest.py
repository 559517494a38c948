"""A scripted drop with known answers, played through the real stock engine, checkout, support desk and parcels.

North Knits' "Jumper drop" runs 12:00-13:00 UTC on the day T0 names (two months ahead) (10-minute holds, 30% off until 12:20,
then 15% off) with 15 Fisherman jumpers (list £40.00) at the Soho micro-hub. What happens, minute by minute:

  11:58  5 drop views before the start (not counted)    12:30  dan holds 1 (£34.00), buys at 12:31
  12:01  20 views                                        12:32  eve holds 1 + 1, buys both at 12:33
  12:02  ada holds 2 (£28.00 each), buys at 12:03        12:34  eve also buys in Sole Club's drop that began at 12:30
         through Cleo's creator link                     12:35  dan asks support; answered at 12:55 (20 min, late)
  12:05  bob holds 1; it expires at 12:15                12:40  fay holds 1 and releases it
  12:05  ada asks support; answered 12:15, resolved 13:05 12:45  gus holds 1; it expires at 12:55
  12:10  cat holds 1, buys at 12:11                      12:50  one of eve's lines is cancelled
  12:20  a contact-form question with no order           12:53  ada's parcel is ready (committed 13:03: 10 min early)
  12:25  20 views                                        13:21  cat's parcel is ready (committed 13:11: 10 min late)
Later: ada buys in Sole Club's drop of 13:30, cat in North Knits' drop of 14:00; dan had bought in Sole Club's
drop of 10:00 (earlier, so not a repeat).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from mall.checkout.services import CheckoutDetails, place_order
from mall.extensions import db
from mall.fulfilment.models import Parcel
from mall.fulfilment.status import mark_ready, receive_at_point
from mall.links.models import CreatorPartnership, LinkClickHour
from mall.links.services import create_link
from mall.orders.models import Order, OrderLine, SubOrder
from mall.orders.services import cancel_line
from mall.stock.access import drop_activity
from mall.support.models import Topic
from mall.support.services import brand_reply, open_about_order, open_thread, set_status

# Two months after the real date, never a fixed one: Redis expires keys by its own clock, so a day that has
# passed would lose them.
T0 = datetime.combine(date.today() + timedelta(days=60), time(12, 0))


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def details(pickup, email: str) -> CheckoutDetails:
    return CheckoutDetails(
        name=email.split("@")[0].title(), email=email, fulfilment="pickup", pickup_hub_id=pickup.id,
        delivery_address="", postcode="", payment_provider="pay_on_handover",
    )


@dataclass
class Shop:
    """The people and places of the scripted mall, and a clock the script moves."""

    make: object
    engine: object
    clock: object
    hub: object = None
    pickup: object = None
    north: object = None
    sole: object = None
    owner: object = None
    variant: object = None
    drop: object = None
    orders: dict = field(default_factory=dict)

    def move_to(self, minute: float) -> None:
        self.clock.move_to(at(minute))

    def hold(self, minute: float, cart: str, quantity: int = 1, drop=None, variant=None) -> str:
        self.move_to(minute)
        outcome = self.engine.place_hold((drop or self.drop).id, (variant or self.variant).id, cart, quantity, ip="198.51.100.7")
        assert outcome.ok, outcome.reason
        return outcome.hold_id

    def buy(self, minute: float, cart: str, email: str, holds: list[str], link_id: int | None = None) -> Order:
        self.move_to(minute)
        order = place_order(
            db.session, self.engine, cart, f"key-{cart}-{minute}".ljust(20, "0"), details(self.pickup, email), holds,
            attributed_link_id=link_id,
        )
        self.orders.setdefault(email, []).append(order)
        return order

    def views(self, minute: float, n: int) -> None:
        self.move_to(minute)
        for _ in range(n):
            drop_activity().record_view(self.drop.id)

    def side_drop(self, brand, title: str, starts: float, minutes: int = 60):
        """Another drop (its own hero, 5 units at the hub) whose window starts at `starts`."""
        variant = self.make.product(brand, name=f"{title} hero", price_cents=5000).variants[0]
        self.make.stock(variant, self.hub, 5)
        now = T0 + timedelta(minutes=starts) - timedelta(minutes=1)
        self.clock.move_to(now)
        return self.make.drop(brand, [variant], starts_in=timedelta(minutes=1), lasts=timedelta(minutes=minutes), tiers=(), title=title), variant

    def sub_order(self, order: Order, brand) -> SubOrder:
        return db.session.scalar(select(SubOrder).where(SubOrder.order_id == order.id, SubOrder.tenant_id == brand.id))

    def parcel(self, order: Order) -> Parcel:
        return db.session.scalar(select(Parcel).where(Parcel.order_id == order.id))


@pytest.fixture
def shop(make, engine):
    """The jumper drop set up (nothing has happened yet), the clock at 11:50."""
    with time_machine.travel(at(-10), tick=False) as clock:
        s = Shop(make, engine, clock)
        s.hub = make.hub(code="MH-SOHO", name="Soho Micro-hub")
        s.pickup = make.hub(kind="pickup_point", code="PP-CAMDEN", name="Camden Pickup", address="1 Camden High St")
        s.owner = make.user(email="owner@north.example.com", name="Olive Owner")
        s.north = make.brand(owner=s.owner, slug="north", name="North Knits")
        s.sole = make.brand(slug="sole", name="Sole Club")
        s.variant = make.product(s.north, name="Fisherman jumper", price_cents=4000).variants[0]
        make.stock(s.variant, s.hub, 15)
        s.drop = make.drop(s.north, [s.variant], starts_in=timedelta(minutes=10), lasts=timedelta(hours=1),
                           limit=3, hold_minutes=10, title="Jumper drop")
        yield s


def _creator_links(shop: Shop):
    make = shop.make
    links = []
    for email, name, code, clicks in (("cleo@example.com", "Cleo Creator", "cleo-jumper", 3),
                                      ("max@example.com", "Max Maker", "max-jumper", 5)):
        creator = make.user(email=email, name=name, creator=True)
        db.session.add(CreatorPartnership(tenant_id=shop.north.id, creator_id=creator.id, status="approved",
                                          commission_bp=1000, window_hours=24))
        db.session.commit()
        link = create_link(db.session, creator, shop.north.id, shop.drop.id, code)
        db.session.add(LinkClickHour(link_id=link.id, hour=T0, clicks=clicks))  # as the click flush job writes them
        links.append(link)
    db.session.commit()
    return links


@pytest.fixture
def scripted(shop):
    """The whole script above has run; the clock stands at 14:10, when every figure is final."""
    s = shop
    with time_machine.travel(at(-100), tick=False) as clock:
        s.clock = clock
        earlier, earlier_hero = s.side_drop(s.sole, "Sole morning", -120)
        s.buy(-99, "cart-dan-early", "dan@example.com", [s.hold(-100, "cart-dan-early", 1, earlier, earlier_hero)])
        s.move_to(-5)
        cleo, _max = _creator_links(s)
        s.views(-2, 5)
        s.views(1, 20)
        ada = s.buy(3, "cart-ada", "ada@example.com", [s.hold(2, "cart-ada", 2)], link_id=cleo.id)
        s.hold(5, "cart-bob")
        s.move_to(5)
        ada_thread = open_about_order(db.session, ada, s.sub_order(ada, s.north), Topic.LINES, "When can I collect?")
        cat = s.buy(11, "cart-cat", "cat@example.com", [s.hold(10, "cart-cat")])
        s.move_to(15)
        brand_reply(db.session, ada_thread, s.owner, "Tomorrow morning.", "pending")
        s.move_to(16)
        s.engine.sweep_expired()
        s.move_to(20)
        open_thread(db.session, s.north, name="Zed", email="zed@example.com", subject="Sizes?", body="Do they run large?")
        s.views(25, 20)
        overlapping, overlapping_hero = s.side_drop(s.sole, "Sole noon", 30)
        dan = s.buy(31, "cart-dan", "dan@example.com", [s.hold(30, "cart-dan")])
        eve = s.buy(33, "cart-eve", "eve@example.com", [s.hold(32, "cart-eve"), s.hold(32, "cart-eve")])
        s.buy(34, "cart-eve-2", "eve@example.com", [s.hold(34, "cart-eve-2", 1, overlapping, overlapping_hero)])
        s.move_to(35)
        dan_thread = open_about_order(db.session, dan, s.sub_order(dan, s.north), Topic.LINES, "Wrong size?")
        s.engine.release_hold("cart-fay", s.hold(40, "cart-fay"))
        s.hold(45, "cart-gus")
        s.move_to(50)
        eve_line = db.session.scalars(select(OrderLine).where(OrderLine.sub_order_id == s.sub_order(eve, s.north).id)).first()
        assert cancel_line(db.session, s.engine, eve_line)
        _commit_etas(s, {ada: 63, cat: 71, dan: 91, eve: 93})
        s.move_to(53)
        _packed_and_at_the_point(s.parcel(ada))
        s.move_to(55)
        brand_reply(db.session, dan_thread, s.owner, "Let us check.", "pending")
        s.move_to(56)
        s.engine.sweep_expired()
        s.move_to(65)
        set_status(db.session, ada_thread, s.owner, "resolved")
        s.move_to(81)
        _packed_and_at_the_point(s.parcel(cat))
        later_sole, later_sole_hero = s.side_drop(s.sole, "Sole evening", 90)
        s.buy(95, "cart-ada-2", "ada@example.com", [s.hold(95, "cart-ada-2", 1, later_sole, later_sole_hero)])
        later_north, later_north_hero = s.side_drop(s.north, "Jumper encore", 120)
        s.buy(125, "cart-cat-2", "cat@example.com", [s.hold(125, "cart-cat-2", 1, later_north, later_north_hero)])
        s.move_to(130)
        yield s


def _commit_etas(shop: Shop, minutes: dict) -> None:
    """What the ETA worker would have committed for each order's parcel."""
    for order, minute in minutes.items():
        parcel = shop.parcel(order)
        parcel.committed_eta = parcel.eta = at(minute)
    db.session.commit()


def _packed_and_at_the_point(parcel) -> None:
    """Packed, and (when packed at another hub) received at the pickup point the same minute: ready for pickup."""
    mark_ready(db.session, parcel)
    db.session.refresh(parcel)
    if parcel.status == "in_transit":
        receive_at_point(db.session, parcel)
