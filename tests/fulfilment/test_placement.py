"""Checkout routes the order: holds move to the chosen hubs, parcels are written with the order."""

from sqlalchemy import func, select

from mall.extensions import db, redis_client
from mall.fulfilment import placement
from mall.fulfilment.geo import LONDON_OUTWARD_CODES
from mall.fulfilment.jobs import commit_parcel_etas
from mall.fulfilment.models import ParcelItem
from mall.jobs.queues import get_queue
from mall.orders.models import OrderLine
from mall.stock import ledger
from mall.stock.replies import HoldOutcome
from mall.stock.models import StockLevel
from tests.fulfilment.conftest import checkout, delivery_to, hold, live_drops, parcels_of, pickup_at


def _sold(variant, hub) -> int:
    db.session.expire_all()
    return db.session.scalar(select(StockLevel.sold).where(StockLevel.variant_id == variant.id, StockLevel.hub_id == hub.id))


def _line_hubs(order) -> set[int]:
    db.session.expire_all()
    return {line.hub_id for sub in order.sub_orders for line in sub.lines}


def test_two_brands_at_one_hub_become_one_parcel_for_the_chosen_pickup_point(two_brand_order, hubs, brands):
    [parcel] = parcels_of(two_brand_order)

    assert (parcel.hub_id, parcel.kind, parcel.pickup_hub_id, parcel.status) == (
        hubs["soho"].id, "pickup", hubs["camden"].id, "routed"
    )
    assert sorted(i.tenant_id for i in parcel.items) == sorted(r["brand"].id for r in brands.values())
    assert parcel.planned_at is not None and parcel.committed_eta is None  # a worker commits the ETA


def test_placing_an_order_queues_the_eta_job_with_the_parcel_ids(two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    jobs = get_queue("high", redis_client()).jobs

    eta_jobs = [j for j in jobs if j.func_name == "mall.fulfilment.jobs.commit_parcel_etas"]
    assert [j.args[0] for j in eta_jobs] == [[parcel.id]]
    assert eta_jobs[0].retries_left == 3


def test_a_hold_moves_so_a_two_brand_order_ships_as_one_parcel(make, engine, hubs, brands):
    knits, shoes = brands["knits"], brands["shoes"]
    make.stock(knits["variant"], hubs["soho"], 3)  # the knit is held here first (lowest hub id)...
    make.stock(knits["variant"], hubs["east"], 3)
    make.stock(shoes["variant"], hubs["east"], 3)  # ...but the shoes are only in Shoreditch
    live_drops(make, brands)
    holds = [hold(engine, knits), hold(engine, shoes)]
    assert holds[0].hub_id == hubs["soho"].id

    order = checkout(engine, holds, delivery_to("EC2A 3AY"))

    [parcel] = parcels_of(order)
    assert parcel.hub_id == hubs["east"].id and len(parcel.items) == 2
    assert _line_hubs(order) == {hubs["east"].id}
    assert (_sold(knits["variant"], hubs["soho"]), _sold(knits["variant"], hubs["east"])) == (0, 1)
    assert engine.availability(knits["variant"].id, [hubs["soho"].id]) == {hubs["soho"].id: 3}
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))


def test_a_refused_move_keeps_the_hold_where_it_is_and_the_order_still_goes_through(make, engine, hubs, brands, monkeypatch):
    knits, shoes = brands["knits"], brands["shoes"]
    make.stock(knits["variant"], hubs["soho"], 3)
    make.stock(knits["variant"], hubs["east"], 3)
    make.stock(shoes["variant"], hubs["east"], 3)
    live_drops(make, brands)
    holds = [hold(engine, knits), hold(engine, shoes)]
    monkeypatch.setattr(type(engine), "move_hold", lambda *a, **k: HoldOutcome(False, "sold_out"))

    order = checkout(engine, holds, delivery_to("EC2A 3AY"))

    assert [p.hub_id for p in parcels_of(order)] == [hubs["soho"].id, hubs["east"].id]
    assert _sold(knits["variant"], hubs["soho"]) == 1
    assert all(row.ok for row in ledger.check_invariant(db.session, engine.redis))


