"""Each brand's money per order, kept as ledger rows: gross when the order is confirmed, the creator's commission
and the mall's fee out of it, and refunds as they are made. The brand's orders page and CSV read these rows."""

import csv
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mall.links.models import CreatorCommission
from mall.orders.models import Order, SubOrder
from mall.payments.models import BrandMoneyEntry, BrandMoneyKind
from mall.payments.offer import current_offer


def record_order_shares(session: Session, order: Order) -> None:
    """In the transaction that confirms the order: each brand's gross, commission and mall fee."""
    fee_bp = current_offer(session).mall_fee_bp
    subs = session.scalars(select(SubOrder).where(SubOrder.order_id == order.id).execution_options(all_tenants=True))
    rates = dict(
        session.execute(
            select(CreatorCommission.sub_order_id, CreatorCommission.commission_bp)
            .where(CreatorCommission.order_id == order.id)
            .execution_options(all_tenants=True)
        ).all()
    )
    for sub in subs:
        rows = [(BrandMoneyKind.GROSS, sub.subtotal_cents)]
        if sub.id in rates:
            rows.append((BrandMoneyKind.CREATOR_COMMISSION, -_share(sub.subtotal_cents, rates[sub.id])))
        if fee_bp:
            rows.append((BrandMoneyKind.MALL_FEE, -_share(sub.subtotal_cents, fee_bp)))
        for kind, cents in rows:
            session.add(BrandMoneyEntry(tenant_id=sub.tenant_id, sub_order_id=sub.id, kind=kind.value, amount_cents=cents))


def record_refund(session: Session, sub_order: SubOrder, amount_cents: int) -> None:
    session.add(
        BrandMoneyEntry(
            tenant_id=sub_order.tenant_id, sub_order_id=sub_order.id, kind=BrandMoneyKind.REFUND.value,
            amount_cents=-amount_cents,
        )
    )


def _share(cents: int, basis_points: int) -> int:
    return (cents * basis_points + 5_000) // 10_000


def net_by_sub_order(session: Session, tenant_id: int, sub_order_ids: list[int]) -> dict[int, dict[str, int]]:
    """{sub order id: {kind: cents, "net": cents}} for the brand's orders page."""
    rows = session.execute(
        select(BrandMoneyEntry.sub_order_id, BrandMoneyEntry.kind, func.sum(BrandMoneyEntry.amount_cents))
        .where(BrandMoneyEntry.tenant_id == tenant_id, BrandMoneyEntry.sub_order_id.in_(sub_order_ids))
        .group_by(BrandMoneyEntry.sub_order_id, BrandMoneyEntry.kind)
    ).all()
    money: dict[int, dict[str, int]] = {}
    for sub_order_id, kind, cents in rows:
        entry = money.setdefault(sub_order_id, {"net": 0})
        entry[kind] = cents
        entry["net"] += cents
    return money


def ledger_csv(session: Session, tenant_id: int) -> str:
    """Every ledger row of the brand, oldest first, with its order number."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date (UTC)", "order", "kind", "amount"])
    rows = session.execute(
        select(BrandMoneyEntry.created_at, Order.number, BrandMoneyEntry.kind, BrandMoneyEntry.amount_cents)
        .join(SubOrder, SubOrder.id == BrandMoneyEntry.sub_order_id)
        .join(Order, Order.id == SubOrder.order_id)
        .where(BrandMoneyEntry.tenant_id == tenant_id)
        .order_by(BrandMoneyEntry.id)
    ).all()
    for created_at, number, kind, cents in rows:
        sign = "-" if cents < 0 else ""
        writer.writerow([created_at.strftime("%Y-%m-%d %H:%M:%S"), number, kind, f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"])
    return out.getvalue()
