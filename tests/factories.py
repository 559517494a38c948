"""`make`: builds committed rows for a test, the way the product would."""

import itertools
from datetime import time, timedelta
from functools import lru_cache

import pytest

from mall.accounts.models import User
from mall.accounts.passwords import hash_password
from mall.catalog.models import Product, Variant
from mall.clock import utcnow
from mall.drops.models import Drop, DropItem, DropStatus, PriceTier
from mall.extensions import db
from mall.hubs.models import Hub
from mall.stock.models import StockLevel
from tenants.models import Membership, Tenant

PASSWORD = "correct horse battery"


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    return hash_password(password)


class Factory:
    def __init__(self):
        self._seq = itertools.count(1)

    def _n(self) -> int:
        return next(self._seq)

    def _save(self, row):
        db.session.add(row)
        db.session.commit()
        return row

    def user(self, email=None, password=PASSWORD, name=None, operator=False, creator=False) -> User:
        n = self._n()
        return self._save(
            User(
                email=(email or f"user{n}@example.test").lower(),
                name=name or f"User {n}",
                password_hash=_hash(password),
                is_operator=operator,
                is_creator=creator,
            )
        )

    def brand(self, owner=None, slug=None, name=None, **fields) -> Tenant:
        n = self._n()
        tenant = self._save(Tenant(slug=slug or f"brand-{n}", name=name or f"Brand {n}", **fields))
        if owner is not None:
            self.member(tenant, owner, role="owner")
        return tenant

    def member(self, tenant, user=None, role="support") -> User:
        user = user or self.user()
        self._save(Membership(tenant_id=tenant.id, user_id=user.id, role=role))
        return user

    def hub(self, code=None, kind="micro_hub", **fields) -> Hub:
        n = self._n()
        values = dict(
            code=code or f"HUB{n}",
            name=f"Hub {n}",
            kind=kind,
            address=f"{n} Market Street",
            latitude=51.5 + n / 1000,
            longitude=-0.12 + n / 1000,
            throughput_per_hour=60,
            opens_at=time(8, 0),
            closes_at=time(22, 0),
        )
        values.update(fields)
        return self._save(Hub(**values))

    def product(self, tenant, name=None, price_cents=2500, variants=1) -> Product:
        n = self._n()
        product = self._save(Product(tenant_id=tenant.id, name=name or f"Product {n}", description="Limited run."))
        for i in range(variants):
            self.variant(product, sku=f"SKU-{n}-{i + 1}", price_cents=price_cents)
        db.session.refresh(product)
        return product

    def variant(self, product, sku=None, price_cents=2500, name="") -> Variant:
        return self._save(
            Variant(
                tenant_id=product.tenant_id,
                product_id=product.id,
                sku=sku or f"SKU-{self._n()}",
                name=name,
                price_cents=price_cents,
            )
        )

    def stock(self, variant, hub, on_hand) -> StockLevel:
        return self._save(StockLevel(tenant_id=variant.tenant_id, variant_id=variant.id, hub_id=hub.id, on_hand=on_hand))

    def drop(
        self,
        tenant,
        variants,
        starts_in=timedelta(minutes=-5),
        lasts=timedelta(hours=1),
        status=DropStatus.SCHEDULED,
        tiers=((0, 20, 30), (20, None, 15)),
        hold_minutes=10,
        limit=2,
        title=None,
    ) -> Drop:
        starts = utcnow().replace(microsecond=0) + starts_in
        drop = Drop(
            tenant_id=tenant.id,
            title=title or f"Drop {self._n()}",
            description="A short, limited drop.",
            starts_at=starts,
            ends_at=starts + lasts,
            hold_minutes=hold_minutes,
            per_shopper_limit=limit,
            status=str(status),
        )
        self._save(drop)
        for position, variant in enumerate(variants):
            db.session.add(DropItem(tenant_id=tenant.id, drop_id=drop.id, variant_id=variant.id, position=position))
        for start, until, percent in tiers:
            db.session.add(
                PriceTier(tenant_id=tenant.id, drop_id=drop.id, from_minute=start, until_minute=until, percent_off=percent)
            )
        db.session.commit()
        db.session.refresh(drop)
        return drop


@pytest.fixture
def make(app_ctx) -> Factory:
    return Factory()
