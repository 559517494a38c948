"""The brand overview tells the brand's day at a glance: today's sales, live drops, open conversations, alerts."""

from datetime import timedelta

from sqlalchemy import update

from mall.alerts.models import Kind, LinkKind, Severity
from mall.alerts.raising import Finding, raise_alert
from mall.checkout.services import place_order
from mall.clock import utcnow
from mall.extensions import db
from mall.orders.models import Order, PaymentState, SubOrder
from mall.support.services import open_thread
from tests.checkout.conftest import pickup_details
from tests.support import text_of


def _order(engine, drop, variant, pickup, cart, quantity=1):
    hold = engine.place_hold(drop.id, variant.id, cart, quantity).hold_id
    details = pickup_details(pickup, email=f"{cart}@example.com")
    return place_order(db.session, engine, cart, f"key-{cart}-000000000000", details, [hold])


def test_overview_shows_todays_sales_live_drops_open_threads_and_alerts(client, make, engine):
    owner = make.user()
    brand = make.brand(owner=owner, name="Fizz Labs")
    hub = make.hub(code="MH-FIZZ")
    pickup = make.hub(kind="pickup_point", code="PP-FIZZ")
    variant = make.product(brand, price_cents=1250).variants[0]
    make.stock(variant, hub, 20)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-5), title="Midnight Fizz", tiers=(), limit=5)
    _order(engine, drop, variant, pickup, "cart-overview-today-one", quantity=2)
    _order(engine, drop, variant, pickup, "cart-overview-today-two")
    unpaid = _order(engine, drop, variant, pickup, "cart-overview-unpaid")  # a card order inside its payment window
    old = _order(engine, drop, variant, pickup, "cart-overview-yesterday")
    db.session.execute(update(Order).where(Order.id == unpaid.id).values(payment_state=PaymentState.AWAITING_PAYMENT.value))
    db.session.execute(update(SubOrder).where(SubOrder.order_id == old.id).values(created_at=utcnow() - timedelta(days=2)))
    open_thread(db.session, brand, name="Ada", email="ada@example.com", subject="Colour?", body="Is it red?")
    open_thread(db.session, brand, name="Bo", email="bo@example.com", subject="Size?", body="Does it fit?")
    raise_alert(db.session, Finding(brand.id, Kind.LOW_STOCK, Severity.WARNING, "low:1", "Only 3 left of Fizz",
                                    LinkKind.DROP, link_id=drop.id), utcnow())
    other = make.brand(owner=make.user())
    open_thread(db.session, other, name="Cy", email="cy@example.com", subject="Elsewhere", body="Not yours")
    db.session.commit()
    client.login_as(owner)

    page = client.get(f"/brands/{brand.slug}/")

    text = text_of(page)
    assert page.status_code == 200
    assert "£37.50 sold today 2 orders · 3 units" in text  # 2 × £12.50 + £12.50; not the unpaid one, not two days ago
    assert "1 live now" in text
    assert "2 open conversations" in text
    assert "1 alert to acknowledge" in text
    assert "Only 3 left of Fizz" in text


def test_a_new_brand_sees_zeros_not_errors(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    client.login_as(owner)

    text = text_of(client.get(f"/brands/{brand.slug}/"))

    assert "£0.00 sold today 0 orders · 0 units" in text
    assert "0 open conversations" in text and "0 alerts to acknowledge" in text


def test_the_sidebar_marks_the_page_you_are_on(client, make):
    owner = make.user()
    brand = make.brand(owner=owner)
    client.login_as(owner)

    for path, label in [("/", "Overview"), ("/drops", "Drops"), ("/products", "Products"), ("/inbox", "Inbox")]:
        html = client.get(f"/brands/{brand.slug}{path}").get_data(as_text=True)
        sidebar = html[html.index('class="dash-nav"'):html.index("</nav>", html.index('class="dash-nav"'))]
        assert sidebar.count('aria-current="page"') == 1, path
        current = sidebar[sidebar.index('aria-current="page"'):]
        assert current[current.index(">") + 1:].lstrip().startswith(label), path
