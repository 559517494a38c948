"""Settings, read only from the environment, with safe development defaults."""

import hashlib
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("FLASHMALL_INSTANCE", PROJECT_ROOT / "instance"))
DEV_SECRET_FILE = INSTANCE_DIR / "dev-secret-key"


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def _dev_secret_key() -> str:
    # A random per-checkout key: sessions survive restarts, nothing is committed.
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    if not DEV_SECRET_FILE.exists():
        DEV_SECRET_FILE.write_text(secrets.token_urlsafe(48))
    return DEV_SECRET_FILE.read_text().strip()


def _database_url(url: str) -> str:
    # SQLAlchemy wants an explicit driver for psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings() -> dict:
    env = os.environ.get("FLASHMALL_ENV", "development")
    secret = os.environ.get("SECRET_KEY")
    if env == "production" and not secret:
        raise ConfigError("SECRET_KEY must be set when FLASHMALL_ENV=production")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'flashmall.db'}"
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret or _dev_secret_key(),
        "SQLALCHEMY_DATABASE_URI": _database_url(database_url),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "MALL_TIMEZONE": os.environ.get("MALL_TIMEZONE", "UTC"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),  # per IP
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute; 20 per hour"),
        "SIGNUP_RATE_LIMIT": os.environ.get("SIGNUP_RATE_LIMIT", "5 per minute; 30 per hour"),
        "HOLD_RATE_PER_CART": int(os.environ.get("HOLD_RATE_PER_CART", "20")),
        "HOLD_RATE_PER_IP": int(os.environ.get("HOLD_RATE_PER_IP", "600")),
        "CHECKOUT_RATE_LIMIT": os.environ.get("CHECKOUT_RATE_LIMIT", "10 per minute"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Flashmall <orders@flashmall.test>"),
        "AVAILABILITY_CACHE_SECONDS": float(os.environ.get("AVAILABILITY_CACHE_SECONDS", "0.5")),
        **_payment_settings(env, secret or _dev_secret_key()),
        **_media_settings(),
    }


def _payment_settings(env: str, secret_key: str) -> dict:
    # The built-in test cards sign with their own secret; outside production one is derived when none is given.
    derived = hashlib.sha256(b"flashmall-test-payments:" + secret_key.encode()).hexdigest()
    return {
        "PAYMENT_WINDOW_MINUTES": int(os.environ.get("PAYMENT_WINDOW_MINUTES", "10")),
        "PAYMENT_CURRENCY": os.environ.get("PAYMENT_CURRENCY", "gbp"),
        "TEST_PAYMENTS_SECRET": os.environ.get("TEST_PAYMENTS_SECRET") or ("" if env == "production" else derived),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
    }


def _media_settings() -> dict:
    # Images go to a bucket when one is named; otherwise to a folder in the instance directory.
    bucket = os.environ.get("MEDIA_S3_BUCKET", "")
    return {
        "MEDIA_STORAGE": os.environ.get("MEDIA_STORAGE") or ("s3" if bucket else "local"),
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(INSTANCE_DIR / "media")),
        "MEDIA_MAX_UPLOAD_BYTES": int(os.environ.get("MEDIA_MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        "MEDIA_MAX_PIXELS": int(os.environ.get("MEDIA_MAX_MEGAPIXELS", "40")) * 1_000_000,
        "MEDIA_S3_BUCKET": bucket,
        "MEDIA_S3_ENDPOINT_URL": os.environ.get("MEDIA_S3_ENDPOINT_URL", ""),  # e.g. R2, MinIO; empty for AWS
        "MEDIA_S3_REGION": os.environ.get("MEDIA_S3_REGION", ""),
        "MEDIA_S3_ACCESS_KEY_ID": os.environ.get("MEDIA_S3_ACCESS_KEY_ID", ""),
        "MEDIA_S3_SECRET_ACCESS_KEY": os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY", ""),
        "MEDIA_PUBLIC_BASE_URL": os.environ.get("MEDIA_PUBLIC_BASE_URL", ""),  # the bucket's CDN address
    }
