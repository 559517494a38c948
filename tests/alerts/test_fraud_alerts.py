"""Fraud patterns: hold hoarding by IP, cart and email; order velocity; carts converging on one address; emails once."""

from datetime import timedelta

from sqlalchemy import select

from mall.alerts.fraud_checks import digest
from mall.alerts.models import AlertSettings
from mall.extensions import db
from mall.outbox.models import OutboxEmail
from tests.alerts.conftest import alerts, evaluate


def _expire_everything(scene, engine):
    scene.clock.shift(timedelta(minutes=11))  # holds last 10 minutes
    engine.sweep_expired()


def test_hoarding_by_one_ip_across_carts(engine, scene):
    for cart in ("a", "b", "c"):
        scene.hold(engine, cart, ip="203.0.113.9")
    scene.hold(engine, "d", ip="198.51.100.4")
    _expire_everything(scene, engine)
    evaluate(engine)

    [alert] = alerts("hold_hoarding")
    assert alert.cause_key == f"hoard:drop:{scene.drop.id}:ip:203.0.113.9"
    assert alert.message == "IP 203.0.113.9 let 3 of its 3 holds expire without checkout in Winter jumper drop."
    assert (alert.link_kind, alert.link_id, alert.drop_id) == ("drop", scene.drop.id, scene.drop.id)


def test_hoarding_by_one_cart_and_not_below_the_threshold(engine, scene):
    cart = "H" * 37 + "abcdef"
    for n in range(3):
        scene.hold(engine, cart, ip=f"192.0.2.{n}")  # three IPs, one hold each: only the cart hoards
    scene.hold(engine, "two-only", ip="192.0.2.50")
    scene.hold(engine, "two-only", ip="192.0.2.51")
    _expire_everything(scene, engine)
    evaluate(engine)

    [alert] = alerts("hold_hoarding")
    assert alert.cause_key == f"hoard:drop:{scene.drop.id}:cart:{cart}"
    assert alert.message.startswith("Cart …abcdef let 3 of its 3 holds expire")


def test_hoarding_by_one_email_across_the_carts_it_checked_out_with(engine, scene):
    for cart, ip in (("cart-1", "192.0.2.1"), ("cart-2", "192.0.2.2")):
        scene.hold(engine, cart, ip=ip)
        scene.hold(engine, cart, ip=ip)
    _expire_everything(scene, engine)
    evaluate(engine)
    assert alerts("hold_hoarding") == []  # two each: under 3 per cart and per IP

    scene.order(engine, "cart-1", email="hoarder@example.com", ip="192.0.2.1")
    scene.order(engine, "cart-2", email="hoarder@example.com", ip="192.0.2.2")
    evaluate(engine)
    [alert] = alerts("hold_hoarding")
    assert alert.cause_key == f"hoard:drop:{scene.drop.id}:email:{digest('hoarder@example.com')}"
    assert alert.message == "hoarder@example.com let 4 holds across 2 carts expire without checkout in Winter jumper drop."


def test_order_velocity_per_email_is_severe_and_emailed_to_the_owners_exactly_once(engine, scene):
    for n in range(4):
        scene.order(engine, f"v{n}", email="fast@example.com", ip=f"192.0.2.{n}")
    evaluate(engine)
    assert alerts("order_velocity") == []  # 4 < 5

    scene.order(engine, "v4", email="fast@example.com", ip="192.0.2.4")
    evaluate(engine)
    evaluate(engine)
    [alert] = alerts("order_velocity")
    assert alert.severity == "severe"
    assert alert.message == "5 orders from fast@example.com in the last 60 min."
    assert alert.link_kind == "sub_order"

    emails = _alert_emails()
    assert [(e.to_address, e.dedupe_key) for e in emails] == [("owner@example.com", f"alert:{alert.id}:{scene.owner.id}")]
    assert emails[0].subject == "[severe] Order velocity — Aurora Knits"
    assert "5 orders from fast@example.com" in emails[0].body
    assert f"/brands/aurora/orders/{alert.link_id}" in emails[0].body


def test_order_velocity_per_ip_and_per_address(engine, scene):
    for n in range(5):
        scene.order(engine, f"ip{n}", email=f"shopper{n}@example.com", ip="203.0.113.50")
    for n in range(5):
        scene.order(engine, f"ad{n}", email=f"other{n}@example.com", ip=f"192.0.2.{n}", address="1 Mill Road", postcode="E1 6AN")
    evaluate(engine)

    messages = sorted(a.message for a in alerts("order_velocity"))
    assert messages == [
        "5 orders from IP 203.0.113.50 in the last 60 min.",
        "5 orders to 1 Mill Road (E1 6AN) in the last 60 min.",
    ]


def test_velocity_clears_when_the_window_passes_and_the_threshold_follows_the_setting(engine, scene):
    db.session.add(AlertSettings(tenant_id=scene.brand.id, velocity_orders=2, fraud_window_minutes=30))
    db.session.commit()
    scene.order(engine, "w1", email="twice@example.com", ip="192.0.2.1")
    scene.clock.shift(timedelta(minutes=10))
    scene.order(engine, "w2", email="twice@example.com", ip="192.0.2.2")
    evaluate(engine)
    assert len(alerts("order_velocity", open_only=True)) == 1

    scene.clock.shift(timedelta(minutes=25))  # the first order is now 35 minutes old
    evaluate(engine)
    [alert] = alerts("order_velocity")
    assert alert.resolved_at is not None


def test_carts_converging_on_one_address(engine, scene):
    addresses = ["12 High Street, Flat 2", "12 high street flat 2", "12  High Street,  Flat 2."]
    for n, address in enumerate(addresses[:2]):
        scene.order(engine, f"conv{n}", email=f"c{n}@example.com", ip=f"192.0.2.{n}", address=address, postcode="n1 9gu")
    evaluate(engine)
    assert alerts("converging_address") == []

    scene.order(engine, "conv2", email="c2@example.com", ip="192.0.2.2", address=addresses[2], postcode="N19GU")
    evaluate(engine)
    [alert] = alerts("converging_address")
    assert alert.severity == "severe"
    assert alert.message == "3 different carts ordered to 12 High Street, Flat 2 (n1 9gu) in the last 60 min."


def test_a_brand_that_emails_warnings_to_managers_gets_them_once(engine, scene):
    db.session.add(AlertSettings(tenant_id=scene.brand.id, email_severity="warning", email_to="managers"))
    db.session.commit()
    for cart in ("a", "b", "c"):
        scene.hold(engine, cart, ip="203.0.113.9")
    _expire_everything(scene, engine)
    evaluate(engine)
    evaluate(engine)

    assert sorted(e.to_address for e in _alert_emails()) == ["manager@example.com", "owner@example.com"]


def test_warnings_are_not_emailed_by_default(engine, scene):
    for cart in ("a", "b", "c"):
        scene.hold(engine, cart, ip="203.0.113.9")
    _expire_everything(scene, engine)
    evaluate(engine)
    assert len(alerts("hold_hoarding")) == 1
    assert _alert_emails() == []


def _alert_emails() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.dedupe_key.like("alert:%")).order_by(OutboxEmail.id)))
