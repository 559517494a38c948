"""The app's request class: small urlencoded forms read in one step.

Werkzeug parses every form through a general streaming parser (content-type parsing, a limited stream, a
parser object per request), about a tenth of an add-to-cart's CPU under load for a 100-byte body. A short
`application/x-www-form-urlencoded` body is read and split here with the same function and the same error
handling werkzeug's urlencoded branch uses; anything else (multipart, chunked, larger, with parameters)
takes werkzeug's path.
"""

from io import BytesIO
from urllib.parse import parse_qsl

from flask import current_app
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.exceptions import ClientDisconnected

SMALL_FORM_BYTES = 8 * 1024


class MallRequest(HtmxAwareRequest):  # htmx-flask's request (request.htmx), plus the short path
    def _load_form_data(self) -> None:
        if "form" not in self.__dict__ and self._is_small_urlencoded_form():
            length = int(self.environ["CONTENT_LENGTH"])
            body = self.environ["wsgi.input"].read(length)
            if len(body) != length:
                raise ClientDisconnected()
            items = parse_qsl(body.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
            d = self.__dict__
            d["stream"], d["form"], d["files"] = BytesIO(), self.parameter_storage_class(items), self.parameter_storage_class()
            return
        super()._load_form_data()

    def _is_small_urlencoded_form(self) -> bool:
        environ = self.environ
        if environ.get("CONTENT_TYPE") != "application/x-www-form-urlencoded" or "_cached_data" in self.__dict__:
            return False
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > SMALL_FORM_BYTES:
            return False
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return limit is None or int(length) <= limit
