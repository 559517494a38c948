"""Attribution: the click's first-party cookie, the link an order carries, and the creator's commission per brand.

The cookie holds the last click (link, time, window) signed with the app's key, so it can be neither
forged for another link nor stretched past its window. At checkout the link is checked again in the
database; checkout calls `credit_order` in the order's own transaction, and every brand in it that has the
creator in its programme credits the creator at that brand's rate of the moment (stored, so later changes never
rewrite history).
"""

import hashlib
import hmac
import time

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from mall.extensions import db
from mall.links.models import CreatorCommission, CreatorLink, CreatorPartnership, PartnershipStatus
from mall.orders.models import Order, SubOrder

ATTRIBUTION_COOKIE = "fm_ref"
CLOCK_SKEW_SECONDS = 300


def _key() -> bytes:
    key = current_app.extensions.get("flashmall.links.ref_key")
    if key is None:
        secret = str(current_app.config["SECRET_KEY"]).encode()
        key = current_app.extensions["flashmall.links.ref_key"] = hashlib.sha256(b"fm-attribution\0" + secret).digest()
    return key


def _sign(body: str) -> str:
    return hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()[:32]


def attribution_cookie(link_id: int, clicked_at: int, window_seconds: int) -> str:
    body = f"{link_id}.{clicked_at}.{window_seconds}"
    return f"{body}.{_sign(body)}"


def read_attribution(value: str, now: float) -> int | None:
    """The link id in a genuine cookie whose window is still open at `now`, else None."""
    parts = (value or "").split(".")
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 12 for p in parts[:3]):
        return None
    link_id, clicked_at, window = (int(p) for p in parts[:3])
    if not hmac.compare_digest(parts[3], _sign(".".join(parts[:3]))):
        return None
    if clicked_at > now + CLOCK_SKEW_SECONDS or now > clicked_at + window:
        return None
    return link_id


def attributed_link_id() -> int | None:
    """For checkout: the link the shopper's last click (within its window) points at, if it may still earn."""
    link_id = read_attribution(request.cookies.get(ATTRIBUTION_COOKIE, ""), time.time())
    if link_id is None:
        return None
    row = db.session.execute(
        select(CreatorLink.creator_id, CreatorPartnership.status)
        .join(
            CreatorPartnership,
            and_(
                CreatorPartnership.tenant_id == CreatorLink.tenant_id,
                CreatorPartnership.creator_id == CreatorLink.creator_id,
            ),
        )
        .where(CreatorLink.id == link_id)
        .execution_options(all_tenants=True)
    ).first()
    if row is None or row.status != PartnershipStatus.APPROVED:
        return None
    if current_user.is_authenticated and current_user.id == row.creator_id:
        return None  # a creator buying through their own link earns nothing
    return link_id


def credit_order(session: Session, order_id: int) -> list[CreatorCommission]:
    """One commission row per brand in the order that has the link's creator in its programme (checkout calls it
    before its commit, so the credit is written with the order or not at all)."""
    link_id = session.scalar(select(Order.creator_link_id).where(Order.id == order_id))
    creator_id = session.scalar(
        select(CreatorLink.creator_id).where(CreatorLink.id == link_id).execution_options(all_tenants=True)
    )
    if creator_id is None:
        return []
    subs = session.execute(
        select(SubOrder.id, SubOrder.tenant_id).where(SubOrder.order_id == order_id).execution_options(all_tenants=True)
    ).all()
    rates = dict(
        session.execute(
            select(CreatorPartnership.tenant_id, CreatorPartnership.commission_bp)
            .where(
                CreatorPartnership.creator_id == creator_id,
                CreatorPartnership.status == PartnershipStatus.APPROVED.value,
                CreatorPartnership.tenant_id.in_({tenant_id for _, tenant_id in subs}),
            )
            .execution_options(all_tenants=True)
        ).all()
    )
    credits = [
        CreatorCommission(
            tenant_id=tenant_id, order_id=order_id, sub_order_id=sub_id, link_id=link_id,
            creator_id=creator_id, commission_bp=rates[tenant_id],
        )
        for sub_id, tenant_id in subs
        if tenant_id in rates
    ]
    session.add_all(credits)
    return credits
