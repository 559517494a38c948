"""The demo's history on top of its catalogue: past orders, parcels, support threads, a creator's links and
clicks, then what the workers would have made of them by now (reports, SLA marks, alerts). Each part is
written once; a later seed finds it there and leaves it alone."""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select

from mall.accounts.models import User
from mall.alerts.evaluate import evaluate_everything
from mall.alerts.models import Alert
from mall.demo.creators import link_spec, make_link, seed_programme
from mall.demo.desk import seed_threads
from mall.demo.history import play_past_drop
from mall.drops.models import Drop
from mall.drops.pricing import effective_status
from mall.extensions import db
from mall.fulfilment.models import Parcel, ParcelStatus
from mall.monitor.jobs import build_drop_report
from mall.orders.models import Order
from mall.stock.access import drop_activity, stock_engine
from mall.support.models import SupportThread
from mall.support.sla import mark_breaches
from tenants.models import Membership, Role, Tenant

SUPPORT_BRAND = "northbound-coffee"


def seed_lived_in(drops: list[Drop], now: datetime, creator_email: str) -> Iterator[str]:
    session, engine = db.session, stock_engine()
    creator = session.scalar(select(User).where(User.email == creator_email))
    tenants = {t.id: t for t in session.scalars(select(Tenant))}
    seed_programme(session, creator)
    past = [d for d in drops if str(effective_status(d, now)) == "ended"]
    for drop in past:
        tenant, start = tenants[drop.tenant_id], drop.starts_at
        on_open = None
        if link_spec(drop, tenant.slug) is not None:
            def on_open(open_drop, tenant=tenant, start=start):
                return make_link(session, creator, tenant, open_drop, start)
        play_past_drop(session, engine, drop, on_open=on_open)
    for drop in drops:
        if drop not in past and link_spec(drop, tenants[drop.tenant_id].slug) is not None:
            make_link(session, creator, tenants[drop.tenant_id], drop, now)
    for tenant in tenants.values():
        if link_spec(None, tenant.slug) is not None:
            first = min((d.starts_at for d in past if d.tenant_id == tenant.id), default=now)
            make_link(session, creator, tenant, None, first)
    brand = next(t for t in tenants.values() if t.slug == SUPPORT_BRAND)
    seed_threads(session, brand, _support_agent(brand))
    for drop in past:
        build_drop_report(drop.tenant_id, drop.id)
    mark_breaches(session, now)
    evaluate_everything(session, engine, drop_activity(), now)
    yield from _history_summary()


def _support_agent(brand: Tenant) -> User:
    return db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == brand.id, Membership.role == Role.SUPPORT.value)
    )


def _history_summary() -> Iterator[str]:
    count = lambda query: db.session.scalar(query)  # noqa: E731
    orders = count(select(func.count()).select_from(Order))
    handed = count(select(func.count()).where(Parcel.status == ParcelStatus.HANDED_OVER.value))
    late = count(select(func.count()).where(Parcel.eta_error_minutes > 0))
    threads = count(select(func.count()).select_from(SupportThread))
    alerts = count(select(func.count()).where(Alert.open_key.is_not(None)))
    yield f"  {orders} orders in past drops; {handed} parcels handed over ({late} late); {threads} support threads"
    yield f"  a creator with links, clicks and commissions; post-drop reports; {alerts} open alerts"
