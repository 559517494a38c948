"""A brand's orders: only its own sub-orders and lines, ever."""

from flask import Response, abort, flash, g, redirect, request, url_for
from sqlalchemy import select

from mall.drops.models import Drop
from mall.extensions import db
from mall.ids import row_id
from mall.orders.models import OrderLine, SubOrder
from mall.orders.services import CancelRefused, cancel_line, search_sub_orders
from mall.orders.state import line_progress, order_state, state_of_lines
from mall.payments.brand_money import ledger_csv, net_by_sub_order
from mall.rendering import render_page
from mall.stock.access import stock_engine
from tenants.dashboard import brand_blueprint
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("orders", __name__)


@bp.app_template_global()
def shopper_order_state(order, lines=None):
    """For the order includes (tracking page, email, support's order panel): the state of these lines, or all."""
    lines = list(lines) if lines is not None else [line for sub in order.sub_orders for line in sub.lines]
    return state_of_lines(db.session, order, lines)


@bp.get("/orders")
def index():
    status = request.args.get("status", "")
    drop_id = request.args.get("drop", type=row_id)
    query = (request.args.get("q") or "").strip()[:100]
    sub_orders = search_sub_orders(db.session, g.tenant.id, query, status, drop_id)
    progress = line_progress(db.session, [line.id for sub in sub_orders for line in sub.lines])
    states = {sub.id: order_state(sub.order, sub.lines, progress) for sub in sub_orders}
    drops = db.session.scalars(select(Drop).where(Drop.tenant_id == g.tenant.id).order_by(Drop.starts_at.desc())).all()
    return render_page(
        "orders/index.html",
        block="results",
        sub_orders=sub_orders,
        states=states,
        money=net_by_sub_order(db.session, g.tenant.id, [sub.id for sub in sub_orders]),
        drops=drops,
        filters={"status": status, "drop": drop_id, "q": query},
    )


@bp.get("/orders/money.csv")
def money_csv():
    """The brand's money ledger: gross, refunds, creator commission and the mall's fee, one row each."""
    return Response(
        ledger_csv(db.session, g.tenant.id),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{g.tenant.slug}-money.csv"'},
    )


@bp.get("/orders/<id:sub_order_id>")
def detail(sub_order_id: int):
    sub_order = get_for_tenant_or_404(SubOrder, sub_order_id)
    return _detail_page(sub_order)


def _detail_page(sub_order: SubOrder, status: int = 200, refused: str = ""):
    state = state_of_lines(db.session, sub_order.order, sub_order.lines)
    return render_page("orders/detail.html", status=status, sub_order=sub_order, refused=refused, state=state)


@bp.post("/orders/<id:sub_order_id>/lines/<id:line_id>/cancel")
def cancel(sub_order_id: int, line_id: int):
    sub_order = get_for_tenant_or_404(SubOrder, sub_order_id)
    line = get_for_tenant_or_404(OrderLine, line_id)
    if line.sub_order_id != sub_order.id:
        abort(404)
    try:
        cancelled = cancel_line(db.session, stock_engine(), line)
    except CancelRefused as refused:
        return _detail_page(sub_order, 409, str(refused))
    if cancelled:
        flash(f"Cancelled {line.quantity} × {line.variant.label}; the units are back on sale.")
    else:
        flash("That line was already cancelled.", "error")
    return redirect(url_for("orders.detail", sub_order_id=sub_order.id), 303)
