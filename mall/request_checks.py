"""What every request must be before anything reads it: a form body, in UTF-8, without NUL characters.

Every view takes HTML forms only (but a payment webhook, marked with takes_signed_body), so any other body (JSON,
XML, text) is a 415 before Flask-WTF or a view sees it: Flask-WTF would otherwise read a JSON body as form data. A form that is not UTF-8 is a 400 that
says so, where werkzeug would quietly read a urlencoded one as an empty form.
"""

from flask import abort, current_app, request

URLENCODED, MULTIPART = FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NOT_UTF8 = "That form was not sent as UTF-8 text, so we could not read it. Please send it again from the page."
UPLOAD_FORM_ALLOWANCE = 64 * 1024  # the CSRF token and multipart framing around the file
HAS_NUL = "That request contained a character we cannot accept (NUL). Please remove it."


def takes_signed_body(view):
    """Marks a view that reads a provider's signed raw body (a payment webhook) and answers 400 to a bad one itself."""
    view.takes_signed_body = True
    return view


def takes_upload(view):
    """Marks a view that receives a file: its request may carry the upload limit (MEDIA_MAX_UPLOAD_BYTES) and a form."""
    view.takes_upload = True
    return view


def upload_request_limit() -> int:
    return current_app.config["MEDIA_MAX_UPLOAD_BYTES"] + UPLOAD_FORM_ALLOWANCE


def refuse_unreadable_input() -> None:
    """The app's first before-request hook: CSRF and rate limits come after it and read what it vouched for."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "takes_upload", False):
        request.max_content_length = upload_request_limit()  # set before anything reads the body
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


def too_large_message(general: str) -> str:
    """What a 413 says: the image limit on an upload form, the form limit anywhere else."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "takes_upload", False):
        megabytes = current_app.config["MEDIA_MAX_UPLOAD_BYTES"] // (1024 * 1024)
        return f"That file is too large: an image may be at most {megabytes} MB. Export it smaller and upload it again."
    return general
