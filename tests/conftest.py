"""Shared fixtures and test data builders (test modules never import each other)."""

from __future__ import annotations

# --------------------------------------------------------------------------- network fixtures
import pytest


@pytest.fixture(scope="session")
def toy_network():
    """The network of the toy layers (``tests/_netdata.py``), all features; do not modify it."""
    from _netdata import toy_layers

    from geo.network import build_network

    return build_network(toy_layers())


# --------------------------------------------------------------------------- maps fixtures


# --------------------------------------------------------------------------- pipeline fixtures
