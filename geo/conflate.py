"""Conflation: documented (gazetteer) features matched to OpenStreetMap ways and nodes.

A user with an OSM extract (:func:`geo.network.osm.read_osm`) gets the real geometry of
every feature OSM has: roads and expressways, bridges, rail lines and stations are
matched to OSM ways / station nodes

* by **name**: the feature's ``name_zh`` and ``aliases`` against the OSM tags of
  :data:`geo.network.osm.NAME_TAGS` (``name``, ``name:zh``, ``alt_name``, ``old_name``,
  ``official_name``, ``ref`` …), compared after NFKC, case folding, removing spaces and
  converting traditional characters to simplified (OpenCC); for stations a trailing 站
  is ignored; a bridge also matches ``bridge=yes`` ways named after its parent road; a road
  with no way of its name matches ways whose ``ref`` is a road number in its names
  (``G103国道`` -> ``ref=G103``, weight 0.7);
* and by **proximity** to the hand-drawn geometry: only OSM objects within the tolerance
  of the feature's accuracy class (:data:`TOLERANCE_M`) count.

Each feature gets a :class:`Match`: ``matched`` (the OSM ways/node it is), ``ambiguous``
(two or more separate groups of OSM objects fit about equally: nothing is taken),
``unmatched`` (no OSM object of that name near it; the nearest one farther away is
reported). Distances are measured in EPSG:4548 metres. :func:`conflate_layers` gives
matched features OSM's geometry (``accuracy: surveyed``, ``geometry_source`` with the OSM
ids and the ODbL attribution); unmatched and ambiguous features keep theirs.
:func:`way_features` maps OSM way ids to feature ids, so that the network can date those
ways by the feature's timeline (:func:`geo.network.policy.osm_edge_included`).

This is a module of its own (not in :mod:`geo.network`) because it works on the layers:
it changes what the theme layers say, and the network only consumes its way -> feature map.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString, Point

from geo.crs import length_m, to_metric
from geo.network.osm import NAME_TAGS, OSMExtract
from geo.schema import as_list

logger = logging.getLogger(__name__)

__all__ = [
    "MATCH_STATUSES",
    "OSM_ATTRIBUTION",
    "TOLERANCE_M",
    "Match",
    "conflate_layers",
    "match_osm",
    "match_table",
    "normalise_name",
    "route_bus_layer",
    "way_features",
]

#: Outcomes of matching one feature.
MATCH_STATUSES: tuple[str, ...] = ("matched", "ambiguous", "unmatched")
#: Search radius (m) around the drawn geometry, per accuracy class: an OSM object of the
#: same name farther than this is a different object.
TOLERANCE_M: dict[str, float] = {
    "surveyed": 300.0,
    "located": 1500.0,
    "approximate": 6000.0,
    "schematic": 15000.0,
    "unlocated": 30000.0,
}
#: Attribution written into the ``geometry_source`` of conflated features.
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
#: Name-tag weights: the main names count fully, others a little less.
_TAG_WEIGHT = {"name": 1.0, "name:zh": 1.0, "name:zh-Hans": 1.0, "name:zh-Hant": 1.0}
_OTHER_TAG_WEIGHT = 0.9
_PARENT_WEIGHT = 0.8  # a bridge=yes way named after the bridge's road
_REF_WEIGHT = 0.7  # a way whose ref (G102, S32 ...) is in the feature's names, when no name matches
_REF = re.compile(r"(?<![A-Z0-9])([GSXY]\d{1,4})(?![0-9])")
_GROUP_GAP_M = 1000.0  # OSM objects closer than this form one group
_AMBIGUOUS_RATIO = 0.8  # a second group scoring at least this share of the best: ambiguous
_DENSIFY_M = 100.0
_LINE_KINDS = {"road": ("road", "expressway"), "bridge": ("bridge",), "rail": ("rail_line", "metro_line")}


@dataclass(frozen=True)
class Match:
    """The result of matching one feature to OSM.

    Attributes
    ----------
    feature_id, name_zh, kind : str
        The feature.
    status : str
        ``matched``, ``ambiguous`` or ``unmatched``.
    score : float
        0-1: name weight x (1 - mean distance / tolerance) of the chosen group.
    osm_type : str
        ``way`` or ``node``.
    osm_ids : tuple of int
        The OSM ids taken (matched) or of the best group (ambiguous).
    osm_name : str
        The OSM name that matched.
    mean_m, max_m : float or None
        Mean and largest distance (m) of the OSM geometry from the drawn one (points every
        100 m along the OSM ways; the node for stations): how far the drawing was off.
    drawn_length_m, osm_length_m : float or None
        Lengths (m) of the drawn line and of the OSM ways taken.
    tolerance_m : float
        The search radius used.
    note : str
        Why a feature is ambiguous or unmatched.
    """

    feature_id: str
    name_zh: str
    kind: str
    status: str
    score: float = 0.0
    osm_type: str = ""
    osm_ids: tuple[int, ...] = ()
    osm_name: str = ""
    mean_m: float | None = None
    max_m: float | None = None
    drawn_length_m: float | None = None
    osm_length_m: float | None = None
    tolerance_m: float = 0.0
    note: str = ""


# ----------------------------------------------------------------------------------------------
# names
# ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=200_000)
def normalise_name(text: str, *, station: bool = False) -> str:
    """A name as compared: NFKC, case folded, without spaces, traditional -> simplified
    (OpenCC ``t2s``); with ``station=True`` a trailing 站 / "station" is dropped."""
    key = "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())
    if any(ord(c) > 0x2E80 for c in key):
        key = _t2s().convert(key)
    if station:
        for suffix in ("火车站", "站", "station"):
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                break
    return key


def _osm_names(tags: Mapping[str, str], *, station: bool = False) -> list[tuple[str, float, str]]:
    """``(normalised name, weight, raw name)`` of an OSM object's name tags."""
    out = []
    for tag in NAME_TAGS:
        raw = tags.get(tag)
        if not raw:
            continue
        for part in str(raw).split(";"):
            part = part.strip()
            if part:
                out.append((normalise_name(part, station=station), _TAG_WEIGHT.get(tag, _OTHER_TAG_WEIGHT), part))
    return out


