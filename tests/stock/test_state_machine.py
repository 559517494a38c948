"""A hypothesis state machine over the stock engine: whatever shoppers, brands, the waitlist and Redis do,
on_hand = available + held + kept for the waitlist + sold at every hub, none negative, never more sold than stocked."""

import itertools
from datetime import timedelta

import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select

from mall.checkout.services import CheckoutError, place_order
from mall.extensions import db
from mall.orders.models import LineStatus, Order, OrderLine, PaymentState, SubOrder
from mall.orders.services import cancel_line
from mall.payments import checkout_payment, settlement
from mall.payments.models import Payment
from mall.payments.providers import Notification
from mall.stock import ledger
from mall.stock.models import StockLevel
from mall.waitlist import services as waitlist
from mall.waitlist.models import EntryState, WaitlistEntry
from tests.checkout.conftest import pickup_details
from tests.payments.conftest import card_details

CARTS = ["cart-a", "cart-b", "cart-c"]
WAITING = ["wait-1@example.com", "wait-2@example.com"]


def test_stock_books_always_balance(app, app_ctx, make, engine):
    keys = itertools.count(1)
    events = itertools.count(1)

    class StockMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            engine.redis.flushdb()
            brand = make.brand()
            self.hubs = [make.hub(kind="micro_hub"), make.hub(kind="central_reserve")]
            self.pickup = make.hub(kind="pickup_point")
            self.variant = make.product(brand).variants[0]
            for hub, units in zip(self.hubs, (3, 2)):
                make.stock(self.variant, hub, units)
            self.drop = make.drop(brand, [self.variant], starts_in=timedelta(minutes=-1), lasts=timedelta(days=2), limit=4)
            self.clock = time_machine.travel(self.drop.starts_at + timedelta(minutes=2), tick=False)
            self.traveller = self.clock.start()
            self.payment_ids = []

        def teardown(self):
            self.clock.stop()

        def _levels(self):
            db.session.expire_all()
            return [c for c in ledger.check_invariant(db.session, engine.redis) if c.variant_id == self.variant.id]

        @rule(cart=st.sampled_from(CARTS), qty=st.integers(1, 3))
        def hold(self, cart, qty):
            outcome = engine.place_hold(self.drop.id, self.variant.id, cart, qty)
            assert outcome.ok or outcome.reason in ("sold_out", "limit")

        @rule(cart=st.sampled_from(CARTS))
        def extend_first_hold(self, cart):
            holds = engine.cart_holds(cart)
            if holds:
                engine.extend_hold(cart, holds[0].id)

        @rule(cart=st.sampled_from(CARTS), new_qty=st.integers(1, 3))
        def change_quantity(self, cart, new_qty):
            holds = engine.cart_holds(cart)
            if holds:
                engine.resize_hold(cart, holds[0].id, new_qty, self.drop.per_shopper_limit)

        @rule(cart=st.sampled_from(CARTS))
        def release_one(self, cart):
            holds = engine.cart_holds(cart)
            if holds:
                engine.release_hold(cart, holds[-1].id)

        @rule(cart=st.sampled_from(CARTS), twice=st.booleans())
        def checkout(self, cart, twice):
            ids = [h.id for h in engine.cart_holds(cart)]
            if not ids:
                return
            key = f"key-{next(keys):016d}"
            for _ in range(2 if twice else 1):
                try:
                    place_order(db.session, engine, cart, key, pickup_details(self.pickup, f"{cart}@example.com"), ids)
                except CheckoutError:
                    pass

        @rule(cart=st.sampled_from(CARTS), qty=st.integers(1, 2))
        def card_checkout(self, cart, qty):
            """Hold (if the cart is empty) and check out by card: the holds enter a payment window."""
            if not engine.cart_holds(cart):
                engine.place_hold(self.drop.id, self.variant.id, cart, qty)
            ids = [h.id for h in engine.cart_holds(cart)]
            if not ids:
                return
            shop = type("Shop", (), {"pickup": self.pickup})
            try:
                order = place_order(db.session, engine, cart, f"key-{next(keys):016d}", card_details(shop, f"{cart}@example.com"), ids)
            except CheckoutError:
                return
            with app.test_request_context():
                checkout_payment.payment_page_url(db.session, order)
            self.payment_ids.append(db.session.scalar(select(Payment.id).where(Payment.order_id == order.id)))

        def _open_payment(self, index):
            db.session.expire_all()
            return db.session.get(Payment, self.payment_ids[index % len(self.payment_ids)]) if self.payment_ids else None

        def _notify(self, index, kind):
            payment = self._open_payment(index)
            if payment is not None and payment.provider_session_id:
                note = Notification(f"evt-{next(events)}", kind, session_id=payment.provider_session_id)
                settlement.apply_notification(db.session, engine, "test_card", note)

        @precondition(lambda self: self.payment_ids)
        @rule(index=st.integers(0, 5), twice=st.booleans())
        def pay(self, index, twice):
            """A success, on time or late (after the window closed, or after Redis lost the holds)."""
            for _ in range(2 if twice else 1):
                self._notify(index, "succeeded")

        @precondition(lambda self: self.payment_ids)
        @rule(index=st.integers(0, 5))
        def card_declined(self, index):
            self._notify(index, "failed")

        @precondition(lambda self: self.payment_ids)
        @rule(index=st.integers(0, 5))
        def abandon_payment(self, index):
            self._notify(index, "expired")

        @precondition(lambda self: self.payment_ids)
        @rule(index=st.integers(0, 5))
        def late_success(self, index):
            """The window closes, its units go back on sale, then the payment succeeds: sold again or refunded."""
            self.traveller.shift(timedelta(minutes=11))
            engine.sweep_expired()
            settlement.close_overdue_windows(db.session, engine)
            self._notify(index, "succeeded")


        @rule(minutes=st.integers(1, 25), waitlist_job_runs=st.booleans())
        def time_passes(self, minutes, waitlist_job_runs):
            self.traveller.shift(timedelta(minutes=minutes))
            engine.sweep_expired()
            settlement.close_overdue_windows(db.session, engine)
            if waitlist_job_runs:  # as the periodic jobs do
                self.offer_returned_units()

        @rule()
        def cancel_a_sold_line(self):
            line = db.session.scalar(
                select(OrderLine)
                .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
                .join(Order, Order.id == SubOrder.order_id)
                .where(
                    OrderLine.variant_id == self.variant.id,
                    OrderLine.status == LineStatus.ACTIVE.value,
                    Order.payment_state != PaymentState.AWAITING_PAYMENT.value,  # nothing sold yet: see the next test
                )
            )
            if line is not None:
                assert cancel_line(db.session, engine, line)
                assert not cancel_line(db.session, engine, line)  # exactly once

        @rule(hub_index=st.integers(0, 1), delta=st.integers(-2, 4))
        def restock(self, hub_index, delta):
            engine.adjust_on_hand(self.variant.id, self.hubs[hub_index].id, delta)

        @rule(email=st.sampled_from(WAITING))
        def join_waitlist(self, email):
            for cart in CARTS:  # the crowd holds every free unit, as in a surge; then a shopper joins the line
                while engine.place_hold(self.drop.id, self.variant.id, cart, 1).ok:
                    pass
            try:
                waitlist.join(db.session, engine, self.drop, self.variant.id, email)
            except waitlist.WaitlistError:
                pass  # units are free, or the drop is over

        @rule(email=st.sampled_from(WAITING))
        def leave_waitlist(self, email):
            entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == email))
            if entry is not None:
                waitlist.leave(db.session, engine, entry)

        @rule()
        def offer_returned_units(self):  # also closes lapsed offers
            waitlist.offer_returned_units(db.session, engine)

        @rule()
        def buy_an_offer(self):
            db.session.expire_all()
            entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.state == EntryState.OFFERED.value))
            if entry is None:
                return
            try:
                place_order(db.session, engine, entry.offer_cart_token, f"key-{next(keys):016d}",
                            pickup_details(self.pickup, entry.email), [entry.offer_hold_id])
            except CheckoutError:
                pass

        @precondition(lambda self: True)
        @rule()
        def redis_loses_everything(self):
            engine.redis.flushdb()

        @invariant()
        def books_balance(self):
            for level in self._levels():
                assert level.ok, level
                assert level.sold <= level.on_hand

        @invariant()
        def units_are_kept_for_the_waitlist_only_while_someone_waits(self):
            if engine.waitlist_units(self.variant.id):
                assert int(engine.redis.get(f"fm:waiting:{self.variant.id}") or 0) > 0

        @invariant()
        def database_never_oversells(self):
            rows = db.session.execute(select(StockLevel.on_hand, StockLevel.sold)).all()
            assert all(0 <= sold <= on_hand for on_hand, sold in rows)

    run_state_machine_as_test(  # pay / declined / abandon / time passes give card orders every order of events
        StockMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
