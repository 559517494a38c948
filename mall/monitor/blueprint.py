"""Brand dashboard: the live drop monitor and the post-drop report (with its CSV), for any member."""

from flask import Response, abort, flash, g, redirect, request, url_for
from sqlalchemy import select

from mall.clock import utcnow
from mall.drops.models import Drop, DropStatus
from mall.drops.pricing import effective_status
from mall.extensions import db
from mall.monitor.csv_export import report_csv
from mall.monitor.jobs import report_due_at, request_rebuild
from mall.monitor.live import live_region
from mall.monitor.models import DropReport
from mall.monitor.presenting import HELPERS
from mall.monitor.report import VERSION, rates
from mall.rendering import render_page
from tenants.dashboard import MANAGERS, brand_blueprint, requires_role
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("monitor", __name__)

@bp.context_processor
def _helpers():
    membership = g.get("membership")
    return {"can_manage": membership is not None and membership.role in MANAGERS, **HELPERS}


@bp.get("/drops/<id:drop_id>/live")
def live(drop_id: int):
    """The whole page, or (for htmx's poll) just its region, rendered once for every tab of every member."""
    if request.htmx and not request.htmx.history_restore_request:
        return _region_of(drop_id)["html"]  # the hot path: no table read when the shared copy is fresh
    drop = get_for_tenant_or_404(Drop, drop_id)
    return render_page("monitor/live.html", drop=drop, region=_region_of(drop_id, drop))


def _region_of(drop_id: int, drop: Drop | None = None) -> dict:
    region = live_region(drop_id, lambda _: drop or get_for_tenant_or_404(Drop, drop_id))
    if region["tenant_id"] != g.tenant.id:  # another brand's drop: the same 404 as the scoped lookup gives
        abort(404)
    return region


def _stored(drop: Drop) -> DropReport | None:
    report = db.session.scalar(select(DropReport).where(DropReport.drop_id == drop.id))
    return report if report is not None and report.data.get("version") == VERSION else None


@bp.get("/drops/<id:drop_id>/report")
def report(drop_id: int):
    return _report_page(get_for_tenant_or_404(Drop, drop_id))


def _report_page(drop: Drop, refusal: str | None = None, status: int = 200):
    stored, now = _stored(drop), utcnow()
    return render_page(
        "monitor/report.html", block="report", status=status, drop=drop, report=stored,
        data=stored.data if stored else None, rates=rates(stored.data) if stored else None,
        status_now=effective_status(drop, now), now=now, due_at=report_due_at(drop), refusal=refusal,
    )


@bp.get("/drops/<id:drop_id>/report.csv")
def report_as_csv(drop_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    stored = _stored(drop)
    if stored is None:
        flash("The report is not built yet, so there is no CSV to download.", "error")
        return redirect(url_for(".report", drop_id=drop.id), code=303)
    filename = f"drop-{drop.id}-report-{stored.built_at:%Y%m%d-%H%M}.csv"
    return Response(
        report_csv(stored.data), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


@bp.post("/drops/<id:drop_id>/report/rebuild")
@requires_role(*MANAGERS)
def rebuild_report(drop_id: int):
    drop = get_for_tenant_or_404(Drop, drop_id)
    if utcnow() < report_due_at(drop) or drop.status in (DropStatus.DRAFT.value, DropStatus.CANCELLED.value):
        return _report_page(drop, "A report is built once the drop is over and its last holds have run out.", 409)
    request_rebuild(drop)
    flash("The report is being rebuilt; this page shows the new figures in a moment.", "success")
    return redirect(url_for(".report", drop_id=drop.id), code=303)