def _refs(texts: Iterable[str]) -> set[str]:
    """Road numbers (``G102``, ``S32`` …) written in names or a ``ref`` tag."""
    out: set[str] = set()
    for t in texts:
        out.update(_REF.findall(unicodedata.normalize("NFKC", str(t)).upper().replace(" ", "")))
    return out


def _feature_names(props: Mapping[str, Any], *, station: bool = False) -> set[str]:
    names = [props.get("name_zh") or "", *as_list(props.get("aliases"))]
    return {normalise_name(str(n), station=station) for n in names if n}


# ----------------------------------------------------------------------------------------------
# geometry helpers (EPSG:4548 metres)
# ----------------------------------------------------------------------------------------------
def _densify_points(geom_m: Any) -> np.ndarray:
    pts: list[tuple[float, float]] = []
    for part in getattr(geom_m, "geoms", [geom_m]):
        if part.geom_type != "LineString" or part.length == 0:
            continue
        n = max(2, int(part.length // _DENSIFY_M) + 1)
        for d in np.linspace(0.0, part.length, n):
            p = part.interpolate(float(d))
            pts.append((p.x, p.y))
    return np.array(pts).reshape(-1, 2)


def _distances(osm_m: Any, drawn_m: Any) -> tuple[float, float]:
    """Mean and max distance (m) of the OSM geometry's points from the drawn geometry."""
    if osm_m.geom_type == "Point":
        d = float(osm_m.distance(drawn_m))
        return d, d
    pts = _densify_points(osm_m)
    if not len(pts):
        return float("inf"), float("inf")
    d = shapely.distance(shapely.points(pts), drawn_m)
    return float(np.mean(d)), float(np.max(d))


def _groups(geoms_m: list[Any]) -> list[list[int]]:
    """Indices of geometries grouped by proximity (single linkage within _GROUP_GAP_M)."""
    n = len(geoms_m)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n > 1:
        tree = shapely.STRtree(geoms_m)
        left, right = tree.query(geoms_m, predicate="dwithin", distance=_GROUP_GAP_M)
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            parent[find(i)] = find(j)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(find(i), []).append(i)
    return sorted(out.values(), key=lambda g: g[0])


# ----------------------------------------------------------------------------------------------
# matching
# ----------------------------------------------------------------------------------------------
def _rows(layers: Mapping[str, Any], name: str, kinds: Iterable[str]) -> list[tuple[dict[str, Any], Any]]:
    gdf = layers.get(name)
    if gdf is None or len(gdf) == 0:
        return []
    ks = set(kinds)
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    out = []
    for rec, geom in zip(gdf[cols].to_dict("records"), gdf.geometry.values, strict=True):
        if rec.get("kind") in ks and geom is not None and not geom.is_empty:
            out.append((rec, geom))
    return sorted(out, key=lambda t: str(t[0]["id"]))


def _best_group(
    props: Mapping[str, Any],
    drawn: Any,
    cands: list[tuple[int, Any, float, str]],
    osm_type: str,
    tol: float,
    kind: str,
) -> Match:
    """Choose among candidate OSM objects ``(osm id, WGS84 geometry, name weight, raw name)``."""
    fid, name = str(props["id"]), str(props.get("name_zh") or "")
    drawn_m = to_metric(drawn)
    drawn_len = float(length_m(drawn)) if drawn.geom_type in ("LineString", "MultiLineString") else None
    base: dict[str, Any] = {
        "feature_id": fid,
        "name_zh": name,
        "kind": kind,
        "tolerance_m": tol,
        "drawn_length_m": drawn_len,
    }
    if not cands:
        return Match(status="unmatched", note="no OSM object with this name in the extract", **base)
    geoms_m = [to_metric(g) for _, g, _, _ in cands]
    near = [i for i, g in enumerate(geoms_m) if g.distance(drawn_m) <= tol]
    if not near:
        d = min(float(g.distance(drawn_m)) for g in geoms_m)
        return Match(
            status="unmatched",
            note=f"OSM objects of this name exist, the nearest {d / 1000:.1f} km away (tolerance {tol / 1000:.1f} km)",
            **base,
        )
    scored = []
    for grp in _groups([geoms_m[i] for i in near]):
        idx = [near[i] for i in grp]
        union = shapely.union_all([geoms_m[i] for i in idx])
        mean_d, max_d = _distances(union, drawn_m)
        weight = max(cands[i][2] for i in idx)
        score = weight * max(0.0, 1.0 - mean_d / tol)
        scored.append((score, idx, mean_d, max_d, union))
    scored.sort(key=lambda t: (-t[0], t[1]))
    best = scored[0]
    ids = tuple(sorted({cands[i][0] for i in best[1]}))
    osm_len = float(best[4].length) if best[4].geom_type != "Point" else None
    common: dict[str, Any] = {
        "score": round(best[0], 3),
        "osm_type": osm_type,
        "osm_ids": ids,
        "osm_name": cands[best[1][0]][3],
        "mean_m": round(best[2], 1),
        "max_m": round(best[3], 1),
        "osm_length_m": None if osm_len is None else round(osm_len, 1),
    }
    if len(scored) > 1 and scored[1][0] >= _AMBIGUOUS_RATIO * best[0]:
        return Match(
            status="ambiguous",
            note=f"{len(scored)} separate groups of OSM objects of this name fit (scores "
            + ", ".join(f"{s[0]:.2f}" for s in scored[:3])
            + ")",
            **common,
            **base,
        )
    if best[0] <= 0:
        return Match(status="unmatched", note="OSM objects of this name are too far from the drawing", **base)
    return Match(status="matched", **common, **base)


def match_osm(layers: Mapping[str, gpd.GeoDataFrame], extract: OSMExtract) -> list[Match]:
    """Match the roads, bridges, rail lines and stations of the layers to an OSM extract.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Theme layers (WGS84) from :func:`geo.layers.build_layers`.
    extract : geo.network.osm.OSMExtract
        From :func:`geo.network.osm.read_osm`.

    Returns
    -------
    list of Match
        One per road, expressway, bridge, rail / metro line and station, sorted by id.
    """
    # name -> candidate OSM objects, per layer
    index: dict[str, dict[str, list[tuple[int, Any, float, str]]]] = {"road": {}, "rail": {}, "bridge": {}, "ref": {}}
    geoms: dict[tuple[str, int], list[LineString]] = {}
    for w in extract.ways:
        layer = "rail" if w["layer"] == "rail" else ("road" if w["layer"] == "road" else "")
        if not layer:
            continue
        geoms.setdefault((layer, w["osmid"]), []).append(LineString(w["coords"]))
    seen: set[tuple[str, str, int]] = set()
    for w in extract.ways:
        layer = "rail" if w["layer"] == "rail" else ("road" if w["layer"] == "road" else "")
        if not layer:
            continue
        parts = geoms[(layer, w["osmid"])]
        g = parts[0] if len(parts) == 1 else MultiLineString(parts)
        targets = [layer]
        if layer == "road" and str(w["tags"].get("bridge", "no")) not in ("no", ""):
            targets.append("bridge")
        if layer == "road" and w["tags"].get("ref"):
            for ref in _refs(str(w["tags"]["ref"]).split(";")):
                if ("ref", ref, w["osmid"]) not in seen:
                    seen.add(("ref", ref, w["osmid"]))
                    index["ref"].setdefault(ref, []).append((w["osmid"], g, _REF_WEIGHT, f"ref={ref}"))
        for key, weight, raw in _osm_names(w["tags"]):
            for t in targets:
                if (t, key, w["osmid"]) in seen:
                    continue
                seen.add((t, key, w["osmid"]))
                index[t].setdefault(key, []).append((w["osmid"], g, weight, raw))
    stations: dict[str, list[tuple[int, Any, float, str]]] = {}
    for s in extract.stations:
        for key, weight, raw in _osm_names(s["tags"], station=True):
            stations.setdefault(key, []).append((s["osmid"], Point(s["lon"], s["lat"]), weight, raw))
    roads_by_id = {str(p["id"]): p for p, _ in _rows(layers, "roads", _LINE_KINDS["road"])}

    def cands_for(names: set[str], idx: Mapping[str, list[tuple[int, Any, float, str]]]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for n in names:
            for c in idx.get(n, []):
                if c[0] not in out or c[2] > out[c[0]][2]:
                    out[c[0]] = c
        return out

    matches: list[Match] = []
    for props, geom in _rows(layers, "roads", _LINE_KINDS["road"]):
        tol = TOLERANCE_M.get(str(props.get("accuracy")), TOLERANCE_M["schematic"])
        c = cands_for(_feature_names(props), index["road"])
        if not c:  # no way of this name: its road number (G103 ...), if its names give one
            names = [props.get("name_zh") or "", *as_list(props.get("aliases"))]
            c = cands_for(_refs(names), index["ref"])
        matches.append(_best_group(props, geom, sorted(c.values(), key=lambda t: t[0]), "way", tol, "road"))
    for props, geom in _rows(layers, "bridges", _LINE_KINDS["bridge"]):
        tol = TOLERANCE_M.get(str(props.get("accuracy")), TOLERANCE_M["schematic"])
        c = cands_for(_feature_names(props), index["bridge"])
        for pid in as_list(props.get("parent")):
            parent = roads_by_id.get(str(pid))
            if parent is None:
                continue
            for osm_id, g, weight, raw in cands_for(_feature_names(parent), index["bridge"]).values():
                if osm_id not in c:
                    c[osm_id] = (osm_id, g, weight * _PARENT_WEIGHT, raw)
        matches.append(_best_group(props, geom, sorted(c.values(), key=lambda t: t[0]), "way", tol, "bridge"))
    for props, geom in _rows(layers, "rail", _LINE_KINDS["rail"]):
        tol = TOLERANCE_M.get(str(props.get("accuracy")), TOLERANCE_M["schematic"])
        c = cands_for(_feature_names(props), index["rail"])
        matches.append(_best_group(props, geom, sorted(c.values(), key=lambda t: t[0]), "way", tol, "rail"))
    for props, geom in _rows(layers, "stations", ("station",)):
        tol = TOLERANCE_M.get(str(props.get("accuracy")), TOLERANCE_M["schematic"])
        c = cands_for(_feature_names(props, station=True), stations)
        m = _best_group(props, geom, sorted(c.values(), key=lambda t: t[0]), "node", tol, "station")
        if m.status == "ambiguous" and m.mean_m is not None and m.mean_m <= TOLERANCE_M["surveyed"]:
            # two nodes of one name (e.g. the metro and the railway station) but one is right here
            m = Match(**{**asdict(m), "status": "matched", "note": "nearest of several OSM stations of this name"})
        matches.append(m)
    matches.sort(key=lambda m: m.feature_id)
    counts = {s: sum(m.status == s for m in matches) for s in MATCH_STATUSES}
    logger.info("conflation with %s: %s", extract.path, counts)
    return matches


def match_table(matches: Iterable[Match]) -> pd.DataFrame:
    """The matches as a table (one row per feature; ``osm_ids`` as ``;``-joined text)."""
    rows = []
    for m in matches:
        r = asdict(m)
        r["osm_ids"] = ";".join(str(i) for i in m.osm_ids)
        rows.append(r)
    cols = list(Match.__dataclass_fields__)
    return pd.DataFrame(rows, columns=cols)


def way_features(matches: Iterable[Match]) -> dict[int, str]:
    """OSM way id -> the feature it is conflated with (matched roads and bridges only).

    A way matched by a road and by one of its bridges belongs to the bridge (a bridge can
    open after the road it carries, or close on its own).
    """
    out: dict[int, str] = {}
    ms = [m for m in matches if m.status == "matched" and m.osm_type == "way" and m.kind in ("road", "bridge")]
    for m in sorted(ms, key=lambda m: (m.kind == "bridge", m.feature_id)):
        for i in m.osm_ids:
            out[i] = m.feature_id
    return out


def route_bus_layer(
    bus: gpd.GeoDataFrame, road_graph: Any, *, assumptions: Mapping[str, Any] | None = None
) -> gpd.GeoDataFrame:
    """Bus lines redrawn along the roads of an OSM road graph between their stops.

    Each pair of consecutive vertices of a bus line (its stops, or the places a schematic
    line is drawn through) is joined by the shortest road path
    (:class:`geo.network.build.RoadRouter`: both within ``bus_routing.snap_m`` of a road,
    no longer than ``bus_routing.max_detour`` x the straight line); other legs stay straight.
    Lines with at least one routed leg get the new geometry, ``length_m`` and a
    ``geometry_source`` that says how many legs follow OSM roads; their ``accuracy`` is
    unchanged (the stops are as accurate as before). This is for drawing: the network boards
    at the vertices of a bus line drawn through its stops and routes its hops itself
    (:func:`geo.network.build.route_bus_on_roads`), so build it from the layers before this.

    Parameters
    ----------
    bus : GeoDataFrame
        The ``bus`` layer (WGS84).
    road_graph : networkx.MultiDiGraph
        From :func:`geo.network.osm.load_osm` / :func:`geo.network.osm.graph_from_extract`.
    assumptions : mapping, optional
        Overrides of ``bus_routing``.

    Returns
    -------
    GeoDataFrame
        A new frame.
    """
    from geo.network.build import RoadRouter
    from geo.network.policy import load_assumptions

    if bus is None or len(bus) == 0:
        return bus
    points: list[tuple[float, float]] = []
    parts_of: list[list[list[int]]] = []
    for geom in bus.geometry:
        parts = [geom] if geom.geom_type == "LineString" else list(getattr(geom, "geoms", []))
        idx_parts = []
        for part in parts:
            idx = []
            for c in part.coords:
                idx.append(len(points))
                points.append((float(c[0]), float(c[1])))
            idx_parts.append(idx)
        parts_of.append(idx_parts)
    router = RoadRouter(road_graph, points, load_assumptions(assumptions))
    out = bus.copy()
    for row in range(len(out)):
        new_parts, routed, legs = [], 0, 0
        for idx in parts_of[row]:
            acc: list[tuple[float, float]] = [points[idx[0]]]
            for a, b in itertools.pairwise(idx):
                legs += 1
                r = router.route(a, b)
                if r is None:
                    acc.append(points[b])
                    continue
                routed += 1
                acc.extend((float(c[0]), float(c[1])) for c in r[1].coords[1:])
            new_parts.append(LineString(acc))
        if not routed:
            continue
        new = new_parts[0] if len(new_parts) == 1 else MultiLineString(new_parts)
        out.iat[row, out.columns.get_loc(out.geometry.name)] = new
        src = str(out["geometry_source"].iloc[row])
        out.loc[out.index[row], "geometry_source"] = (
            f"{src}; {routed} of {legs} legs between consecutive stops routed along OpenStreetMap roads "
            f"({OSM_ATTRIBUTION}), the others straight"
        )
        if "length_m" in out.columns:
            out.loc[out.index[row], "length_m"] = round(float(length_m(new)), 1)
    return out


def conflate_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    extract: OSMExtract,
    matches: Iterable[Match] | None = None,
    *,
    road_graph: Any = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The layers with OSM geometry for every matched feature.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Theme layers (WGS84).
    extract : geo.network.osm.OSMExtract
        The extract the matches refer to.
    matches : iterable of Match, optional
        Default :func:`match_osm` of ``layers`` and ``extract``.
    road_graph : networkx.MultiDiGraph, optional
        The extract's road graph: bus lines are then redrawn along its roads between their
        stops (:func:`route_bus_layer`).

    Returns
    -------
    dict of str to GeoDataFrame
        New frames; matched features get the OSM geometry (ways merged, in WGS84),
        ``accuracy`` ``surveyed``, ``length_m`` of the new line and a ``geometry_source``
        naming the OSM ids, the match score and the ODbL attribution. Other features are
        unchanged.
    """
    ms = list(matches) if matches is not None else match_osm(layers, extract)
    ways: dict[int, list[LineString]] = {}
    for w in extract.ways:
        ways.setdefault(w["osmid"], []).append(LineString(w["coords"]))
    nodes = {s["osmid"]: Point(s["lon"], s["lat"]) for s in extract.stations}
    by_id = {m.feature_id: m for m in ms if m.status == "matched"}
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, gdf in layers.items():
        if gdf is None or len(gdf) == 0 or "id" not in gdf.columns:
            out[name] = gdf
            continue
        gdf = gdf.copy()
        for i, fid in enumerate(gdf["id"].tolist()):
            m = by_id.get(str(fid))
            if m is None:
                continue
            if m.osm_type == "node":
                geom: Any = nodes[m.osm_ids[0]] if len(m.osm_ids) == 1 else None
                if geom is None:  # several nodes in the group: the nearest to the drawing
                    drawn = to_metric(gdf.geometry.iloc[i])
                    geom = min((nodes[j] for j in m.osm_ids), key=lambda p: to_metric(p).distance(drawn))
                what = "node " + ", ".join(str(j) for j in m.osm_ids)
            else:
                merged = shapely.line_merge(shapely.union_all([g for j in m.osm_ids for g in ways.get(j, [])]))
                geom = merged
                what = f"way{'s' if len(m.osm_ids) > 1 else ''} " + ", ".join(str(j) for j in m.osm_ids)
            col = gdf.columns.get_loc(gdf.geometry.name)
            gdf.iat[i, col] = geom
            gdf.loc[gdf.index[i], "accuracy"] = "surveyed"
            gdf.loc[gdf.index[i], "geometry_source"] = (
                f"OpenStreetMap {what} ({OSM_ATTRIBUTION}), conflated by name ({m.osm_name}) and proximity "
                f"(score {m.score:.2f}; the former drawing was {m.mean_m:.0f} m off on average)"
            )
            if "length_m" in gdf.columns and geom.geom_type in ("LineString", "MultiLineString"):
                gdf.loc[gdf.index[i], "length_m"] = round(float(length_m(geom)), 1)
        out[name] = gdf
    if road_graph is not None and "bus" in out:
        out["bus"] = route_bus_layer(out["bus"], road_graph)
    return out
