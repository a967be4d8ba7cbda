"""Multimodal travel network (metro, intercity rail, bus, roads, walking) built from the layers.

The network is an OSMnx-compatible :class:`networkx.MultiDiGraph`:

* graph attribute ``crs`` is ``"EPSG:4326"``;
* every node has ``x`` (longitude) and ``y`` (latitude) in WGS84 plus ``key`` (a readable string
  id such as ``"station:station-guomao"``), ``kind`` (station | stop | platform | road | place |
  osm), ``feature_id`` and ``street_count``;
* every edge has ``length`` (metres, measured in EPSG:4548), ``travel_time`` (seconds),
  ``mode`` (metro | rail | expressway | road | bus | walk | drive_access), ``feature_id``,
  ``kind`` (ride | board | alight | transfer | access | road) and ``geometry`` (a shapely
  LineString in WGS84).

So :func:`osmnx.graph_to_gdfs`, :func:`osmnx.distance.nearest_nodes`,
:func:`osmnx.routing.shortest_path`, :func:`osmnx.stats.basic_stats` and
:func:`osmnx.save_graphml` work on it.

Model (all values from ``geo/data/assumptions.yaml``, see :func:`load_assumptions`):

* A line (rail / metro / bus) with ``stops`` gets one *platform* node per stop. Ride edges join
  consecutive platforms in both directions: ``length / running speed + dwell``. A *board* edge
  (station -> platform) costs half the headway plus the boarding overhead (gates, security); an
  *alight* edge (platform -> station) is free. Transfers inside one station therefore cost the
  boarding wait of the next line; stations (or stops) within ``transfer.walk_radius_m`` of each
  other are joined by walk edges (straight line x walk detour factor, at least
  ``transfer.min_walk_s``).
* Roads (roads layer + bridges of kind ``bridge``) are split into nodes at their vertices and at
  their intersections with other roads. Both directions are drivable (no one-way data).
  Grade separation is not modelled: every crossing of two mapped roads is a junction.
* Places (admin rows with a ``centre``, features of kind ``destination`` and the extra ids in
  ``places.extra``) become place nodes joined by walk edges to stations and by drive-access edges
  to the nearest road node(s) (straight line x detour factor). The same access rule is used for
  arbitrary points (H3 cell centres) by :func:`access_links`.
* The gazetteer maps only arterials, approximately: neighbouring road nodes (Delaunay
  neighbours within ``local_roads.radius_m``) are joined by straight *local-road* links (mode
  ``road``, kind ``local``) at ``local_roads.speed_kmh`` x detour, and the shortest links that
  join separate fragments are added, so the drive network is one connected component.
* Bus lines without stop records (schematic) board at every drawn vertex; rail / metro lines
  without stops are left out (INFO).
* Feeder access (local bus / taxi / park-and-ride to a station beyond walking distance) is not an
  edge: :func:`access_links` with mode ``feeder`` returns links that end on the platform after the
  first ride hop, and :func:`feeder_egress_links` the mirror for the last leg, so a feeder can
  never replace the ride itself.
* Roads with no timeline at all are pre-existing arterials (``status_policy``,
  :func:`road_included`).
* As of a date, only features whose timeline status (:func:`geo.timeline.status_as_of`) is
  ``open`` are included. Features with no timeline or an ``unknown`` status are **excluded** from
  as-of networks; ``as_of=None`` means "everything in the layers". Stations follow their line
  unless their own timeline gives a definite planned / under_construction / suspended status.

Many-to-many travel times use a CSR matrix and :func:`scipy.sparse.csgraph.dijkstra`
(:func:`graph_to_csr`, :func:`shortest_travel_times`).
"""

from __future__ import annotations

import copy
import datetime as _dt
import importlib.resources
import json
import logging
import math
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely
import yaml
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geo.crs import METRIC_CRS, _transformer, to_metric, to_wgs84
from geo.dates import parse_as_of as _parse_date
from geo.gazetteer import STUDY_AREA_BBOX

logger = logging.getLogger(__name__)

__all__ = [
    "MODES",
    "STUDY_AREA_BBOX",
    "access_links",
    "build_network",
    "feature_included",
    "feeder_egress_links",
    "fetch_osm",
    "find_node",
    "graph_to_csr",
    "load_assumptions",
    "load_osm",
    "merge_osm",
    "node_lookup",
    "parse_as_of",
    "place_node",
    "road_included",
    "shortest_travel_times",
    "csr_from_arrays",
]

MODES: tuple[str, ...] = ("metro", "rail", "expressway", "road", "bus", "walk", "drive_access")
WGS84 = "EPSG:4326"
_EPS = 1e-6  # seconds; scipy csgraph would drop explicit zero weights in some paths
_LINE_KIND_MODE = {"metro_line": "metro", "rail_line": "rail", "bus_line": "bus"}
_NON_OPEN = {"planned", "under_construction", "suspended"}


# ----------------------------------------------------------------------------------------------
# assumptions
# ----------------------------------------------------------------------------------------------
def _deep_merge(base: dict, over: Mapping) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        cur = out.get(k)
        if isinstance(v, Mapping) and isinstance(cur, dict):
            out[k] = _deep_merge(cur, v)
        elif isinstance(cur, dict) and "value" in cur and not isinstance(v, Mapping):
            out[k] = {**cur, "value": v}  # allow {"speeds_kmh": {"metro": 40}}
        else:
            out[k] = copy.deepcopy(v)
    return out


