"""The brand inbox: the thread list, a thread with its order beside it, and what an agent does from there."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from mall.clock import from_local, utcnow
from mall.extensions import db
from mall.ids import is_row_id
from mall.orders.models import OrderLine
from mall.orders.services import CancelRefused
from mall.orders.state import state_of_lines
from mall.rendering import render_page
from mall.stock.access import stock_engine
from mall.support import actions, services, surge
from mall.support.forms import (
    AssignForm,
    CompensationForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    SnoozeForm,
    StatusForm,
    TagForm,
)
from mall.support.inbox import InboxFilters, active_alerts, inbox_counts, list_threads
from mall.support.models import CannedReply, SupportThread
from mall.support.placeholders import eta_text, fill_placeholders, placeholder_values
from mall.support.sla import brand_metrics, is_late, next_deadline
from mall.support.surge import TAG_SUGGESTIONS
from tenants.dashboard import brand_blueprint
from tenants.models import Membership
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("inbox", __name__)


def _agent():
    return current_user._get_current_object()


def _thread(thread_id: int) -> SupportThread:
    return get_for_tenant_or_404(SupportThread, thread_id)


def _back(thread: SupportThread, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for(".thread", thread_id=thread.id), 303)


@bp.get("/inbox")
def index():
    filters = InboxFilters.from_args(request.args)
    now = utcnow()
    polling = bool(request.htmx)
    return render_page(
        "support/inbox.html", block="inbox_list",
        filters=filters, now=now,
        threads=list_threads(db.session, g.tenant.id, current_user.id, filters, now),
        counts=inbox_counts(db.session, g.tenant.id, current_user.id, now),
        alerts=active_alerts(db.session, g.tenant.id),
        tags=surge.tags_in_use(db.session, g.tenant.id),
        metrics=None if polling else brand_metrics(db.session, g.tenant.id, now),
        is_late=is_late, next_deadline=next_deadline,
    )


@bp.get("/inbox/<id:thread_id>")
def thread(thread_id: int):
    thread = _thread(thread_id)
    since = request.args.get("since", type=int)
    if since is None:
        since = _first_unread_id(thread)
    services.mark_read(db.session, thread)
    canned = request.args.get("canned", type=int)
    reply_form = ReplyForm(formdata=None, body=_canned_text(thread, canned, "")) if canned else None
    return thread_page(thread, since=since, reply_form=reply_form)


@bp.get("/inbox/<id:thread_id>/compose")
def compose(thread_id: int):
    """The canned-reply picker: the chosen reply, filled in for this thread, joins what the agent typed."""
    thread = _thread(thread_id)
    canned = request.args.get("canned", type=int)
    if not request.htmx:  # without JavaScript the thread page fills the reply in
        return redirect(url_for(".thread", thread_id=thread.id, canned=canned), 303)
    typed = (request.args.get("body") or "")[:4000]
    form = ReplyForm(formdata=None, body=_canned_text(thread, canned, typed))
    return render_template("support/_reply_body.html", reply_form=form)


def _first_unread_id(thread: SupportThread) -> int:
    """Messages from this id on are marked new: the shopper's unread ones now, and whatever arrives while open."""
    read_at = thread.brand_read_at
    unread = [m.id for m in thread.messages if m.kind == "shopper" and (read_at is None or m.created_at > read_at)]
    return min(unread) if unread else max((m.id for m in thread.messages), default=0) + 1


def _canned_text(thread: SupportThread, canned_id: int | None, typed: str) -> str:
    if not canned_id:
        return typed
    if not is_row_id(canned_id):  # PostgreSQL refuses to compare an integer column with a bigger number
        abort(404)
    reply = get_for_tenant_or_404(CannedReply, canned_id)
    filled = fill_placeholders(reply.body, placeholder_values(thread))
    return f"{typed.rstrip()}\n\n{filled}" if typed.strip() else filled


@bp.post("/inbox/<id:thread_id>/reply")
def reply(thread_id: int):
    thread = _thread(thread_id)
    form = ReplyForm()
    if not form.validate():
        return thread_page(thread, status=422, reply_form=form)
    services.brand_reply(db.session, thread, _agent(), form.body.data, form.then.data)
    return _back(thread, "Reply sent; the shopper gets it by email too.")


@bp.post("/inbox/<id:thread_id>/notes")
def note(thread_id: int):
    thread = _thread(thread_id)
    form = NoteForm()
    if not form.validate():
        return thread_page(thread, status=422, note_form=form)
    services.add_note(db.session, thread, _agent(), form.note.data)
    return _back(thread, "Note added (only your team sees it).")


@bp.post("/inbox/<id:thread_id>/status")
def change_status(thread_id: int):
    thread = _thread(thread_id)
    form = StatusForm()
    if not form.validate():
        return thread_page(thread, status=422, status_form=form)
    services.set_status(db.session, thread, _agent(), form.status.data)
    return _back(thread, f"Status: {thread.status}.")


@bp.post("/inbox/<id:thread_id>/priority")
def change_priority(thread_id: int):
    thread = _thread(thread_id)
    form = PriorityForm()
    if not form.validate():
        return thread_page(thread, status=422, priority_form=form)
    services.set_priority(db.session, thread, _agent(), form.priority.data)
    return _back(thread, f"Priority: {thread.priority}.")


