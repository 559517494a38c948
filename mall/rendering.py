"""Full page or just its swappable region, depending on who asks (htmx-flask's `request.htmx`, the one test used)."""

from flask import render_template, request
from jinja2_fragments.flask import render_block


def render_page(template: str, block: str | None = None, status: int = 200, **context):
    """An htmx request for `block` gets that block alone; everyone else gets the page."""
    if block and request.htmx and not request.htmx.history_restore_request:
        return render_block(template, block, **context), status
    return render_template(template, **context), status

