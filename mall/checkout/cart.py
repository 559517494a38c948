"""What the shopper's cart shows: holds joined to items, drops, brands and hubs."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mall.catalog.models import Product, Variant
from mall.clock import utcnow
from mall.drops.selling import ItemSell, line_sell_states
from mall.drops.models import Drop
from mall.extensions import db
from mall.hubs.models import Hub
from mall.stock.engine import ExpiredLine, Hold, StockEngine


@dataclass
class CartLine:
    hold: Hold
    variant: Variant
    drop: Drop
    hub: Hub

    @property
    def total_cents(self) -> int:
        return self.hold.price_cents * self.hold.quantity


@dataclass
class ExpiredCartLine:
    line: ExpiredLine
    variant: Variant
    drop: Drop
    sell: ItemSell  # the item now: "Hold again" only while it is live


@dataclass
class CartView:
    lines: list[CartLine]
    expired: list[ExpiredCartLine]

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def by_brand(self):
        groups: dict[int, list[CartLine]] = {}
        for line in self.lines:
            groups.setdefault(line.variant.tenant_id, []).append(line)
        return [(lines[0].drop.tenant, lines) for lines in groups.values()]

    @property
    def hold_ids(self) -> str:
        return ",".join(line.hold.id for line in self.lines)


def load_cart(engine: StockEngine, token: str | None) -> CartView:
    if not token:
        return CartView([], [])
    holds = [h for h in engine.cart_holds(token) if h.state == "active"]
    expired = engine.expired_lines(token)
    variant_ids = {h.variant_id for h in holds} | {e.variant_id for e in expired}
    drop_ids = {h.drop_id for h in holds} | {e.drop_id for e in expired}
    variants = {
        v.id: v
        for v in db.session.scalars(
            select(Variant).where(Variant.id.in_(variant_ids)).options(selectinload(Variant.product).selectinload(Product.image), selectinload(Variant.image))
        )
    } if variant_ids else {}
    drops = {d.id: d for d in db.session.scalars(select(Drop).where(Drop.id.in_(drop_ids)))} if drop_ids else {}
    hubs = {h.id: h for h in db.session.scalars(select(Hub).where(Hub.id.in_({h.hub_id for h in holds})))} if holds else {}
    lines = [
        CartLine(h, variants[h.variant_id], drops[h.drop_id], hubs[h.hub_id])
        for h in holds
        if h.variant_id in variants and h.drop_id in drops
    ]
    expired = [e for e in expired if e.variant_id in variants and e.drop_id in drops]
    now_selling = line_sell_states(db.session, engine, [(drops[e.drop_id], e.variant_id) for e in expired], utcnow())
    gone = [
        ExpiredCartLine(e, variants[e.variant_id], drops[e.drop_id], now_selling[(e.drop_id, e.variant_id)])
        for e in expired
    ]
    return CartView(lines, gone)


@dataclass(frozen=True)
class CartSummary:
    """What the sticky cart bar shows: units held and when the first hold runs out (epoch ms)."""

    items: int
    first_expiry_ms: int | None


def cart_summary(engine: StockEngine, token: str | None) -> CartSummary:
    holds = [h for h in engine.cart_holds(token) if h.state == "active"] if token else []
    return CartSummary(sum(h.quantity for h in holds), min((h.expires_ms for h in holds), default=None))
