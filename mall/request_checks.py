"""What every request must be before anything reads it: a form body, in UTF-8, without NUL characters.

Every view takes HTML forms only (but a payment webhook, marked with takes_signed_body), so any other body (JSON,
XML, text) is a 415 before Flask-WTF or a view sees it: Flask-WTF would otherwise read a JSON body as form data. A form that is not UTF-8 is a 400 that
says so, where werkzeug would quietly read a urlencoded one as an empty form.
"""

from flask import abort, current_app, request

URLENCODED, MULTIPART = FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NOT_UTF8 = "That form was not sent as UTF-8 text, so we could not read it. Please send it again from the page."
HAS_NUL = "That request contained a character we cannot accept (NUL). Please remove it."


def takes_signed_body(view):
    """Marks a view that reads a provider's signed raw body (a payment webhook) and answers 400 to a bad one itself."""
    view.takes_signed_body = True
    return view


def refuse_unreadable_input() -> None:
    """The app's first before-request hook: CSRF and rate limits come after it and read what it vouched for."""
    view = current_app.view_functions.get(request.endpoint)
    if request.method in BODY_METHODS and not getattr(view, "takes_signed_body", False):
        _refuse_other_bodies()
    form = [value for _, values in request.form.lists() for value in values]
    query = [value for _, values in request.args.lists() for value in values]
    # No text anywhere may carry NUL: PostgreSQL refuses it, and no person types it.
    if any("\x00" in text for text in (request.path, *query, *form)):
        abort(400, description=HAS_NUL)
    # werkzeug decodes multipart fields with U+FFFD in place of bytes that are not UTF-8.
    if request.mimetype == MULTIPART and any("\ufffd" in value for value in form):
        abort(400, description=NOT_UTF8)


def _refuse_other_bodies() -> None:
    mimetype = request.mimetype
    if mimetype not in FORM_TYPES and (mimetype or request.content_length):
        sent = mimetype or "raw data"
        abort(415, description=f"This address takes a form ({URLENCODED} or {MULTIPART}), not {sent}.")
    if mimetype == URLENCODED:
        try:
            request.get_data().decode()  # kept: werkzeug parses the form from these same bytes
        except UnicodeDecodeError:
            abort(400, description=NOT_UTF8)
