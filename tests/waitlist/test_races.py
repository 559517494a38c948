"""Expiries, offer jobs and the crowd racing at once: every returned unit goes to one waiting shopper, none oversold."""

import threading
from datetime import timedelta

from sqlalchemy import select

from mall.checkout.services import place_order
from mall.drops.stock import drop_terms
from mall.extensions import db, redis_client
from mall.stock import ledger
from mall.stock.engine import StockEngine
from mall.stock.models import StockLevel
from mall.waitlist import services
from mall.waitlist.models import WaitlistEntry
from tests.checkout.conftest import pickup_details


def _in_threads(app, work: list) -> None:
    start = threading.Barrier(len(work))

    def run(job):
        with app.app_context():
            engine = StockEngine(redis_client(), db.session, drop_terms=drop_terms)
            start.wait()
            try:
                job(engine)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_offer_jobs_racing_the_crowd_give_each_returned_unit_to_one_waiting_shopper(app, make, engine, clock):
    brand = make.brand()
    hub = make.hub()
    variant = make.product(brand).variants[0]
    make.stock(variant, hub, 2)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-1), limit=2, tiers=())
    assert engine.place_hold(drop.id, variant.id, "crowd-a", 2).ok
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        services.join(db.session, engine, drop, variant.id, email)
    clock.shift(timedelta(minutes=11))  # the crowd's hold has run out, not yet swept

    crowd_holds = []
    jobs = [lambda e: services.offer_returned_units(e.session, e) for _ in range(4)]
    jobs += [lambda e, n=n: crowd_holds.append(e.place_hold(drop.id, variant.id, f"crowd-{n}", 1)) for n in range(4)]
    _in_threads(app, jobs)

    db.session.expire_all()
    assert not any(hold.ok for hold in crowd_holds)
    states = dict(db.session.execute(select(WaitlistEntry.email, WaitlistEntry.state)).all())
    assert states == {"a@example.com": "offered", "b@example.com": "offered", "c@example.com": "waiting"}
    offers = db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.state == "offered")).all()
    assert len({o.offer_hold_id for o in offers}) == 2
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))

    pickup = make.hub(kind="pickup_point")
    for n, offer in enumerate(offers):
        place_order(db.session, engine, offer.offer_cart_token, f"offer-key-{n:08d}", pickup_details(pickup, offer.email),
                    [offer.offer_hold_id])
    db.session.expire_all()
    assert db.session.execute(select(StockLevel.on_hand, StockLevel.sold)).one() == (2, 2)
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))
