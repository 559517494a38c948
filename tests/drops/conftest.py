"""Drops tests reuse the catalog fixtures and add a form builder."""

from datetime import timedelta

import pytest

from mall.clock import utcnow
from tests.catalog.conftest import as_role, brand, hubs, owner, signed_in  # noqa: F401

FORMAT = "%Y-%m-%dT%H:%M"


def soon(**delta):
    """A whole minute in the future (UTC = the mall's default timezone)."""
    return (utcnow() + timedelta(**delta)).replace(second=0, microsecond=0)


def drop_form(variants, starts=None, ends=None, tiers=((0, 20, 30), (20, None, 15)), **fields):
    starts = starts or soon(days=1)
    ends = ends or starts + timedelta(hours=2)
    data = {
        "title": "Midnight tee drop",
        "description": "Only 50 made.",
        "hero_variants": [str(v.id) for v in variants],
        "starts_at": starts.strftime(FORMAT),
        "ends_at": ends.strftime(FORMAT),
        "hold_minutes": "10",
        "per_shopper_limit": "2",
        "fallback_variant": "",
    }
    for i, (start, until, percent) in enumerate(tiers):
        data[f"tiers-{i}-from_minute"] = "" if start is None else str(start)
        data[f"tiers-{i}-until_minute"] = "" if until is None else str(until)
        data[f"tiers-{i}-percent_off"] = "" if percent is None else str(percent)
    data.update(fields)
    return data


@pytest.fixture
def tee(make, brand):
    """A hero-ready variant with stock at one hub."""
    product = make.product(brand, name="Heavy tee", variants=0)
    return make.variant(product, sku="TEE-BLK-M", name="Black, M", price_cents=2000)


@pytest.fixture
def stocked_tee(tee, make, hubs):
    make.stock(tee, hubs[0], 10)
    return tee
