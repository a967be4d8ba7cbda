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


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (one per test process).

    Fails (never skips) when Chromium is missing, unless GEO_SKIP_BROWSER=1 is set.
    """
    import os

    from _mapdata import CHROMIUM_ARGS, chromium_path

    if os.environ.get("GEO_SKIP_BROWSER") == "1":
        pytest.skip("GEO_SKIP_BROWSER=1 set explicitly")
    exe = chromium_path()
    if exe is None:
        pytest.fail(
            "Chromium not found (install Debian's `chromium` package, or set GEO_CHROMIUM); "
            "set GEO_SKIP_BROWSER=1 to skip browser tests explicitly"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def map_files(tmp_path_factory):
    """The three maps of the synthetic data (basemap none), written once: ``{name: path}``."""
    from _mapdata import DOCUMENTS, synthetic_hexes, synthetic_layers, synthetic_origins

    from geo import maps as gm

    out = tmp_path_factory.mktemp("maps")
    layers = synthetic_layers()
    hexes, iso, sc = synthetic_hexes()
    origins, scen = synthetic_origins()
    return {
        "atlas": gm.write_atlas(out / "atlas.html", layers, basemap="none", documents=DOCUMENTS),
        "timeline": gm.write_timeline_map(out / "timeline.html", layers, basemap="none", documents=DOCUMENTS),
        "access": gm.write_access_map(
            out / "access.html",
            hexes,
            iso,
            {"hexes": sc, "towns": scen},
            basemap="none",
            destination="dest-guomao",
            mode="transit",
            labels={"dest-guomao": "国贸 Guomao", "transit": "public transport", "car": "car"},
            origins=origins,
            context=layers,
        ),
    }


@pytest.fixture(scope="session")
def real_maps(tmp_path_factory):
    """The timeline and access maps of the project's own data (the committed ``layers/``), basemap none."""
    from pathlib import Path

    from geo import maps as gm
    from geo.config import default_study
    from geo.layers import read_layers
    from geo.maps.access_frames import find_access_frames
    from geo.schema import ANALYSIS_LAYERS, LAYER_NAMES

    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("realmaps")
    layers = read_layers(root / "layers", names=LAYER_NAMES + ANALYSIS_LAYERS)
    theme = {k: v for k, v in layers.items() if k in LAYER_NAMES and len(v)}
    frames = find_access_frames({k: v for k, v in layers.items() if k in ANALYSIS_LAYERS})
    study = default_study()
    return {
        "timeline": gm.write_timeline_map(out / "timeline.html", theme, basemap="none"),
        "atlas": gm.write_atlas(out / "atlas.html", theme, basemap="none"),
        "access": gm.write_access_map(
            out / "access.html",
            frames.hexes,
            frames.isochrones,
            frames.scenarios,
            basemap="none",
            destination=study.access_destination,
            mode=study.access_mode,
            labels={fid: label for label, fid in study.destinations.items()},
            origins=frames.origins,
            context=theme,
            study=study,
        ),
    }


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


# --------------------------------------------------------------------------- extraction fixtures


@pytest.fixture(scope="session")
def package_gazetteer():
    """The package's curated gazetteer (``geo.gazetteer.load_gazetteer()``), read once."""
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()
