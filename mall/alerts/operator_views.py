"""The operator's alerts (hubs overloaded, failed jobs) and a failed job's traceback. Operators only; others get 404."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mall.accounts.access import operators_only
from mall.alerts import services
from mall.alerts.forms import AcknowledgeForm
from mall.alerts.fulfilment_checks import overload_hours
from mall.alerts.job_checks import PER_QUEUE, failed_job, failed_jobs
from mall.alerts.models import Alert
from mall.clock import utcnow
from mall.extensions import db
from mall.rendering import render_page

bp = Blueprint("operator_alerts", __name__, url_prefix="/operator")
bp.before_request(operators_only)


@bp.app_template_global()
def operator_unacknowledged_alerts() -> int:
    return services.unacknowledged_count(db.session, None)


@bp.get("/alerts")
def index():
    filters = services.AlertFilters.from_args(request.args)
    return render_page(
        "alerts/operator.html", block="results",
        alerts=services.list_alerts(db.session, None, filters),
        counts=services.status_counts(db.session, None),
        filters=filters,
        overload_hours=f"{overload_hours():g}",
    )


@bp.post("/alerts/<id:alert_id>/acknowledge")
def acknowledge(alert_id: int):
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.tenant_id is not None:  # a brand's alert is that brand's to acknowledge
        abort(404)
    if AcknowledgeForm().validate_on_submit() and services.acknowledge(db.session, alert, current_user.id, utcnow()):
        flash(f"Acknowledged: {alert.kind_label}.", "success")
    filters = services.AlertFilters.from_args(request.args)
    return redirect(url_for(".index", **filters.as_args()), 303)


@bp.get("/jobs/failed")
def failed_jobs_page():
    """Every job RQ keeps as failed, newest first on each queue, each linking to its traceback."""
    return render_template("alerts/failed_jobs.html", jobs=failed_jobs(), per_queue=PER_QUEUE)


@bp.get("/jobs/<queue>/<job_id>")
def failed_job_page(queue: str, job_id: str):
    found = failed_job(queue, job_id)
    if found is None:
        abort(404)
    job, traceback = found
    return render_template("alerts/failed_job.html", job=job, queue=queue, traceback=traceback)


@bp.post("/jobs/<queue>/<job_id>/requeue")
def requeue_job(queue: str, job_id: str):
    found = failed_job(queue, job_id)
    if found is None:
        abort(404)
    job, _ = found
    if AcknowledgeForm().validate_on_submit():
        job.requeue()
        flash("The job is queued again. Its alert clears once no failure of it is left.", "success")
    return redirect(url_for(".index"), 303)