def test_a_router_failure_never_fails_the_checkout(make, engine, hubs, brands, monkeypatch):
    for row in brands.values():
        make.stock(row["variant"], hubs["soho"], 2)
    live_drops(make, brands)
    holds = [hold(engine, brands["knits"]), hold(engine, brands["shoes"])]

    def broken(*args, **kwargs):
        raise RuntimeError("router down")

    monkeypatch.setattr(placement, "route_order", broken)
    order = checkout(engine, holds, pickup_at(hubs["camden"]))

    [parcel] = parcels_of(order)
    assert parcel.hub_id == hubs["soho"].id and parcel.planned_at is None
    assert db.session.scalar(select(func.count(OrderLine.id)).execution_options(all_tenants=True)) == 2


def test_stock_only_in_the_reserve_is_transferred_to_the_pickup_point(make, engine, hubs, brands, quick_transfers):
    for row in brands.values():
        make.stock(row["variant"], hubs["reserve"], 4)
    live_drops(make, brands)
    holds = [hold(engine, brands["knits"]), hold(engine, brands["shoes"])]

    order = checkout(engine, holds, pickup_at(hubs["camden"]))

    [parcel] = parcels_of(order)
    assert parcel.hub_id == hubs["camden"].id
    assert {(i.source_hub_id, i.is_transfer) for i in parcel.items} == {(hubs["reserve"].id, True)}
    assert _line_hubs(order) == {hubs["reserve"].id}  # sold from the reserve's books
    assert _sold(brands["knits"]["variant"], hubs["reserve"]) == 1


def test_the_reserve_packs_a_pickup_itself_when_a_transfer_would_be_slower(make, engine, hubs, brands):
    for row in brands.values():
        make.stock(row["variant"], hubs["reserve"], 4)
    live_drops(make, brands)
    holds = [hold(engine, brands["knits"]), hold(engine, brands["shoes"])]

    order = checkout(engine, holds, pickup_at(hubs["camden"]))  # a 2-hour transfer against a 67-minute run

    [parcel] = parcels_of(order)
    assert (parcel.hub_id, parcel.pickup_hub_id) == (hubs["reserve"].id, hubs["camden"].id)
    assert not any(i.is_transfer for i in parcel.items)


def test_a_delivery_goes_to_the_postcode_district_and_gets_a_committed_eta(make, engine, hubs, brands):
    make.stock(brands["knits"]["variant"], hubs["soho"], 2)
    live_drops(make, brands)
    order = checkout(engine, [hold(engine, brands["knits"])], delivery_to("e14 5ab"))
    [parcel] = parcels_of(order)
    assert (parcel.kind, parcel.pickup_hub_id) == ("delivery", None)
    assert (parcel.destination_lat, parcel.destination_lon) == LONDON_OUTWARD_CODES["E14"]

    assert commit_parcel_etas([parcel.id]) == 1

    [parcel] = parcels_of(order)
    assert parcel.committed_eta == parcel.eta and parcel.eta > parcel.created_at
    assert [c.reason for c in parcel.eta_changes] == ["Committed when your order was placed"]


def test_every_order_line_is_in_exactly_one_parcel(make, engine, hubs, brands):
    for row in brands.values():
        make.stock(row["variant"], hubs["soho"], 1)
        make.stock(row["variant"], hubs["east"], 1)
    live_drops(make, brands)
    holds = [hold(engine, brands["knits"]), hold(engine, brands["shoes"])]
    order = checkout(engine, holds, delivery_to("SW1A 1AA"))
    db.session.expire_all()
    lines = {line.id for sub in order.sub_orders for line in sub.lines}
    items = db.session.scalars(select(ParcelItem.order_line_id).execution_options(all_tenants=True)).all()
    assert sorted(items) == sorted(lines)
