"""Views that guard themselves skip the app-wide guards that would only repeat their work.

The add-to-cart hold, the surge's hottest request, checks its own CSRF token (bound to the cart cookie),
counts its own tries per cart and per IP inside its Lua call, and reads nothing but three integers and that
token. For it, Flask-WTF's CSRF hook (which would only find it exempt), Flask-Limiter's hooks (which resolve a
view's limits before a filter could exempt it) and the NUL-character check return before doing any work:
about 25 µs of a hold's 0.4 ms of CPU in-process. Every other view keeps all of them.
"""

from flask import Flask, request

from mall.extensions import csrf, limiter

_GUARDS_ITSELF: set = set()


def guards_itself(view):
    """Mark a view that checks its own CSRF token, rate-limits itself and validates all of its input."""
    _GUARDS_ITSELF.add(view)
    return csrf.exempt(view)


def install(app: Flask, *own_hooks) -> None:
    """Wrap the app-wide guard hooks: Flask-WTF's, Flask-Limiter's (before and after) and `own_hooks`."""

    def self_guarded() -> bool:
        return app.view_functions.get(request.endpoint) in _GUARDS_ITSELF

    def unless_self_guarded(hook):
        is_guard_before = (
            getattr(hook, "__self__", None) is limiter  # Flask-Limiter's check, a bound method
            or getattr(hook, "__qualname__", "") == "CSRFProtect.init_app.<locals>.csrf_protect"
            or hook in own_hooks
        )
        if is_guard_before:
            return lambda: None if self_guarded() else hook()
        if getattr(hook, "args", None) == (limiter,):  # Flask-Limiter's headers, partial(Limiter.__inject_headers, limiter)
            return lambda response: response if self_guarded() else hook(response)
        return hook

    for hooks in (app.before_request_funcs.setdefault(None, []), app.after_request_funcs.setdefault(None, [])):
        hooks[:] = [unless_self_guarded(hook) for hook in hooks]
