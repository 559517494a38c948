"""The drop page and its stock fragment are rendered once per process for everyone, never with anyone's own bits."""

import re
import threading
from datetime import timedelta

from mall.extensions import db
from mall.stock.access import drop_activity
from mall.storefront import services
from mall.storefront.cache import RenderedPages
from tests.support import text_of


def drop_url(drop) -> str:
    return f"/shop/{drop.tenant.slug}/drops/{drop.id}"


def _hold_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="hold_token" value="([^"]+)"', html))


def _hold_with(client, token: str):
    """An add-to-cart that only gets past CSRF with a valid token: then it is refused for its (empty) form, 422."""
    return client.post("/cart/holds", data={"hold_token": token}, headers={"HX-Request": "true"}).status_code


def test_each_shopper_gets_their_own_add_to_cart_token_on_the_shared_page(app, client, mall):
    other = app.test_client()

    mine = client.get(drop_url(mall["live"])).get_data(as_text=True)
    theirs = other.get(drop_url(mall["live"])).get_data(as_text=True)

    assert "hold-token-placeholder" not in mine + theirs
    assert len(_hold_tokens(mine)) == 1 and len(_hold_tokens(theirs)) == 1 and _hold_tokens(mine) != _hold_tokens(theirs)
    (my_token,), (their_token,) = _hold_tokens(mine), _hold_tokens(theirs)
    assert _hold_with(client, their_token) == 400  # another shopper's token is no good
    assert _hold_with(client, my_token) == 422
    assert _hold_with(other, their_token) == 422


def test_browsing_a_drop_starts_no_session(client, mall):
    page = client.get(drop_url(mall["live"]))

    assert page.status_code == 200 and client.get_cookie("session") is None
    assert "X-CSRFToken" not in page.get_data(as_text=True)  # nothing on the page posts with the session's token


def test_a_first_visit_gets_its_cart_cookie_with_the_page_and_keeps_it(client, mall):
    first = client.get(drop_url(mall["live"]))
    cart = client.get_cookie("fm_cart")

    assert cart is not None and "fm_cart=" in first.headers.get("Set-Cookie", "") + str(first.headers.getlist("Set-Cookie"))
    again = client.get(drop_url(mall["live"]))
    assert not any(c.startswith("fm_cart=") for c in again.headers.getlist("Set-Cookie"))
    assert client.get_cookie("fm_cart").value == cart.value
    assert _hold_tokens(first.get_data(as_text=True)) == _hold_tokens(again.get_data(as_text=True))


def test_a_signed_in_visitor_gets_their_own_page_not_the_shared_copy(app, client, make, mall):
    assert "Log in" in text_of(client.get(drop_url(mall["live"])))  # the shared copy now exists
    signed_in = app.test_client()
    signed_in.login_as(make.user(name="Ada Owner"))

    assert "Log out" in text_of(signed_in.get(drop_url(mall["live"])))
    page = text_of(client.get(drop_url(mall["live"])))
    assert "Log in" in page and "Log out" not in page


def test_a_flashed_message_is_shown_once_even_while_a_copy_is_cached(client, mall):
    client.get(drop_url(mall["live"]))
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Your hold expired; the units went back on sale.")]

    assert "Your hold expired" in text_of(client.get(drop_url(mall["live"])))
    assert "Your hold expired" not in text_of(client.get(drop_url(mall["live"])))


def test_every_view_is_counted_also_when_the_copy_answers(client, mall):
    for _ in range(3):
        assert client.get(drop_url(mall["live"])).status_code == 200

    assert drop_activity().totals(mall["live"].id).views == 3


def test_shown_stock_is_read_again_once_the_window_passes(client, app, mall, clock):
    assert "12 left" in text_of(client.get(drop_url(mall["live"])))
    mall["soho_level"].on_hand = 9  # 9 - 3 sold = 6 at Soho
    db.session.commit()

    clock.shift(timedelta(seconds=app.config["AVAILABILITY_CACHE_SECONDS"]))

    assert "16 left" in text_of(client.get(drop_url(mall["live"])))
    fragment = client.get(drop_url(mall["live"]) + "/availability", headers={"HX-Request": "true"})
    assert "16</strong> left" in fragment.get_data(as_text=True)


def test_a_crowd_arriving_at_once_costs_one_rendering(app, mall, monkeypatch):
    monkeypatch.setitem(app.config, "AVAILABILITY_CACHE_SECONDS", 30)
    renders, real_drop_view = [], services.drop_view
    monkeypatch.setattr(services, "drop_view", lambda *a: renders.append(1) or real_drop_view(*a))
    url, start, statuses = drop_url(mall["live"]), threading.Barrier(8), []

    def shopper():
        client = app.test_client()
        start.wait()
        statuses.append(client.get(url).status_code)

    crowd = [threading.Thread(target=shopper) for _ in range(8)]
    for thread in crowd:
        thread.start()
    for thread in crowd:
        thread.join()

    assert statuses == [200] * 8
    assert len(renders) == 1


def test_while_one_thread_renders_the_others_serve_the_last_copy_but_never_one_past_the_window(app_ctx, clock):
    pages, window = RenderedPages(), 1.0
    assert pages.get("drop", window, lambda: ("copy 1", 200)).body == "copy 1"
    clock.shift(timedelta(seconds=0.8))  # past three quarters of the window: due for a new rendering
    rendering, may_finish, results = threading.Event(), threading.Event(), {}

    def slow_render():
        rendering.set()
        may_finish.wait(5)
        return "copy 2", 200

    renderer = threading.Thread(target=lambda: results.update(renderer=pages.get("drop", window, slow_render).body))
    renderer.start()
    rendering.wait(5)
    served_meanwhile = pages.get("drop", window, lambda: ("not asked", 200)).body
    clock.shift(timedelta(seconds=0.25))  # copy 1 is now older than the window (copy 2 is not)
    late = threading.Thread(target=lambda: results.update(late=pages.get("drop", window, lambda: ("not asked", 200)).body))
    late.start()
    may_finish.set()
    renderer.join()
    late.join()

    assert served_meanwhile == "copy 1"
    assert results == {"renderer": "copy 2", "late": "copy 2"}  # the late one waited for the new copy


def test_a_copy_is_not_rendered_again_before_three_quarters_of_the_window(app_ctx, clock):
    pages, window = RenderedPages(), 1.0
    pages.get("drop", window, lambda: ("copy 1", 200))
    clock.shift(timedelta(seconds=0.7))

    assert pages.get("drop", window, lambda: ("copy 2", 200)).body == "copy 1"
    clock.shift(timedelta(seconds=0.1))
    assert pages.get("drop", window, lambda: ("copy 2", 200)).body == "copy 2"
