"""The desk's surge tools: canned replies, one answer to every tagged thread, the brand banner, SLA alerts."""

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import update

from mall.clock import utcnow
from mall.extensions import db
from mall.support import surge
from mall.support.forms import BannerForm, BulkReplyForm, CannedReplyForm
from mall.support.models import CannedReply, SlaAlert
from mall.support.placeholders import PLACEHOLDERS
from mall.support.services import SupportRuleBroken
from tenants.dashboard import brand_blueprint
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("desk", __name__)


def _canned_page(form, editing=None, status=200):
    return render_template(
        "support/canned.html", form=form, editing=editing,
        placeholders=" ".join(f"{{{name}}}" for name in PLACEHOLDERS),
        replies=surge.canned_replies(db.session, g.tenant.id),
    ), status


@bp.route("/inbox/canned", methods=["GET", "POST"])
def canned():
    form = CannedReplyForm()
    if form.validate_on_submit():
        try:
            reply = surge.save_canned_reply(db.session, g.tenant.id, form.title.data, form.body.data)
        except SupportRuleBroken as problem:
            form.title.errors.append(str(problem))
        else:
            flash(f"Canned reply “{reply.title}” saved.", "success")
            return redirect(url_for(".canned"), 303)
    return _canned_page(form, status=422 if form.is_submitted() else 200)


@bp.route("/inbox/canned/<id:reply_id>", methods=["GET", "POST"])
def edit_canned(reply_id: int):
    reply = get_for_tenant_or_404(CannedReply, reply_id)
    form = CannedReplyForm(obj=reply)
    if form.validate_on_submit():
        try:
            surge.save_canned_reply(db.session, g.tenant.id, form.title.data, form.body.data, reply)
        except SupportRuleBroken as problem:
            form.title.errors.append(str(problem))
        else:
            flash(f"Canned reply “{reply.title}” saved.", "success")
            return redirect(url_for(".canned"), 303)
    return _canned_page(form, editing=reply, status=422 if form.is_submitted() else 200)


@bp.post("/inbox/canned/<id:reply_id>/delete")
def delete_canned(reply_id: int):
    reply = get_for_tenant_or_404(CannedReply, reply_id)
    title = reply.title
    surge.delete_canned_reply(db.session, reply)
    flash(f"Canned reply “{title}” deleted.", "success")
    return redirect(url_for(".canned"), 303)


@bp.route("/inbox/bulk", methods=["GET", "POST"])
def bulk_reply():
    tags = surge.tags_in_use(db.session, g.tenant.id)
    replies = surge.canned_replies(db.session, g.tenant.id)
    form = BulkReplyForm(tags, replies)
    if form.validate_on_submit():
        reply = get_for_tenant_or_404(CannedReply, form.canned_reply.data)
        try:
            count = surge.bulk_reply(
                db.session, g.tenant.id, current_user._get_current_object(), form.tag.data, reply, form.then.data
            )
        except SupportRuleBroken as problem:
            form.tag.errors.append(str(problem))
        else:
            flash(f"Answered {count} conversation{'s' if count != 1 else ''} tagged “{form.tag.data}”.", "success")
            return redirect(url_for("support.inbox.index", tag=form.tag.data, status="all"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("support/bulk.html", form=form, tags=tags, replies=replies), status


@bp.route("/inbox/banner", methods=["GET", "POST"])
def banner():
    current = surge.banner_for(db.session, g.tenant.id)
    form = BannerForm(obj=current)
    if form.validate_on_submit():
        surge.save_banner(db.session, g.tenant.id, form.headline.data or "", form.faq.data or "")
        flash("Banner and FAQ saved; they show on your contact form and on your live drops.", "success")
        return redirect(url_for(".banner"), 303)
    return render_template("support/banner.html", form=form), 422 if form.is_submitted() else 200


@bp.post("/inbox/alerts/<id:alert_id>/dismiss")
def dismiss_alert(alert_id: int):
    alert = get_for_tenant_or_404(SlaAlert, alert_id)
    db.session.execute(
        update(SlaAlert).where(SlaAlert.id == alert.id, SlaAlert.dismissed_at.is_(None)).values(dismissed_at=utcnow())
    )
    db.session.commit()
    flash("Alert dismissed.", "success")
    return redirect(url_for("support.inbox.index"), 303)
