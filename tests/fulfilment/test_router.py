"""The router on hand-made networks whose best plan is known."""

import random
import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mall.fulfilment.router import Destination, HubState, LineRequest, Rules, plan_from_sources, route_order
from mall.fulfilment.timing import OpeningHours

UTC = ZoneInfo("UTC")
DAY = OpeningHours(time(8), time(22), UTC)
NOW = datetime(2026, 3, 2, 10, 0)  # a Monday, mid-morning: every hub is open
SHOPPER = (51.5150, -0.1000)
RULES = Rules(transfer_lead_minutes=120, delivery_speed_kmh=20, pickup_slack_minutes=30)


def hub(id, kind="micro_hub", at=(51.52, -0.10), throughput=60, queue=0, hours=DAY):
    return HubState(id, kind, at[0], at[1], throughput, queue, hours)


def line(key, variant, quantity=1, brand=0):
    return LineRequest(key, variant, quantity, brand)


THREE_BRANDS = [line("knit", 10, brand=1), line("shoe", 20, brand=2), line("cap", 30, brand=3)]


def deliver(lines, hubs, free, rules=RULES, now=NOW):
    return route_order(lines, Destination.delivery_to(*SHOPPER), hubs, free, now, rules)


def packers(plan):
    return {a.line_key: a.parcel_hub_id for a in plan.assignments}


def sources(plan):
    return {a.line_key: a.source_hub_id for a in plan.assignments}


def test_three_brands_all_stocked_at_one_hub_make_one_parcel_even_when_a_nearer_hub_has_some():
    near = hub(1, at=(51.5151, -0.1001))  # next door to the shopper, but only two of the three items
    far = hub(2, at=(51.54, -0.14))
    free = {(10, 1): 5, (20, 1): 5, (10, 2): 5, (20, 2): 5, (30, 2): 5}

    plan = deliver(THREE_BRANDS, [near, far], free)

    assert [p.hub_id for p in plan.parcels] == [2]
    assert plan.parcels[0].line_keys == ("knit", "shoe", "cap")
    assert packers(plan) == {"knit": 2, "shoe": 2, "cap": 2}
    assert not any(a.is_transfer for a in plan.assignments)


def test_fewest_parcels_wins_over_a_faster_split():
    quick_a, quick_b = hub(1, at=(51.515, -0.100)), hub(2, at=(51.516, -0.101))
    slow_all = hub(3, at=(51.53, -0.12), queue=90)  # an hour and a half of queue, but it has everything
    free = {(10, 1): 1, (20, 2): 1, (10, 3): 1, (20, 3): 1}

    plan = deliver(THREE_BRANDS[:2], [quick_a, quick_b, slow_all], free)

    assert [p.hub_id for p in plan.parcels] == [3]
    assert plan.handover_at > NOW + timedelta(minutes=90)


def test_stock_only_in_the_reserve_is_delivered_straight_from_it():
    reserve = hub(9, "central_reserve", at=(51.45, -0.30), throughput=200)
    micro = hub(1)
    free = {(10, 9): 3, (20, 9): 3, (30, 9): 3}

    plan = deliver(THREE_BRANDS, [micro, reserve], free)

    # Packing at the reserve beats waiting two hours for a transfer to the nearer micro-hub.
    assert [p.hub_id for p in plan.parcels] == [9]
    assert sources(plan) == {"knit": 9, "shoe": 9, "cap": 9}


def test_stock_only_in_the_reserve_for_a_pickup_is_packed_there_and_brought_to_the_point():
    reserve = hub(9, "central_reserve", at=(51.45, -0.30), throughput=200)
    point = hub(5, "pickup_point", at=(51.53, -0.11), throughput=30)
    free = {(10, 9): 3, (20, 9): 3, (30, 9): 3}

    plan = route_order(THREE_BRANDS, Destination.pickup_at(point), [hub(1), point, reserve], free, NOW, RULES)

    # A 47-minute run from the reserve beats the 2-hour transfer to the point by more than the slack.
    assert [p.hub_id for p in plan.parcels] == [9]
    assert NOW + timedelta(minutes=45) < plan.handover_at < NOW + timedelta(minutes=50)


