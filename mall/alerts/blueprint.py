"""A brand's alerts: the list with filters, the live nav badge, acknowledging, and the thresholds."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from mall.alerts import services
from mall.alerts.forms import AcknowledgeForm, AlertSettingsForm
from mall.alerts.links import cause_label, cause_url
from mall.alerts.models import Alert
from mall.alerts.thresholds import save_settings, settings_row
from mall.clock import utcnow
from mall.extensions import db
from mall.rendering import render_page
from tenants.dashboard import MANAGERS, brand_blueprint, requires_role
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("alerts", __name__)


@bp.app_template_global()
def unacknowledged_alerts(tenant) -> int:
    return services.unacknowledged_count(db.session, tenant.id)


@bp.app_template_global()
def drop_alerts(drop) -> list[Alert]:
    """For `alerts/_drop_alerts.html`, included by the live drop monitor."""
    return services.open_alerts_for_drop(drop.tenant_id, drop.id)


@bp.app_template_global()
def alert_cause(alert: Alert) -> tuple[str, str] | None:
    url = cause_url(alert)
    return (url, cause_label(alert)) if url else None


@bp.get("/alerts")
def index():
    filters = services.AlertFilters.from_args(request.args)
    return render_page(
        "alerts/index.html", block="results",
        alerts=services.list_alerts(db.session, g.tenant.id, filters),
        counts=services.status_counts(db.session, g.tenant.id),
        filters=filters,
    )


@bp.get("/alerts/badge")
def badge():
    """The nav badge alone; htmx polls it. The link inside it goes to the list."""
    return render_template("alerts/_dashboard_nav.html")


@bp.post("/alerts/<id:alert_id>/acknowledge")
def acknowledge(alert_id: int):
    alert = get_for_tenant_or_404(Alert, alert_id)
    if not AcknowledgeForm().validate_on_submit():
        return redirect(url_for(".index"), 303)
    if services.acknowledge(db.session, alert, current_user.id, utcnow()):
        flash(f"Acknowledged: {alert.kind_label}.", "success")
    else:
        flash("Someone had already acknowledged that alert.")
    filters = services.AlertFilters.from_args(request.args)
    return redirect(url_for(".index", **filters.as_args()), 303)


@bp.route("/alerts/settings", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def settings():
    form = AlertSettingsForm(obj=settings_row(db.session, g.tenant.id))
    if form.validate_on_submit():
        save_settings(db.session, g.tenant.id, form.values())
        flash("Alert settings saved. The next check (within 15 seconds) uses them.", "success")
        return redirect(url_for(".settings"), 303)
    return render_template("alerts/settings.html", form=form), 422 if form.is_submitted() else 200
