"""Shared fixtures and test data builders (test modules never import each other)."""

from __future__ import annotations

import pytest

# --------------------------------------------------------------------------- network fixtures


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
