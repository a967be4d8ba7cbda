"""Conflation of gazetteer features with OSM (tests/data/region.osm, our hand-written fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import geo
from geo import conflate
from geo.cli import main
from geo.network.osm import OSMExtract, read_osm

REGION = Path(__file__).parent / "data" / "region.osm"


@pytest.fixture(scope="module")
def layers():
    return geo.layers_as_of("2024-10-01")


@pytest.fixture(scope="module")
def extract():
    return read_osm(REGION)


@pytest.fixture(scope="module")
def matches(layers, extract):
    return {m.feature_id: m for m in conflate.match_osm(layers, extract)}


def test_names_and_proximity(matches):
    ct = matches["road-changtong"]
    assert ct.status == "matched"
    assert ct.osm_ids == (2001, 2002, 2003)  # not 2101, the other 厂通路 35 km away
    assert 150 < ct.mean_m < 400  # the fixture is drawn ~220 m north of the gazetteer line
    assert matches["bridge-changtong-chaobai"].osm_ids == (2002,)  # bridge=yes way of its road
    assert matches["road-jingyu-old"].osm_ids == (2301,)  # name=京榆舊線 (traditional)
    assert matches["expressway-tongyan"].osm_ids == (2201,)  # name 通燕高速公路
    assert matches["station-jt-yanjiao"].osm_type == "node"
    assert matches["station-jt-yanjiao"].osm_ids == (1802,)  # OSM name 燕郊站, gazetteer 燕郊站
    assert matches["jingtang-intercity"].osm_ids == (2801,)
    assert matches["road-jingjin"].osm_ids == (2951,)  # ref=G103, alias G103国道
    assert matches["road-jingjin"].osm_name == "ref=G103"
    assert matches["road-jingjin"].score < 0.71  # a road number counts less than a name
    assert matches["road-anshi"].status == "unmatched"
    assert "no OSM object" in matches["road-anshi"].note
    assert set(conflate.way_features(matches.values())) == {2001, 2002, 2003, 2201, 2301, 2601, 2951}
    assert conflate.way_features(matches.values())[2002] == "bridge-changtong-chaobai"


def test_same_name_far_away_is_unmatched(layers):
    far = OSMExtract(
        path="far",
        ways=[
            {
                "osmid": 1,
                "layer": "road",
                "highway": "primary",
                "railway": "",
                "construction": False,
                "tags": {"name": "厂通路"},
                "nodes": (1, 2),
                "coords": ((117.15, 39.76), (117.17, 39.765)),
            }
        ],
    )
    m = {x.feature_id: x for x in conflate.match_osm(layers, far)}["road-changtong"]
    assert m.status == "unmatched"
    assert "km away" in m.note


def test_two_equal_candidates_are_ambiguous(layers):
    """Two separate 神威北大街 ways, 5 km either side of a schematic drawing: neither is taken."""

    def way(i, lat):
        return {
            "osmid": i,
            "layer": "road",
            "highway": "primary",
            "railway": "",
            "construction": False,
            "tags": {"name": "神威北大街"},
            "nodes": (10 * i, 10 * i + 1),
            "coords": ((116.80, lat), (116.83, lat)),
        }

    row = layers["roads"].set_index("id").loc["road-shenwei-north"]
    lat = row.geometry.interpolate(0.5, normalized=True).y
    ext = OSMExtract(path="two", ways=[way(1, lat + 0.03), way(2, lat - 0.03)])
    m = {x.feature_id: x for x in conflate.match_osm(layers, ext)}["road-shenwei-north"]
    assert m.status == "ambiguous"
    assert "2 separate groups" in m.note
    assert conflate.way_features([m]) == {}
    out = conflate.conflate_layers(layers, ext, [m])
    assert out["roads"].set_index("id").loc["road-shenwei-north", "accuracy"] == row["accuracy"]


def test_conflated_layers_take_osm_geometry(layers, extract, matches):
    out = conflate.conflate_layers(layers, extract, matches.values())
    roads = out["roads"].set_index("id")
    ct = roads.loc["road-changtong"]
    assert ct["accuracy"] == "surveyed"
    assert "OpenStreetMap ways 2001, 2002, 2003" in ct["geometry_source"]
    assert "© OpenStreetMap contributors, ODbL 1.0" in ct["geometry_source"]
    assert ct.geometry.coords[0] == (116.745, 39.8957)
    assert ct["length_m"] == pytest.approx(7000, rel=0.2)
    st = out["stations"].set_index("id").loc["station-jt-yanjiao"]
    assert (st.geometry.x, st.geometry.y) == (116.824, 39.937)
    # unmatched features and the input layers are unchanged
    assert roads.loc["road-anshi", "geometry"].equals(layers["roads"].set_index("id").loc["road-anshi", "geometry"])
    assert layers["roads"].set_index("id").loc["road-changtong", "accuracy"] == "approximate"


def test_cli_match_report_and_layers(tmp_path, capsys):
    assert main(["osm", "match", str(REGION), "--json"]) == 0
    rows = {r["feature_id"]: r for r in json.loads(capsys.readouterr().out)["matches"]}
    assert rows["road-changtong"]["status"] == "matched"
    assert rows["road-changtong"]["osm_ids"] == "2001;2002;2003"
    assert rows["road-anshi"]["status"] == "unmatched"
    assert main(["osm", "match", str(REGION), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "road-changtong" in out
    assert "matched" in out
    fc = json.loads((tmp_path / "roads.geojson").read_text(encoding="utf-8"))
    (ct,) = [f for f in fc["features"] if f["id"] == "road-changtong"]
    assert ct["properties"]["accuracy"] == "surveyed"
    assert ct["geometry"]["coordinates"][0] == [116.745, 39.8957]
