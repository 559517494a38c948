"""Correctness under a storm: many shoppers racing for a drop's units over HTTP while others check out."""

import queue
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import func, select

from benchmarks import stack
from benchmarks.shopper import STALE_RETRIES, Shopper

PER_SHOPPER_LIMIT = 8  # 250 shoppers x 8 units = twice the 1,000 units: the last units are fought over
CHECKOUT_CHANCE = 0.35  # a shopper holding something goes to checkout on this share of turns
STRAIGHT_TO_CHECKOUT = 0.3  # ...or right after a hold succeeds, in the same turn
DOUBLE_SUBMIT_CHANCE = 0.2  # a checkout sends the same form twice at once (a double click) this often
FLUSH_SHARE = 0.3  # storm C empties Redis once this share of the units' count of holds succeeded
# Card storms: what a shopper does on the test provider's page (the rest walk away: their window closes)
CARD_PAYS, CARD_DECLINED_THEN_PAYS, CARD_CANCELS = 0.7, 0.1, 0.1


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    orders: set = field(default_factory=set)  # tracking links seen by shoppers
    payment_pages: set = field(default_factory=set)  # card storms: test payment pages checkout sent shoppers to
    seconds: dict = field(default_factory=lambda: {"hold": [], "checkout": []})  # client-side latency per POST
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def took(self, kind: str, since: float) -> None:
        self.seconds[kind].append(time.monotonic() - since)  # list.append is atomic

    def latency(self, kind: str) -> str:
        values = sorted(self.seconds[kind]) or [0.0]
        p50, p99 = (values[min(len(values) - 1, int(q * len(values)))] for q in (0.5, 0.99))
        return f"{kind} POST p50 {1000 * p50:,.0f} ms, p99 {1000 * p99:,.0f} ms, max {values[-1]:.1f} s"

    def take_attempt(self, limit: int) -> bool:
        with self.lock:
            if self.counts["attempts"] >= limit:
                return False
            self.counts["attempts"] += 1
            return True


@dataclass(frozen=True)
class StormPlan:
    name: str
    hold_minutes: int
    shoppers: int
    attempts: int
    threads: int = 24
    units: int = 1_000
    churn: bool = False  # sweep every 0.1 s with a clock 1 s short of the hold length: 1-second holds
    flush_midway: bool = False
    card: bool = False  # pay by card on the built-in test provider's page (units sold only when paid)
    explain: str = ""


