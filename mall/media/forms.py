"""The one upload form: a file, checked by its content once it arrives (mall/media/processing.py)."""

from collections.abc import Callable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from mall.media.processing import ImageRefused, ImageTooLarge
from mall.media.services import read_upload

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class ImageUploadForm(FlaskForm):
    image = FileField("Image file", validators=[FileRequired("Choose an image file (JPEG, PNG, WebP or GIF).")])


def upload_form(label: str = "Image file", prefix: str = "", **kwargs) -> ImageUploadForm:
    form = ImageUploadForm(prefix=prefix, **kwargs)
    form.image.label.text = label
    return form


def receive_upload(form: ImageUploadForm, store: Callable[[bytes], object]) -> int | None:
    """Hand the sent file to `store`; None when stored, else the status to answer with the reason on the form."""
    if not form.validate_on_submit():
        return 422
    try:
        store(read_upload(form.image.data.stream))
    except ImageRefused as refused:
        form.image.errors = [str(refused)]
        return 413 if isinstance(refused, ImageTooLarge) else 422
    return None
