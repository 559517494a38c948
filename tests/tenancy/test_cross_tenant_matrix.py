"""Every dashboard route, against a member of another brand (404) and an anonymous visitor (login)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mall.checkout.services import place_order
from mall.extensions import db
from mall.orders.models import OrderLine
from tenants.models import Membership
from tests.checkout.conftest import pickup_details

ID_PARAMS = (
    "drop_id", "product_id", "variant_id", "sub_order_id", "line_id", "membership_id",
    "thread_id", "reply_id", "alert_id",  # support inbox; alert_id also names brand alerts (mall/alerts)
    "partnership_id",  # creator programme
    "entry_id",  # a draw's entry (mall/draw)
)
NAMED_PARAMS = {"slot": "logo"}  # a brand picture's slot (logo or banner): a name every brand has, not a row


@pytest.fixture
def brand_a_rows(make, engine):
    """Brand A with one of every kind of row a dashboard URL can name."""
    owner = make.user()
    brand = make.brand(owner=owner)
    hub, pickup = make.hub(), make.hub(kind="pickup_point")
    product = make.product(brand)
    variant = product.variants[0]
    make.stock(variant, hub, 10)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-1))
    hold = engine.place_hold(drop.id, variant.id, "cart-x", 1).hold_id
    place_order(db.session, engine, "cart-x", "key-matrix-000000000000", pickup_details(pickup), [hold])
    line = db.session.scalar(select(OrderLine))
    membership = db.session.scalar(select(Membership).where(Membership.tenant_id == brand.id))
    support = _support_rows(line)
    _brand_alert(brand, drop, support["alert_id"])
    return {
        "slug": brand.slug,
        "drop_id": drop.id,
        "product_id": product.id,
        "variant_id": variant.id,
        "sub_order_id": line.sub_order_id,
        "line_id": line.id,
        "membership_id": membership.id,
        **support,
        "partnership_id": _partnership(make, brand),
        "entry_id": _draw_entry(make, brand, variant),
        **NAMED_PARAMS,
    }


def _draw_entry(make, brand, variant) -> int:
    """A confirmed entry in a draw of brand A (mall/draw), for a drop starting tomorrow."""
    from mall.clock import utcnow
    from mall.draw.models import Draw, DrawEntry

    drop = make.drop(brand, [variant], starts_in=timedelta(days=1))
    now = utcnow()
    draw = Draw(
        tenant_id=brand.id, drop_id=drop.id, entries_open_at=now, entries_close_at=now + timedelta(hours=12),
        seed="0" * 64, seed_hash="1" * 64,
    )
    db.session.add(draw)
    db.session.flush()
    entry = DrawEntry(
        tenant_id=brand.id, draw_id=draw.id, drop_id=drop.id, variant_id=variant.id, email="entrant@example.com",
        cart_token="cart-entrant", confirmed_at=now, state="confirmed",
    )
    db.session.add(entry)
    db.session.commit()
    return entry.id


def _partnership(make, brand) -> int:
    """An approved creator of brand A (mall/links)."""
    from mall.links.models import CreatorPartnership

    partnership = CreatorPartnership(
        tenant_id=brand.id, creator_id=make.user(creator=True).id, status="approved", commission_bp=1000, window_hours=24
    )
    db.session.add(partnership)
    db.session.commit()
    return partnership.id


def _support_rows(line) -> dict:
    """A support thread about the order, a canned reply and an SLA alert (mall/support)."""
    from mall.support.models import CannedReply, SlaAlert, Topic
    from mall.support.services import open_about_order

    sub_order = line.sub_order
    thread = open_about_order(db.session, sub_order.order, sub_order, Topic.LINES, "Where is my order?")
    reply = CannedReply(tenant_id=sub_order.tenant_id, title="Thanks", body="Thanks {shopper_name}")
    alert = SlaAlert(tenant_id=sub_order.tenant_id, thread_id=thread.id, cause="first_response")
    db.session.add_all([reply, alert])
    db.session.commit()
    return {"thread_id": thread.id, "reply_id": reply.id, "alert_id": alert.id}


def _brand_alert(brand, drop, alert_id: int) -> None:
    """A low-stock alert of brand A (mall/alerts) with the SLA alert's id, so `<alert_id>` names a real row on both routes."""
    from mall.alerts.models import Alert

    alert = Alert(
        id=alert_id, tenant_id=brand.id, kind="low_stock", severity="warning", cause_key=f"low_stock:drop:{drop.id}",
        open_key=f"{brand.id}|low_stock:drop:{drop.id}", message="Low stock.", drop_id=drop.id, link_kind="drop",
        link_id=drop.id,
    )
    db.session.add(alert)
    db.session.commit()


def _dashboard_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/brands/<slug>")]
    assert len(rules) >= 20, "the matrix must cover the whole dashboard"
    unknown = {arg for r in rules for arg in r.arguments} - {"slug", *ID_PARAMS, *NAMED_PARAMS}
    assert not unknown, f"add these URL parameters to the matrix: {unknown}"
    return rules


def _requests(app, values):
    for rule in _dashboard_rules(app):
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def _send(client, method, url):
    return client.get(url) if method == "GET" else client.submit(url, {})


def test_a_member_of_another_brand_gets_404_on_every_dashboard_route(app, client, make, brand_a_rows):
    outsider = make.user()
    make.brand(owner=outsider)
    client.login_as(outsider)
    wrong = [(m, u, r.status_code) for m, u in _requests(app, brand_a_rows) if (r := _send(client, m, u)).status_code != 404]
    assert wrong == []


def test_brand_a_ids_under_brand_b_slug_are_404(app, client, make, brand_a_rows):
    outsider = make.user()
    brand_b = make.brand(owner=outsider)
    client.login_as(outsider)
    values = dict(brand_a_rows, slug=brand_b.slug)
    checked = [(m, u) for m, u in _requests(app, values) if any(f"/{values[p]}" in u for p in ID_PARAMS)]
    assert len(checked) >= 10
    wrong = [(m, u, r.status_code) for m, u in checked if (r := _send(client, m, u)).status_code != 404]
    assert wrong == []


def test_anonymous_visitors_are_sent_to_log_in(app, client, brand_a_rows):
    wrong = []
    for method, url in _requests(app, brand_a_rows):
        response = _send(client, method, url)
        if response.status_code != 302 or not response.headers["Location"].startswith("/login"):
            wrong.append((method, url, response.status_code))
    assert wrong == []


def test_a_post_without_csrf_is_refused_before_anything_happens(app, client, make, brand_a_rows):
    owner = db.session.scalar(select(Membership).where(Membership.id == brand_a_rows["membership_id"])).user
    client.login_as(owner)
    posts = [u for m, u in _requests(app, brand_a_rows) if m == "POST"]
    statuses = {u: client.post(u, data={}).status_code for u in posts}
    assert set(statuses.values()) == {400}, statuses
