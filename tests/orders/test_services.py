"""The orders service: a brand finds only its own sub-orders, and a cancelled line's units go back on sale once."""

from mall.checkout.services import place_order
from mall.extensions import db
from mall.orders.models import LineStatus
from mall.orders.services import cancel_line, search_sub_orders
from mall.drops.stock import drop_availability
from tests.checkout.conftest import pickup_details, two_brand_mall  # noqa: F401 (a fixture)


def _order(engine, mall, cart: str, email: str, brand: int = 0):
    drop, variant = mall["drops"][brand], mall["variants"][brand]
    hold = engine.place_hold(drop.id, variant.id, cart, 1)
    details = pickup_details(mall["pickup"], email)
    return place_order(db.session, engine, cart, f"key-{cart:0>16}", details, [hold.hold_id])


def test_a_brand_searches_its_own_orders_by_email_number_and_line_status(engine, two_brand_mall):
    mall = two_brand_mall
    north, sole = (brand.id for brand in mall["brands"])
    ada = _order(engine, mall, "cart-ada", "ada@example.com")
    bob = _order(engine, mall, "cart-bob", "bob@example.com")
    _order(engine, mall, "cart-cy", "ada@example.com", brand=1)  # Ada at the other brand

    assert [s.order.number for s in search_sub_orders(db.session, north, "ada@")] == [ada.number]
    assert [s.order.number for s in search_sub_orders(db.session, north, bob.number)] == [bob.number]
    assert len(search_sub_orders(db.session, north)) == 2 and len(search_sub_orders(db.session, sole)) == 1

    line = bob.sub_orders[0].lines[0]
    assert cancel_line(db.session, engine, line)
    cancelled = search_sub_orders(db.session, north, status=LineStatus.CANCELLED.value)
    assert [s.order.number for s in cancelled] == [bob.number]


def test_a_cancelled_line_puts_its_units_back_on_sale_exactly_once(engine, two_brand_mall):
    mall = two_brand_mall
    drop = mall["drops"][0]
    line = _order(engine, mall, "cart-ada", "ada@example.com").sub_orders[0].lines[0]
    assert drop_availability(db.session, engine, drop.id).total.free == 4

    assert cancel_line(db.session, engine, line)
    assert not cancel_line(db.session, engine, line)

    stock = drop_availability(db.session, engine, drop.id).total
    assert (stock.free, stock.held, stock.sold) == (5, 0, 0)
