"""A brand's orders: only its own sub-orders and lines, ever."""

from flask import abort, flash, g, redirect, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from mall.checkout.services import cancel_line
from mall.drops.models import Drop
from mall.extensions import db
from mall.orders.models import LineStatus, Order, OrderLine, SubOrder
from mall.rendering import render_page
from mall.stock.access import stock_engine
from tenants.dashboard import brand_blueprint
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("orders", __name__)

PAGE_SIZE = 50


@bp.get("/orders")
def index():
    status = request.args.get("status", "")
    drop_id = request.args.get("drop", type=int)
    query = (request.args.get("q") or "").strip()[:100]
    stmt = (
        select(SubOrder)
        .join(Order, Order.id == SubOrder.order_id)
        .where(SubOrder.tenant_id == g.tenant.id)
        .options(selectinload(SubOrder.order), selectinload(SubOrder.lines))
        .order_by(SubOrder.id.desc())
        .limit(PAGE_SIZE)
    )
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Order.number.ilike(like), Order.email.ilike(like), Order.shopper_name.ilike(like)))
    if status in (LineStatus.ACTIVE.value, LineStatus.CANCELLED.value):
        stmt = stmt.where(SubOrder.lines.any(OrderLine.status == status))
    if drop_id:
        stmt = stmt.where(SubOrder.lines.any(OrderLine.drop_id == drop_id))
    sub_orders = db.session.scalars(stmt).unique().all()
    drops = db.session.scalars(select(Drop).where(Drop.tenant_id == g.tenant.id).order_by(Drop.starts_at.desc())).all()
    return render_page(
        "orders/index.html",
        block="results",
        sub_orders=sub_orders,
        drops=drops,
        filters={"status": status, "drop": drop_id, "q": query},
    )


@bp.get("/orders/<int:sub_order_id>")
def detail(sub_order_id: int):
    sub_order = get_for_tenant_or_404(SubOrder, sub_order_id)
    return render_page("orders/detail.html", sub_order=sub_order)


@bp.post("/orders/<int:sub_order_id>/lines/<int:line_id>/cancel")
def cancel(sub_order_id: int, line_id: int):
    sub_order = get_for_tenant_or_404(SubOrder, sub_order_id)
    line = get_for_tenant_or_404(OrderLine, line_id)
    if line.sub_order_id != sub_order.id:
        abort(404)
    if cancel_line(db.session, stock_engine(), line):
        flash(f"Cancelled {line.quantity} × {line.variant.label}; the units are back on sale.")
    else:
        flash("That line was already cancelled.", "error")
    return redirect(url_for("orders.detail", sub_order_id=sub_order.id), 303)
