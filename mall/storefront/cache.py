"""Rendered drop pages and availability fragments, shared by the shoppers one process serves.

In a surge thousands of shoppers ask for the same few pages. A process re-renders a page at most
every three quarters of a window (AVAILABILITY_CACHE_SECONDS), in one thread, while its other threads serve the copy
before it; a copy older than the window is never served, so shown stock is never staler than that.
Only what is the same for every shopper is kept: each request gets its own add-to-cart token put in.
"""

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request, session

from mall.checkout.access import shoppers_hold_token

MAX_ENTRIES = 512
# A copy is rendered again once this share of the window has passed: late enough that renders stay rare (each
# costs a few ms of a process's one GIL), early enough that the new copy is ready before the old one expires.
RENDER_AGAIN_AT = 0.75
# Random per process, so nothing a brand writes into its page can pass for it.
HOLD_TOKEN_PLACEHOLDER = f"hold-token-placeholder-{secrets.token_hex(12)}"


@dataclass(frozen=True)
class Rendered:
    body: str
    status: int
    started: float  # time.monotonic() before anything on it was read
    started_wall: float  # time.time() then: the clock the mall's clock follows (and tests move)

    def age(self) -> float:
        """Seconds since it was rendered, by the process clock or the wall clock, whichever says older (two plain
        clock reads: every fragment request asks)."""
        wall_age = time.time() - self.started_wall
        if wall_age < 0:
            return float("inf")  # the clock went back: what it shows belongs to another moment
        return max(time.monotonic() - self.started, wall_age)


class RenderedPages:
    """One process's rendered copies, each re-rendered by a single thread at a time."""

    def __init__(self) -> None:
        self._entries: dict[tuple, Rendered] = {}
        self._rendering: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: tuple, window: float, render: Callable[[], tuple[str, int]]) -> Rendered:
        entry = self._entries.get(key)
        age = entry.age() if entry else float("inf")
        if age < window * RENDER_AGAIN_AT:
            return entry
        lock = self._lock_for(key)
        if not lock.acquire(blocking=age >= window):
            return entry  # another thread is re-rendering it, and this copy is still inside the window
        try:
            entry = self._entries.get(key)
            if entry is not None and entry.age() < window * RENDER_AGAIN_AT:
                return entry  # re-rendered while this thread waited
            started, started_wall = time.monotonic(), time.time()
            try:
                body, status = render()
            except Exception:
                self._forget_lock(key, lock)  # a 404 must not leave a lock behind for every bad URL
                raise
            entry = self._entries[key] = Rendered(body, status, started, started_wall)
            if len(self._entries) > MAX_ENTRIES:
                self._trim(window)
            return entry
        finally:
            lock.release()

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()
            self._rendering.clear()

    def _lock_for(self, key: tuple) -> threading.Lock:
        lock = self._rendering.get(key)
        if lock is None:
            with self._guard:
                lock = self._rendering.setdefault(key, threading.Lock())
        return lock

    def _forget_lock(self, key: tuple, lock: threading.Lock) -> None:
        with self._guard:
            if key not in self._entries and self._rendering.get(key) is lock:
                del self._rendering[key]

    def _trim(self, window: float) -> None:
        with self._guard:
            for key in [k for k, e in self._entries.items() if e.age() >= window]:
                del self._entries[key]
                self._rendering.pop(key, None)
            if len(self._entries) > MAX_ENTRIES:
                self._entries.clear()
                self._rendering.clear()


def _pages() -> RenderedPages:
    pages = current_app.extensions.get("flashmall.rendered_pages")
    if pages is None:
        pages = current_app.extensions.setdefault("flashmall.rendered_pages", RenderedPages())
    return pages


def cache_window() -> float:
    return float(current_app.config.get("AVAILABILITY_CACHE_SECONDS", 0.5))


def shared_rendering(key: tuple, render: Callable[[], tuple[str, int]]) -> tuple[str, int]:
    """(body, status) from this process's copy, rendered by `render` when the copy is too old."""
    window = cache_window()
    if window <= 0:
        return render()
    rendered = _pages().get(key, window, render)
    return rendered.body, rendered.status


def is_anonymous_view() -> bool:
    """Nobody is signed in and no flashed message waits: the page shows nothing of this visitor's own."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" not in session and "_flashes" not in session and remember_cookie not in request.cookies


def shared_page_context() -> dict:
    """Render with this, then hand each request `with_own_tokens(body)`.

    The session's CSRF token has no place in a shared copy: rendering it would be a bug, so it fails loudly.
    """
    return {
        "csrf_token": _no_session_token_in_a_shared_copy,
        "hold_token": lambda: HOLD_TOKEN_PLACEHOLDER,
        "cart_summary": None,  # the cart bar is the shopper's own: the copy loads it when it opens
    }


def _no_session_token_in_a_shared_copy():
    raise RuntimeError("a page rendered once for every shopper cannot carry one shopper's session CSRF token")


def with_own_tokens(body: str) -> str:
    if HOLD_TOKEN_PLACEHOLDER in body:
        body = body.replace(HOLD_TOKEN_PLACEHOLDER, shoppers_hold_token())
    return body


def forget_cached_pages() -> None:
    """Drop this process's copies (tests start every case from a clean slate)."""
    _pages().clear()
