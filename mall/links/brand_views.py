"""A brand's creator programme under /brands/<slug>/creators: any member sees it, owners and managers run it."""

from decimal import Decimal

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from mall.extensions import db
from mall.links import services, stats
from mall.links.forms import InviteCreatorForm, TermsForm
from mall.links.models import CreatorLink, CreatorPartnership, PartnershipStatus
from tenants.dashboard import MANAGERS, brand_blueprint, requires_role
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("creators", __name__)

STATUS_ORDER = ["applied", "approved", "invited", "ended", "declined"]


@bp.app_template_global()
def creators_applied(tenant) -> int:
    return services.applications_waiting(db.session, tenant.id)


def _terms_form(row: CreatorPartnership | None = None) -> TermsForm:
    if row is None:
        return TermsForm(formdata=None)
    return TermsForm(formdata=None, commission_percent=Decimal(row.commission_bp) / 100, window_hours=row.window_hours)


def _brand_links() -> list[CreatorLink]:
    return list(
        db.session.scalars(
            select(CreatorLink)
            .where(CreatorLink.tenant_id == g.tenant.id)
            .order_by(CreatorLink.created_at.desc(), CreatorLink.id.desc())
        )
    )


def _index(invite_form=None, status=200, problem=None):
    rows = sorted(
        db.session.scalars(select(CreatorPartnership).where(CreatorPartnership.tenant_id == g.tenant.id)),
        key=lambda p: (STATUS_ORDER.index(p.status), p.creator.name.lower()),
    )
    links = _brand_links()
    per_link = stats.link_results(db.session, [link.id for link in links], brand_id=g.tenant.id)
    clicks: dict[int, int] = {}
    for link in links:
        clicks[link.creator_id] = clicks.get(link.creator_id, 0) + per_link[link.id].clicks
    return render_template(
        "links/brand_creators.html",
        partnerships=rows,
        clicks=clicks,
        credited=stats.creator_credits(db.session, [p.creator_id for p in rows], g.tenant.id),
        can_manage=g.membership.role in MANAGERS,
        invite_form=invite_form or InviteCreatorForm(formdata=None, commission_percent=Decimal(10), window_hours=24),
        terms_for=_terms_form,
        problem=problem,
    ), status


@bp.get("/creators")
def index():
    return _index()


@bp.post("/creators/invite")
@requires_role(*MANAGERS)
def invite():
    form = InviteCreatorForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    try:
        row = services.invite_creator(db.session, g.tenant, form.email.data, form.commission_bp, form.window_hours.data)
    except services.ProgrammeRuleBroken as problem:
        form.email.errors.append(str(problem))
        return _index(form, 422)
    verb = "approved" if row.status == PartnershipStatus.APPROVED else "invited"
    flash(f"{row.creator.name} is {verb} at {row.commission_percent}% for {row.window_hours} h.", "success")
    return redirect(url_for(".index"), 303)


@bp.get("/creators/<id:partnership_id>")
def detail(partnership_id: int):
    return _detail(get_for_tenant_or_404(CreatorPartnership, partnership_id))


def _detail(row: CreatorPartnership, form=None, status=200, problem=None):
    links = [link for link in _brand_links() if link.creator_id == row.creator_id]
    results = stats.link_results(db.session, [link.id for link in links], brand_id=g.tenant.id)
    summary = stats.creator_credits(db.session, [row.creator_id], g.tenant.id).get(row.creator_id, stats.Results())
    summary.clicks = sum(r.clicks for r in results.values())
    summary.visitors = sum(r.visitors for r in results.values())
    return render_template(
        "links/brand_creator.html",
        partnership=row,
        links=links,
        results=results,
        summary=summary,
        can_manage=g.membership.role in MANAGERS,
        terms_form=form or _terms_form(row),
        problem=problem,
    ), status


@bp.post("/creators/<id:partnership_id>/approve")
@requires_role(*MANAGERS)
def approve(partnership_id: int):
    return _set_terms(partnership_id, approving=True)


@bp.post("/creators/<id:partnership_id>/terms")
@requires_role(*MANAGERS)
def terms(partnership_id: int):
    return _set_terms(partnership_id, approving=False)


def _set_terms(partnership_id: int, approving: bool):
    row = get_for_tenant_or_404(CreatorPartnership, partnership_id)
    form = TermsForm()
    if not form.validate_on_submit():
        return _detail(row, form, 422)
    try:
        if approving:
            services.decide_application(db.session, row, True, form.commission_bp, form.window_hours.data)
        else:
            services.change_terms(db.session, row, form.commission_bp, form.window_hours.data)
    except services.ProgrammeRuleBroken as problem:
        return _detail(row, form, 409, problem=str(problem))
    flash(f"{row.creator.name}: {row.commission_percent}% commission, {row.window_hours} h window.", "success")
    if approving and request.form.get("from") == "list":  # approved from the creators list: back to the list
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".detail", partnership_id=row.id), 303)


@bp.post("/creators/<id:partnership_id>/decline")
@requires_role(*MANAGERS)
def decline(partnership_id: int):
    row = get_for_tenant_or_404(CreatorPartnership, partnership_id)
    return _close(row, lambda: services.decide_application(db.session, row, False, row.commission_bp, row.window_hours),
                  "Application declined.")


@bp.post("/creators/<id:partnership_id>/end")
@requires_role(*MANAGERS)
def end(partnership_id: int):
    row = get_for_tenant_or_404(CreatorPartnership, partnership_id)
    ended = f"{row.creator.name} is no longer in your programme."
    return _close(row, lambda: services.end_partnership(db.session, row), ended)


def _close(row: CreatorPartnership, step, message: str):
    try:
        step()
    except services.ProgrammeRuleBroken as problem:
        return _detail(row, status=409, problem=str(problem))
    flash(message, "success")
    return redirect(url_for(".index"), 303)
