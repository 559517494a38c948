"""A brand with its owner signed in, and the mall's shared hubs."""

import pytest


@pytest.fixture
def owner(make):
    return make.user(name="Olive Owner")


@pytest.fixture
def brand(make, owner):
    return make.brand(owner=owner, slug="acme", name="Acme Tees")


@pytest.fixture
def signed_in(client, owner, brand):
    client.login_as(owner)
    return client


@pytest.fixture
def hubs(make):
    """Two micro-hubs' worth of variety: one of each kind."""
    return [
        make.hub(name="Soho micro-hub", kind="micro_hub"),
        make.hub(name="Camden pickup", kind="pickup_point"),
        make.hub(name="Central reserve", kind="central_reserve"),
    ]


@pytest.fixture
def as_role(client, make, brand):
    """Sign in a fresh member of the brand with `role`."""

    def sign_in(role):
        user = make.member(brand, role=role)
        client.login_as(user)
        return client

    return sign_in