class Storm:
    def __init__(self, app, base: str, seeded, plan: StormPlan):
        self.app, self.base, self.seeded, self.plan = app, base, seeded, plan
        self.redis = stack.redis()
        self.tally = Tally()
        self.drop_id, self.variant_id = stack.add_drop(
            app, seeded.tenant_id, seeded.micro_hub_id, plan.units,
            hold_minutes=plan.hold_minutes, limit=PER_SHOPPER_LIMIT, title=f"Storm {plan.name}",
        )
        self.hold_ms = plan.hold_minutes * 60_000
        self.done = threading.Event()
        self.notes: list[str] = []

    # -- the shoppers ------------------------------------------------------------------------------
    def run(self) -> dict:
        path = f"/shop/{self.seeded.brand_slug}/drops/{self.drop_id}"
        STALE_RETRIES.clear()
        shoppers = [Shopper(self.base, n) for n in range(1, self.plan.shoppers + 1)]
        self._parallel([lambda s=s: s.visit(path) for s in shoppers])
        turns: queue.Queue = queue.Queue()
        for s in random.sample(shoppers, len(shoppers)):
            turns.put(s)
        helpers = [threading.Thread(target=self._churn if self.plan.churn else self._flush_midway, daemon=True)]
        workers = [threading.Thread(target=self._work, args=(turns,), daemon=True) for _ in range(self.plan.threads)]
        started = time.monotonic()
        for t in helpers + workers:
            t.start()
        for t in workers:
            t.join()
        self.done.set()
        helpers[0].join()
        self.tally.counts["seconds"] = round(time.monotonic() - started, 1)
        return self._settle()

    def _parallel(self, jobs) -> None:
        with ThreadPoolExecutor(self.plan.threads) as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()

    def _work(self, turns: queue.Queue) -> None:
        while True:
            shopper = turns.get()
            try:
                if shopper.holding and random.random() < CHECKOUT_CHANCE:
                    self._checkout(shopper)
                elif not self.tally.take_attempt(self.plan.attempts):
                    return
                elif self._hold(shopper) and random.random() < STRAIGHT_TO_CHECKOUT:
                    self._checkout(shopper)
            except Exception as error:  # a dropped connection is a finding, not a crash of the benchmark
                self.tally.add(f"error {type(error).__name__}")
            finally:
                turns.put(shopper)

    def _hold(self, shopper: Shopper) -> bool:
        started = time.monotonic()
        reply = shopper.hold(self.drop_id, self.variant_id, random.choice((1, 1, 1, 2)))
        self.tally.took("hold", started)
        if reply.status == 200:
            self.tally.add("holds")
            shopper.holding += 1
            return True
        if reply.status == 409:
            reason = "sold out" if "Sold out" in reply.body else "limit" if "limit" in reply.body else "other"
            self.tally.add(f"refused: {reason}")
        elif reply.status == 429:
            self.tally.add("slow down (429)")
        else:
            self.tally.add(f"error HTTP {reply.status} on hold")
        return False

    def _checkout(self, shopper: Shopper) -> None:
        form = shopper.checkout_form(self.seeded.pickup_hub_id, "test_card" if self.plan.card else "pay_on_handover")
        self.tally.add("checkouts")
        if form is None:
            shopper.holding = 0
            self.tally.add("checkout found nothing held (expired or lost)")
            return
        replies = self._submit(shopper, form, twice=random.random() < DOUBLE_SUBMIT_CHANCE)
        for reply in replies:
            if reply is None:
                continue  # counted by _submit
            if reply.status == 303 and "/orders/" in reply.location:
                with self.tally.lock:
                    self.tally.orders.add(reply.location)
            elif reply.status == 303 and "/pay/test/" in reply.location:
                with self.tally.lock:
                    first = reply.location not in self.tally.payment_pages
                    self.tally.payment_pages.add(reply.location)
                if first:  # a double click lands both answers on the same payment page: pay it once
                    self._pay(shopper, reply.location, form["csrf_for_payment"])
            elif reply.status in (409, 422):
                self.tally.add(f"checkout refused ({reply.status})")
            else:
                self.tally.add(f"error HTTP {reply.status} on checkout")
        if len(replies) == 2:
            self.tally.add("double submits")
            locations = {r.location for r in replies if r is not None and r.status == 303}
            self.tally.add("double submits that made 2 orders", int(len(locations) > 1))
        shopper.holding = 0

    def _pay(self, shopper: Shopper, pay_url: str, csrf_token: str) -> None:
        path = "/" + pay_url.split("/", 3)[-1] if pay_url.startswith("http") else pay_url
        choice = random.random()
        if choice < CARD_PAYS + CARD_DECLINED_THEN_PAYS:
            if choice >= CARD_PAYS:
                declined = shopper.pay_on_test_page(path, csrf_token, "4000000000000002")
                self.tally.add("card declined" if declined.status == 402 else f"error HTTP {declined.status} on decline")
            paid = shopper.pay_on_test_page(path, csrf_token, "4242424242424242")
            if paid.status == 303 and "/orders/" in paid.location:
                self.tally.add("card paid")
                with self.tally.lock:
                    self.tally.orders.add(paid.location)
            else:
                self.tally.add(f"error HTTP {paid.status} on card payment")
        elif choice < CARD_PAYS + CARD_DECLINED_THEN_PAYS + CARD_CANCELS:
            cancelled = shopper.cancel_payment(path, csrf_token)
            self.tally.add("card cancelled" if cancelled.status == 303 else f"error HTTP {cancelled.status} on cancel")
        else:
            self.tally.add("card payment walked away from")

    def _submit(self, shopper: Shopper, form: dict, twice: bool) -> list:
        """POST the checkout (twice at once for a double click); None stands for a POST that got no answer."""
        replies: list = []
        other = threading.Thread(target=lambda: replies.append(self._place_order(shopper, form)))
        if twice:
            other.start()
        replies.append(self._place_order(shopper, form))
        if twice:
            other.join()
        return replies

    def _place_order(self, shopper: Shopper, form: dict):
        started = time.monotonic()
        try:
            return shopper.place_order(form)
        except OSError as error:  # the order may still have been placed: the books are checked against this
            self.tally.add(f"error: checkout got no answer ({type(error).__name__})")
            self.tally.add("unanswered checkouts")
            return None
        finally:
            self.tally.took("checkout", started)

    # -- what happens to the stores during the storm -----------------------------------------------
    def _flush_midway(self) -> None:
        if not self.plan.flush_midway:
            return
        while not self.done.wait(0.02):
            # Mid-sale, while units are still fought over and checkouts are in flight.
            holds, attempts = self.tally.counts["holds"], self.tally.counts["attempts"]
            if holds >= FLUSH_SHARE * self.plan.units or attempts >= self.plan.attempts // 2:
                held = int(self.redis.get(f"fm:held:{self.variant_id}:{self.seeded.micro_hub_id}") or 0)
                self.redis.flushdb()
                self.notes.append(
                    f"FLUSHDB at attempt {self.tally.counts['attempts']:,} (after {self.tally.counts['holds']} holds): "
                    f"{held} held units and every hold and shopper's cart record (its holds, units and tries) were "
                    "lost; the engine rebuilt the stock counters from the database."
                )
                return

    def _engine(self):
        from mall.drops.stock import drop_terms
        from mall.stock.engine import StockEngine

        return StockEngine(self.redis, None, drop_terms=drop_terms)

    def _churn(self) -> None:
        engine, released = self._engine(), 0
        while not self.done.wait(0.1):
            released += engine.sweep_expired(now=self._one_second_clock())
        self.notes.append(f"the 1-second-hold sweeper released {released:,} holds during the storm")

    def _one_second_clock(self) -> int:
        from mall.stock.engine import now_ms

        return now_ms() + self.hold_ms - 1_000

    # -- afterwards ------------------------------------------------------------------------------------
    def _redis_state(self) -> dict:
        hub = self.seeded.micro_hub_id
        avail = self.redis.get(f"fm:avail:{self.variant_id}:{hub}")
        return {
            "held": int(self.redis.get(f"fm:held:{self.variant_id}:{hub}") or 0),
            "active": self.redis.zcard("fm:exp"),
            "claimed": self.redis.zcard("fm:claimed"),
            "available": None if avail is None else int(avail),
        }

    def _settle(self) -> dict:
        """Let every hold expire, then read the books: Redis, the database and `flask stock-check`."""
        from mall.stock.engine import now_ms

        at_end = self._redis_state()
        if self.plan.card:
            self.notes.append(f"after the storm: {self._close_payment_windows()} unpaid payment window(s) closed")
        if self.plan.churn:
            time.sleep(1.2)
            self._engine().sweep_expired(now=self._one_second_clock())
            self.notes.append("after the storm: waited 1.2 s, then swept with the same 1-second-hold clock")
        else:
            self._engine().sweep_expired(now=now_ms() + 2 * self.hold_ms + 1_000)
            self.notes.append(
                f"after the storm: swept with the clock moved {2 * self.plan.hold_minutes} min ahead "
                "(every hold, extended or not, has expired by then)"
            )
        self.notes.append(f"then the worker's reconcile step: {self._reconcile()} stock row(s) repaired")
        after = self._redis_state()
        books = self._books()
        check = stack.flask_command("stock-check", check=False)
        return {"at_end": at_end, "after": after, "books": books, "stock_check": check}

    def _close_payment_windows(self) -> int:
        """What the worker's sweep does once a payment window ends, with the clock past every window."""
        from datetime import timedelta

        from mall.clock import utcnow
        from mall.drops.stock import drop_terms
        from mall.extensions import db
        from mall.payments.settlement import close_overdue_windows
        from mall.stock.engine import StockEngine

        with self.app.app_context():
            engine = StockEngine(self.redis, db.session, drop_terms=drop_terms)
            return close_overdue_windows(db.session, engine, now=utcnow() + timedelta(hours=1))

    def _reconcile(self) -> int:
        """What the worker's 15 s sweep job does after expiring holds: repair counters that drifted."""
        from mall.extensions import db
        from mall.drops.stock import drop_terms
        from mall.stock.engine import StockEngine

        with self.app.app_context():
            return StockEngine(self.redis, db.session, drop_terms=drop_terms).reconcile()

    def _books(self) -> dict:
        from mall.stock.models import StockLevel
        from mall.extensions import db
        from mall.orders.models import Order, OrderLine, SubOrder
        from mall.payments.models import Payment

        with self.app.app_context():
            level = db.session.scalar(
                select(StockLevel).where(StockLevel.variant_id == self.variant_id).execution_options(all_tenants=True)
            )
            lines = select(OrderLine).where(OrderLine.variant_id == self.variant_id).execution_options(all_tenants=True)
            orders = db.session.scalar(
                select(func.count(func.distinct(SubOrder.order_id)))
                .join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
                .where(OrderLine.variant_id == self.variant_id)
                .execution_options(all_tenants=True)
            )
            line_units = sum(line.quantity for line in db.session.scalars(lines) if line.status == "active")
            paid = db.session.scalar(
                select(func.count(func.distinct(Order.id)))
                .join(SubOrder, SubOrder.order_id == Order.id)
                .join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
                .where(OrderLine.variant_id == self.variant_id, Order.payment_state == "paid")
                .execution_options(all_tenants=True)
            )
            confirmed_payments = db.session.scalar(
                select(func.count(func.distinct(Payment.id)))
                .join(SubOrder, SubOrder.order_id == Payment.order_id)
                .join(OrderLine, OrderLine.sub_order_id == SubOrder.id)
                .where(OrderLine.variant_id == self.variant_id, Payment.state == "succeeded")
                .execution_options(all_tenants=True)
            )
            return {
                "on_hand": level.on_hand, "sold": level.sold, "orders": orders, "line_units": line_units,
                "paid_orders": paid, "confirmed_payments": confirmed_payments,
            }


