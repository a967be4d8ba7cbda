"""The committed reference package data equals a fresh derivation from the shared raw data."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

_TOOL = Path(__file__).resolve().parents[1] / "tools" / "derive.py"
_spec = importlib.util.spec_from_file_location("derive", _TOOL)
assert _spec
assert _spec.loader
_derive = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_derive)

PACKAGE_REF = Path(__file__).resolve().parents[1] / "geo" / "data" / "reference"
#: The shared raw data: $GEO_SHARED_DATA, else ``shared/data`` beside the checkout.
SHARED = Path(os.environ.get("GEO_SHARED_DATA") or _derive.DEFAULT_SHARED)
FILES = ("osm_stations.geojson", "boundaries.geojson", "rivers.geojson", "SOURCES.md")

needs_shared = pytest.mark.skipif(
    not (SHARED / "osm-beijing-subway-stations.json").is_file(),
    reason=f"shared raw data not found at {SHARED}: set GEO_SHARED_DATA to the shared/data folder",
)


@pytest.fixture(scope="module")
def derived(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    _derive.derive_all(SHARED, out)
    return out


@needs_shared
@pytest.mark.parametrize("name", FILES)
def test_committed_files_equal_fresh_derivation(derived: Path, name: str) -> None:
    assert (derived / name).read_bytes() == (PACKAGE_REF / name).read_bytes(), (
        f"{name} differs from a fresh derivation: run `python tools/derive.py --shared ../shared/data`"
    )


@needs_shared
def test_derivation_is_deterministic(derived: Path, tmp_path: Path) -> None:
    _derive.derive_all(SHARED, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (derived / name).read_bytes()


def _coords(geom: dict):
    def walk(c):
        if isinstance(c[0], (int, float)):
            yield c
        else:
            for x in c:
                yield from walk(x)

    yield from walk(geom["coordinates"])


def test_package_stations_cover_destinations_and_attribution() -> None:
    data = json.loads((PACKAGE_REF / "osm_stations.geojson").read_text(encoding="utf-8"))
    assert "OpenStreetMap contributors" in data["attribution"]
    assert "ODbL" in data["attribution"]
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"国贸", "东大桥", "望京", "通州北关", "环球度假区"} <= names
    guomao = next(f for f in data["features"] if f["properties"]["name"] == "国贸")
    assert guomao["properties"]["osm_id"] == 5430522453
    lon, lat = guomao["geometry"]["coordinates"]
    assert 116.44 < lon < 116.47
    assert 39.90 < lat < 39.92
    for f in data["features"]:
        for lon, lat in _coords(f["geometry"]):
            assert round(lon, 6) == lon
            assert round(lat, 6) == lat


def test_package_boundaries_levels_and_adcodes() -> None:
    data = json.loads((PACKAGE_REF / "boundaries.geojson").read_text(encoding="utf-8"))
    levels = [f["properties"]["level"] for f in data["features"]]
    assert levels.count("county") == 13
    assert levels.count("province") == 3
    codes = {f["properties"]["adcode"] for f in data["features"]}
    assert {110112, 131082, 131028, 131024, 110117, 120119, 130822} <= codes
    assert {110000, 120000, 130000} <= codes


def test_package_chaobai_runs_along_tongzhou_border() -> None:
    from shapely.geometry import shape

    rivers = json.loads((PACKAGE_REF / "rivers.geojson").read_text(encoding="utf-8"))
    bounds = json.loads((PACKAGE_REF / "boundaries.geojson").read_text(encoding="utf-8"))
    chaobai = next(f for f in rivers["features"] if f["id"] == "chaobai")
    assert chaobai["properties"]["accuracy"] == "approximate"
    line = shape(chaobai["geometry"])
    tongzhou = next(shape(f["geometry"]) for f in bounds["features"] if f["properties"]["adcode"] == 110112)
    # every vertex lies on the Tongzhou boundary (within rounding)
    assert tongzhou.boundary.buffer(1e-6).contains(line)
    # runs north (upstream) to south
    coords = list(_coords(chaobai["geometry"]))
    assert coords[0][1] > coords[-1][1]
    assert 30_000 < chaobai["properties"]["length_m"] < 120_000
