"""Absolute links for emails, which may be written outside any web request (jobs, scripts), and for link previews."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on the mall's configured address (PUBLIC_BASE_URL), whatever host the request came by.

    For what other sites keep (link previews) and what one shopper's copy shares with the next (cached pages):
    a Host header must never choose it.
    """
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
