"""A brand with a product, its owner signed in, and a way to count what the media folder holds."""

from pathlib import Path

import pytest


@pytest.fixture
def owner(make):
    return make.user(name="Olive Owner")


@pytest.fixture
def brand(make, owner):
    return make.brand(owner=owner, slug="acme", name="Acme Tees")


@pytest.fixture
def product(make, brand):
    return make.product(brand, name="Heavy tee")


@pytest.fixture
def signed_in(client, owner, brand):
    client.login_as(owner)
    return client


@pytest.fixture
def media_files(app):
    """The files in the media folder right now, by name."""

    def files() -> set[str]:
        return {path.name for path in Path(app.config["MEDIA_ROOT"]).rglob("*") if path.is_file()}

    return files
