"""The brand's alerts list, badge, acknowledgement and settings; the operator's list; the drop include."""

from datetime import timedelta

from flask import render_template
from sqlalchemy import select

from mall.alerts.models import Alert, AlertSettings
from mall.alerts.services import open_alerts_for_drop
from mall.extensions import db
from tests.alerts.conftest import alerts, evaluate
from tests.support import text_of


def _raise_low_stock(scene, engine):
    for n in range(30):
        scene.hold(engine, f"c{n}", ip=f"203.0.113.{n}")
    evaluate(engine)
    [alert] = alerts("low_stock")
    return alert


def _operator_alert() -> Alert:
    alert = Alert(
        tenant_id=None, kind="hub_overload", severity="severe", cause_key="hub_overload:hub:999",
        open_key="op|hub_overload:hub:999", message="Hub overloaded.", link_kind="hub", link_id=999,
    )
    db.session.add(alert)
    db.session.commit()
    return alert


def test_the_dashboard_badge_counts_unacknowledged_alerts_and_polls(engine, scene, client):
    client.login_as(scene.owner)
    page = client.get(f"/brands/{scene.brand.slug}/")
    assert 'id="alerts-nav"' in page.get_data(as_text=True)
    assert "alert-count" not in page.get_data(as_text=True)

    _raise_low_stock(scene, engine)
    badge = client.get(f"/brands/{scene.brand.slug}/alerts/badge", headers={"HX-Request": "true"})
    html = badge.get_data(as_text=True)
    assert badge.status_code == 200
    assert 'hx-trigger="every 10s"' in html and f'href="/brands/{scene.brand.slug}/alerts"' in html
    assert text_of(badge) == "Alerts 1"


def test_a_support_member_acknowledges_and_it_records_who(engine, scene, client, make):
    alert = _raise_low_stock(scene, engine)
    helper = make.member(scene.brand, make.user(name="Sam Support"), role="support")
    client.login_as(helper)
    listing = client.get(f"/brands/{scene.brand.slug}/alerts")
    text = text_of(listing)
    assert "Low stock" in text and "Winter jumper drop: 30 units left" in text
    assert f'href="/brands/{scene.brand.slug}/drops/{scene.drop.id}"' in listing.get_data(as_text=True)

    done = client.submit(f"/brands/{scene.brand.slug}/alerts/{alert.id}/acknowledge")
    assert done.status_code == 303
    [alert] = alerts("low_stock")
    assert alert.acknowledged_by_id == helper.id and alert.acknowledged_at is not None
    assert alert.resolved_at is None  # acknowledged is not cleared: the same cause still raises nothing new
    assert text_of(client.get(f"/brands/{scene.brand.slug}/alerts/badge")) == "Alerts"
    acknowledged = text_of(client.get(f"/brands/{scene.brand.slug}/alerts?status=acknowledged"))
    assert "acknowledged by Sam Support" in acknowledged
    assert "No alerts here." in text_of(client.get(f"/brands/{scene.brand.slug}/alerts"))

    again = client.submit(f"/brands/{scene.brand.slug}/alerts/{alert.id}/acknowledge")
    assert again.status_code == 303
    assert alerts("low_stock")[0].acknowledged_by_id == helper.id
    evaluate(engine)
    assert len(alerts("low_stock")) == 1


def test_another_brands_alert_answers_404(engine, scene, client, make):
    alert = _raise_low_stock(scene, engine)
    outsider = make.user()
    other = make.brand(owner=outsider)
    client.login_as(outsider)
    assert client.submit(f"/brands/{other.slug}/alerts/{alert.id}/acknowledge").status_code == 404
    assert client.submit(f"/brands/{scene.brand.slug}/alerts/{alert.id}/acknowledge").status_code == 404
    assert client.get(f"/brands/{scene.brand.slug}/alerts").status_code == 404
    assert "Winter jumper" not in client.get(f"/brands/{other.slug}/alerts").get_data(as_text=True)
    assert alerts("low_stock")[0].acknowledged_at is None


