"""Rate limits: Flask-Limiter for the app's routes, except views that count their own tries.

The add-to-cart hold counts tries per cart and per IP inside its own Lua call (no extra round trip).
Flask-Limiter's before-request check still resolves every view's limits, about 17 µs a request even when a
filter then exempts it; a view marked here skips the check before Flask-Limiter is asked anything.
"""

from flask import Flask, request

from mall.extensions import limiter

_COUNTS_ITS_OWN_TRIES: set = set()


def counts_its_own_tries(view):
    _COUNTS_ITS_OWN_TRIES.add(view)
    return view


def install(app: Flask) -> None:
    check = limiter._check_request_limit  # what Flask-Limiter's init_app registered as a before-request hook

    def check_unless_the_view_counts_its_own():
        if app.view_functions.get(request.endpoint) in _COUNTS_ITS_OWN_TRIES:
            return None
        return check()

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[:] = [check_unless_the_view_counts_its_own if hook == check else hook for hook in hooks]
