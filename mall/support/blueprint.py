"""The shopper's side of support: ask about an order, the brand's contact form, and the private thread link.

The brand inbox (`/brands/<slug>/inbox...`) lives in `inbox_views` and `desk_views`, nested here.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mall.checkout.access import client_ip
from mall.extensions import db, limiter
from mall.orders.models import Order, SubOrder
from mall.rendering import render_page
from mall.support import services, surge
from mall.support.desk_views import bp as desk_bp
from mall.support.forms import AskAboutOrderForm, ContactForm, ShopperReplyForm
from mall.support.inbox import open_count
from mall.support.inbox_views import bp as inbox_bp
from mall.support.models import SupportThread, Topic
from mall.support.placeholders import eta_text
from mall.support.sla import next_deadline
from mall.timefmt import duration
from tenants.lookups import brand_by_slug

bp = Blueprint("support", __name__)
bp.register_blueprint(inbox_bp)
bp.register_blueprint(desk_bp)


def _ask_limit() -> str:
    return current_app.config.get("SUPPORT_RATE_LIMIT", "20 per hour")


def _thread_or_404(token: str) -> SupportThread:
    thread = db.session.scalar(select(SupportThread).where(SupportThread.token == token[:64]))
    if thread is None:
        abort(404)
    return thread


@bp.route("/orders/<token>/ask/<slug>", methods=["GET", "POST"])
@limiter.limit(_ask_limit, methods=["POST"], key_func=client_ip)
def ask_about_order(token: str, slug: str):
    order = db.session.scalar(
        select(Order).where(Order.tracking_token == token[:64]).options(selectinload(Order.sub_orders))
    )
    sub_order = next((s for s in order.sub_orders if s.tenant.slug == slug), None) if order else None
    if sub_order is None:
        abort(404)
    form = AskAboutOrderForm(sub_order.tenant.name)
    if form.validate_on_submit():
        thread = services.open_about_order(db.session, order, sub_order, Topic(form.about.data), form.message.data)
        flash(f"Sent to {sub_order.tenant.name}. Keep this page's link: it is your private conversation.")
        return redirect(url_for(".thread", token=thread.token), 303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "support/ask.html", form=form, order=order, sub=sub_order, brand=sub_order.tenant, eta=eta_text(order)
    ), status


@bp.route("/shop/<slug>/contact", methods=["GET", "POST"])
@limiter.limit(_ask_limit, methods=["POST"], key_func=client_ip)
def contact(slug: str):
    brand = brand_by_slug(slug)
    if brand is None:
        abort(404)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            sub_order = (
                services.find_order_for_contact(db.session, brand, form.order_number.data, form.email.data)
                if form.order_number.data else None
            )
        except services.SupportRuleBroken as problem:
            form.order_number.errors.append(str(problem))
        else:
            thread = services.open_thread(
                db.session, brand, name=form.name.data, email=form.email.data, subject=form.subject.data,
                body=form.message.data, sub_order=sub_order, topic=Topic.ORDER,
            )
            flash(f"Sent to {brand.name}. Keep this page's link: it is your private conversation.")
            return redirect(url_for(".thread", token=thread.token), 303)
    status = 422 if form.is_submitted() else 200
    banner = surge.banner_for(db.session, brand.id)
    return render_template("support/contact.html", form=form, brand=brand, banner=banner), status


@bp.get("/support/<token>")
def thread(token: str):
    thread = _thread_or_404(token)
    return _shopper_page(thread, ShopperReplyForm(formdata=None))


@bp.post("/support/<token>/reply")
@limiter.limit(_ask_limit, key_func=client_ip)
def reply(token: str):
    thread = _thread_or_404(token)
    form = ShopperReplyForm()
    if not form.validate():
        return _shopper_page(thread, form, 422)
    services.shopper_reply(db.session, thread, form.message.data)
    flash(f"Sent. {thread.tenant.name} will answer here and by email.")
    return redirect(url_for(".thread", token=thread.token), 303)


def _shopper_page(thread: SupportThread, form, status: int = 200):
    messages = [m for m in thread.messages if m.shopper_can_see]
    return render_page(
        "support/thread.html", block="messages", status=status,
        thread=thread, messages=messages, form=form, order=thread.order, brand=thread.tenant,
        deadline=next_deadline(thread), eta=eta_text(thread.order),
    )


@bp.app_template_filter()
def support_duration(span) -> str:
    """A timedelta or a number of minutes as 1 h 5 min or 12 min; a dash when there is nothing to measure."""
    if span is None:
        return "–"
    minutes = span if isinstance(span, int) else round(span.total_seconds() / 60)
    return duration(minutes * 60) if minutes > 0 else "0 min"


@bp.app_template_global()
def support_open_count(tenant) -> int:
    return open_count(db.session, tenant.id)


@bp.app_template_global()
def support_banner(brand):
    banner = surge.banner_for(db.session, brand.id)
    return None if banner is None or banner.is_empty else banner


@bp.app_template_global()
def support_threads_for(sub: SubOrder) -> list[SupportThread]:
    """The shopper's conversations about this part of their order, for the private order page."""
    return list(
        db.session.scalars(
            select(SupportThread).where(SupportThread.sub_order_id == sub.id).order_by(SupportThread.id)
        )
    )
