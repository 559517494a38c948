"""Full page or just its swappable region, depending on who asks."""

from flask import current_app, render_template, request
from jinja2_fragments.flask import render_block


def render_page(template: str, block: str | None = None, status: int = 200, **context):
    """An htmx request for `block` gets that block alone; everyone else gets the page."""
    if block and request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
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
