"""A brand's orders: only its own sub-orders and lines, ever."""

from flask import Response, abort, flash, g, redirect, request, url_for
from sqlalchemy import select

from mall.drops.models import Drop
from mall.extensions import db
from mall.ids import row_id
from mall.orders.models import OrderLine, SubOrder
from mall.orders.services import cancel_line, search_sub_orders
from mall.payments.brand_money import ledger_csv, net_by_sub_order
from mall.rendering import render_page
from mall.stock.access import stock_engine
from tenants.dashboard import brand_blueprint
from tenants.scoping import get_for_tenant_or_404

bp = brand_blueprint("orders", __name__)


@bp.get("/orders")
def index():
    status = request.args.get("status", "")
    drop_id = request.args.get("drop", type=row_id)
    query = (request.args.get("q") or "").strip()[:100]
    sub_orders = search_sub_orders(db.session, g.tenant.id, query, status, drop_id)
    drops = db.session.scalars(select(Drop).where(Drop.tenant_id == g.tenant.id).order_by(Drop.starts_at.desc())).all()
    return render_page(
        "orders/index.html",
        block="results",
        sub_orders=sub_orders,
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
    return render_page("orders/detail.html", sub_order=sub_order)


@bp.post("/orders/<id:sub_order_id>/lines/<id:line_id>/cancel")
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