def print_storm(plan: StormPlan, storm: Storm, result: dict) -> bool:
    c, books, at_end, after = storm.tally.counts, result["books"], result["at_end"], result["after"]
    oversold = max(0, books["sold"] - books["on_hand"])
    expected_available = books["on_hand"] - books["sold"]
    errors = sum(n for k, n in c.items() if k.startswith("error"))
    refusals = ", ".join(f"{k} {n:,}" for k, n in sorted(c.items()) if k.startswith(("refused", "slow", "checkout ")))
    print(f"\n  Storm {plan.name}: {plan.explain}")
    print(f"    shoppers {plan.shoppers}, client threads {plan.threads}, hold length {plan.hold_minutes} min, "
          f"per-shopper limit {PER_SHOPPER_LIMIT}, {c['seconds']} s")
    print(f"    attempts {c['attempts']:,}   holds {c['holds']:,}   checkouts {c['checkouts']:,}   "
          f"orders {books['orders']:,} (tracking links seen by shoppers: {len(storm.tally.orders):,})")
    print(f"    refusals: {refusals or 'none'}")
    print(f"    double submits {c['double submits']:,}, of which made two orders: {c['double submits that made 2 orders']}")
    print(f"    seen by shoppers: {storm.tally.latency('hold')}; {storm.tally.latency('checkout')}")
    print(f"    units: stock {books['on_hand']:,}   sold {books['sold']:,}   in order lines {books['line_units']:,}   "
          f"oversold {oversold}")
    print(f"    holds at the end: {at_end['active']:,} active ({at_end['held']:,} units), {at_end['claimed']} in a checkout")
    print(f"    holds left after expiry: {after['active']:,} active ({after['held']:,} units), {after['claimed']} in a "
          f"checkout; Redis available {after['available']} (database says {expected_available:,})")
    if STALE_RETRIES:
        print(f"    client: {len(STALE_RETRIES)} request(s) resent once on a new socket after the server closed an idle one")
    drift = (after["available"] or 0) - expected_available if after["available"] is not None else 0
    if drift:
        print(f"    Redis and the database disagree by {drift:+} units: "
              + ("phantom units a shopper can hold but never buy" if drift > 0 else "units nobody can hold any more"))
    for note in storm.notes:
        print(f"    note: {note}")
    if errors:
        print("    errors: " + ", ".join(f"{k} {n}" for k, n in c.items() if k.startswith("error")))
    stock_check = result["stock_check"]
    summary = (stock_check.stdout.strip().splitlines() or [stock_check.stderr.strip()[-200:]])[-1]
    print(f"    flask stock-check: exit {stock_check.returncode}: {summary}")
    checks = {
        "oversold == 0 and sold <= stock": oversold == 0 and books["sold"] <= books["on_hand"],
        "sold == units in order lines": books["sold"] == books["line_units"],
        "exactly once: orders == tracking links seen (+ unanswered POSTs)": (
            len(storm.tally.payment_pages) <= books["orders"] <= len(storm.tally.payment_pages) + c["unanswered checkouts"]
            if plan.card else
            len(storm.tally.orders) <= books["orders"] <= len(storm.tally.orders) + c["unanswered checkouts"]
        ) and c["double submits that made 2 orders"] == 0,
        "no holds left after expiry": after["active"] == 0 and after["held"] == 0 and after["claimed"] == 0,
        "Redis available == on_hand - sold": after["available"] in (None, expected_available),
        "stock-check exit 0": stock_check.returncode == 0,
        "no 5xx, no connection errors, no request left unanswered (60 s)": errors == 0,
    }
    if plan.card:
        print(f"    card: paid {c['card paid']:,} (declined first {c['card declined']:,}), cancelled {c['card cancelled']:,}, "
              f"walked away {c['card payment walked away from']:,}; paid orders {books['paid_orders']:,}, "
              f"confirmed payments {books['confirmed_payments']:,}")
        checks["card: paid orders == confirmed payments == payments shoppers saw succeed"] = (
            books["paid_orders"] == books["confirmed_payments"] == len(storm.tally.orders)
        )
    for label, ok in checks.items():
        print(f"    {'PASS' if ok else 'FAIL'}  {label}")
    return all(checks.values())


