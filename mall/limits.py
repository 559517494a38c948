"""Rate limits: Flask-Limiter for the app's routes, except views that count their own tries.

The add-to-cart hold counts tries per cart and per IP inside its own Lua call (no extra round trip).
Flask-Limiter's before-request check still resolves every view's limits, about 17 µs a request even when a
filter then exempts it; a view marked here skips Flask-Limiter's hooks (the check, and the rate-limit headers
after it) before Flask-Limiter is asked anything.
"""

from flask import Flask, request

from mall.extensions import limiter

_COUNTS_ITS_OWN_TRIES: set = set()


def counts_its_own_tries(view):
    _COUNTS_ITS_OWN_TRIES.add(view)
    return view


def install(app: Flask) -> None:
    """Wrap the hooks Flask-Limiter's init_app registered: its check before the view and its headers after it."""

    def counting_its_own() -> bool:
        return app.view_functions.get(request.endpoint) in _COUNTS_ITS_OWN_TRIES

    def unless_counting_its_own(hook):
        if getattr(hook, "__self__", None) is limiter:  # the check, a bound method
            return lambda: None if counting_its_own() else hook()
        if getattr(hook, "args", None) == (limiter,):  # the headers, partial(Limiter.__inject_headers, limiter)
            return lambda response: response if counting_its_own() else hook(response)
        return hook

    for hooks in (app.before_request_funcs.setdefault(None, []), app.after_request_funcs.setdefault(None, [])):
        hooks[:] = [unless_counting_its_own(hook) for hook in hooks]
