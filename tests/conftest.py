"""Fixtures for the whole suite: one migrated database and one Redis per run.

DATABASE_URL / REDIS_URL point the suite at real servers (CI does); without
them it runs on the embedded default, SQLite plus an embedded Redis.
"""

import os

import pytest
from sqlalchemy import text

from tests.support import CsrfClient

pytest_plugins = ["tests.factories", "tests.e2e.browser"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mall.db'}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from mall.redis_setup import embedded_redis, redis_url_for

    server = embedded_redis(tmp_path_factory.mktemp("redis") / "redis.db")
    yield redis_url_for(server)
    server.shutdown()


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    from flask_migrate import upgrade

    from mall import create_app
    from mall.extensions import db, redis_client

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://", 1),
            "REDIS_URL": redis_url,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": None,
            "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),  # uploaded images, one folder per run
        }
    )
    app.test_client_class = CsrfClient
    with app.app_context():
        _empty_database(db)
        redis_client().flushdb()  # a run stopped half-way leaves rate-limit counters and holds behind
        upgrade(revision="heads")
    return app


def _empty_database(db) -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Every test starts from empty tables and an empty Redis."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from mall.extensions import db, redis_client
    from mall.storefront.cache import forget_cached_pages

    with app.app_context():
        forget_cached_pages()
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
        redis_client().flushdb()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def engine(app_ctx):
    """The stock engine on the test Redis, without rate limits."""
    from mall.extensions import db, redis_client
    from mall.drops.stock import drop_terms
    from mall.stock.engine import StockEngine

    return StockEngine(redis_client(), db.session, drop_terms=drop_terms)
