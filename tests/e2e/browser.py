"""Playwright fixtures: Debian's Chromium against a live server of the test app."""

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def open_context():
        context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=["desktop", "phone"])
def open_page(request, new_context):
    """A page in a fresh browser (its own cookies), at the screen size the test is run for: each test runs twice."""

    def open_page():
        page = new_context().new_page()
        if request.param == "phone":
            page.set_viewport_size(PHONE)
        return page

    return open_page


def after_the_shared_copy_expires(page, app) -> None:
    """Drop pages are shared copies at most AVAILABILITY_CACHE_SECONDS old (mall/storefront/cache.py): what another
    shopper changed shows on them once that window has passed, never later."""
    page.wait_for_timeout(app.config["AVAILABILITY_CACHE_SECONDS"] * 1000 + 50)
