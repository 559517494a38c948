"""Migrations: from an empty database up to head, down to base and back up, and no drift from the models.

Each check runs on its own scratch database (the session `app` owns the main one): a fresh SQLite
file always, and a scratch PostgreSQL database too when the suite runs on PostgreSQL.
"""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import Migrate, downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from mall.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else [])


@pytest.fixture(params=BACKENDS)
def scratch_url(request, app, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    name = f"fm_migcheck_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def scratch_app(app, scratch_url):
    """A bare app holding only the database and the app's own migration settings, on the scratch URL."""
    scratch = Flask("migration_check")
    scratch.config["SQLALCHEMY_DATABASE_URI"] = scratch_url
    db.init_app(scratch)
    settings = app.extensions["migrate"]
    Migrate(scratch, db, directory=settings.directory, **settings.configure_args)
    with scratch.app_context():
        yield scratch
        db.session.remove()
        db.engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def model_tables() -> set[str]:
    return set(db.metadata.tables)


def test_upgrade_from_empty_then_down_to_base_and_up_again(scratch_app, scratch_url):
    upgrade(revision="heads")
    assert table_names(scratch_url) == model_tables() | {"alembic_version"}

    downgrade(revision="base")
    assert table_names(scratch_url) <= {"alembic_version"}, "a downgrade left tables behind"

    upgrade(revision="heads")
    assert table_names(scratch_url) == model_tables() | {"alembic_version"}


def test_models_and_migrations_do_not_drift(scratch_app, scratch_url):
    upgrade(revision="heads")
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        drift = compare_metadata(context, db.metadata)
    assert drift == [], "the models differ from the migrations; add a migration:\n" + "\n".join(map(str, drift))
