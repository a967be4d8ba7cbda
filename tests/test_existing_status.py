"""Status of features that existed before the corpus (issue 15, item 5).

A road or bridge with no dated history at all (通燕高速, 京榆旧线 …) is pre-existing
infrastructure: the network counts it as open (``status_policy.roads_without_timeline``),
and the layers and exports must say the same instead of ``unknown``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.api import state
from geo.export import export_layers
from geo.layers import build_layers
from geo.network.policy import road_included


@pytest.fixture(scope="module")
def layers():
    _, gaz, extraction = state(Path(__file__).resolve().parents[1] / "seeds")
    return build_layers(gaz, extraction)


def _row(layers, layer, fid):
    gdf = layers[layer]
    rows = gdf[gdf["id"] == fid]
    assert len(rows) == 1, fid
    return rows.iloc[0].to_dict()


def test_old_roads_are_open_existing_before_the_corpus_and_the_network_agrees(layers):
    for layer, fid in (
        ("roads", "expressway-tongyan"),
        ("roads", "road-jingyu-old"),
        ("bridges", "bridge-tongyan-chaobai"),
    ):
        p = _row(layers, layer, fid)
        assert p["status"] == "open"
        src = p["status_source"] if isinstance(p["status_source"], dict) else json.loads(p["status_source"])
        assert src["basis"] == "existing_before"
        assert road_included(p, "2021-01-01")


def test_roads_with_a_history_keep_it(layers):
    # a road with dated events is decided by them, never by the pre-existing rule
    p = _row(layers, "roads", "road-east-6th-ring")
    assert p["timeline"]
    assert p["status"] == "unknown"
    for gdf in layers.values():
        for _, row in gdf.iterrows():
            src = row["status_source"]
            if isinstance(src, dict) and src.get("basis") == "existing_before":
                assert not row["timeline"]
                assert row["kind"] in ("road", "expressway", "bridge")
                assert not row["provisional"]


def test_without_a_corpus_no_history_is_assumed():
    p = _row(build_layers(), "roads", "expressway-tongyan")
    assert p["status"] == "unknown"


def test_export_of_open_features_keeps_the_old_roads(layers, tmp_path):
    export_layers(layers, tmp_path, fmt="geojson", layers_wanted=["roads"], status=["open"])
    files = list(tmp_path.glob("*.geojson"))
    data = json.loads(files[0].read_text(encoding="utf-8"))
    ids = {f["id"] for f in data["features"]}
    assert {"expressway-tongyan", "road-jingyu-old", "road-tongwu"} <= ids
