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


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """``(folder, result)`` of one full ``geo.build.build`` of ``seeds/`` (layers, tables, the
    three maps, no basemap tiles) into ``folder/layers`` and ``folder/maps``; read it, never
    modify it. Built once per test run: the ``pytest -n 2`` workers share it through a lock
    file (``result`` has the build's paths and counts, as JSON values)."""
    import fcntl
    import json
    import os
    from pathlib import Path

    from geo.build import build

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # shared by this run's workers
    out = root / "seed_build"
    with open(root / "seed_build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = out / "result.json"
        if not done.is_file():
            result = build(seeds, layers_dir=out / "layers", maps_dir=out / "maps", basemap="none")
            done.write_text(json.dumps(result, default=str), encoding="utf-8")
        result = json.loads(done.read_text(encoding="utf-8"))
    return out, result
