"""Where image files live: one small interface, a local folder by default, an S3-compatible bucket in production.

Every file is named by its content hash and never rewritten, so each answer may be cached for a year by the
browser and by any CDN in front (`Cache-Control: public, max-age=31536000, immutable`).
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app, url_for

IMMUTABLE = "public, max-age=31536000, immutable"
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}-[0-9]{1,5}w\.(webp|jpg)$")
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


class MediaStorage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def url(self, key: str) -> str:
        """Where a browser fetches the file (a path for local files, a full URL for a bucket)."""
        ...


def content_type_of(key: str) -> str:
    return CONTENT_TYPES[key.rsplit(".", 1)[-1]]


class LocalStorage:
    """Files in a folder on this machine (the instance folder in the embedded run), served by the media route."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not KEY_PATTERN.match(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key[:2] / key

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        if path.exists():  # same name, same bytes
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def url(self, key: str) -> str:
        return url_for("media.file", key=key)


class S3Storage:
    """Files in an S3-compatible bucket, read by browsers from its public (or CDN) address."""

    def __init__(self, client, bucket: str, public_base_url: str):
        self.client = client
        self.bucket = bucket
        self.public_base_url = public_base_url.rstrip("/")

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, CacheControl=IMMUTABLE
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def url(self, key: str) -> str:
        return f"{self.public_base_url}/{key}"


def s3_storage_from_config(config) -> S3Storage:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=config["MEDIA_S3_ENDPOINT_URL"] or None,
        region_name=config["MEDIA_S3_REGION"] or None,
        aws_access_key_id=config["MEDIA_S3_ACCESS_KEY_ID"] or None,  # None: boto3's own chain (role, env, files)
        aws_secret_access_key=config["MEDIA_S3_SECRET_ACCESS_KEY"] or None,
    )
    bucket = config["MEDIA_S3_BUCKET"]
    base = config["MEDIA_PUBLIC_BASE_URL"] or _bucket_url(config["MEDIA_S3_ENDPOINT_URL"], bucket)
    return S3Storage(client, bucket, base)


def _bucket_url(endpoint: str, bucket: str) -> str:
    if endpoint:
        return f"{endpoint.rstrip('/')}/{bucket}"
    return f"https://{bucket}.s3.amazonaws.com"


def init_app(app: Flask) -> None:
    if app.config["MEDIA_STORAGE"] == "s3":
        storage: MediaStorage = s3_storage_from_config(app.config)
    else:
        storage = LocalStorage(Path(app.config["MEDIA_ROOT"]))
    app.extensions["flashmall.media"] = storage


def media_storage() -> MediaStorage:
    return current_app.extensions["flashmall.media"]


def media_origin(config) -> str | None:
    """The origin images come from when it is not this site (for the page's Content-Security-Policy)."""
    if config["MEDIA_STORAGE"] != "s3":
        return None
    base = config["MEDIA_PUBLIC_BASE_URL"] or _bucket_url(config["MEDIA_S3_ENDPOINT_URL"], config["MEDIA_S3_BUCKET"])
    match = re.match(r"^(https?://[^/]+)", base)
    return match[1] if match else None
