"""Fraud patterns: hold hoarding in a drop, order velocity and carts converging on one address for a brand."""

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mall.alerts.models import Kind, LinkKind, Severity
from mall.alerts.raising import Finding
from mall.alerts.thresholds import Thresholds
from mall.drops.models import Drop
from mall.orders.models import Order, SubOrder
from mall.stock.activity import DropActivity

NO_IP = ("", "-")
T = TypeVar("T")
_CHUNK = 500


def digest(text: str) -> str:
    """Cause keys name an email or address by a short hash: fixed length, nothing personal in an index."""
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


# -- hold hoarding ---------------------------------------------------------------------------------------------


def hold_hoarding(session: Session, activity: DropActivity, drop: Drop, limits: Thresholds) -> list[Finding]:
    """An IP, a cart, or an email (across the carts it checked out with) letting many holds expire unbought."""
    actors = activity.actors(drop.id)
    findings = []
    for actor in actors:
        if actor.expired < limits.hoard_holds or (actor.kind == "ip" and actor.key in NO_IP):
            continue
        who = f"IP {actor.key}" if actor.kind == "ip" else f"Cart …{actor.key[-6:]}"
        findings.append(_hoarding(drop, f"{actor.kind}:{actor.key}", f"{who} let {actor.expired} of its {_plural(actor.holds, 'hold')}"))
    expired_by_cart = {a.key: a.expired for a in actors if a.kind == "cart" and a.expired}
    for email, carts in sorted(_emails_of_carts(session, list(expired_by_cart)).items()):
        expired = sum(expired_by_cart[c] for c in carts)
        if len(carts) >= 2 and expired >= limits.hoard_holds:
            findings.append(_hoarding(drop, f"email:{digest(email)}", f"{email} let {_plural(expired, 'hold')} across {len(carts)} carts"))
    return findings


def _hoarding(drop: Drop, who_key: str, what: str) -> Finding:
    return Finding(
        drop.tenant_id, Kind.HOLD_HOARDING, Severity.WARNING, f"hoard:drop:{drop.id}:{who_key}",
        f"{what} expire without checkout in {drop.title}.", LinkKind.DROP, drop.id, drop_id=drop.id,
    )


def _emails_of_carts(session: Session, carts: list[str]) -> dict[str, set[str]]:
    """Carts are anonymous; an order ties a cart to an email."""
    by_email: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(carts), _CHUNK):
        rows = session.execute(
            select(Order.email, Order.cart_token).where(Order.cart_token.in_(carts[start:start + _CHUNK])).distinct()
        ).all()
        for email, cart in rows:
            by_email[email].add(cart)
    return by_email


# -- order velocity and converging carts -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentOrder:
    order_id: int
    sub_order_id: int
    cart: str
    address: str  # normalised; empty for pickups
    shown_address: str


def normalise_address(address: str, postcode: str) -> str:
    """"12 High St" and "12  high st." at the same postcode are one address."""
    words = re.sub(r"[^a-z0-9]+", " ", address.lower()).strip()
    return f"{words}|{re.sub(r'[^A-Z0-9]', '', postcode.upper())}" if words else ""


def order_velocity(session: Session, tenant_id: int, limits: Thresholds, now: datetime) -> list[Finding]:
    """Many of this brand's orders from one email, one IP or one delivery address within the window."""
    since = now - timedelta(minutes=limits.fraud_window_minutes)
    window = f"in the last {limits.fraud_window_minutes} min"
    findings = []
    for column, label in ((Order.email, "email"), (Order.ip_address, "ip")):
        rows = session.execute(
            select(column, func.count(SubOrder.id), func.max(SubOrder.id))
            .join(SubOrder, SubOrder.order_id == Order.id)
            .where(SubOrder.tenant_id == tenant_id, Order.created_at >= since, column.not_in(NO_IP))
            .group_by(column)
            .having(func.count(SubOrder.id) >= limits.velocity_orders)
        ).all()
        for value, count, latest in rows:
            key = digest(value) if label == "email" else value
            who = value if label == "email" else f"IP {value}"
            findings.append(_velocity(tenant_id, f"{label}:{key}", f"{_plural(count, 'order')} from {who} {window}.", latest))
    for address, orders in sorted(_by_address(recent_deliveries(session, tenant_id, since)).items()):
        if len(orders) >= limits.velocity_orders:
            latest = max(o.sub_order_id for o in orders)
            message = f"{_plural(len(orders), 'order')} to {orders[0].shown_address} {window}."
            findings.append(_velocity(tenant_id, f"address:{digest(address)}", message, latest))
    return findings


def _velocity(tenant_id: int, who_key: str, message: str, sub_order_id: int) -> Finding:
    return Finding(
        tenant_id, Kind.ORDER_VELOCITY, Severity.SEVERE, f"velocity:{who_key}", message, LinkKind.SUB_ORDER, sub_order_id
    )


def converging_carts(session: Session, tenant_id: int, limits: Thresholds, now: datetime) -> list[Finding]:
    """Different carts (shoppers who look unrelated) all sending this brand's orders to one delivery address."""
    since = now - timedelta(minutes=limits.fraud_window_minutes)
    findings = []
    for address, orders in sorted(_by_address(recent_deliveries(session, tenant_id, since)).items()):
        carts = {o.cart for o in orders}
        if len(carts) < limits.converging_carts:
            continue
        message = (
            f"{len(carts)} different carts ordered to {orders[0].shown_address} "
            f"in the last {limits.fraud_window_minutes} min."
        )
        findings.append(
            Finding(
                tenant_id, Kind.CONVERGING_ADDRESS, Severity.SEVERE, f"converging:address:{digest(address)}", message,
                LinkKind.SUB_ORDER, max(o.sub_order_id for o in orders),
            )
        )
    return findings


def recent_deliveries(session: Session, tenant_id: int, since: datetime) -> list[RecentOrder]:
    rows = session.execute(
        select(Order.id, SubOrder.id, Order.cart_token, Order.delivery_address, Order.postcode)
        .join(SubOrder, SubOrder.order_id == Order.id)
        .where(SubOrder.tenant_id == tenant_id, Order.created_at >= since, Order.fulfilment == "delivery")
        .order_by(Order.id)
    ).all()
    return [
        RecentOrder(order_id, sub_id, cart, normalise_address(address, postcode), _shown(address, postcode))
        for order_id, sub_id, cart, address, postcode in rows
    ]


def _shown(address: str, postcode: str) -> str:
    first_line = " ".join(address.split())[:80]
    return f"{first_line} ({postcode})" if postcode else first_line


def _by_address(orders: list[RecentOrder]) -> dict[str, list[RecentOrder]]:
    return grouped_by(orders, lambda order: order.address)


def grouped_by(rows: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    """Rows that share a key (a normalised address, an IP), in order; a row whose key is empty or no IP is in none.

    The orders' checks here and the draw's flags (mall/draw) group by the same rule."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for row in rows:
        value = key(row)
        if value and value not in NO_IP:
            grouped[value].append(row)
    return grouped