@bp.post("/inbox/<id:thread_id>/assign")
def assign(thread_id: int):
    thread = _thread(thread_id)
    form = AssignForm(_members())
    if not form.validate():
        return thread_page(thread, status=422, assign_form=form)
    services.assign(db.session, thread, _agent(), form.assignee.data or None)
    return _back(thread, f"Assigned to {thread.assignee.name}." if thread.assignee else "Unassigned.")


@bp.post("/inbox/<id:thread_id>/snooze")
def snooze(thread_id: int):
    thread = _thread(thread_id)
    form = SnoozeForm()
    if form.validate():
        try:
            services.snooze(db.session, thread, _agent(), from_local(form.until.data))
        except services.SupportRuleBroken as problem:
            form.until.errors.append(str(problem))
        else:
            return _back(thread, "Snoozed; it reopens on time or when the shopper writes.")
    return thread_page(thread, status=422, snooze_form=form)


@bp.post("/inbox/<id:thread_id>/escalate")
def escalate(thread_id: int):
    thread = _thread(thread_id)
    if services.escalate(db.session, thread, _agent()):
        return _back(thread, "Escalated: priority is urgent and the owners were emailed.")
    return _back(thread, "This conversation is already escalated.", "error")


@bp.post("/inbox/<id:thread_id>/escalate/withdraw")
def de_escalate(thread_id: int):
    thread = _thread(thread_id)
    if services.de_escalate(db.session, thread, _agent()):
        return _back(thread, "Escalation withdrawn.")
    return _back(thread, "This conversation is not escalated.", "error")


@bp.post("/inbox/<id:thread_id>/tags")
def add_tag(thread_id: int):
    thread = _thread(thread_id)
    form = TagForm()
    if not form.validate():
        return thread_page(thread, status=422, tag_form=form)
    added = surge.add_tag(db.session, thread, form.name.data)
    return _back(thread, f"Tagged “{form.name.data}”." if added else f"Already tagged “{form.name.data}”.")


@bp.post("/inbox/<id:thread_id>/tags/remove")
def remove_tag(thread_id: int):
    thread = _thread(thread_id)
    form = TagForm()
    if form.validate() and surge.remove_tag(db.session, thread, form.name.data):
        return _back(thread, f"Removed the tag “{form.name.data}”.")
    return _back(thread, "That tag is not on this conversation.", "error")


@bp.post("/inbox/<id:thread_id>/lines/<id:line_id>/cancel")
def cancel_line(thread_id: int, line_id: int):
    thread = _thread(thread_id)
    line = get_for_tenant_or_404(OrderLine, line_id)
    if line.sub_order_id != thread.sub_order_id:
        abort(404)
    try:
        cancelled = actions.cancel_line_from_thread(db.session, stock_engine(), thread, line, _agent())
    except CancelRefused as refused:
        return _back(thread, str(refused), "error")
    if cancelled:
        return _back(thread, "Line cancelled; the units are back on sale.")
    return _back(thread, "That line was already cancelled.", "error")


@bp.post("/inbox/<id:thread_id>/compensations")
def compensate(thread_id: int):
    thread = _thread(thread_id)
    if thread.sub_order_id is None:
        abort(404)
    form = CompensationForm()
    if form.validate():
        try:
            done = actions.record_compensation(
                db.session, thread, _agent(), form.kind.data, form.amount_cents(), form.reason.data
            )
        except services.SupportRuleBroken as problem:
            form.amount.errors.append(str(problem))
        else:
            return _back(thread, f"{done.kind_label} recorded and written into the conversation.")
    return thread_page(thread, status=422, compensation_form=form)


def _members() -> list[Membership]:
    members = select(Membership).where(Membership.tenant_id == g.tenant.id).order_by(Membership.id)
    return list(db.session.scalars(members))


def thread_page(thread: SupportThread, status: int = 200, since: int | None = None, **forms):
    """The thread with the order beside it; a poll gets only the messages region."""
    members = _members()
    defaults = {
        "reply_form": ReplyForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "status_form": StatusForm(formdata=None, status=thread.status if thread.status != "snoozed" else "open"),
        "priority_form": PriorityForm(formdata=None, priority=thread.priority),
        "assign_form": AssignForm(members, formdata=None, assignee=thread.assignee_id or 0),
        "snooze_form": SnoozeForm(formdata=None),
        "tag_form": TagForm(formdata=None),
        "compensation_form": CompensationForm(formdata=None),
    }
    defaults.update({name: form for name, form in forms.items() if form is not None})
    since = since if since is not None else request.args.get("since", type=int)
    return render_page(
        "support/inbox_thread.html", block="messages", status=status,
        thread=thread, messages=thread.messages, since=since,
        order=thread.order, sub_order=thread.sub_order, eta=eta_text(thread.order),
        order_state=state_of_lines(db.session, thread.order, thread.sub_order.lines) if thread.sub_order else None,
        placeholders=placeholder_values(thread),
        compensations=actions.compensations_for(db.session, thread),
        canned=surge.canned_replies(db.session, g.tenant.id), tag_suggestions=TAG_SUGGESTIONS,
        deadline=next_deadline(thread), late=is_late(thread, utcnow()), **defaults,
    )