def double_checkout(app, base: str, seeded) -> bool:
    """One cart, one idempotency key, 8 concurrent POSTs -> exactly one order; a changed body -> 409."""
    from mall.extensions import db
    from mall.orders.models import Order

    drop_id, variant_id = stack.add_drop(app, seeded.tenant_id, seeded.micro_hub_id, 10, hold_minutes=10, limit=2, title="Double")
    shopper = Shopper(base, 0)
    shopper.visit(f"/shop/{seeded.brand_slug}/drops/{drop_id}")
    held = shopper.hold(drop_id, variant_id).status
    form = shopper.checkout_form(seeded.pickup_hub_id)
    if held != 200 or form is None:
        print(f"  could not set up the double checkout (hold answered {held})")
        return False
    start, replies = threading.Barrier(8), []

    def post():
        start.wait()
        replies.append(shopper.place_order(form))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    changed = shopper.place_order({**form, "name": "Someone Else"})
    with app.app_context():
        orders = db.session.scalar(select(func.count(Order.id)).where(Order.idempotency_key == form["idempotency_key"]))
    statuses = Counter(r.status for r in replies)
    links = {r.location for r in replies if r.status == 303}
    print(f"  8 concurrent POST /checkout, same cart and key: answers {dict(statuses)}, distinct tracking links {len(links)}")
    print(f"  orders in the database for that key: {orders}; same key with a changed body answered {changed.status}")
    ok = orders == 1 and len(links) == 1 and changed.status == 409 and not any(s >= 500 for s in statuses)
    print(f"  {'PASS' if ok else 'FAIL'}  exactly one order, one tracking link, no 5xx, changed body refused")
    return ok