def test_a_brand_never_sees_operator_alerts_nor_acknowledges_them(scene, client):
    operator_alert = _operator_alert()
    client.login_as(scene.owner)
    assert "Hub overloaded" not in client.get(f"/brands/{scene.brand.slug}/alerts?status=all").get_data(as_text=True)
    assert client.submit(f"/brands/{scene.brand.slug}/alerts/{operator_alert.id}/acknowledge").status_code == 404


def test_the_operator_lists_and_acknowledges_operator_alerts_only(engine, scene, client, make):
    brand_alert = _raise_low_stock(scene, engine)
    operator_alert = _operator_alert()
    client.login_as(make.user(operator=True, name="Opal Operator"))
    text = text_of(client.get("/operator/alerts"))
    assert "Hub overloaded." in text and "Winter jumper" not in text
    assert client.submit(f"/operator/alerts/{brand_alert.id}/acknowledge").status_code == 404
    assert client.submit(f"/operator/alerts/{operator_alert.id}/acknowledge").status_code == 303
    assert "acknowledged by Opal Operator" in text_of(client.get("/operator/alerts?status=acknowledged"))


def test_filters_by_status_and_severity_and_htmx_gets_the_list_alone(engine, scene, client):
    _raise_low_stock(scene, engine)
    client.login_as(scene.owner)
    url = f"/brands/{scene.brand.slug}/alerts"
    assert "Low stock" in text_of(client.get(url + "?severity=warning"))
    assert "Low stock" not in text_of(client.get(url + "?severity=severe"))
    assert "Low stock" not in text_of(client.get(url + "?status=resolved"))
    assert client.get(url + "?status=bogus&severity=%3Cscript%3E").status_code == 200
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="alert-results"') and "<html" not in fragment


def test_settings_are_for_owners_and_managers_and_refuse_bad_numbers(scene, client, make):
    url = f"/brands/{scene.brand.slug}/alerts/settings"
    client.login_as(make.member(scene.brand, role="support"))
    assert client.get(url).status_code == 403

    client.login_as(scene.manager)
    form = client.get(url)
    assert form.status_code == 200 and 'value="10"' in form.get_data(as_text=True)
    bad = client.submit(url, {"low_stock_minutes": "soon", "fraud_window_minutes": "2", "converging_carts": "1",
                              "email_severity": "loud", "email_to": "owners"})
    assert bad.status_code == 422
    text = text_of(bad)
    assert "Enter a whole number" in text and "Use 5 to 1440 minutes." in text and "Use 2 to 1000 carts." in text
    assert db.session.scalar(select(AlertSettings)) is None

    good = client.submit(url, {"low_stock_minutes": "7", "low_stock_units": "3", "hoard_holds": "4", "velocity_orders": "6",
                               "converging_carts": "2", "fraud_window_minutes": "30", "eta_grace_minutes": "5",
                               "email_severity": "warning", "email_to": "managers"})
    assert good.status_code == 303
    saved = db.session.scalar(select(AlertSettings))
    assert (saved.low_stock_minutes, saved.sold_out, saved.email_to) == (7, False, "managers")


def test_the_drop_include_shows_the_drops_open_alerts(app, engine, scene):
    alert = _raise_low_stock(scene, engine)
    assert [a.id for a in open_alerts_for_drop(scene.brand.id, scene.drop.id)] == [alert.id]
    assert open_alerts_for_drop(scene.brand.id + 1000, scene.drop.id) == []
    with app.test_request_context():
        html = render_template("alerts/_drop_alerts.html", drop=scene.drop, brand=scene.brand)
    assert "Winter jumper drop: 30 units left" in html and f"/brands/{scene.brand.slug}/alerts" in html

    scene.clock.shift(timedelta(hours=2))
    evaluate(engine)
    assert open_alerts_for_drop(scene.brand.id, scene.drop.id) == []
