"""Full page or just its swappable region, depending on who asks (htmx-flask's `request.htmx`, the one test used)."""

import secrets

from flask import current_app, render_template, request
from jinja2_fragments.flask import render_block


def render_page(template: str, block: str | None = None, status: int = 200, **context):
    """An htmx request for `block` gets that block alone; everyone else gets the page."""
    if block and request.htmx and not request.htmx.history_restore_request:
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def render_partial(template: str, **context) -> str:
    """A partial that shows nothing personal, without the context processors (so no user is loaded).

    For the surge's hot replies; a template that reads `current_user` or the tenant must use render_template.
    """
    return current_app.jinja_env.get_template(template).render(context)


def render_macro(template: str, macro: str, *args, **kwargs) -> str:
    """One macro of a template, called without building a template context: the template's module is built once.

    For the surge's hottest replies; like render_partial, the macro must show nothing personal.
    """
    return getattr(current_app.jinja_env.get_template(template).module, macro)(*args, **kwargs)


def render_macro_stamped(template: str, macro: str, **values: str) -> str:
    """`render_macro` for a reply that differs per request only in a few plain values (digits, dates: nothing to
    escape): the macro is rendered once per process with placeholders, then each request's values are put in."""
    stamps = current_app.extensions.setdefault("flashmall.stamped_macros", {})
    key = (template, macro, tuple(values), request.environ.get("SCRIPT_NAME", ""))  # url_for's links depend on it
    stamp = stamps.get(key)
    if stamp is None:
        slots = {name: f"slot-{name}-{secrets.token_hex(8)}" for name in values}
        stamp = stamps[key] = (str(render_macro(template, macro, **slots)), slots)  # str: Markup.replace escapes
    body, slots = stamp
    for name, value in values.items():
        body = body.replace(slots[name], value)
    return body
