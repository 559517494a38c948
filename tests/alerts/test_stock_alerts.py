"""Low stock against the hold burn rate, and sold out, on a scripted drop with the real stock engine."""

from datetime import timedelta

from mall.alerts.models import AlertSettings
from mall.checkout.services import CheckoutDetails, place_order
from mall.extensions import db
from tests.alerts.conftest import alerts, evaluate


def _hold_units(scene, engine, units: int, prefix: str = "c") -> None:
    """`units` single-unit holds, one cart each, all in the frozen minute."""
    for n in range(units):
        scene.hold(engine, f"{prefix}{n}", ip=f"203.0.113.{n % 200}")


def test_low_stock_is_raised_exactly_when_sell_out_falls_under_the_threshold(engine, scene):
    # 60 units, 10 minutes (default). 20 held in the last 5 minutes: 40 left at 4 a minute = exactly 10 min.
    _hold_units(scene, engine, 20)
    evaluate(engine)
    assert alerts("low_stock") == []

    # One more: 39 left at 4.2 a minute = 9.3 min < 10.
    scene.hold(engine, "one-more", ip="192.0.2.77")
    evaluate(engine)
    [alert] = alerts("low_stock")
    assert alert.tenant_id == scene.brand.id and alert.drop_id == scene.drop.id
    assert alert.severity == "warning"
    assert alert.message == "Winter jumper drop: 39 units left, selling out in about 10 min at 4.2 units held a minute."


def test_the_burn_rate_only_counts_the_last_five_minutes(engine, scene):
    _hold_units(scene, engine, 25)  # 35 left at 5 a minute: 7 min
    scene.clock.shift(timedelta(minutes=5))  # those holds are now outside the window
    evaluate(engine)
    assert alerts("low_stock") == []


def test_the_same_low_stock_alert_is_not_raised_twice(engine, scene):
    _hold_units(scene, engine, 30)
    first = evaluate(engine)
    scene.hold(engine, "later", ip="192.0.2.8")
    second = evaluate(engine)
    third = evaluate(engine)

    assert len(alerts("low_stock")) == 1
    assert first["raised"] == 1 and second["raised"] == 0 and third["raised"] == 0


def test_changing_the_threshold_changes_the_outcome(engine, scene, client):
    _hold_units(scene, engine, 21)  # 39 left, 9.3 minutes to sell out
    client.login_as(scene.manager)
    saved = client.submit(f"/brands/{scene.brand.slug}/alerts/settings", _settings(low_stock_minutes=5))
    assert saved.status_code == 303
    evaluate(engine)
    assert alerts("low_stock") == []

    client.submit(f"/brands/{scene.brand.slug}/alerts/settings", _settings(low_stock_minutes=10))
    evaluate(engine)
    assert len(alerts("low_stock", open_only=True)) == 1


def test_a_unit_floor_raises_low_stock_without_any_holds_rate(engine, scene):
    db.session.add(AlertSettings(tenant_id=scene.brand.id, low_stock_minutes=0, low_stock_units=45))
    db.session.commit()
    _hold_units(scene, engine, 15)  # 45 left: not below 45
    scene.clock.shift(timedelta(minutes=6))
    evaluate(engine)
    assert alerts("low_stock") == []

    scene.hold(engine, "x", ip="192.0.2.9")  # 44 left
    evaluate(engine)
    [alert] = alerts("low_stock")
    assert alert.message.startswith("Winter jumper drop: 44 units left")


def test_sold_out_is_raised_then_clears_when_held_units_come_back_and_recurs_as_a_new_alert(engine, scene):
    for n in range(12):
        scene.hold(engine, f"big{n}", quantity=5, ip=f"203.0.113.{n}")
    evaluate(engine)
    [sold_out] = alerts("sold_out")
    assert sold_out.severity == "info" and sold_out.link_kind == "variant" and sold_out.link_id == scene.variant.id
    assert alerts("low_stock") == []  # sold out says it; low stock is for units still on sale

    scene.clock.shift(timedelta(minutes=11))  # every hold (10 minutes) runs out unbought
    engine.sweep_expired()
    evaluate(engine)
    assert alerts("sold_out", open_only=True) == []
    assert alerts("sold_out")[0].resolved_at is not None

    for n in range(12):
        scene.hold(engine, f"again{n}", quantity=5, ip=f"203.0.113.{n}")
    evaluate(engine)
    assert [a.resolved_at is None for a in alerts("sold_out")] == [False, True]


def test_stock_alerts_of_a_drop_that_ended_are_resolved(engine, scene):
    _hold_units(scene, engine, 30)
    evaluate(engine)
    assert alerts("low_stock", open_only=True)

    scene.clock.shift(timedelta(hours=2))  # the drop ended at 12:00:30
    evaluate(engine)
    assert alerts("low_stock", open_only=True) == []


def _settings(**changes) -> dict:
    values = {
        "low_stock_minutes": 10, "low_stock_units": 0, "sold_out": "y", "hoard_holds": 3, "velocity_orders": 5,
        "converging_carts": 3, "fraud_window_minutes": 60, "eta_grace_minutes": 15, "email_severity": "severe",
        "email_to": "owners",
    }
    values.update(changes)
    return values


def test_the_sold_out_alert_tells_all_held_from_sold_out(engine, scene):
    holds = [scene.hold(engine, f"big{n}", quantity=5, ip=f"203.0.113.{n}") for n in range(12)]
    evaluate(engine)
    [alert] = alerts("sold_out", open_only=True)
    assert alert.message == "Aurora jumper is all held in Winter jumper drop: 60 held may come back by 10:31."

    for n, hold in enumerate(holds):
        details = CheckoutDetails("Ada", f"s{n}@example.com", "pickup", scene.pickup.id, "", "", "pay_on_handover")
        place_order(db.session, engine, f"big{n}", f"key-sold-out-{n:012d}", details, [hold.hold_id])
    evaluate(engine)
    [alert] = alerts("sold_out", open_only=True)
    assert alert.message == "Aurora jumper is sold out in Winter jumper drop: every unit is sold."