def test_stock_only_in_the_reserve_for_a_pickup_is_pulled_to_the_point_when_that_is_as_quick():
    reserve = hub(9, "central_reserve", at=(51.45, -0.30), throughput=200)
    point = hub(5, "pickup_point", at=(51.53, -0.11), throughput=30)
    free = {(10, 9): 3, (20, 9): 3, (30, 9): 3}
    rules = Rules(transfer_lead_minutes=60, delivery_speed_kmh=20, pickup_slack_minutes=30)

    plan = route_order(THREE_BRANDS, Destination.pickup_at(point), [hub(1), point, reserve], free, NOW, rules)

    assert [p.hub_id for p in plan.parcels] == [5]
    assert all(a.source_hub_id == 9 and a.parcel_hub_id == 5 and a.is_transfer for a in plan.assignments)
    assert plan.handover_at == NOW + timedelta(minutes=60)  # the transfer's lead time, then ready at the point


def test_a_hub_over_capacity_loses_the_order_to_a_free_one():
    swamped = hub(1, at=(51.5151, -0.1001), throughput=20, queue=400)  # 20 hours of work queued
    free_hub = hub(2, at=(51.53, -0.13), throughput=60, queue=2)
    free = {(v, h): 5 for v in (10, 20, 30) for h in (1, 2)}

    plan = deliver(THREE_BRANDS, [swamped, free_hub], free)

    assert [p.hub_id for p in plan.parcels] == [2]
    assert plan.handover_at < NOW + timedelta(hours=1)


def test_a_pickup_point_without_stock_gets_a_parcel_packed_nearby_when_the_reserve_is_too_slow():
    point = hub(5, "pickup_point", at=(51.53, -0.11))
    micro = hub(1, at=(51.52, -0.10))
    reserve = hub(9, "central_reserve", at=(51.45, -0.30))
    free = {(v, h): 5 for v in (10, 20, 30) for h in (1, 9)}

    plan = route_order(THREE_BRANDS, Destination.pickup_at(point), [point, micro, reserve], free, NOW, RULES)

    assert [p.hub_id for p in plan.parcels] == [1]  # packed at the micro-hub, brought to the point
    assert sources(plan) == {"knit": 1, "shoe": 1, "cap": 1}
    assert plan.handover_at < NOW + timedelta(minutes=30)


def test_a_pickup_point_without_stock_pulls_from_the_reserve_when_that_still_meets_the_eta():
    point = hub(5, "pickup_point", at=(51.53, -0.11))
    micro = hub(1, at=(51.52, -0.10))
    reserve = hub(9, "central_reserve", at=(51.45, -0.30))
    free = {(v, h): 5 for v in (10, 20, 30) for h in (1, 9)}
    quick_transfers = Rules(transfer_lead_minutes=20, delivery_speed_kmh=20, pickup_slack_minutes=30)

    plan = route_order(THREE_BRANDS, Destination.pickup_at(point), [point, micro, reserve], free, NOW, quick_transfers)

    assert [p.hub_id for p in plan.parcels] == [5]
    assert sources(plan) == {"knit": 9, "shoe": 9, "cap": 9}


def test_a_pickup_point_with_the_stock_packs_it_itself():
    point = hub(5, "pickup_point", at=(51.53, -0.11), throughput=30)
    micro = hub(1, at=(51.52, -0.10))
    free = {(v, h): 5 for v in (10, 20, 30) for h in (1, 5)}

    plan = route_order(THREE_BRANDS, Destination.pickup_at(point), [point, micro], free, NOW, RULES)

    assert [p.hub_id for p in plan.parcels] == [5]
    assert plan.parcels[0].distance_km == 0


def test_the_reserve_tops_up_a_hub_so_the_order_stays_one_parcel():
    micro = hub(1, at=(51.515, -0.100))
    reserve = hub(9, "central_reserve", at=(51.45, -0.30))
    free = {(10, 1): 5, (20, 1): 5, (30, 9): 5}  # the cap is only in the reserve

    plan = deliver(THREE_BRANDS, [micro, reserve], free)

    assert len(plan.parcels) == 1
    assert sources(plan)["cap"] == 9 and packers(plan)["cap"] == plan.parcels[0].hub_id


