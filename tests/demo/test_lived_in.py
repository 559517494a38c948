"""The demo on its first run: every brand page, report and CSV shows real figures, not zeros."""

import csv
import io
from collections import Counter, defaultdict

from sqlalchemy import func, select

from mall.accounts.models import User
from mall.alerts.models import Alert
from mall.drops.models import Drop
from mall.extensions import db
from mall.fulfilment.etas import eta_accuracy
from mall.fulfilment.models import Parcel
from mall.links.models import CreatorLink
from mall.orders.models import OrderLine
from mall.stock.access import stock_engine
from mall.stock.models import StockLevel
from mall.support.models import SupportThread
from tenants.models import Tenant
from tests.support import text_of

BRAND = "northbound-coffee"


def _login(client, email: str) -> None:
    client.login_as(db.session.scalar(select(User).where(User.email == email)))


def _drop(title: str) -> Drop:
    return db.session.scalar(select(Drop).where(Drop.title == title))


def test_the_brand_report_of_a_past_drop_has_orders_revenue_parcels_and_creator_sales(seeded, client):
    _login(client, f"owner@{BRAND}.test")
    drop = _drop("Winter Guji release")

    page = text_of(client.get(f"/brands/{BRAND}/drops/{drop.id}/report"))
    report = client.get(f"/brands/{BRAND}/drops/{drop.id}/report.csv").get_data(as_text=True)

    figures = {(row[0], row[1], row[2]): row[3] for row in list(csv.reader(io.StringIO(report)))[1:]}
    assert figures[("funnel", "", "orders")] == "6"
    assert figures[("units", "", "sold")] == "10" and figures[("units", "", "free")] == "0"  # the hero sold out
    assert float(figures[("revenue", "", "total")]) > 0
    assert "Orders 6" in page and "On time 4 of 6" in page
    assert "Threads about this drop's orders 4" in page


def test_the_money_csv_has_gross_sales_and_creator_commission(seeded, client):
    _login(client, f"owner@{BRAND}.test")

    body = client.get(f"/brands/{BRAND}/orders/money.csv").get_data(as_text=True)

    kinds = Counter(row["kind"] for row in csv.DictReader(io.StringIO(body)))
    assert kinds == {"gross": 6, "creator_commission": 3}


def test_the_orders_page_shows_a_cancelled_and_a_partly_cancelled_order(seeded, client):
    _login(client, "owner@lumen-and-co.test")

    page = text_of(client.get("/brands/lumen-and-co/orders?status=cancelled"))

    statuses = Counter(db.session.scalars(select(OrderLine.status)))
    assert statuses["cancelled"] == 2 and statuses["active"] >= 20
    assert "Grace Lindqvist" in page and "Hiro Tanaka" in page  # the partly and the wholly cancelled order
    assert "Ada Whitfield" not in page and "Ben Osei" not in page


def test_the_creator_has_earned_commission_and_can_make_a_link_on_the_first_visit(seeded, client):
    _login(client, "creator@flashmall.test")

    home = text_of(client.get("/creators"))
    form = client.get("/creators/links/new").get_data(as_text=True)
    target = f'd:{_drop("Grinder flash").tenant_id}:{_drop("Grinder flash").id}'
    made = client.submit("/creators/links/new", {"target": target, "code": "first-visit"})

    assert "casey-guji" in home and "£" in home, home[:2000]
    assert "Grinder flash" in form
    assert made.status_code == 303
    assert db.session.scalar(select(CreatorLink.drop_id).where(CreatorLink.code == "first-visit")) == _drop("Grinder flash").id


def test_parcels_were_handed_over_on_time_and_late_and_some_still_wait(seeded, client):
    states = Counter(db.session.scalars(select(Parcel.status)))
    late = db.session.scalar(select(func.count()).where(Parcel.eta_error_minutes > 0))
    on_time = db.session.scalar(select(func.count()).where(Parcel.eta_error_minutes <= 0))
    accuracy = eta_accuracy(db.session)

    assert states["handed_over"] >= 15 and states["routed"] >= 1 and states["cancelled"] >= 1
    assert late >= 3 and on_time >= 3
    assert any(0 < row.on_time_share < 1 for row in accuracy)
    _login(client, f"owner@{BRAND}.test")
    parcels = text_of(client.get(f"/brands/{BRAND}/parcels"))
    assert "Handed over" in parcels
    waiting = db.session.scalar(select(Parcel).where(Parcel.status == "routed"))
    _login(client, "hub@flashmall.test")
    picking = text_of(client.get(f"/hubs/{waiting.hub.code}/picking"))
    assert waiting.hub.code == "MH-SHOREDITCH" and waiting.order.number in picking  # the hub worker's list is not empty


def test_the_inbox_has_threads_in_every_state_with_replies(seeded, client):
    brand = db.session.scalar(select(Tenant).where(Tenant.slug == BRAND))
    states = Counter(db.session.scalars(select(SupportThread.status).where(SupportThread.tenant_id == brand.id)))
    _login(client, f"support@{BRAND}.test")

    inbox = text_of(client.get(f"/brands/{BRAND}/inbox?status=all"))

    assert set(states) == {"open", "pending", "snoozed", "resolved"}
    replied = [t for t in db.session.scalars(select(SupportThread)) if t.first_responded_at is not None]
    assert len(replied) >= 3
    assert "Wholesale for our office?" in inbox


def test_alerts_were_raised_for_a_late_parcel_and_a_missed_support_target(seeded, client):
    kinds = Counter(db.session.scalars(select(Alert.kind).where(Alert.open_key.is_not(None))))
    _login(client, f"owner@{BRAND}.test")

    page = text_of(client.get(f"/brands/{BRAND}/alerts"))

    assert kinds["eta_breach"] >= 1 and kinds["sla_breach"] >= 1
    assert "Support target missed" in page and "Missed the first response target" in page


def test_the_stock_books_balance_after_seeding(seeded):
    sold = defaultdict(int)
    for line in db.session.scalars(select(OrderLine).where(OrderLine.status == "active")):
        sold[(line.variant_id, line.hub_id)] += line.quantity
    engine = stock_engine()

    for level in db.session.scalars(select(StockLevel)):
        assert 0 <= level.sold <= level.on_hand
        assert level.sold == sold.pop((level.variant_id, level.hub_id), 0)
        free = engine.availability(level.variant_id, [level.hub_id])[level.hub_id]
        assert free in (None, level.on_hand - level.sold)  # None: the engine has not loaded that drop yet
    assert sold == {}
