"""Hub staff work the picking list across brands; everybody else is kept out."""

import pytest
from sqlalchemy import select

from mall.extensions import db, redis_client
from mall.fulfilment.models import HubMember, Parcel
from mall.jobs.queues import get_queue
from tests.fulfilment.conftest import checkout, hold, live_drops, parcels_of, pickup_at
from tests.support import text_of

HTMX = {"HX-Request": "true"}


def staff_at(make, hub):
    user = make.user()
    make._save(HubMember(hub_id=hub.id, user_id=user.id))
    return user


def _status(parcel_id) -> str:
    db.session.expire_all()
    return db.session.get(Parcel, parcel_id).status


def _action(hub, parcel, name):
    return f"/hubs/{hub.code}/parcels/{parcel.id}/{name}"


@pytest.fixture
def parcel(two_brand_order):
    [parcel] = parcels_of(two_brand_order)
    return parcel


def test_anonymous_visitors_are_sent_to_log_in(client, hubs, parcel):
    for url in ("/hubs", "/hubs/MH-SOHO/picking", "/hubs/transfers", "/hubs/MH-SOHO/staff"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


def test_people_who_do_not_work_at_the_hub_get_404(client, make, hubs, parcel):
    client.login_as(staff_at(make, hubs["east"]))
    assert client.get("/hubs/MH-SOHO/picking").status_code == 404
    assert client.submit(_action(hubs["soho"], parcel, "ready")).status_code == 404
    assert client.get("/hubs/transfers").status_code == 404  # operator only
    assert client.get("/hubs/MH-EAST/staff").status_code == 404  # operator only
    assert client.get("/hubs/NOPE/picking").status_code == 404
    assert _status(parcel.id) == "routed"
    client.login_as(make.user())
    assert client.get("/hubs").status_code == 404


def test_hub_staff_see_one_picking_list_across_brands(client, make, hubs, parcel, two_brand_order):
    client.login_as(staff_at(make, hubs["soho"]))

    page = text_of(client.get("/hubs/MH-SOHO/picking"))

    assert f"Parcel #{parcel.id} · {two_brand_order.number}" in page
    assert "Aurora Knits" in page and "Sole Club" in page
    assert "Pickup at Camden Pickup" in page
    assert "Start picking" in page and "Send to Camden Pickup" in page
    assert "Hub work" in text_of(client.get("/"))  # the top bar leads staff to their hubs


def test_the_pickup_points_staff_see_the_parcel_coming_to_them(client, make, hubs, parcel):
    client.login_as(staff_at(make, hubs["camden"]))
    page = text_of(client.get("/hubs/PP-CAMDEN/picking"))
    assert f"Parcel #{parcel.id}" in page and "Being packed at Soho Micro-hub; it will be sent here." in page
    assert "Start picking" not in page and "Mark handed over" not in page  # Soho's work, not Camden's


def test_a_parcel_for_another_hubs_point_travels_there_and_is_handed_over_only_there(client, make, hubs, parcel):
    soho, camden = staff_at(make, hubs["soho"]), staff_at(make, hubs["camden"])
    client.login_as(soho)
    assert "Send to Camden Pickup" in text_of(client.get("/hubs/MH-SOHO/picking"))

    started = client.submit(_action(hubs["soho"], parcel, "start-picking"))
    assert started.status_code == 303 and _status(parcel.id) == "picking"
    assert f"Picking parcel #{parcel.id}." in text_of(client.get(started.headers["Location"]))

    sent = client.submit(_action(hubs["soho"], parcel, "ready"), headers=HTMX)
    assert sent.status_code == 200 and "<html" not in sent.get_data(as_text=True)
    assert f"Parcel #{parcel.id} is in transit to Camden Pickup." in text_of(sent)
    assert _status(parcel.id) == "in_transit"
    queued = [j.func_name for j in get_queue("high", redis_client()).jobs]
    assert "mall.fulfilment.jobs.reestimate_hub_etas" in queued  # the queue behind it moved up
    assert "mall.fulfilment.jobs.commit_parcel_etas" in queued  # the transit gets its own ETA
    assert f"Parcel #{parcel.id}" not in text_of(client.get("/hubs/MH-SOHO/picking"))  # it left Soho

    refused = client.submit(_action(hubs["soho"], parcel, "hand-over"))
    assert refused.status_code == 403
    assert "on its way to Camden Pickup; it can be handed over once Camden Pickup marks it received" in text_of(refused)
    assert client.submit(_action(hubs["soho"], parcel, "receive")).status_code == 403
    assert _status(parcel.id) == "in_transit"

    client.login_as(camden)
    incoming = text_of(client.get("/hubs/PP-CAMDEN/picking"))
    assert "On its way from Soho Micro-hub" in incoming and "Mark received" in incoming and "Mark handed over" not in incoming
    assert client.submit(_action(hubs["camden"], parcel, "hand-over")).status_code == 409  # not there yet
    received = client.submit(_action(hubs["camden"], parcel, "receive"))
    assert received.status_code == 303 and _status(parcel.id) == "ready_for_pickup"
    assert f"Parcel #{parcel.id} received: it is ready for pickup." in text_of(client.get(received.headers["Location"]))

    client.login_as(soho)
    refused = client.submit(_action(hubs["soho"], parcel, "hand-over"))
    assert refused.status_code == 403
    assert "is at Camden Pickup: only Camden Pickup staff can hand it over. Nothing was changed." in text_of(refused)
    assert _status(parcel.id) == "ready_for_pickup"

    client.login_as(camden)
    assert client.submit(_action(hubs["camden"], parcel, "hand-over")).status_code == 303
    db.session.expire_all()
    done = db.session.get(Parcel, parcel.id)
    assert done.status == "handed_over" and done.handed_over_at >= done.ready_at >= done.sent_at >= done.picking_at
    assert "Nothing to pick right now." in text_of(client.get("/hubs/PP-CAMDEN/picking"))


def test_the_pickup_point_cannot_pick_or_send_another_hubs_parcel(client, make, hubs, parcel):
    client.login_as(staff_at(make, hubs["camden"]))
    for name in ("start-picking", "ready"):
        refused = client.submit(_action(hubs["camden"], parcel, name))
        assert refused.status_code == 403 and "only Soho Micro-hub staff can do that" in text_of(refused)
    assert _status(parcel.id) == "routed"


def test_an_impossible_step_is_refused_with_a_message(client, make, hubs, parcel):
    client.login_as(staff_at(make, hubs["soho"]))

    refused = client.submit(_action(hubs["soho"], parcel, "hand-over"))

    assert refused.status_code == 409
    assert "Not possible now: this parcel is waiting to be picked. Nothing was changed." in text_of(refused)
    assert _status(parcel.id) == "routed"
    assert client.submit(_action(hubs["soho"], parcel, "explode")).status_code == 404


def test_a_post_without_csrf_changes_nothing(client, make, hubs, parcel):
    client.login_as(staff_at(make, hubs["soho"]))
    assert client.post(_action(hubs["soho"], parcel, "ready")).status_code == 400
    assert _status(parcel.id) == "routed"


def test_units_from_the_reserve_must_be_received_before_the_parcel_is_ready(
    client, make, engine, hubs, brands, quick_transfers
):
    make.stock(brands["knits"]["variant"], hubs["reserve"], 3)
    live_drops(make, brands)
    order = checkout(engine, [hold(engine, brands["knits"])], pickup_at(hubs["camden"]))
    [parcel] = parcels_of(order)
    client.login_as(staff_at(make, hubs["reserve"]))
    outgoing = text_of(client.get("/hubs/CR-WEST/picking"))
    assert "To send to other hubs (1)" in outgoing and f"#{parcel.id} Camden Pickup Aurora Knits" in outgoing
    client.login_as(staff_at(make, hubs["camden"]))

    refused = client.submit(_action(hubs["camden"], parcel, "ready"), headers=HTMX)
    assert refused.status_code == 409
    assert "Still waiting for 1 unit from West Reserve. Mark them received first." in text_of(refused)

    item = parcel.items[0]
    assert client.submit(f"/hubs/PP-CAMDEN/items/{item.id}/receive").status_code == 303
    assert client.submit(f"/hubs/PP-CAMDEN/items/{item.id}/receive").status_code == 409  # only once
    assert client.submit(_action(hubs["camden"], parcel, "ready")).status_code == 303
    assert _status(parcel.id) == "ready_for_pickup"
    client.login_as(make.user(operator=True))
    assert "To send to other hubs" not in text_of(client.get("/hubs/CR-WEST/picking"))


def test_the_operator_sees_every_hub_transfers_and_eta_accuracy(client, make, engine, hubs, brands, quick_transfers):
    make.stock(brands["knits"]["variant"], hubs["reserve"], 3)
    live_drops(make, brands)
    order = checkout(engine, [hold(engine, brands["knits"])], pickup_at(hubs["camden"]))
    client.login_as(make.user(operator=True))

    overview = text_of(client.get("/hubs"))
    assert all(code in overview for code in ("MH-SOHO", "MH-EAST", "PP-CAMDEN", "CR-WEST"))
    assert "ETA accuracy" in overview and "No parcel has been handed over" in overview

    transfers = text_of(client.get("/hubs/transfers"))
    assert f"{order.number} West Reserve Camden Pickup Aurora Knits" in transfers
    assert "on its way" in transfers


def test_the_operator_adds_and_removes_hub_staff(client, make, hubs):
    worker = make.user(email="picker@example.com")
    client.login_as(make.user(operator=True))

    unknown = client.submit("/hubs/MH-SOHO/staff", {"email": "nobody@example.com"})
    assert unknown.status_code == 422 and "Nobody has an account with that email yet." in text_of(unknown)
    assert client.submit("/hubs/MH-SOHO/staff", {"email": "not an email"}).status_code == 422

    added = client.submit("/hubs/MH-SOHO/staff", {"email": "Picker@Example.com "})
    assert added.status_code == 303
    assert "picker@example.com" in text_of(client.get("/hubs/MH-SOHO/staff"))
    again = client.submit("/hubs/MH-SOHO/staff", {"email": "picker@example.com"})
    assert again.status_code == 422 and "already works at Soho Micro-hub" in text_of(again)

    member = db.session.scalar(select(HubMember).where(HubMember.user_id == worker.id))
    assert client.submit(f"/hubs/MH-EAST/staff/{member.id}/remove").status_code == 404  # not this hub's
    assert client.submit(f"/hubs/MH-SOHO/staff/{member.id}/remove").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(HubMember).where(HubMember.user_id == worker.id)) is None


def test_the_operator_sees_parcels_travelling_between_hubs(client, make, hubs, parcel, two_brand_order):
    from mall.fulfilment import status

    client.login_as(make.user(operator=True))
    assert "No parcel is travelling between hubs." not in text_of(client.get("/hubs/transfers"))  # packing at Soho
    status.mark_ready(db.session, parcel)

    response = client.get("/hubs/transfers")
    page = text_of(response)

    assert f"#{parcel.id} {two_brand_order.number} Soho Micro-hub Camden Pickup in transit since" in page
    assert page.count("Parcels between hubs") == 1  # once, in the page (not also in its <title>)
    assert "<title>Reserve transfers · Operator" in response.get_data(as_text=True)