def test_distance_breaks_a_tie_in_time():
    near, far = hub(1, at=(51.516, -0.101)), hub(2, at=(51.56, -0.20))
    free = {(10, 1): 1, (10, 2): 1}
    rules = Rules(delivery_speed_kmh=1e9)  # travel takes no time, so only distance differs

    plan = deliver([line("knit", 10)], [far, near], free, rules)

    assert [p.hub_id for p in plan.parcels] == [1]


def test_identical_hubs_tie_to_the_lowest_id_whatever_the_input_order():
    twins = [hub(i, at=(51.52, -0.10)) for i in (7, 3, 5)]
    free = {(v, h.id): 2 for v in (10, 20, 30) for h in twins}
    plans = set()
    for seed in range(6):
        shuffled = twins[:]
        random.Random(seed).shuffle(shuffled)
        plan = deliver(THREE_BRANDS, shuffled, dict(reversed(list(free.items()))))
        plans.add(tuple(sorted(packers(plan).items())))
    assert plans == {(("cap", 3), ("knit", 3), ("shoe", 3))}


def test_a_closed_hub_is_passed_over_for_one_that_is_open():
    late = OpeningHours(time(6), time(23, 30), UTC)
    closed_now = hub(1, at=(51.5151, -0.1001))
    open_late = hub(2, at=(51.53, -0.13), hours=late)
    free = {(10, 1): 1, (10, 2): 1}

    plan = deliver([line("knit", 10)], [closed_now, open_late], free, now=datetime(2026, 3, 2, 22, 30))

    assert [p.hub_id for p in plan.parcels] == [2]
    assert plan.parcels[0].ready_at == datetime(2026, 3, 2, 22, 31)


def test_a_line_no_single_hub_can_fill_is_split_and_a_line_nobody_stocks_is_reported():
    a, b = hub(1), hub(2, at=(51.53, -0.12))
    free = {(10, 1): 2, (10, 2): 1}

    plan = deliver([line("knit", 10, quantity=3), line("ghost", 99)], [a, b], free)

    assert sorted((x.source_hub_id, x.quantity) for x in plan.assignments) == [(1, 2), (2, 1)]
    assert len(plan.parcels) == 2
    assert plan.unrouted == ("ghost",)


def test_two_lines_of_one_variant_never_take_more_than_a_hub_has():
    a, b = hub(1, at=(51.5151, -0.1001)), hub(2, at=(51.53, -0.12))
    free = {(10, 1): 2, (10, 2): 2}

    plan = deliver([line("first", 10, 2), line("second", 10, 2)], [a, b], free)

    taken: dict[int, int] = {}
    for assignment in plan.assignments:
        taken[assignment.source_hub_id] = taken.get(assignment.source_hub_id, 0) + assignment.quantity
    assert all(taken[h] <= free[(10, h)] for h in taken)
    assert sum(taken.values()) == 4


def test_plans_from_fixed_sources_count_their_parcels():
    a, b = hub(1), hub(2, at=(51.53, -0.12))
    fixed = [(THREE_BRANDS[0], 1), (THREE_BRANDS[1], 2), (THREE_BRANDS[2], 2)]
    plan = plan_from_sources(fixed, Destination.delivery_to(*SHOPPER), [a, b], NOW)
    assert [p.hub_id for p in plan.parcels] == [1, 2]
    assert plan.parcels[1].line_keys == ("shoe", "cap")


@pytest.mark.parametrize("size", [1, 3, 5])
def test_routing_an_order_is_fast(size):
    hubs = [hub(i, at=(51.45 + i / 100, -0.25 + i / 80), queue=i) for i in range(1, 15)]
    hubs.append(hub(99, "central_reserve", at=(51.40, -0.35), throughput=300))
    rng = random.Random(size)
    free = {(v, h.id): rng.choice((0, 0, 1, 3)) for v in range(100) for h in hubs}
    lines = [line(f"l{i}", rng.randrange(100)) for i in range(size)]

    started = clock.perf_counter()
    for _ in range(50):
        deliver(lines, hubs, free)
    assert (clock.perf_counter() - started) / 50 < 0.01  # generous here; benchmarks/routing.py measures properly