@lru_cache(maxsize=1)
def _packaged_assumptions() -> dict:
    text = importlib.resources.files("geo").joinpath("data/assumptions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_assumptions(overrides: Mapping | None = None) -> dict:
    """Load the travel-time assumptions, optionally overridden.

    Parameters
    ----------
    overrides : mapping, optional
        Nested dict merged key by key over ``geo/data/assumptions.yaml``. A bare number may
        replace a ``{value, source}`` entry, e.g. ``{"speeds_kmh": {"metro": 40}}``.

    Returns
    -------
    dict
        The merged assumptions (a fresh copy).
    """
    base = copy.deepcopy(_packaged_assumptions())
    if overrides:
        base = _deep_merge(base, overrides)
    return base


def _v(a: Mapping, *keys: str, default: Any = None) -> Any:
    cur: Any = a
    for k in keys:
        if not isinstance(cur, Mapping) or k not in cur:
            return default
        cur = cur[k]
    if isinstance(cur, Mapping) and "value" in cur:
        return cur["value"]
    return cur


def _line_param(a: Mapping, line_id: str, mode: str, name: str) -> float:
    over = (a.get("line_overrides") or {}).get(line_id) or {}
    if name in over and over[name] is not None:
        return float(over[name])
    table = {"speed_kmh": "speeds_kmh", "dwell_s": "dwell_s", "half_headway_s": "half_headway_s",
             "boarding_overhead_s": "boarding_overhead_s"}[name]
    val = _v(a, table, mode)
    if val is None:
        raise ValueError(f"assumptions: no {table}.{mode}")
    return float(val)


# ----------------------------------------------------------------------------------------------
# CRS helpers
# ----------------------------------------------------------------------------------------------
def _to_metric_xy(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = _transformer(WGS84, METRIC_CRS).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def _to_wgs_xy(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer(METRIC_CRS, WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)


def _geom_to_metric(geom: Any) -> Any:
    return to_metric(geom)


def _geom_to_wgs(geom: Any) -> Any:
    return to_wgs84(geom)


# ----------------------------------------------------------------------------------------------
# property / status helpers
# ----------------------------------------------------------------------------------------------
def _jsonish(value: Any) -> Any:
    """Decode a property that may arrive JSON-encoded (GeoJSON read by pyogrio)."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _as_list(value: Any) -> list:
    value = _jsonish(value)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def parse_as_of(as_of: Any) -> _dt.date | None:
    """Parse an as-of date (:func:`geo.dates.parse_as_of`), keeping ``None`` (no filter).

    Parameters
    ----------
    as_of : date, datetime, str or None
        ``None`` (no filter), a :class:`datetime.date`, or ``YYYY``, ``YYYY-MM`` or
        ``YYYY-MM-DD`` (a year or month means its last day).

    Raises
    ------
    ValueError
        If a string is not such a date, or the type is not supported.
    """
    if as_of is None:
        return None
    if not isinstance(as_of, (str, _dt.date)):
        raise ValueError(f"as_of: unsupported type {type(as_of).__name__}; expected date or 'YYYY-MM-DD'")
    try:
        return _parse_date(as_of)
    except ValueError as exc:
        raise ValueError(f"as_of: {exc}") from None


def _status(props: Mapping, as_of: _dt.date, include_expected: bool) -> str:
    from geo.timeline import status_as_of  # imported lazily: written by another module

    timeline = _as_list(props.get("timeline"))
    if not timeline:
        return "unknown"
    res = status_as_of(timeline, as_of, include_expected=include_expected)
    return str(getattr(res, "status", res) or "unknown")


def feature_included(props: Mapping, as_of: Any, *, include_expected: bool = False) -> bool:
    """Whether a line / road feature belongs to the network as of a date.

    Parameters
    ----------
    props : mapping
        Feature properties with an optional ``timeline`` (list of event dicts).
    as_of : date, str or None
        ``None`` includes every feature; otherwise only features whose
        ``status_as_of(timeline, as_of, include_expected=...)`` is ``open``. Features with no
        timeline (status ``unknown``) are excluded.
    include_expected : bool
        Also count events expected (modality ``expected``) by ``as_of``.
    """
    day = parse_as_of(as_of)
    if day is None:
        return True
    return _status(props, day, include_expected) == "open"


def road_included(props: Mapping, as_of: Any, *, include_expected: bool = False,
                  assumptions: Mapping | None = None) -> bool:
    """Whether a road / bridge feature belongs to the drive network as of a date.

    Like :func:`feature_included`, except that a road with **no timeline at all** follows
    ``status_policy.roads_without_timeline`` (``open`` by default: the gazetteer records events
    only for roads built or rebuilt in the period; a road with none, e.g. 通燕高速 or 京榆旧线,
    is pre-existing infrastructure). A road whose timeline gives ``unknown`` as of the date
    (its only events are later, or undated expectations) is still excluded.

    Parameters
    ----------
    props : mapping
        Feature properties with an optional ``timeline``.
    as_of : date, str or None
        ``None`` includes every road.
    include_expected : bool
        Also count events expected by ``as_of``.
    assumptions : mapping, optional
        Assumptions (defaults to the packaged ones).
    """
    day = parse_as_of(as_of)
    if day is None:
        return True
    if not _as_list(props.get("timeline")):
        a = assumptions if assumptions is not None else load_assumptions()
        return str(_v(a, "status_policy", "roads_without_timeline", default="exclude")) == "open"
    return _status(props, day, include_expected) == "open"


def _station_blocked(props: Mapping, as_of: _dt.date | None, include_expected: bool) -> bool:
    """A station is closed when its own timeline says it is not open yet.

    A station with a dated history of its own that gives no status on ``as_of`` (its first event,
    e.g. its opening, is later) is closed too; a station with no history follows its line.
    """
    if as_of is None:
        return False
    status = _status(props, as_of, include_expected)
    return status in _NON_OPEN or (status == "unknown" and bool(_as_list(props.get("timeline"))))


def _rows(layers: Mapping[str, Any], name: str) -> list[tuple[dict, Any]]:
    gdf = layers.get(name)
    if gdf is None or len(gdf) == 0:
        return []
    if getattr(gdf, "crs", None) is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(WGS84)
    out = []
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    for rec, geom in zip(gdf[cols].to_dict("records"), gdf.geometry.values):
        if "id" not in rec or rec["id"] is None:
            continue
        out.append((rec, geom))
    out.sort(key=lambda t: str(t[0]["id"]))
    return out


def _point_of(props: Mapping, geom: Any) -> tuple[float, float] | None:
    centre = _jsonish(props.get("centre"))
    if isinstance(centre, (list, tuple)) and len(centre) == 2 and centre[0] is not None:
        return float(centre[0]), float(centre[1])
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return float(geom.x), float(geom.y)
    gm = _geom_to_metric(geom)
    c = gm.centroid if gm.geom_type in ("Polygon", "MultiPolygon") else gm.representative_point()
    lon, lat = _to_wgs_xy([c.x], [c.y])
    return float(lon[0]), float(lat[0])


# ----------------------------------------------------------------------------------------------
# graph builder
# ----------------------------------------------------------------------------------------------
class _Builder:
    def __init__(self, a: dict, graph: nx.MultiDiGraph | None = None) -> None:
        self.a = a
        self.G = graph if graph is not None else nx.MultiDiGraph(crs=WGS84)
        # edges added so far (every edge goes through :meth:`edge`): counting them here keeps
        # the sequential ``osmid`` O(1) per edge (``number_of_edges()`` walks every node)
        self.n_edges = self.G.number_of_edges()
        self.by_key: dict[str, int] = {}
        self.mxy: dict[int, tuple[float, float]] = {}

    def node(self, key: str, lon: float, lat: float, *, kind: str, mx: float | None = None,
             my: float | None = None, **attrs: Any) -> int:
        if key in self.by_key:
            return self.by_key[key]
        nid = len(self.by_key)
        self.by_key[key] = nid
        if mx is None:
            xs, ys = _to_metric_xy([lon], [lat])
            mx, my = float(xs[0]), float(ys[0])
        self.mxy[nid] = (mx, my)
        clean = {k: ("" if v is None else v) for k, v in attrs.items()}
        self.G.add_node(nid, x=round(float(lon), 7), y=round(float(lat), 7), key=key, kind=kind, **clean)
        return nid

    def edge(self, u: int, v: int, *, mode: str, length: float, travel_time: float, feature_id: str | None,
             kind: str, geometry: Any = None, **attrs: Any) -> None:
        if geometry is None:
            nu, nv = self.G.nodes[u], self.G.nodes[v]
            geometry = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
        # OSMnx tools (to_undirected, basic_stats) expect an ``osmid`` on every edge: these edges
        # are not OSM ways, so they get a sequential id, unique in the graph
        attrs.setdefault("osmid", -(self.n_edges + 1))
        self.n_edges += 1
        self.G.add_edge(u, v, mode=mode, length=float(length), travel_time=max(float(travel_time), _EPS),
                        feature_id=feature_id or "", kind=kind, geometry=geometry,
                        **{k: ("" if x is None else x) for k, x in attrs.items()})

    def nodes_of_kind(self, kinds: Iterable[str]) -> list[int]:
        ks = set(kinds)
        return [n for n, k in self.G.nodes(data="kind") if k in ks]


def _walk_time(a: Mapping, straight_m: float) -> tuple[float, float]:
    length = straight_m * float(_v(a, "detour_factors", "walk"))
    return length, length / (float(_v(a, "speeds_kmh", "walk")) / 3.6)


def _drive_time(a: Mapping, straight_m: float) -> tuple[float, float]:
    length = straight_m * float(_v(a, "detour_factors", "drive_access"))
    return length, length / (float(_v(a, "speeds_kmh", "drive_access")) / 3.6)


def _add_lines(b: _Builder, layers: Mapping, lookup: Mapping[str, tuple[dict, Any]], as_of: _dt.date | None,
               include_expected: bool) -> None:
    for layer in ("rail", "bus"):
        for props, geom in _rows(layers, layer):
            kind = str(props.get("kind") or "")
            mode = _LINE_KIND_MODE.get(kind) or ("bus" if layer == "bus" else "rail")
            if kind and kind not in _LINE_KIND_MODE:
                continue
            if not feature_included(props, as_of, include_expected=include_expected):
                continue
            _add_one_line(b, props, geom, mode, lookup, as_of, include_expected)


def _add_one_line(b: _Builder, props: dict, geom: Any, mode: str, lookup: Mapping, as_of: _dt.date | None,
                  include_expected: bool) -> None:
    a = b.a
    lid = str(props["id"])
    stops: list[tuple[str, float, float, str, dict]] = []  # key, lon, lat, kind, attrs
    for sid in _as_list(props.get("stops")):
        sid = str(sid)
        hit = lookup.get(sid)
        if hit is None:
            logger.warning("line %s: stop %s not found in the layers; skipped", lid, sid)
            continue
        sprops, sgeom, slayer = hit
        if slayer == "stations" and _station_blocked(sprops, as_of, include_expected):
            logger.info("line %s: station %s not open as of %s; skipped", lid, sid, as_of)
            continue
        pt = _point_of(sprops, sgeom)
        if pt is None:
            continue
        skind = "station" if slayer == "stations" else "stop"
        stops.append((f"{skind}:{sid}", pt[0], pt[1], skind,
                      {"feature_id": sid, "name": sprops.get("name_zh") or "",
                       "admin": ",".join(str(x) for x in _as_list(sprops.get("admin")))}))
    runs: list[list[tuple[str, float, float, str, dict]]] = []
    schematic_runs = False
    if len(stops) >= 2:
        runs.append(stops)
    elif mode == "bus" and not _as_list(props.get("stops")) and geom is not None and not geom.is_empty:
        # Schematic bus line without stop records: board / alight at every drawn vertex (end points
        # and documented intermediate places). Vertices shared by several parts are one stop.
        parts = [p for p in _lines_of(geom) if len(p.coords) >= 2]
        logger.info("bus line %s has no stops; boarding at the %d vertices of its %d schematic part(s)",
                    lid, sum(len(p.coords) for p in parts), len(parts))
        for part in parts:
            run = []
            for lon, lat in [(float(c[0]), float(c[1])) for c in part.coords]:
                key = f"stop:{lid}:{lon:.6f},{lat:.6f}"
                if run and run[-1][0] == key:
                    continue
                run.append((key, lon, lat, "stop", {"feature_id": lid, "name": "", "admin": ""}))
            if len(run) >= 2:
                runs.append(run)
        schematic_runs = True
    else:
        why = "no stops" if not _as_list(props.get("stops")) else "fewer than two usable stops"
        logger.info("line %s (%s): %s; not in the network", lid, props.get("scale") or "local", why)
        return
    if not runs:
        logger.info("line %s: no usable geometry; not in the network", lid)
        return
    speed = _line_param(a, lid, mode, "speed_kmh") / 3.6
    dwell = _line_param(a, lid, mode, "dwell_s")
    wait = _line_param(a, lid, mode, "half_headway_s") + _line_param(a, lid, mode, "boarding_overhead_s")
    line_m = None
    if geom is not None and not geom.is_empty and not schematic_runs:
        gm = _geom_to_metric(geom)
        if gm.geom_type == "MultiLineString":
            gm = shapely.line_merge(gm)
        if gm.geom_type == "LineString":
            line_m = gm
    max_off = float(_v(a, "line_geometry", "max_station_offset_m"))
    fallback = float(_v(a, "detour_factors", "line_fallback"))
    for r, run in enumerate(runs):
        ids = [b.node(k, lon, lat, kind=kind, **attrs) for k, lon, lat, kind, attrs in run]
        plats = []
        for i, (nid, st) in enumerate(zip(ids, run)):
            p = b.node(f"platform:{lid}:{r}:{i}", st[1], st[2], kind="platform", mx=b.mxy[nid][0],
                       my=b.mxy[nid][1], feature_id=lid, name=st[4].get("name", ""), station=st[0])
            plats.append(p)
            b.edge(nid, p, mode=mode, length=0.0, travel_time=wait, feature_id=lid, kind="board", line=lid)
            b.edge(p, nid, mode=mode, length=0.0, travel_time=0.0, feature_id=lid, kind="alight", line=lid)
        pos = None
        if line_m is not None:
            pts = [Point(b.mxy[n]) for n in ids]
            off = [line_m.distance(p) for p in pts]
            pos = [line_m.project(p) for p in pts]
            d = np.diff(pos)
            if max(off) > max_off or not (np.all(d > 0) or np.all(d < 0)):
                logger.info("line %s: stops do not follow its geometry in order; straight hops x %.2f",
                            lid, fallback)
                pos = None
        for i in range(len(ids) - 1):
            u, v = ids[i], ids[i + 1]
            if schematic_runs:  # hop along the drawn schematic segment x road detour
                (x1, y1), (x2, y2) = b.mxy[u], b.mxy[v]
                length = math.hypot(x2 - x1, y2 - y1) * float(_v(a, "detour_factors", "schematic_bus"))
                g = None
            elif pos is not None:
                seg = substring(line_m, pos[i], pos[i + 1])
                length = float(seg.length)
                if seg.geom_type != "LineString" or len(seg.coords) < 2:
                    seg = LineString([b.mxy[u], b.mxy[v]])
                g = _geom_to_wgs(seg)
            else:
                (x1, y1), (x2, y2) = b.mxy[u], b.mxy[v]
                length = math.hypot(x2 - x1, y2 - y1) * fallback
                g = None
            t = length / speed + dwell
            b.edge(plats[i], plats[i + 1], mode=mode, length=length, travel_time=t, feature_id=lid,
                   kind="ride", line=lid, geometry=g)
            b.edge(plats[i + 1], plats[i], mode=mode, length=length, travel_time=t, feature_id=lid,
                   kind="ride", line=lid, geometry=None if g is None else g.reverse())


def _add_transfers(b: _Builder) -> None:
    a = b.a
    nodes = b.nodes_of_kind(("station", "stop"))
    if len(nodes) < 2:
        return
    xy = np.array([b.mxy[n] for n in nodes])
    radius = float(_v(a, "transfer", "walk_radius_m"))
    min_s = float(_v(a, "transfer", "min_walk_s"))
    for i, j in sorted(cKDTree(xy).query_pairs(radius)):
        d = float(np.hypot(*(xy[i] - xy[j])))
        length, t = _walk_time(a, d)
        t = max(t, min_s)
        for u, v in ((nodes[i], nodes[j]), (nodes[j], nodes[i])):
            b.edge(u, v, mode="walk", length=length, travel_time=t, feature_id=None, kind="transfer")


def _road_class(props: Mapping, roads_by_id: Mapping[str, dict]) -> str:
    rc = props.get("road_class")
    if isinstance(rc, str) and rc and rc != "bridge":
        return rc
    for pid in _as_list(props.get("parent")):
        parent = roads_by_id.get(str(pid))
        if parent is not None and isinstance(parent.get("road_class"), str) and parent["road_class"] != "bridge":
            return parent["road_class"]
    return "trunk" if (rc == "bridge" or props.get("kind") == "bridge") else "default"


def _lines_of(geom: Any) -> list[LineString]:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    if geom.geom_type == "MultiLineString":
        return list(geom.geoms)
    if geom.geom_type == "GeometryCollection":
        return [g for x in geom.geoms for g in _lines_of(x)]
    return []


def _points_of(geom: Any) -> list[tuple[float, float]]:
    if geom is None or geom.is_empty:
        return []
    t = geom.geom_type
    if t == "Point":
        return [(geom.x, geom.y)]
    if t == "LineString":  # overlapping roads: junctions at the overlap's ends
        return [geom.coords[0], geom.coords[-1]]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _points_of(g)]
    return []


def _add_roads(b: _Builder, layers: Mapping, as_of: _dt.date | None, include_expected: bool) -> None:
    a = b.a
    roads_by_id = {str(p["id"]): p for p, _ in _rows(layers, "roads")}
    items: list[tuple[dict, LineString, str]] = []
    for layer in ("roads", "bridges"):
        for props, geom in _rows(layers, layer):
            if layer == "bridges" and props.get("kind") not in ("bridge", None):
                continue
            if not road_included(props, as_of, include_expected=include_expected, assumptions=a):
                continue
            rc = _road_class(props, roads_by_id)
            for part in _lines_of(_geom_to_metric(geom) if geom is not None else None):
                if part.length > 0:
                    items.append((props, part, rc))
    if not items:
        return
    geoms = [g for _, g, _ in items]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    cuts: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(items))}
    for i, j in zip(left.tolist(), right.tolist()):
        if i >= j:
            continue
        pts = _points_of(geoms[i].intersection(geoms[j]))
        cuts[i].extend(pts)
        cuts[j].extend(pts)
    speeds = a.get("road_speeds_kmh") or {}
    for idx, (props, line, rc) in enumerate(items):
        fid = str(props["id"])
        coords = np.asarray(line.coords)
        seg = np.hypot(*np.diff(coords, axis=0).T)
        dist = np.concatenate([[0.0], np.cumsum(seg)])
        entries = [(float(d), 1, (float(x), float(y))) for d, (x, y) in zip(dist, coords[:, :2])]
        entries += [(float(line.project(Point(p))), 0, (float(p[0]), float(p[1]))) for p in cuts[idx]]
        entries.sort()
        kept: list[tuple[float, float, float]] = []
        for d, _prio, (x, y) in entries:
            if kept and abs(d - kept[-1][0]) < 0.01:
                continue
            kept.append((d, x, y))
        mode = "expressway" if rc == "expressway" else "road"
        v_kmh = _v(speeds, rc)
        if v_kmh is None:
            v_kmh = _v(speeds, "default")
        v = float(v_kmh) / 3.6
        lon, lat = _to_wgs_xy([k[1] for k in kept], [k[2] for k in kept])
        ids = [b.node(f"road:{x:.2f},{y:.2f}", lo, la, kind="road", mx=x, my=y, feature_id="")
               for (_, x, y), lo, la in zip(kept, lon, lat)]
        for i in range(len(ids) - 1):
            u, w = ids[i], ids[i + 1]
            if u == w:
                continue
            length = math.hypot(kept[i + 1][1] - kept[i][1], kept[i + 1][2] - kept[i][2])
            for p, q in ((u, w), (w, u)):
                b.edge(p, q, mode=mode, length=length, travel_time=length / v, feature_id=fid, kind="road",
                       road_class=rc)


def _local_time(a: Mapping, straight_m: float) -> tuple[float, float]:
    length = straight_m * float(_v(a, "local_roads", "detour_factor"))
    return length, length / (float(_v(a, "local_roads", "speed_kmh")) / 3.6)


def _delaunay_pairs(xy: np.ndarray) -> set[tuple[int, int]]:
    """Edges (i < j) of the Delaunay triangulation of points (a chain if they are collinear)."""
    n = len(xy)
    if n < 2:
        return set()
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    chain = {(min(int(i), int(j)), max(int(i), int(j))) for i, j in zip(order[:-1], order[1:])}
    if n < 3:
        return chain
    from scipy.spatial import Delaunay, QhullError

    try:
        tri = Delaunay(xy)
    except QhullError:  # collinear points
        return chain
    out: set[tuple[int, int]] = set()
    for simplex in tri.simplices:
        for p, q in ((0, 1), (1, 2), (0, 2)):
            i, j = int(simplex[p]), int(simplex[q])
            out.add((min(i, j), max(i, j)))
    return out


def _add_local_roads(b: _Builder) -> None:
    """Join the mapped (arterial) road nodes by straight 'local road' links.

    The gazetteer maps only arterials, drawn approximately, so its roads rarely share nodes.
    Road nodes that are *natural neighbours* (edges of the Delaunay triangulation of all road
    nodes, EPSG:4548) no more than ``local_roads.radius_m`` apart are joined by a local-road link
    (mode ``road``, kind ``local``, road_class ``local``, no feature id) travelled at
    ``local_roads.speed_kmh`` over the straight line x ``local_roads.detour_factor``. Delaunay
    neighbours (rather than k nearest) link a node to nodes in every direction, not only to its
    neighbours along the same road. If ``local_roads.connect_components`` is set, the shortest
    Delaunay edges that join still-separate components (Kruskal, i.e. edges of the Euclidean
    minimum spanning tree) are added whatever their length, so the drive network is one
    connected component; those are logged.
    """
    a = b.a
    if not _v(a, "local_roads", "enabled", default=False):
        return
    roads = b.nodes_of_kind(("road",))
    if len(roads) < 2:
        return
    xy = np.array([b.mxy[n] for n in roads])
    radius = float(_v(a, "local_roads", "radius_m"))
    adj = {n: {v for _, v in b.G.out_edges(n)} for n in roads}
    pos = {n: i for i, n in enumerate(roads)}
    parent = list(range(len(roads)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for n in roads:
        for v in adj[n]:
            if v in pos:
                parent[find(pos[n])] = find(pos[v])
    cand = sorted((float(np.hypot(*(xy[i] - xy[j]))), i, j) for i, j in _delaunay_pairs(xy))
    pairs = []
    bridging = []
    for dist, i, j in cand:
        if dist <= radius:
            pairs.append((i, j, dist))
            parent[find(i)] = find(j)
    if _v(a, "local_roads", "connect_components", default=True):
        for dist, i, j in cand:
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[ri] = rj
                pairs.append((i, j, dist))
                bridging.append((roads[i], roads[j], dist))
    n_links = 0
    for i, j, dist in sorted(pairs):
        u, v = roads[i], roads[j]
        if v in adj[u]:
            continue  # already joined by a mapped road
        length, t = _local_time(a, dist)
        n_links += 1
        for p, q in ((u, v), (v, u)):
            b.edge(p, q, mode="road", length=length, travel_time=t, feature_id=None, kind="local",
                   road_class="local")
    for u, v, dist in bridging:
        logger.info("local road link of %.1f km bridges road fragments %s - %s", dist / 1000,
                    b.G.nodes[u]["key"], b.G.nodes[v]["key"])
    logger.info("local roads: %d links between %d road nodes (%d bridging links)", n_links, len(roads),
                len(bridging))


def _access_arrays(a: Mapping, px: np.ndarray, py: np.ndarray, st_xy: np.ndarray, rd_xy: np.ndarray,
                   *, walk: bool = True, drive: bool = True,
                   fallback_mask: np.ndarray | None = None) -> tuple[list, list]:
    """Return (walk, drive) candidate lists of (point index, target index, straight metres)."""
    walk_out: list[tuple[int, int, float]] = []
    drive_out: list[tuple[int, int, float]] = []
    pts = np.column_stack([px, py])
    if walk and len(st_xy):
        tree = cKDTree(st_xy)
        r = float(_v(a, "access", "walk_radius_m"))
        fb = float(_v(a, "access", "walk_fallback_m"))
        hits = tree.query_ball_point(pts, r)
        # the walk fallback goes to the nearest *station* (not a schematic bus-line vertex stop)
        fidx = np.arange(len(st_xy)) if fallback_mask is None else np.flatnonzero(fallback_mask)
        if len(fidx):
            d_near, i_f = cKDTree(st_xy[fidx]).query(pts, k=1, distance_upper_bound=fb)
            i_near = np.where(np.isfinite(d_near), fidx[np.minimum(i_f, len(fidx) - 1)], -1)
        else:
            d_near, i_near = np.full(len(pts), np.inf), np.full(len(pts), -1)
        fset = set(fidx.tolist())
        for pi, h in enumerate(hits):
            for j in sorted(h):
                walk_out.append((pi, j, float(np.hypot(*(pts[pi] - st_xy[j])))))
            if not fset.intersection(h) and np.isfinite(d_near[pi]):
                walk_out.append((pi, int(i_near[pi]), float(d_near[pi])))
    if drive and len(rd_xy):
        k = int(_v(a, "access", "drive_k"))
        r = float(_v(a, "access", "drive_radius_m"))
        k_eff = min(k, len(rd_xy))
        tree = cKDTree(rd_xy)
        d, i = tree.query(pts, k=k_eff, distance_upper_bound=r)
        d = np.asarray(d).reshape(len(pts), k_eff)
        i = np.asarray(i).reshape(len(pts), k_eff)
        fallback = bool(_v(a, "access", "drive_fallback_nearest", default=False))
        d1, i1 = tree.query(pts, k=1, distance_upper_bound=float(_v(a, "access", "drive_fallback_max_m",
                                                                     default=np.inf)))
        for pi in range(len(pts)):
            n_before = len(drive_out)
            for dd, ii in zip(d[pi], i[pi]):
                if np.isfinite(dd):
                    drive_out.append((pi, int(ii), float(dd)))
            if fallback and len(drive_out) == n_before and np.isfinite(d1[pi]):
                drive_out.append((pi, int(i1[pi]), float(d1[pi])))
    return walk_out, drive_out


def _add_places(b: _Builder, layers: Mapping, lookup: Mapping) -> None:
    a = b.a
    extra = {str(x) for x in (_v(a, "places", "extra") or [])}
    places: list[tuple[str, float, float, dict]] = []
    for name in sorted(layers):
        for props, geom in _rows(layers, name):
            fid = str(props["id"])
            is_place = ((name == "admin" or props.get("theme") == "admin") and _jsonish(props.get("centre")))
            is_place = is_place or props.get("kind") == "destination" or fid in extra
            if not is_place:
                continue
            pt = _point_of(props, geom)
            if pt is not None:
                places.append((fid, pt[0], pt[1], props))
    seen = set()
    place_ids = []
    for fid, lon, lat, props in places:
        if fid in seen:
            continue
        seen.add(fid)
        place_ids.append(b.node(f"place:{fid}", lon, lat, kind="place", feature_id=fid,
                                name=props.get("name_zh") or ""))
    stations = b.nodes_of_kind(("station", "stop"))
    roads = b.nodes_of_kind(("road",))
    st_xy = np.array([b.mxy[n] for n in stations]).reshape(-1, 2)
    rd_xy = np.array([b.mxy[n] for n in roads]).reshape(-1, 2)
    if place_ids:
        pxy = np.array([b.mxy[n] for n in place_ids])
        w, d = _access_arrays(a, pxy[:, 0], pxy[:, 1], st_xy, rd_xy,
                              fallback_mask=np.array([b.G.nodes[n]["kind"] == "station" for n in stations], bool))
        for pi, j, dist in w:
            length, t = _walk_time(a, dist)
            b.edge(place_ids[pi], stations[j], mode="walk", length=length, travel_time=t, feature_id=None,
                   kind="access")
            b.edge(stations[j], place_ids[pi], mode="walk", length=length, travel_time=t, feature_id=None,
                   kind="access")
        for pi, j, dist in d:
            _add_drive_pair(b, place_ids[pi], roads[j], dist)
    if _v(a, "access", "station_drive_access") and len(stations) and len(roads):
        _, d = _access_arrays(a, st_xy[:, 0], st_xy[:, 1], st_xy, rd_xy, walk=False)
        for pi, j, dist in d:
            _add_drive_pair(b, stations[pi], roads[j], dist)


def _add_drive_pair(b: _Builder, u: int, v: int, dist: float) -> None:
    length, t = _drive_time(b.a, dist)
    b.edge(u, v, mode="drive_access", length=length, travel_time=t, feature_id=None, kind="access")
    b.edge(v, u, mode="drive_access", length=length, travel_time=t, feature_id=None, kind="access")


def _set_street_count(G: nx.MultiDiGraph) -> None:
    import osmnx as ox

    counts = ox.stats.count_streets_per_node(G)
    nx.set_node_attributes(G, {n: int(counts.get(n, 0)) for n in G.nodes}, "street_count")


def build_network(
    layers: Mapping[str, Any],
    *,
    as_of: Any = None,
    include_expected: bool = False,
    assumptions: Mapping | None = None,
    osm_graph: nx.MultiDiGraph | None = None,
    online: bool = False,
) -> nx.MultiDiGraph:
    """Build the multimodal network from the layers.

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer name -> GeoDataFrame in WGS84 (``rail``, ``stations``, ``roads``, ``bridges``,
        ``bus``, ``admin``, ``facilities``, ``zones`` ... as written by :mod:`geo.layers`).
    as_of : date or 'YYYY-MM-DD', optional
        Include only features open on that date (see :func:`feature_included`); ``None`` includes
        every feature in the layers.
    include_expected : bool
        Also include features *expected* to be open by ``as_of``.
    assumptions : mapping, optional
        Overrides merged over ``geo/data/assumptions.yaml`` (see :func:`load_assumptions`).
    osm_graph : networkx.MultiDiGraph, optional
        A road graph from :func:`load_osm` / :func:`fetch_osm`, merged with :func:`merge_osm`
        (replacing the gazetteer roads).
    online : bool
        If True and ``osm_graph`` is None, fetch the study-area drive network from Overpass via
        :func:`fetch_osm` (uses OSMnx's cache). Needs internet.

    Returns
    -------
    networkx.MultiDiGraph
        OSMnx-compatible graph (``crs`` EPSG:4326; node ``x``/``y`` lon/lat; edge ``length`` in
        metres (EPSG:4548), ``travel_time`` in seconds, ``mode``, ``feature_id``, ``geometry``).

    Raises
    ------
    ValueError
        If ``as_of`` cannot be parsed.
    """
    day = parse_as_of(as_of)
    a = load_assumptions(assumptions)
    b = _Builder(a)
    lookup: dict[str, tuple[dict, Any, str]] = {}
    for name in sorted(layers, key=lambda n: (n != "stations", n)):
        for props, geom in _rows(layers, name):
            lookup.setdefault(str(props["id"]), (props, geom, name))
    _add_lines(b, layers, lookup, day, include_expected)
    _add_transfers(b)
    _add_roads(b, layers, day, include_expected)
    _add_local_roads(b)
    _add_places(b, layers, lookup)
    G = b.G
    G.graph.update(
        name="jjj-atlas multimodal network",
        as_of=day.isoformat() if day else "",
        include_expected=bool(include_expected),
        metric_crs=METRIC_CRS,
    )
    if osm_graph is None and online:
        osm_graph = fetch_osm(assumptions=a)
    if osm_graph is not None:
        G = merge_osm(G, osm_graph, assumptions=a)
    else:
        _set_street_count(G)
    logger.info("network as of %s: %d nodes, %d edges", day, G.number_of_nodes(), G.number_of_edges())
    return G


# ----------------------------------------------------------------------------------------------
# lookups and access for arbitrary points
# ----------------------------------------------------------------------------------------------
def node_lookup(G: nx.MultiDiGraph) -> dict[str, int]:
    """Map readable node keys (``station:<id>``, ``place:<id>``, ...) to node ids."""
    return {str(k): n for n, k in G.nodes(data="key") if k}


def find_node(G: nx.MultiDiGraph, key: str) -> int:
    """Node id for a readable key such as ``"station:station-guomao"``.

    Raises
    ------
    KeyError
        If no node has that key.
    """
    for n, k in G.nodes(data="key"):
        if k == key:
            return n
    raise KeyError(f"no node with key {key!r}")


def place_node(G: nx.MultiDiGraph, feature_id: str, *, lookup: Mapping[str, int] | None = None) -> int:
    """Node standing for a feature as an origin / destination.

    The place node (``place:<id>``) if any, else the station node (``station:<id>``).

    Raises
    ------
    KeyError
        If the feature has neither.
    """
    lk = lookup if lookup is not None else node_lookup(G)
    for prefix in ("place:", "station:", "stop:"):
        if prefix + feature_id in lk:
            return lk[prefix + feature_id]
    raise KeyError(f"feature {feature_id!r} is not a place or station node of the network")


def access_links(
    G: nx.MultiDiGraph,
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    *,
    modes: Iterable[str],
    assumptions: Mapping | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Virtual access links from arbitrary points into the network (same rules as place nodes).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`build_network`.
    lon, lat : array-like
        WGS84 coordinates of the points (degrees).
    modes : iterable of str
        Allowed modes; ``walk`` enables walk links to station / stop nodes, ``drive_access``
        links to road (or OSM drivable) nodes, ``feeder`` feeder-access links to the platform
        after the first ride hop of lines of the vehicle modes in ``modes`` (see
        :func:`_feeder_rows`; access only, never in the graph).
    assumptions : mapping, optional
        Overrides (see :func:`load_assumptions`).

    Returns
    -------
    point_index, node, seconds : numpy.ndarray
        One row per access link: index of the point, network node id, access time (s).
    """
    a = load_assumptions(assumptions)
    modes = set(modes)
    px, py = _to_metric_xy(np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float)))
    stations = [n for n, k in G.nodes(data="kind") if k in ("station", "stop")]
    drivable = _drivable_nodes(G)
    st_xy = np.column_stack(_to_metric_xy([G.nodes[n]["x"] for n in stations],
                                          [G.nodes[n]["y"] for n in stations])).reshape(-1, 2)
    rd_xy = np.column_stack(_to_metric_xy([G.nodes[n]["x"] for n in drivable],
                                          [G.nodes[n]["y"] for n in drivable])).reshape(-1, 2)
    w, d = _access_arrays(a, px, py, st_xy, rd_xy, walk="walk" in modes, drive="drive_access" in modes,
                          fallback_mask=np.array([G.nodes[n]["kind"] == "station" for n in stations], bool))
    rows = [(pi, stations[j], _walk_time(a, dist)[1]) for pi, j, dist in w]
    rows += [(pi, drivable[j], _drive_time(a, dist)[1]) for pi, j, dist in d]
    if "feeder" in modes:
        rows += _feeder_rows(G, px, py, modes, a)
    if not rows:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0, float)
    arr = np.array(rows, dtype=float)
    return arr[:, 0].astype(int), arr[:, 1].astype(np.int64), arr[:, 2]


def _feeder_time(a: Mapping, straight_m: float) -> float:
    length = straight_m * float(_v(a, "feeder", "detour_factor"))
    return float(_v(a, "feeder", "penalty_s")) + length / (float(_v(a, "feeder", "speed_kmh")) / 3.6)


def _feeder_rows(G: nx.MultiDiGraph, px: np.ndarray, py: np.ndarray, modes: Iterable[str],
                 a: Mapping) -> list[tuple[int, int, float]]:
    """Feeder access (local bus / taxi / bike / park-and-ride) from points to the first vehicle.

    A feeder link goes from a point to a station within ``feeder.radius_m`` that is served by a
    line of the chain's vehicle modes, and is charged the feeder ride (straight line x
    ``feeder.detour_factor`` at ``feeder.speed_kmh`` plus ``feeder.penalty_s``), the line's
    boarding wait and **the first ride hop**: the link ends on the platform of the next stop.
    So the feeder is access only; it can never stand in for the rail / bus ride itself (a trip
    that used a feeder has ridden at least one hop). Returns rows (point index, platform node,
    seconds).
    """
    vehicle = set(modes) & set(_LINE_KIND_MODE.values())
    if not vehicle or len(px) == 0:
        return []
    boards: dict[int, list[tuple[int, float]]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "board" and d.get("mode") in vehicle:
            boards.setdefault(u, []).append((v, float(d["travel_time"])))
    if not boards:
        return []
    stations = sorted(boards)
    st_xy = np.column_stack(_to_metric_xy([G.nodes[n]["x"] for n in stations],
                                          [G.nodes[n]["y"] for n in stations])).reshape(-1, 2)
    hits = cKDTree(st_xy).query_ball_point(np.column_stack([px, py]), float(_v(a, "feeder", "radius_m")))
    min_m = float(_v(a, "feeder", "min_distance_m", default=0.0))
    rides: dict[int, list[tuple[int, float]]] = {}
    rows: list[tuple[int, int, float]] = []
    for pi, h in enumerate(hits):
        best: dict[int, float] = {}
        for j in sorted(h):
            s = stations[j]
            dist = float(np.hypot(px[pi] - st_xy[j, 0], py[pi] - st_xy[j, 1]))
            if dist < min_m:
                continue  # within walking distance people walk
            t_acc = _feeder_time(a, dist)
            for plat, t_board in boards[s]:
                if plat not in rides:
                    rides[plat] = [(v, float(d["travel_time"])) for _, v, d in G.out_edges(plat, data=True)
                                   if d.get("kind") == "ride"]
                for nxt, t_ride in rides[plat]:
                    t = t_acc + t_board + t_ride
                    if t < best.get(nxt, np.inf):
                        best[nxt] = t
        rows += [(pi, n, t) for n, t in sorted(best.items())]
    return rows


def feeder_egress_links(
    G: nx.MultiDiGraph,
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    *,
    modes: Iterable[str],
    assumptions: Mapping | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feeder egress (taxi / local bus) from the last vehicle to destination points.

    Mirror of the feeder access (see :func:`access_links`): for every station / stop within
    ``feeder.egress_radius_m`` of a destination that is served by a line of the vehicle modes in
    ``modes``, a link starts on the platform one ride hop *before* that stop and costs that hop,
    the (free) alighting and the feeder ride (straight line x ``feeder.detour_factor`` at
    ``feeder.speed_kmh`` + ``feeder.penalty_s``). So egress also never replaces the ride itself.

    Returns
    -------
    point_index, node, seconds : numpy.ndarray
        One row per link: destination point index, platform node id, seconds to the point.
    """
    a = load_assumptions(assumptions)
    vehicle = set(modes) & set(_LINE_KIND_MODE.values())
    empty = (np.zeros(0, int), np.zeros(0, np.int64), np.zeros(0, float))
    if "feeder" not in set(modes) or not vehicle:
        return empty
    alights: dict[int, list[tuple[int, float]]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "alight" and d.get("mode") in vehicle:
            alights.setdefault(v, []).append((u, float(d["travel_time"])))
    if not alights:
        return empty
    stations = sorted(alights)
    st_xy = np.column_stack(_to_metric_xy([G.nodes[n]["x"] for n in stations],
                                          [G.nodes[n]["y"] for n in stations])).reshape(-1, 2)
    px, py = _to_metric_xy(lon, lat)
    hits = cKDTree(st_xy).query_ball_point(np.column_stack([px, py]).reshape(-1, 2),
                                           float(_v(a, "feeder", "egress_radius_m")))
    rows: list[tuple[int, int, float]] = []
    for pi, h in enumerate(hits):
        best: dict[int, float] = {}
        for j in sorted(h):
            dist = float(np.hypot(px[pi] - st_xy[j, 0], py[pi] - st_xy[j, 1]))
            if dist < float(_v(a, "feeder", "min_distance_m", default=0.0)):
                continue  # within walking distance people walk
            t_eg = _feeder_time(a, dist)
            for plat, t_alight in alights[stations[j]]:
                for prev, _, d in G.in_edges(plat, data=True):
                    if d.get("kind") != "ride":
                        continue
                    t = float(d["travel_time"]) + t_alight + t_eg
                    if t < best.get(prev, np.inf):
                        best[prev] = t
        rows += [(pi, n, t) for n, t in sorted(best.items())]
    if not rows:
        return empty
    arr = np.array(rows, dtype=float)
    return arr[:, 0].astype(int), arr[:, 1].astype(np.int64), arr[:, 2]


def _drivable_nodes(G: nx.MultiDiGraph) -> list[int]:
    kinds = nx.get_node_attributes(G, "kind")
    out = set()
    for u, v, m in G.edges(data="mode"):
        if m in ("road", "expressway") and kinds.get(u) in ("road", "osm"):
            out.add(u)
    return sorted(out)


# ----------------------------------------------------------------------------------------------
# CSR shortest paths
# ----------------------------------------------------------------------------------------------
def csr_from_arrays(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sparse.csr_matrix:
    """CSR adjacency matrix keeping the minimum weight of parallel edges.

    Zero weights are raised to a tiny epsilon so scipy keeps them as edges.
    """
    u = np.asarray(u, np.int64)
    v = np.asarray(v, np.int64)
    w = np.maximum(np.asarray(w, float), _EPS)
    if len(u):
        order = np.lexsort((w, v, u))
        u, v, w = u[order], v[order], w[order]
        keep = np.ones(len(u), bool)
        keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, w = u[keep], v[keep], w[keep]
    return sparse.csr_matrix((w, (u, v)), shape=(n, n))


def graph_to_csr(
    G: nx.MultiDiGraph,
    *,
    modes: Iterable[str] | None = None,
    weight: str = "travel_time",
    exclude_features: Iterable[str] = (),
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Convert the graph to a CSR matrix for :func:`shortest_travel_times`.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    modes : iterable of str, optional
        Keep only edges of these modes (all if None).
    weight : str
        Edge attribute used as weight (seconds for ``travel_time``).
    exclude_features : iterable of str
        Drop edges whose ``feature_id`` is in this set (scenario "without feature").

    Returns
    -------
    csr : scipy.sparse.csr_matrix
        ``n x n`` weights; row = from node position, column = to node position.
    nodes : numpy.ndarray
        Node id at each position (``nodes[i]``).
    """
    nodes = np.array(list(G.nodes), dtype=object)
    try:
        nodes = nodes.astype(np.int64)
    except (TypeError, ValueError):
        pass
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    mset = set(modes) if modes is not None else None
    excl = set(exclude_features)
    us, vs, ws = [], [], []
    for u, v, d in G.edges(data=True):
        if mset is not None and d.get("mode") not in mset:
            continue
        if excl and d.get("feature_id") in excl:
            continue
        w = d.get(weight)
        if w is None:
            continue
        us.append(pos[u])
        vs.append(pos[v])
        ws.append(float(w))
    return csr_from_arrays(np.array(us, np.int64), np.array(vs, np.int64), np.array(ws, float), len(nodes)), nodes


def shortest_travel_times(
    csr: sparse.csr_matrix,
    sources: Sequence[int] | np.ndarray,
    targets: Sequence[int] | np.ndarray | None = None,
    *,
    cutoff: float | None = None,
    max_bytes: float = 256e6,
    reverse: bool | None = None,
) -> np.ndarray:
    """Many-to-many shortest travel times with :func:`scipy.sparse.csgraph.dijkstra`.

    Parameters
    ----------
    csr : scipy.sparse.csr_matrix
        Weights from :func:`graph_to_csr` or :func:`csr_from_arrays`.
    sources, targets : array-like of int
        Matrix positions (not node ids). ``targets=None`` means all positions.
    cutoff : float, optional
        Search limit (same unit as the weights); longer paths are ``inf``.
    max_bytes : float
        Memory bound of one chunk's full distance block (``chunk x n x 8`` bytes).
    reverse : bool, optional
        Search from the targets on the transposed graph (one-to-many from destinations). By
        default chosen when there are fewer targets than sources.

    Returns
    -------
    numpy.ndarray
        ``len(sources) x len(targets)`` travel times; ``inf`` where unreachable.
    """
    n = csr.shape[0]
    src = np.asarray(sources, np.int64)
    tgt = np.arange(n) if targets is None else np.asarray(targets, np.int64)
    if reverse is None:
        reverse = targets is not None and len(tgt) < len(src)
    if reverse:
        return shortest_travel_times(csr.T.tocsr(), tgt, src, cutoff=cutoff, max_bytes=max_bytes,
                                     reverse=False).T
    out = np.full((len(src), len(tgt)), np.inf)
    if len(src) == 0 or len(tgt) == 0:
        return out
    chunk = int(max(1, min(len(src), max_bytes // (8 * max(n, 1)))))
    uniq, inv = np.unique(src, return_inverse=True)
    inv = inv.ravel()
    order = np.argsort(inv, kind="stable")  # output rows grouped by unique source
    bounds = np.searchsorted(inv[order], np.arange(0, len(uniq) + chunk, chunk))
    for c, s in enumerate(range(0, len(uniq), chunk)):
        idx = uniq[s:s + chunk]
        dist = dijkstra(csr, directed=True, indices=idx, limit=np.inf if cutoff is None else float(cutoff))
        block = np.asarray(dist).reshape(len(idx), n)
        rows = order[bounds[c]:bounds[c + 1]]
        out[rows] = block[inv[rows] - s][:, tgt]
        del dist, block
    return out


# ----------------------------------------------------------------------------------------------
# OpenStreetMap
# ----------------------------------------------------------------------------------------------
def _first(v: Any) -> Any:
    return v[0] if isinstance(v, (list, tuple)) and v else v


def _annotate_osm(G: nx.MultiDiGraph, a: Mapping) -> nx.MultiDiGraph:
    speeds = a.get("osm_highway_speeds_kmh") or {}
    walk_tags = set(a.get("osm_walk_highways") or [])
    xway_tags = set(a.get("osm_expressway_highways") or [])
    walk_v = float(_v(a, "speeds_kmh", "walk")) / 3.6
    ids = list(G.nodes)
    mx, my = _to_metric_xy([G.nodes[n]["x"] for n in ids], [G.nodes[n]["y"] for n in ids])
    mpos = {n: (x, y) for n, x, y in zip(ids, mx, my)}
    for n in ids:
        G.nodes[n]["kind"] = "osm"
        G.nodes[n]["key"] = f"osm:{n}"
        G.nodes[n]["feature_id"] = ""
    for u, v, k, d in G.edges(keys=True, data=True):
        hw = str(_first(d.get("highway")) or "")
        geom = d.get("geometry")
        if geom is None:
            geom = LineString([(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
            d["geometry"] = geom
            length = math.dist(mpos[u], mpos[v])
        else:
            length = float(_geom_to_metric(geom).length)
        d["length"] = length
        if hw in walk_tags:
            d["mode"], sp = "walk", walk_v
        else:
            d["mode"] = "expressway" if hw in xway_tags else "road"
            base = hw[:-5] if hw.endswith("_link") else hw
            kmh = speeds.get(base, speeds.get("default", 20))
            sp = float(kmh) / 3.6
        d["travel_time"] = max(length / sp, _EPS)
        d["feature_id"] = f"osm-way-{_first(d.get('osmid'))}"
        d["kind"] = "road" if d["mode"] != "walk" else "walkway"
        d["road_class"] = hw
    return G


def load_osm(path: str | Path, *, assumptions: Mapping | None = None, simplify: bool = True) -> nx.MultiDiGraph:
    """Load an OpenStreetMap extract as a road graph with modes and travel times.

    Parameters
    ----------
    path : path-like
        ``.osm`` / ``.xml`` OSM XML (read with :func:`osmnx.graph_from_xml`), or ``.pbf`` if
        pyosmium is installed (converted to XML first).
    assumptions : mapping, optional
        Overrides for ``osm_highway_speeds_kmh`` etc.
    simplify : bool
        Simplify topology (OSMnx) — keeps geometry on merged edges.

    Returns
    -------
    networkx.MultiDiGraph
        WGS84 graph; edges get ``mode`` (expressway | road | walk), ``travel_time`` (s),
        ``length`` (m, EPSG:4548) and ``feature_id`` ``osm-way-<id>``.

    Raises
    ------
    FileNotFoundError
        Missing file.
    ValueError
        Empty, malformed or unsupported file, or no ways in it.
    ImportError
        A ``.pbf`` file without pyosmium installed.
    """
    import osmnx as ox

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"OSM file not found: {p}")
    if p.stat().st_size == 0:
        raise ValueError(f"OSM file is empty: {p}")
    suffixes = "".join(p.suffixes).lower()
    a = load_assumptions(assumptions)
    if suffixes.endswith(".pbf"):
        try:
            import osmium  # noqa: F401
        except ImportError:
            raise ImportError(
                f"{p}: reading .pbf needs pyosmium (pip install osmium); or convert it to OSM XML "
                "first, e.g. `osmium cat in.osm.pbf -o out.osm`") from None
        with tempfile.TemporaryDirectory() as tmp:
            xml_path = Path(tmp) / "extract.osm"
            _pbf_to_xml(p, xml_path)
            return load_osm(xml_path, assumptions=a, simplify=simplify)
    if not (suffixes.endswith(".osm") or suffixes.endswith(".xml")):
        raise ValueError(f"{p}: unsupported OSM file type {suffixes!r}; expected .osm, .xml or .pbf")
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"malformed OSM XML {p}: {exc}") from None
    if root.tag != "osm":
        raise ValueError(f"{p}: not OSM XML (root element <{root.tag}>, expected <osm>)")
    if root.find("way") is None:
        raise ValueError(f"OSM file contains no ways: {p}")
    try:
        G = ox.graph_from_xml(p, simplify=False, retain_all=True)
        if simplify:  # keep nodes where the highway class changes (speeds differ)
            G = ox.simplify_graph(G, edge_attrs_differ=["highway"])
    except Exception as exc:  # osmnx raises various errors on odd input
        raise ValueError(f"could not build a graph from {p}: {exc}") from exc
    if G.number_of_edges() == 0:
        raise ValueError(f"OSM file yields no routable ways: {p}")
    return _annotate_osm(G, a)


def _pbf_to_xml(src: Path, dst: Path) -> None:  # pragma: no cover - needs pyosmium
    import osmium

    writer = osmium.SimpleWriter(str(dst))

    class _Copy(osmium.SimpleHandler):
        def node(self, n: Any) -> None:
            writer.add_node(n)

        def way(self, w: Any) -> None:
            writer.add_way(w)

    try:
        _Copy().apply_file(str(src))
    finally:
        writer.close()


def fetch_osm(
    *,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Any = None,
    network_type: str = "drive",
    assumptions: Mapping | None = None,
) -> nx.MultiDiGraph:  # pragma: no cover - needs internet
    """Download a road graph from Overpass with OSMnx (cached in OSMnx's cache folder).

    Parameters
    ----------
    bbox : (west, south, east, north), optional
        WGS84 degrees; default :data:`STUDY_AREA_BBOX`.
    polygon : shapely Polygon, optional
        WGS84 polygon (takes precedence over ``bbox``).
    network_type : str
        OSMnx network type.
    """
    import osmnx as ox

    ox.settings.use_cache = True
    try:
        if polygon is not None:
            G = ox.graph_from_polygon(polygon, network_type=network_type, retain_all=True)
        else:
            G = ox.graph_from_bbox(bbox or STUDY_AREA_BBOX, network_type=network_type, retain_all=True)
    except (OSError, ValueError) as exc:  # requests' errors are OSErrors
        raise ConnectionError(
            f"cannot fetch the road network from Overpass ({type(exc).__name__}: {exc}); "
            "check the internet connection, or pass an OSM extract with --osm FILE"
        ) from None
    return _annotate_osm(G, load_assumptions(assumptions))


def merge_osm(
    G_transit: nx.MultiDiGraph,
    G_osm: nx.MultiDiGraph,
    *,
    assumptions: Mapping | None = None,
    replace_roads: bool = True,
) -> nx.MultiDiGraph:
    """Join a transit network and an OSM road graph.

    OSM nodes get new integer ids after the transit ones (the OSM id stays in ``osmid``);
    station, stop and place nodes get drive-access links to their nearest drivable OSM node(s)
    (``access.drive_k``, within ``access.drive_radius_m``).

    Parameters
    ----------
    G_transit : networkx.MultiDiGraph
        From :func:`build_network`.
    G_osm : networkx.MultiDiGraph
        From :func:`load_osm` / :func:`fetch_osm` (annotated here if ``mode`` is missing).
    replace_roads : bool
        Drop the gazetteer road nodes (and their edges) of ``G_transit`` first.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; inputs are not modified.
    """
    import osmnx as ox

    a = load_assumptions(assumptions)
    H = G_transit.copy()
    if replace_roads:
        H.remove_nodes_from([n for n, k in H.nodes(data="kind") if k == "road"])
    O = G_osm.copy()
    if str(O.graph.get("crs", WGS84)).upper() not in (WGS84, "EPSG:4326"):
        O = ox.project_graph(O, to_crs=WGS84)
    if any("mode" not in d for _, _, d in O.edges(data=True)):
        O = _annotate_osm(O, a)
    start = (max(H.nodes) + 1) if len(H) else 0
    mapping = {n: start + i for i, n in enumerate(sorted(O.nodes))}
    for n, i in mapping.items():
        attrs = dict(O.nodes[n])
        attrs.setdefault("osmid", n)
        attrs["kind"] = "osm"
        attrs["key"] = f"osm:{n}"
        H.add_node(i, **attrs)
    for u, v, d in O.edges(data=True):
        H.add_edge(mapping[u], mapping[v], **d)
    drivable = [mapping[n] for n in sorted(O.nodes)
                if any(d.get("mode") in ("road", "expressway") for _, _, d in O.out_edges(n, data=True))
                or any(d.get("mode") in ("road", "expressway") for _, _, d in O.in_edges(n, data=True))]
    ends = [n for n, k in H.nodes(data="kind") if k in ("station", "stop", "place")]
    b = _Builder(a, H)
    if drivable and ends:
        rd_xy = np.column_stack(_to_metric_xy([H.nodes[n]["x"] for n in drivable],
                                              [H.nodes[n]["y"] for n in drivable]))
        exy = np.column_stack(_to_metric_xy([H.nodes[n]["x"] for n in ends], [H.nodes[n]["y"] for n in ends]))
        _, d = _access_arrays(a, exy[:, 0], exy[:, 1], np.zeros((0, 2)), rd_xy, walk=False)
        for pi, j, dist in d:
            _add_drive_pair(b, ends[pi], drivable[j], dist)
    H.graph.update(G_transit.graph)
    H.graph["crs"] = WGS84
    H.graph["osm_merged"] = True
    _set_street_count(H)
    return H
