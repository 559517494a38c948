from datetime import timedelta

import pytest

from mall.checkout.services import CheckoutDetails


@pytest.fixture
def two_brand_mall(make):
    """Two live drops from two brands, stock at one micro-hub, and a pickup point."""
    hub = make.hub(kind="micro_hub", code="HUB-A")
    pickup = make.hub(kind="pickup_point", code="PICK-1", name="Camden pickup")
    brands, drops, variants = [], [], []
    for name, price in (("North Knits", 4_000), ("Sole Club", 9_000)):
        brand = make.brand(name=name)
        variant = make.product(brand, name=f"{name} hero", price_cents=price).variants[0]
        make.stock(variant, hub, 5)
        drops.append(make.drop(brand, [variant], starts_in=timedelta(minutes=-1), limit=3))
        brands.append(brand)
        variants.append(variant)
    return {"hub": hub, "pickup": pickup, "brands": brands, "drops": drops, "variants": variants}


def pickup_details(pickup, email="ada@example.com") -> CheckoutDetails:
    return CheckoutDetails(
        name="Ada Shopper",
        email=email,
        fulfilment="pickup",
        pickup_hub_id=pickup.id,
        delivery_address="",
        postcode="",
        payment_provider="pay_on_handover",
    )
