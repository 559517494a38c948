"""The bucket storage, against botocore's Stubber (no network): what it sends, and where browsers fetch from."""

import boto3
import pytest
from botocore.stub import Stubber

from mall.media.storage import IMMUTABLE, S3Storage, media_origin, s3_storage_from_config

KEY = "0123456789abcdef0123456789abcdef-640w.webp"


@pytest.fixture
def client():
    return boto3.client(
        "s3", region_name="eu-west-2", aws_access_key_id="test", aws_secret_access_key="test",
        endpoint_url="https://objects.example.test",
    )


def test_a_rendition_is_put_with_its_type_and_the_immutable_cache_header(client):
    storage = S3Storage(client, "mall-media", "https://cdn.example.test/")
    with Stubber(client) as stub:
        stub.add_response(
            "put_object",
            {"ETag": '"x"'},
            {"Bucket": "mall-media", "Key": KEY, "Body": b"RIFF....WEBP", "ContentType": "image/webp", "CacheControl": IMMUTABLE},
        )
        storage.save(KEY, b"RIFF....WEBP", "image/webp")
        stub.assert_no_pending_responses()
    assert storage.url(KEY) == f"https://cdn.example.test/{KEY}"


def test_exists_reads_a_404_as_absent_and_delete_removes(client):
    storage = S3Storage(client, "mall-media", "https://cdn.example.test")
    with Stubber(client) as stub:
        stub.add_response("head_object", {"ContentLength": 12}, {"Bucket": "mall-media", "Key": KEY})
        stub.add_client_error("head_object", service_error_code="404", http_status_code=404,
                              expected_params={"Bucket": "mall-media", "Key": KEY})
        stub.add_response("delete_object", {}, {"Bucket": "mall-media", "Key": KEY})
        assert storage.exists(KEY) is True
        assert storage.exists(KEY) is False
        storage.delete(KEY)
        stub.assert_no_pending_responses()


def test_other_bucket_errors_are_not_taken_for_absent(client):
    storage = S3Storage(client, "mall-media", "https://cdn.example.test")
    with Stubber(client) as stub:
        stub.add_client_error("head_object", service_error_code="AccessDenied", http_status_code=403)
        with pytest.raises(Exception, match="AccessDenied"):
            storage.exists(KEY)


def _config(**overrides) -> dict:
    return {
        "MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "mall-media", "MEDIA_S3_ENDPOINT_URL": "https://objects.example.test",
        "MEDIA_S3_REGION": "auto", "MEDIA_S3_ACCESS_KEY_ID": "key", "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
        "MEDIA_PUBLIC_BASE_URL": "", **overrides,
    }


def test_the_settings_choose_the_bucket_endpoint_and_public_address():
    storage = s3_storage_from_config(_config())
    assert storage.bucket == "mall-media"
    assert storage.client.meta.endpoint_url == "https://objects.example.test"
    assert storage.url(KEY) == f"https://objects.example.test/mall-media/{KEY}"
    cdn = s3_storage_from_config(_config(MEDIA_PUBLIC_BASE_URL="https://img.flashmall.example/"))
    assert cdn.url(KEY) == f"https://img.flashmall.example/{KEY}"
    assert media_origin(_config(MEDIA_PUBLIC_BASE_URL="https://img.flashmall.example/x")) == "https://img.flashmall.example"
    assert media_origin({**_config(), "MEDIA_STORAGE": "local"}) is None


def test_an_app_on_a_bucket_lets_pages_load_its_images(app):
    from mall import create_app

    config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL")}
    bucketed = create_app({**config, **_config(MEDIA_PUBLIC_BASE_URL="https://img.flashmall.example")})
    policy = bucketed.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://img.flashmall.example;" in policy
    assert bucketed.test_client().get(f"/media/{KEY}").status_code == 404  # the bucket serves its own files
