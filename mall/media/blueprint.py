"""Image files from the local folder, under names that never change content, so they are cached for a year."""

from flask import Blueprint, abort, send_file

from mall.media.pictures import absolute_image_url, picture_of
from mall.media.storage import IMMUTABLE, KEY_PATTERN, LocalStorage, content_type_of, media_storage

bp = Blueprint("media", __name__)
bp.add_app_template_global(picture_of, "picture_of")
bp.add_app_template_global(absolute_image_url, "absolute_image_url")


@bp.get("/media/<key>")
def file(key: str):
    storage = media_storage()
    if not isinstance(storage, LocalStorage) or not KEY_PATTERN.match(key):
        abort(404)  # a bucket serves its own files
    path = storage.path(key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type_of(key), conditional=True, etag=True)
    response.headers["Cache-Control"] = IMMUTABLE
    return response
