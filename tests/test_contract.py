"""Contract between the analysis and the maps: every frame the real pipeline writes reaches the maps.

Runs ``geo.build.build`` on the seed corpus (the real extraction, network, accessibility
and scenario analyses; about 10 s) and checks that the access map draws a travel-time
layer for every ``t_<chain>_<destination>`` column of the hexagons, an isochrone layer
for every destination × chain, and a scenario-difference layer for every
``d_<scenario>_<chain>_<destination>`` column of the scenario layer -- so for every
scenario of the study configuration.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.config import default_study
from geo.layers import read_layers
from geo.maps.access import find_access_frames
from geo.schema import parse_delta_column, parse_time_column

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _map_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="geo-data-\w+">(.*?)</script>', html, re.S)
    assert m, "map has no JSON data element"
    return json.loads(m[1])["D"]


@pytest.fixture(scope="module")
def built(seed_build):
    return seed_build  # one build of the seeds per test run (tests/conftest.py)


def test_build_writes_every_map(built):
    _out, result = built
    assert sorted(Path(p).name for p in result["maps"]) == ["access.html", "atlas.html", "timeline.html"]


def test_every_analysis_frame_reaches_the_access_map(built):
    out, _ = built
    names = ("access_hexes", "access_isochrones", "access_scenarios")
    layers = read_layers(out / "layers", names=names)
    d = _map_data((out / "maps" / "access.html").read_text(encoding="utf-8"))
    keys: dict[str, set[str]] = {}
    for ld in d["layers"]:
        keys.setdefault(ld["type"], set()).add(ld["key"])

    times = [parse_time_column(c) for c in layers["access_hexes"].columns]
    expected_time = {f"time:{t.destination}:{t.chain}" for t in times if t}
    assert expected_time
    assert keys["time"] == expected_time
    drawn = {ld["key"]: ld["n"] for ld in d["layers"]}
    assert all(drawn[k] > 0 for k in expected_time)  # every hexagon layer has cells

    iso = layers["access_isochrones"]
    assert keys["iso"] == {f"iso:{r.destination_id}:{r.chain}" for r in iso.itertuples()}

    deltas = [parse_delta_column(c) for c in layers["access_scenarios"].columns]
    expected_diff = {f"diff:{x.scenario}:{x.destination}:{x.chain}" for x in deltas if x}
    assert expected_diff
    assert keys["diff"] == expected_diff
    scenarios = {k.split(":")[1] for k in keys["diff"]}
    assert scenarios == {s.id for s in default_study().scenarios} == {"jingtang", "changtong", "line22"}
    # the scenario layers are drawn on the origins (points: a one-vertex ring each)
    assert len(d["hex"]["rings"]) == len(layers["access_hexes"]) + len(layers["access_scenarios"])
    assert "Scenario − baseline" in d["legend"]


def test_layers_read_back_are_recognised(built):
    """The written analysis layers, read back from their files, are found by their columns."""
    out, _ = built
    extra = read_layers(
        out / "layers",
        names=("access_origins", "access_hexes", "access_isochrones", "access_crossborder", "access_scenarios"),
    )
    frames = find_access_frames(extra)
    assert frames.hexes is not None
    assert len(frames.hexes) == len(extra["access_hexes"])
    assert frames.isochrones is not None
    assert len(frames.isochrones) == len(extra["access_isochrones"])
    assert set(frames.scenarios) == {"access_scenarios"}
