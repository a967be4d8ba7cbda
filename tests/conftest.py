"""Shared fixtures and test data builders (test modules never import each other)."""

from __future__ import annotations

import pytest

# --------------------------------------------------------------------------- network fixtures


@pytest.fixture(scope="session")
def toy_network():
    """The network of the toy layers (``tests/_netdata.py``), all features; do not modify it."""
    from _netdata import toy_layers

    from geo.network import build_network

    return build_network(toy_layers())


# --------------------------------------------------------------------------- maps fixtures


@pytest.fixture(scope="module")
def map_layers():
    """Small synthetic theme layers for the map tests (``_mapdata.synthetic_layers``)."""
    from _mapdata import synthetic_layers

    return synthetic_layers()


@pytest.fixture(scope="module")
def map_hexes():
    """``(hexes, isochrones, scenario)`` of 5,167 synthetic H3 cells (``_mapdata.synthetic_hexes``)."""
    from _mapdata import synthetic_hexes

    return synthetic_hexes()


# --------------------------------------------------------------------------- pipeline fixtures
