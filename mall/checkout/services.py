"""Checkout: holds become sold units exactly once, inside one database transaction."""

import hashlib
import json
import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mall.catalog.models import Variant
from mall.drops.models import Drop
from mall.fulfilment import placement
from mall.links.attribution import credit_order
from mall.orders.models import Order, OrderLine, PaymentState, ShopperDropUnits, SubOrder
from mall.outbox.delivery import queue_delivery
from mall.waitlist.services import offers_bought
from mall.draw.drawing import wins_bought
from mall.outbox.models import OutboxEmail
from mall.payments.brand_money import record_order_shares
from mall.payments.offer import offered_providers
from mall.payments.windows import open_payment_window
from mall.stock import ledger
from mall.stock.engine import StockEngine


class CheckoutError(Exception):
    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class CheckoutDetails:
    name: str
    email: str
    fulfilment: str
    pickup_hub_id: int | None
    delivery_address: str
    postcode: str
    payment_provider: str

    def fingerprint(self, hold_ids: list[str]) -> str:
        body = json.dumps({**asdict(self), "holds": sorted(hold_ids)}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


def place_order(
    session: Session,
    engine: StockEngine,
    cart: str,
    key: str,
    details: CheckoutDetails,
    hold_ids: list[str],
    ip: str = "",
    attributed_link_id: int | None = None,
) -> Order:
    """Exactly one order per idempotency key, whatever the retries or double clicks."""
    fingerprint = details.fingerprint(hold_ids)
    existing = session.scalar(select(Order).where(Order.idempotency_key == key))
    if existing is not None:
        return _replayed(existing, fingerprint)
    if not hold_ids:
        raise CheckoutError("Your cart is empty.")
    holds = {h.id: h for h in engine.cart_holds(cart) if h.id in hold_ids}
    plan = placement.route_holds(session, engine, cart, details, [holds[i] for i in hold_ids if i in holds])
    if engine.claim(cart, key, hold_ids):
        # A duplicate submit may have just finished this very checkout: replay it rather than refuse.
        session.rollback()
        existing = session.scalar(select(Order).where(Order.idempotency_key == key))
        if existing is not None:
            return _replayed(existing, fingerprint)
        raise CheckoutError("Some of your holds expired before checkout. Please review your cart.", 409)
    holds.update({h.id: h for h in engine.cart_holds(cart) if h.id in hold_ids})
    try:
        claimed = [holds[i] for i in hold_ids]
        order = _write_order(session, key, fingerprint, cart, details, claimed, ip, attributed_link_id)
        if order.payment_state == PaymentState.AWAITING_PAYMENT:
            # Paid by card: the holds stay claimed through the payment window; units are sold when it succeeds.
            open_payment_window(session, order, key, hold_ids)
            session.commit()
            return order
        if attributed_link_id is not None:
            credit_order(session, order.id)
        record_order_shares(session, order)
        parcel_ids = placement.create_parcels(session, order, plan)
        offers_bought(session, hold_ids)  # a waitlist offer among the holds is bought with the order
        wins_bought(session, hold_ids)  # so is a draw's win
        _sell_units(session, claimed)  # last before commit: the stock rows stay locked for as short as possible
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(select(Order).where(Order.idempotency_key == key))
        if existing is None:
            engine.unclaim(key, hold_ids)
            raise CheckoutError("Your order could not be placed. Please try again.", 409)
        return _replayed(existing, fingerprint)
    except CheckoutError:
        session.rollback()
        engine.unclaim(key, hold_ids)
        raise
    engine.finalize(key, hold_ids)
    placement.parcels_placed(parcel_ids)
    queue_delivery(_confirmation_key(order))
    return order


def _replayed(order: Order, fingerprint: str) -> Order:
    if order.request_fingerprint != fingerprint:
        raise CheckoutError("This checkout was already submitted with different details.", 409)
    return order


def _write_order(session, key, fingerprint, cart, details, holds, ip, attributed_link_id=None) -> Order:
    provider = next((p for p in offered_providers(session) if p.code == details.payment_provider), None)
    if provider is None:
        raise CheckoutError("Choose a way to pay.")
    variants = {
        v.id: v
        for v in session.scalars(
            select(Variant).where(Variant.id.in_({h.variant_id for h in holds})).execution_options(all_tenants=True)
        )
    }
    total = sum(h.price_cents * h.quantity for h in holds)
    order = Order(
        number=_order_number(),
        tracking_token=secrets.token_urlsafe(24),
        idempotency_key=key,
        request_fingerprint=fingerprint,
        cart_token=cart,
        shopper_name=details.name,
        email=details.email.lower(),
        fulfilment=details.fulfilment,
        pickup_hub_id=details.pickup_hub_id if details.fulfilment == "pickup" else None,
        delivery_address=details.delivery_address if details.fulfilment == "delivery" else "",
        postcode=details.postcode,
        payment_provider=provider.code,
        payment_state=(PaymentState.AWAITING_PAYMENT if provider.takes_payment_first else PaymentState.DUE_ON_HANDOVER).value,
        total_cents=total,
        ip_address=ip[:45],
        creator_link_id=attributed_link_id,  # place_order credits the creator per brand (mall/links/attribution)
    )
    session.add(order)
    session.flush()  # the unique idempotency key settles a duplicate checkout here, before any stock moves
    by_brand = defaultdict(list)
    for hold in holds:
        by_brand[variants[hold.variant_id].tenant_id].append(hold)
    for tenant_id, brand_holds in sorted(by_brand.items()):
        sub = SubOrder(order_id=order.id, tenant_id=tenant_id, subtotal_cents=sum(h.price_cents * h.quantity for h in brand_holds))
        session.add(sub)
        session.flush()
        for hold in brand_holds:
            session.add(
                OrderLine(
                    tenant_id=tenant_id,
                    sub_order_id=sub.id,
                    drop_id=hold.drop_id,
                    variant_id=hold.variant_id,
                    hub_id=hold.hub_id,
                    quantity=hold.quantity,
                    unit_price_cents=hold.price_cents,
                )
            )
    _count_towards_limits(session, holds, cart, order.email)
    if not provider.takes_payment_first:
        session.add(_confirmation_email(order))
    session.flush()
    return order


def confirm_paid_order(session: Session, order: Order) -> list[int]:
    """A card payment succeeded: the order's units become sold, in the caller's transaction with the payment's
    success. Raises CheckoutError when the database no longer has the units. Returns the new parcels' ids."""
    lines = _active_lines(session, order)
    _sell_units(session, lines)
    if order.creator_link_id is not None:
        credit_order(session, order.id)
    record_order_shares(session, order)
    parcel_ids = placement.create_parcels(session, order, None)  # the holds were routed before payment
    session.add(_confirmation_email(order))
    session.flush()
    return parcel_ids


def order_confirmed(order: Order, parcel_ids: list[int]) -> None:
    """After the commit that confirmed a card order: ETAs and the confirmation email go out."""
    placement.parcels_placed(parcel_ids)
    queue_delivery(_confirmation_key(order))


def count_again_towards_limits(session: Session, order: Order) -> None:
    """A payment that succeeds after its window closed counts its units again (CheckoutError past a limit)."""
    _count_towards_limits(session, _active_lines(session, order), order.cart_token, order.email)


def uncount_towards_limits(session: Session, order: Order) -> None:
    """An order that was never paid: its units stop counting against the shopper's per-drop limits."""
    per_drop: dict[int, int] = defaultdict(int)
    for line in _active_lines(session, order):
        per_drop[line.drop_id] += line.quantity
    for drop_id, units in per_drop.items():
        for shopper_key in (f"cart:{order.cart_token}", f"email:{order.email}"):
            session.execute(
                update(ShopperDropUnits)
                .where(
                    ShopperDropUnits.drop_id == drop_id,
                    ShopperDropUnits.shopper_key == shopper_key,
                    ShopperDropUnits.units >= units,
                )
                .values(units=ShopperDropUnits.units - units)
                .execution_options(synchronize_session=False)
            )


def _active_lines(session: Session, order: Order) -> list[OrderLine]:
    return list(
        session.scalars(
            select(OrderLine)
            .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
            .where(SubOrder.order_id == order.id, OrderLine.status == "active")
            .order_by(OrderLine.id)
            .execution_options(all_tenants=True)
        )
    )


def _sell_units(session: Session, holds) -> None:
    """Held units become sold units in the database, the guard that makes overselling impossible."""
    units: dict[tuple[int, int], int] = defaultdict(int)
    for hold in holds:
        units[(hold.variant_id, hold.hub_id)] += hold.quantity
    sold_out = ledger.record_sales(session, units)
    if sold_out is not None:
        sku = session.scalar(select(Variant.sku).where(Variant.id == sold_out[0]).execution_options(all_tenants=True))
        raise CheckoutError(f"{sku} just sold out. Please review your cart.", 409)


def _count_towards_limits(session: Session, holds, cart: str, email: str) -> None:
    """Per-shopper limits hold in the database too, by cart and by email, whatever Redis says."""
    per_drop: dict[int, int] = defaultdict(int)
    for hold in holds:
        per_drop[hold.drop_id] += hold.quantity
    limits = dict(
        session.execute(select(Drop.id, Drop.per_shopper_limit).where(Drop.id.in_(per_drop)).execution_options(all_tenants=True)).all()
    )
    for drop_id, units in per_drop.items():
        for shopper_key in (f"cart:{cart}", f"email:{email}"):
            if not _add_units(session, drop_id, shopper_key, units, limits[drop_id]):
                raise CheckoutError("That would take you past this drop's limit per shopper.", 409)


def _add_units(session: Session, drop_id: int, shopper_key: str, units: int, cap: int) -> bool:
    changed = session.execute(
        update(ShopperDropUnits)
        .where(
            ShopperDropUnits.drop_id == drop_id,
            ShopperDropUnits.shopper_key == shopper_key,
            ShopperDropUnits.units + units <= ShopperDropUnits.cap,
        )
        .values(units=ShopperDropUnits.units + units)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        return True
    exists = session.scalar(
        select(ShopperDropUnits.id).where(ShopperDropUnits.drop_id == drop_id, ShopperDropUnits.shopper_key == shopper_key)
    )
    if exists or units > cap:
        return False
    session.add(ShopperDropUnits(drop_id=drop_id, shopper_key=shopper_key, units=units, cap=cap))
    session.flush()
    return True


def _confirmation_email(order: Order) -> OutboxEmail:
    from flask import render_template  # the email is the one part of checkout that needs the web app

    from mall.urls import external_url

    link = external_url("checkout.track", token=order.tracking_token)
    return OutboxEmail(
        to_address=order.email,
        subject=f"Your Flashmall order {order.number}",
        body=render_template("checkout/email_confirmation.txt", order=order, link=link),
        dedupe_key=_confirmation_key(order),
    )


def _confirmation_key(order: Order) -> str:
    return f"order-confirmation:{order.number}"


def _order_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "FM-" + "".join(secrets.choice(alphabet) for _ in range(8))
