"""In Chromium, on a desktop and a phone-sized screen: a pickup packed at another hub travels to its point, is
received there and handed over only there; a cancelled order's tracking page; a canned {eta} reply that tells
the truth in three parcel states."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mall.checkout.services import CheckoutDetails, place_order
from mall.extensions import db
from mall.fulfilment import status
from mall.fulfilment.jobs import commit_parcel_etas
from mall.fulfilment.models import HubMember, Parcel
from mall.fulfilment.services import ETA_ESTIMATING
from mall.orders.models import OrderLine
from mall.orders.services import cancel_line
from mall.support.models import CannedReply
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

ALL_DAY = {"opens_at": time(0, 0), "closes_at": time(23, 59)}
CANNED = "Hi {shopper_name}, about your order {order_number}: {eta}"



@pytest.fixture
def brixton_order(make, engine):
    """Stock only at Shoreditch, bought for pickup at Brixton: one parcel, packed at Shoreditch."""
    east = make.hub(code="MH-SHOREDITCH", name="Shoreditch Micro-hub", latitude=51.5245, longitude=-0.0780, **ALL_DAY)
    brixton = make.hub(
        code="PU-BRIXTON", name="Brixton Village Pickup", kind="pickup_point", address="Coldharbour Lane",
        latitude=51.4613, longitude=-0.1156, **ALL_DAY,
    )
    brand = make.brand(owner=make.user(email="owner@aurora.example.com"), slug="aurora", name="Aurora Knits")
    agent = make.member(brand, make.user(email="agent@aurora.example.com", name="Ana Agent"), role="support")
    variant = make.product(brand, name="Fisherman jumper", price_cents=4000).variants[0]
    make.stock(variant, east, 5)
    drop = make.drop(brand, [variant], starts_in=timedelta(minutes=-2), tiers=())  # list price
    hold = engine.place_hold(drop.id, variant.id, "cart-e2e-track", 1).hold_id
    details = CheckoutDetails("Ada Shopper", "ada@example.com", "pickup", brixton.id, "", "", "pay_on_handover")
    order = place_order(db.session, engine, "cart-e2e-track", "key-e2e-track-000000000", details, [hold])
    for email, hub in (("packer@example.com", east), ("point@example.com", brixton)):
        make._save(HubMember(hub_id=hub.id, user_id=make.user(email=email).id))
    db.session.add(CannedReply(tenant_id=brand.id, title="Where is my order", body=CANNED))
    db.session.commit()
    [parcel] = db.session.scalars(select(Parcel).where(Parcel.order_id == order.id)).all()
    assert parcel.hub_id == east.id and parcel.pickup_hub_id == brixton.id
    commit_parcel_etas([parcel.id])
    return order, parcel.id, agent


def _log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _parcel(parcel_id) -> Parcel:
    db.session.expire_all()
    return db.session.get(Parcel, parcel_id)


def test_a_pickup_through_another_hub_is_received_there_and_handed_over_only_there(open_page, brixton_order):
    order, parcel_id, _ = brixton_order
    shopper, packer, point = open_page(), open_page(), open_page()
    shopper.goto(f"/orders/{order.tracking_token}")
    parcel_card = shopper.locator("#parcels article.parcel")
    expect(parcel_card).to_contain_text("Packing at Shoreditch Micro-hub for pickup at Brixton Village Pickup")
    expect(parcel_card).not_to_contain_text("Collect at your pickup point")

    _log_in(packer, "packer@example.com")
    packer.goto("/hubs/MH-SHOREDITCH/picking")
    packer.locator(f"#parcel-{parcel_id}").get_by_role("button", name=re.compile("Send to Brixton Village Pickup")).click()
    expect(packer.locator("#picking-list")).to_contain_text(f"Parcel #{parcel_id} is in transit to Brixton Village Pickup.")
    expect(packer.locator(f"#parcel-{parcel_id}")).to_have_count(0)  # it left Shoreditch
    commit_parcel_etas([parcel_id], "Your parcel left")  # what the worker does next
    transit_eta = _parcel(parcel_id).eta
    assert _parcel(parcel_id).status == "in_transit" and transit_eta is not None

    expect(parcel_card.locator(".parcel-status")).to_have_text("In transit", timeout=15_000)
    expect(parcel_card).to_contain_text("In transit to Brixton Village Pickup: ready there by")

    # Shoreditch's staff cannot hand over a Brixton pickup, nor even open Brixton's list.
    token = packer.locator("input[name=csrf_token]").first.input_value()
    refused = packer.request.post(f"/hubs/MH-SHOREDITCH/parcels/{parcel_id}/hand-over", form={"csrf_token": token})
    assert refused.status == 403 and "on its way to Brixton Village Pickup" in refused.text()
    assert packer.goto("/hubs/PU-BRIXTON/picking").status == 404

    _log_in(point, "point@example.com")
    point.goto("/hubs/PU-BRIXTON/picking")
    card = point.locator(f"#parcel-{parcel_id}")
    expect(card).to_contain_text("On its way from Shoreditch Micro-hub")
    expect(card.get_by_role("button", name=re.compile("Mark handed over"))).to_have_count(0)
    card.get_by_role("button", name=re.compile("Mark received")).click()
    expect(point.locator("#picking-list")).to_contain_text(f"Parcel #{parcel_id} received: it is ready for pickup.")
    expect(parcel_card.locator(".parcel-status")).to_have_text("Ready for pickup", timeout=15_000)
    expect(parcel_card).to_contain_text("Collect at your pickup point, Brixton Village Pickup")

    refused = packer.request.post(f"/hubs/MH-SHOREDITCH/parcels/{parcel_id}/hand-over", form={"csrf_token": token})
    assert refused.status == 403 and "only Brixton Village Pickup staff can hand it over" in refused.text()

    point.locator(f"#parcel-{parcel_id}").get_by_role("button", name=re.compile("Mark handed over")).click()
    expect(point.locator("#picking-list")).to_contain_text(f"Parcel #{parcel_id} was handed over.")
    assert _parcel(parcel_id).status == "handed_over"

    shopper.reload()
    expect(shopper.locator(".order-headline")).to_contain_text("Your order was collected on")
    expect(shopper.locator(".payment-line")).to_have_text("Payment: Paid £40.00 at pickup.")
    expect(shopper.get_by_text("cancel until")).to_have_count(0)


def test_a_cancelled_orders_tracking_page(open_page, brixton_order, engine):
    order, _, _ = brixton_order
    for line in db.session.scalars(select(OrderLine).execution_options(all_tenants=True)).all():
        assert cancel_line(db.session, engine, line)
    shopper = open_page()

    shopper.goto(f"/orders/{order.tracking_token}")

    expect(shopper.locator(".order-headline")).to_contain_text("Your order was cancelled.")
    expect(shopper.locator(".order-total")).to_contain_text("Total £0.00 (£40.00 cancelled)")
    expect(shopper.locator(".payment-line")).to_have_text("Payment: Nothing to pay.")
    expect(shopper.locator("#parcels")).to_contain_text("This parcel was cancelled.")
    expect(shopper.get_by_text("confirmed")).to_have_count(0)
    expect(shopper.get_by_text(re.compile("cancel until|Collect at your pickup point|at pickup"))).to_have_count(0)


def test_a_canned_eta_reply_says_the_truth_in_three_parcel_states(open_page, brixton_order):
    order, parcel_id, agent = brixton_order
    shopper, agent_page = open_page(), open_page()
    shopper.goto(f"/orders/{order.tracking_token}")
    shopper.get_by_role("link", name="Ask Aurora Knits about this order").click()
    shopper.get_by_label("Your question").fill("Where is my jumper?")
    shopper.get_by_role("button", name="Send to Aurora Knits").click()
    expect(shopper).to_have_url(re.compile(r"/support/[A-Za-z0-9_-]{32}$"))
    _log_in(agent_page, agent.email)
    agent_page.goto("/brands/aurora/inbox")
    agent_page.get_by_role("link", name=f"Order {order.number} — Aurora Knits items").click()
    thread_url = agent_page.url
    greeting = f"Hi Ada Shopper, about your order {order.number}: "

    def canned_reply() -> str:
        agent_page.goto(thread_url)
        agent_page.get_by_label("Canned reply").select_option(label="Where is my order")
        agent_page.get_by_role("button", name="Insert").click()
        return agent_page.get_by_label("Reply to the shopper")

    eta = _parcel(parcel_id).eta
    ready_by = f"{greeting}Your order will be ready for pickup at Brixton Village Pickup by "
    expect(canned_reply()).to_have_value(re.compile(re.escape(ready_by) + r".+\d\d:\d\d\.$"))
    expect(agent_page.locator(".reply-warning")).to_have_count(0)
    assert eta is not None

    parcel = _parcel(parcel_id)
    status.mark_ready(db.session, parcel)
    commit_parcel_etas([parcel_id], "sent")
    in_transit = f"{greeting}Your order is on its way to Brixton Village Pickup and will be ready there by "
    expect(canned_reply()).to_have_value(re.compile(re.escape(in_transit) + r".+\d\d:\d\d\.$"))

    status.receive_at_point(db.session, _parcel(parcel_id))
    status.hand_over(db.session, _parcel(parcel_id))
    box = canned_reply()
    expect(box).to_have_value(re.compile(re.escape(f"{greeting}Your order was collected on ") + r".+\d\d:\d\d\.$"))
    expect(agent_page.locator(".reply-warning")).to_contain_text("Careful: this order is handed over.")
    expect(agent_page.locator(".placeholder-preview")).to_contain_text("Your order was collected on")
    agent_page.get_by_role("button", name="Send reply").click()
    expect(agent_page.get_by_text("Reply sent")).to_be_visible()
    expect(shopper.locator("#thread-messages")).to_contain_text("Your order was collected on", timeout=15_000)
    assert ETA_ESTIMATING not in box.input_value()
