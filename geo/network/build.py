"""The multimodal graph built from the layers (:func:`build_network`).

Model (all values from ``geo/data/assumptions.yaml``, see
:func:`geo.network.policy.load_assumptions`):

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
  to the nearest road node(s) (straight line x detour factor), by the access rules of
  :mod:`geo.network.access`.
* The gazetteer maps only arterials, approximately: neighbouring road nodes (Delaunay
  neighbours within ``local_roads.radius_m``) are joined by straight *local-road* links (mode
  ``road``, kind ``local``) at ``local_roads.speed_kmh`` x detour, and the shortest links that
  join separate fragments are added, so the drive network is one connected component.
* Bus lines without stop records (bus lines drawn through their stops, and schematic ones)
  board at every drawn vertex; each hop between consecutive vertices follows the mapped roads
  where both ends are near one (:func:`route_bus_on_roads`, :class:`RoadRouter`), else it is
  the straight line x ``detour_factors.schematic_bus``. Rail / metro lines without stops are
  left out (INFO).
* A car edge that enters Beijing passes a zero-length ``checkpoint`` edge
  (:func:`add_entry_checkpoints`, ``checkpoints`` in the assumptions).
* Every edge carries OSMnx's ``highway`` and road edges ``maxspeed`` (the model's speed of
  their class), so OSMnx's speed and travel-time tools work (:func:`osmnx_edge_conventions`).
* An OSM road graph, when given (or set with :func:`geo.network.osm.use_osm`), replaces the
  gazetteer roads, dated by :func:`geo.network.policy.osm_edge_included`.
* What is open on a date follows :mod:`geo.network.policy`.

Lengths are measured in EPSG:4548 (metres); nodes and geometries are stored in WGS84.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import logging
import math
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geo.crs import to_metric, to_wgs84
from geo.dates import parse_as_of
from geo.network.access import access_candidates, add_drive_access, walk_link
from geo.network.graph import (
    LINE_KIND_MODE,
    METRIC_CRS,
    MIN_WEIGHT_S,
    GraphBuilder,
    layer_rows,
    line_parts,
    point_of,
    point_parts,
    set_street_count,
    to_metric_xy,
    to_wgs84_xy,
)
from geo.network.osm import default_osm, fetch_osm, merge_osm
from geo.network.policy import (
    assumption,
    feature_included,
    line_parameter,
    load_assumptions,
    road_included,
    station_closed,
)
from geo.schema import as_list, decode_property

logger = logging.getLogger(__name__)

__all__ = [
    "MODE_HIGHWAY",
    "ROAD_CLASS_HIGHWAY",
    "RoadRouter",
    "add_entry_checkpoints",
    "build_network",
    "osmnx_edge_conventions",
    "route_bus_on_roads",
]

#: OSMnx ``highway`` of the gazetteer road classes (``road_class``) and of the other edges.
ROAD_CLASS_HIGHWAY: dict[str, str] = {
    "expressway": "motorway",
    "urban_expressway": "trunk",
    "trunk": "primary",
    "secondary": "secondary",
    "local": "unclassified",
    "default": "unclassified",
}
#: ``highway`` of the edges that are not roads, by mode (not OSM road classes: OSMnx only
#: groups edges by this value; transit edges carry their mode).
MODE_HIGHWAY: dict[str, str] = {
    "walk": "footway",
    "drive_access": "unclassified",
    "metro": "metro",
    "rail": "rail",
    "bus": "bus",
}

_Lookup = Mapping[str, tuple[dict[str, Any], Any, str]]
_Stop = tuple[str, float, float, str, dict[str, Any]]  # key, lon, lat, kind, attrs


def _add_lines(
    b: GraphBuilder, layers: Mapping[str, Any], lookup: _Lookup, as_of: _dt.date | None, include_expected: bool
) -> None:
    for layer in ("rail", "bus"):
        for props, geom in layer_rows(layers, layer):
            kind = str(props.get("kind") or "")
            mode = LINE_KIND_MODE.get(kind) or ("bus" if layer == "bus" else "rail")
            if kind and kind not in LINE_KIND_MODE:
                continue
            if not feature_included(props, as_of, include_expected=include_expected):
                continue
            _add_one_line(b, props, geom, mode, lookup, as_of, include_expected)


def _add_one_line(
    b: GraphBuilder,
    props: dict[str, Any],
    geom: Any,
    mode: str,
    lookup: _Lookup,
    as_of: _dt.date | None,
    include_expected: bool,
) -> None:
    a = b.a
    lid = str(props["id"])
    stops: list[_Stop] = []
    for sid in as_list(props.get("stops")):
        sid = str(sid)
        hit = lookup.get(sid)
        if hit is None:
            logger.warning("line %s: stop %s not found in the layers; skipped", lid, sid)
            continue
        sprops, sgeom, slayer = hit
        if slayer == "stations" and station_closed(sprops, as_of, include_expected=include_expected):
            logger.info("line %s: station %s not open as of %s; skipped", lid, sid, as_of)
            continue
        pt = point_of(sprops, sgeom)
        if pt is None:
            continue
        skind = "station" if slayer == "stations" else "stop"
        stops.append(
            (
                f"{skind}:{sid}",
                pt[0],
                pt[1],
                skind,
                {
                    "feature_id": sid,
                    "name": sprops.get("name_zh") or "",
                    "admin": ",".join(str(x) for x in as_list(sprops.get("admin"))),
                },
            )
        )
    runs: list[list[_Stop]] = []
    schematic_runs = False
    if len(stops) >= 2:
        runs.append(stops)
    elif mode == "bus" and not as_list(props.get("stops")) and geom is not None and not geom.is_empty:
        # Schematic bus line without stop records: board / alight at every drawn vertex (end points
        # and documented intermediate places). Vertices shared by several parts are one stop.
        parts = [p for p in line_parts(geom) if len(p.coords) >= 2]
        logger.info(
            "bus line %s has no stops; boarding at the %d vertices of its %d schematic part(s)",
            lid,
            sum(len(p.coords) for p in parts),
            len(parts),
        )
        for part in parts:
            run: list[_Stop] = []
            for lon, lat in [(float(c[0]), float(c[1])) for c in part.coords]:
                key = f"stop:{lid}:{lon:.6f},{lat:.6f}"
                if run and run[-1][0] == key:
                    continue
                run.append((key, lon, lat, "stop", {"feature_id": lid, "name": "", "admin": ""}))
            if len(run) >= 2:
                runs.append(run)
        schematic_runs = True
    else:
        why = "no stops" if not as_list(props.get("stops")) else "fewer than two usable stops"
        logger.info("line %s (%s): %s; not in the network", lid, props.get("scale") or "local", why)
        return
    if not runs:
        logger.info("line %s: no usable geometry; not in the network", lid)
        return
    speed = line_parameter(a, lid, mode, "speed_kmh") / 3.6
    dwell = line_parameter(a, lid, mode, "dwell_s")
    wait = line_parameter(a, lid, mode, "half_headway_s") + line_parameter(a, lid, mode, "boarding_overhead_s")
    line_m = None
    if geom is not None and not geom.is_empty and not schematic_runs:
        gm = to_metric(geom)
        if gm.geom_type == "MultiLineString":
            gm = shapely.line_merge(gm)
        if gm.geom_type == "LineString":
            line_m = gm
    max_off = float(assumption(a, "line_geometry", "max_station_offset_m"))
    fallback = float(assumption(a, "detour_factors", "line_fallback"))
    for r, run in enumerate(runs):
        ids = [b.node(k, lon, lat, kind=kind, **attrs) for k, lon, lat, kind, attrs in run]
        plats = []
        for i, (nid, st) in enumerate(zip(ids, run, strict=True)):
            p = b.node(
                f"platform:{lid}:{r}:{i}",
                st[1],
                st[2],
                kind="platform",
                mx=b.mxy[nid][0],
                my=b.mxy[nid][1],
                feature_id=lid,
                name=st[4].get("name", ""),
                station=st[0],
            )
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
                logger.info("line %s: stops do not follow its geometry in order; straight hops x %.2f", lid, fallback)
                pos = None
        for i in range(len(ids) - 1):
            u, v = ids[i], ids[i + 1]
            g: Any = None
            if schematic_runs:  # hop along the drawn schematic segment x road detour
                (x1, y1), (x2, y2) = b.mxy[u], b.mxy[v]
                length = math.hypot(x2 - x1, y2 - y1) * float(assumption(a, "detour_factors", "schematic_bus"))
            elif pos is not None and line_m is not None:
                seg = substring(line_m, pos[i], pos[i + 1])
                length = float(seg.length)
                if seg.geom_type != "LineString" or len(seg.coords) < 2:
                    seg = LineString([b.mxy[u], b.mxy[v]])
                g = to_wgs84(seg)
            else:
                (x1, y1), (x2, y2) = b.mxy[u], b.mxy[v]
                length = math.hypot(x2 - x1, y2 - y1) * fallback
            t = length / speed + dwell
            # bus hops are routed along the mapped roads later (route_bus_on_roads)
            extra = {"routing": "straight", "speed_mps": speed, "dwell_s": dwell} if mode == "bus" and g is None else {}
            b.edge(
                plats[i],
                plats[i + 1],
                mode=mode,
                length=length,
                travel_time=t,
                feature_id=lid,
                kind="ride",
                line=lid,
                geometry=g,
                **extra,
            )
            b.edge(
                plats[i + 1],
                plats[i],
                mode=mode,
                length=length,
                travel_time=t,
                feature_id=lid,
                kind="ride",
                line=lid,
                geometry=None if g is None else g.reverse(),
                **extra,
            )


def _add_transfers(b: GraphBuilder) -> None:
    a = b.a
    nodes = b.nodes_of_kind(("station", "stop"))
    if len(nodes) < 2:
        return
    xy = np.array([b.mxy[n] for n in nodes])
    radius = float(assumption(a, "transfer", "walk_radius_m"))
    min_s = float(assumption(a, "transfer", "min_walk_s"))
    for i, j in sorted(cKDTree(xy).query_pairs(radius)):
        d = float(np.hypot(*(xy[i] - xy[j])))
        length, t = walk_link(a, d)
        t = max(t, min_s)
        for u, v in ((nodes[i], nodes[j]), (nodes[j], nodes[i])):
            b.edge(u, v, mode="walk", length=length, travel_time=t, feature_id=None, kind="transfer")


def _road_class(props: Mapping[str, Any], roads_by_id: Mapping[str, dict[str, Any]]) -> str:
    rc = props.get("road_class")
    if isinstance(rc, str) and rc and rc != "bridge":
        return rc
    for pid in as_list(props.get("parent")):
        parent = roads_by_id.get(str(pid))
        if parent is not None and isinstance(parent.get("road_class"), str) and parent["road_class"] != "bridge":
            return str(parent["road_class"])
    return "trunk" if (rc == "bridge" or props.get("kind") == "bridge") else "default"


def _add_roads(b: GraphBuilder, layers: Mapping[str, Any], as_of: _dt.date | None, include_expected: bool) -> None:
    a = b.a
    roads_by_id = {str(p["id"]): p for p, _ in layer_rows(layers, "roads")}
    items: list[tuple[dict[str, Any], LineString, str]] = []
    for layer in ("roads", "bridges"):
        for props, geom in layer_rows(layers, layer):
            if layer == "bridges" and props.get("kind") not in ("bridge", None):
                continue
            if not road_included(props, as_of, include_expected=include_expected, assumptions=a):
                continue
            rc = _road_class(props, roads_by_id)
            for part in line_parts(to_metric(geom) if geom is not None else None):
                if part.length > 0:
                    items.append((props, part, rc))
    if not items:
        return
    geoms = [g for _, g, _ in items]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    cuts: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(items))}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        pts = point_parts(geoms[i].intersection(geoms[j]))
        cuts[i].extend(pts)
        cuts[j].extend(pts)
    speeds = a.get("road_speeds_kmh") or {}
    for idx, (props, line, rc) in enumerate(items):
        fid = str(props["id"])
        coords = np.asarray(line.coords)
        seg = np.hypot(*np.diff(coords, axis=0).T)
        dist = np.concatenate([[0.0], np.cumsum(seg)])
        entries = [(float(d), 1, (float(x), float(y))) for d, (x, y) in zip(dist, coords[:, :2], strict=True)]
        entries += [(float(line.project(Point(p))), 0, (float(p[0]), float(p[1]))) for p in cuts[idx]]
        entries.sort()
        kept: list[tuple[float, float, float]] = []
        for d, _prio, (x, y) in entries:
            if kept and abs(d - kept[-1][0]) < 0.01:
                continue
            kept.append((d, x, y))
        mode = "expressway" if rc in ("expressway", "urban_expressway") else "road"
        v_kmh = assumption(speeds, rc)
        if v_kmh is None:
            v_kmh = assumption(speeds, "default")
        v = float(v_kmh) / 3.6
        lon, lat = to_wgs84_xy([k[1] for k in kept], [k[2] for k in kept])
        ids = [
            b.node(f"road:{x:.2f},{y:.2f}", lo, la, kind="road", mx=x, my=y, feature_id="")
            for (_, x, y), lo, la in zip(kept, lon, lat, strict=True)
        ]
        for i in range(len(ids) - 1):
            u, w = ids[i], ids[i + 1]
            if u == w:
                continue
            length = math.hypot(kept[i + 1][1] - kept[i][1], kept[i + 1][2] - kept[i][2])
            for p, q in ((u, w), (w, u)):
                b.edge(
                    p,
                    q,
                    mode=mode,
                    length=length,
                    travel_time=length / v,
                    feature_id=fid,
                    kind="road",
                    road_class=rc,
                    highway=ROAD_CLASS_HIGHWAY.get(rc, "unclassified"),
                    maxspeed=f"{float(v_kmh):g}",
                )


def _local_time(a: Mapping[str, Any], straight_m: float) -> tuple[float, float]:
    length = straight_m * float(assumption(a, "local_roads", "detour_factor"))
    return length, length / (float(assumption(a, "local_roads", "speed_kmh")) / 3.6)


def _delaunay_pairs(xy: np.ndarray) -> set[tuple[int, int]]:
    """Edges (i < j) of the Delaunay triangulation of points (a chain if they are collinear)."""
    n = len(xy)
    if n < 2:
        return set()
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    chain = {(min(int(i), int(j)), max(int(i), int(j))) for i, j in itertools.pairwise(order)}
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


def _add_local_roads(b: GraphBuilder) -> None:
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
    if not assumption(a, "local_roads", "enabled", default=False):
        return
    roads = b.nodes_of_kind(("road",))
    if len(roads) < 2:
        return
    xy = np.array([b.mxy[n] for n in roads])
    radius = float(assumption(a, "local_roads", "radius_m"))
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
    if assumption(a, "local_roads", "connect_components", default=True):
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
            b.edge(
                p,
                q,
                mode="road",
                length=length,
                travel_time=t,
                feature_id=None,
                kind="local",
                road_class="local",
                highway="unclassified",
                maxspeed=f"{float(assumption(a, 'local_roads', 'speed_kmh')):g}",
            )
    for u, v, dist in bridging:
        logger.info(
            "local road link of %.1f km bridges road fragments %s - %s",
            dist / 1000,
            b.G.nodes[u]["key"],
            b.G.nodes[v]["key"],
        )
    logger.info("local roads: %d links between %d road nodes (%d bridging links)", n_links, len(roads), len(bridging))


def _add_places(b: GraphBuilder, layers: Mapping[str, Any]) -> None:
    a = b.a
    extra = {str(x) for x in (assumption(a, "places", "extra") or [])}
    places: list[tuple[str, float, float, dict[str, Any]]] = []
    for name in sorted(layers):
        for props, geom in layer_rows(layers, name):
            fid = str(props["id"])
            is_place = (name == "admin" or props.get("theme") == "admin") and decode_property(props.get("centre"))
            is_place = is_place or props.get("kind") == "destination" or fid in extra
            if not is_place:
                continue
            pt = point_of(props, geom)
            if pt is not None:
                places.append((fid, pt[0], pt[1], props))
    seen = set()
    place_ids = []
    for fid, lon, lat, props in places:
        if fid in seen:
            continue
        seen.add(fid)
        place_ids.append(
            b.node(f"place:{fid}", lon, lat, kind="place", feature_id=fid, name=props.get("name_zh") or "")
        )
    stations = b.nodes_of_kind(("station", "stop"))
    roads = b.nodes_of_kind(("road",))
    st_xy = np.array([b.mxy[n] for n in stations]).reshape(-1, 2)
    rd_xy = np.array([b.mxy[n] for n in roads]).reshape(-1, 2)
    if place_ids:
        pxy = np.array([b.mxy[n] for n in place_ids])
        w, d = access_candidates(
            a,
            pxy[:, 0],
            pxy[:, 1],
            st_xy,
            rd_xy,
            fallback_mask=np.array([b.G.nodes[n]["kind"] == "station" for n in stations], bool),
        )
        for pi, j, dist in w:
            length, t = walk_link(a, dist)
            b.edge(
                place_ids[pi], stations[j], mode="walk", length=length, travel_time=t, feature_id=None, kind="access"
            )
            b.edge(
                stations[j], place_ids[pi], mode="walk", length=length, travel_time=t, feature_id=None, kind="access"
            )
        for pi, j, dist in d:
            add_drive_access(b, place_ids[pi], roads[j], dist)
    if assumption(a, "access", "station_drive_access") and len(stations) and len(roads):
        _, d = access_candidates(a, st_xy[:, 0], st_xy[:, 1], st_xy, rd_xy, walk=False)
        for pi, j, dist in d:
            add_drive_access(b, stations[pi], roads[j], dist)


class RoadRouter:
    """Shortest paths between points along the *mapped* roads of a network (gazetteer roads and
    OSM ways, edge ``kind`` ``road``; never the straight local-road or access links), by length.

    Each point is snapped to the nearest mapped road edge within ``bus_routing.snap_m``: its
    foot on the edge becomes a node of the routing graph (several points on one edge are
    chained in order along it), so consecutive stops on one road are joined along it.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A network from :func:`build_network` (or an OSM road graph from
        :func:`geo.network.osm.load_osm`).
    points : sequence of (float, float)
        WGS84 ``(lon, lat)`` of the points to route between (bus stops).
    assumptions : mapping
        ``bus_routing.snap_m`` (m) and ``bus_routing.max_detour`` (a road path longer than this
        times the straight line is not the bus's route).
    """

    def __init__(self, G: nx.MultiDiGraph, points: Any, assumptions: Mapping[str, Any]) -> None:
        self.snap_m = float(assumption(assumptions, "bus_routing", "snap_m", default=500.0))
        self.max_detour = float(assumption(assumptions, "bus_routing", "max_detour", default=2.0))
        self.points = [(float(p[0]), float(p[1])) for p in points]
        best: dict[tuple[int, int], tuple[float, Any]] = {}
        for u, v, d in G.edges(data=True):
            if d.get("kind") == "road" and d.get("mode") in ("road", "expressway") and u != v:
                cur = best.get((u, v))
                if cur is None or float(d["length"]) < cur[0]:
                    best[(u, v)] = (float(d["length"]), d.get("geometry"))
        self.D = nx.DiGraph()
        lines: list[LineString] = []
        keys: list[tuple[int, int]] = []
        for (u, v), (length, geom) in sorted(best.items()):
            pu = Point(G.nodes[u]["x"], G.nodes[u]["y"])
            pv = Point(G.nodes[v]["x"], G.nodes[v]["y"])
            if geom is None or geom.is_empty:
                geom = LineString([pu, pv])
            elif Point(geom.coords[0]).distance(pu) > Point(geom.coords[-1]).distance(pu):
                geom = geom.reverse()
            self.D.add_edge(u, v, length=length, geometry=geom)
            lines.append(geom)
            keys.append((u, v))
        self.foot: dict[int, float] = {}  # point index -> metres from the point to its foot on a road
        if not lines or not self.points:
            return
        tree = shapely.STRtree(lines)
        deg = self.snap_m / 80000.0  # a generous box in degrees (a degree of longitude is >= 80 km here)
        on_edge: dict[tuple[int, int], list[tuple[float, int]]] = {}
        for i, (lon, lat) in enumerate(self.points):
            cand = tree.query(shapely.box(lon - deg, lat - deg, lon + deg, lat + deg))
            if not len(cand):
                continue
            pm = to_metric(Point(lon, lat))
            dist, j = min((float(to_metric(lines[int(c)]).distance(pm)), int(c)) for c in cand)
            if dist > self.snap_m:
                continue
            lm = to_metric(lines[j])
            frac = float(lm.project(pm)) / lm.length if lm.length > 0 else 0.0
            self.foot[i] = dist
            u, v = keys[j]
            on_edge.setdefault((u, v), []).append((frac, i))
            if self.D.has_edge(v, u):
                on_edge.setdefault((v, u), []).append((1.0 - frac, i))
        for (u, v), feet in sorted(on_edge.items()):
            geom, length = self.D.edges[u, v]["geometry"], float(self.D.edges[u, v]["length"])
            chain: list[tuple[float, Any]] = [(0.0, u), *sorted((f, ("stop", i)) for f, i in feet), (1.0, v)]
            for (f0, a), (f1, b) in itertools.pairwise(chain):
                seg = substring(geom, f0, f1, normalized=True)
                coords = list(seg.coords) if not seg.is_empty else []
                if len(coords) < 2:
                    p = geom.interpolate(f0, normalized=True)
                    coords = [(p.x, p.y), (p.x, p.y)]
                self.D.add_edge(a, b, length=max((f1 - f0) * length, 0.0), geometry=LineString(coords))

    def route(self, i: int, j: int) -> tuple[float, Any] | None:
        """Length (m, including the legs from the points to the road) and WGS84 LineString of
        the road path from point ``i`` to point ``j``, or ``None`` when a point is not near a
        mapped road, no path exists, or it is longer than ``max_detour`` x the straight line."""
        if i not in self.foot or j not in self.foot or i == j:
            return None
        a, b = self.points[i], self.points[j]
        (xa, xb), (ya, yb) = to_metric_xy([a[0], b[0]], [a[1], b[1]])
        straight = max(math.hypot(float(xb - xa), float(yb - ya)), 1.0)
        cutoff = self.max_detour * straight
        try:
            length, path = nx.single_source_dijkstra(self.D, ("stop", i), ("stop", j), cutoff=cutoff, weight="length")
        except nx.NetworkXNoPath:
            return None
        coords: list[tuple[float, float]] = [a]
        for u, v in itertools.pairwise(path):
            coords.extend((float(c[0]), float(c[1])) for c in self.D.edges[u, v]["geometry"].coords)
        coords.append(b)
        clean = [c for k, c in enumerate(coords) if k == 0 or c != coords[k - 1]]
        if len(clean) < 2:
            return None
        return float(length) + self.foot[i] + self.foot[j], LineString(clean)


def route_bus_on_roads(G: nx.MultiDiGraph, assumptions: Mapping[str, Any]) -> dict[str, int]:
    """Route every straight bus hop along the mapped roads (in place).

    A bus line drawn through its stops (or a schematic one) gets, for each hop between
    consecutive stops, the shortest path along the mapped roads of ``G`` (OSM ways when an
    extract was merged, else the gazetteer roads; never the straight local-road links,
    :class:`RoadRouter`): the ride edge takes that path's ``length`` (m, plus the legs from
    the stops to the road), ``geometry`` and a ``travel_time`` of length / the line's speed +
    its dwell, and ``routing`` becomes ``road``. A hop whose stops are farther than
    ``bus_routing.snap_m`` from a mapped road, or whose road path would be more than
    ``bus_routing.max_detour`` times the straight line, keeps the straight line x
    ``detour_factors.schematic_bus`` (``routing`` ``straight``).

    Returns
    -------
    dict
        ``{"road": n, "straight": m}`` hop counts (both directions).
    """
    hops = [(u, v, d) for u, v, d in G.edges(data=True) if d.get("mode") == "bus" and d.get("routing") == "straight"]
    counts = {"road": 0, "straight": 0}
    if not hops:
        return counts
    ends = sorted({n for u, v, _ in hops for n in (u, v)})
    index = {n: i for i, n in enumerate(ends)}
    router = RoadRouter(G, [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ends], assumptions)
    for u, v, d in hops:
        r = router.route(index[u], index[v])
        if r is None:
            counts["straight"] += 1
            continue
        length, geom = r
        d["length"] = length
        d["geometry"] = geom
        d["travel_time"] = max(length / float(d["speed_mps"]) + float(d["dwell_s"]), MIN_WEIGHT_S)
        d["routing"] = "road"
        counts["road"] += 1
    logger.info("bus hops routed along mapped roads: %d, straight: %d", counts["road"], counts["straight"])
    return counts


def _beijing_outline() -> Any:
    """Beijing's outline (WGS84) from the reference boundaries (province adcode 110000)."""
    import json

    from shapely.geometry import shape

    from geo.io import package_text

    fc = json.loads(package_text("reference", "boundaries.geojson"))
    for f in fc["features"]:
        if f["properties"].get("level") == "province" and int(f["properties"]["adcode"]) == 110000:
            return shape(f["geometry"])
    return None


def add_entry_checkpoints(G: nx.MultiDiGraph, assumptions: Mapping[str, Any]) -> int:
    """Put a Beijing entry checkpoint on every car edge that enters Beijing (in place).

    Every vehicle entering Beijing by road passes a security checkpoint (进京检查站: 白庙 on
    通燕高速, 高各庄 on 徐尹路 …). A drive edge whose start node lies outside Beijing's outline
    and whose end node lies inside gets one if it is an edge of a road listed in
    ``checkpoints.roads`` (the gazetteer's cross-border roads), an OSM way (every real road
    into Beijing has one), a straight local-road link or a drive-access link (they stand for
    unmapped roads, which have checkpoints too). Such an edge is split at its end: the edge now ends at a new node of kind ``checkpoint`` (same
    position), joined to the old end by a zero-length edge (kind ``checkpoint``, same mode)
    of ``checkpoints.beijing_entry_s`` seconds. Outbound edges are not delayed.

    Returns
    -------
    int
        The number of checkpoints added.
    """
    delay = float(assumption(assumptions, "checkpoints", "beijing_entry_s", default=0.0) or 0.0)
    if delay <= 0 or G.number_of_edges() == 0:
        return 0
    outline = _beijing_outline()
    if outline is None:
        return 0
    roads = {str(r) for r in (assumption(assumptions, "checkpoints", "roads") or [])}
    ids = list(G.nodes)
    xs, ys = [G.nodes[n]["x"] for n in ids], [G.nodes[n]["y"] for n in ids]
    inside = dict(zip(ids, shapely.contains_xy(outline, xs, ys).tolist(), strict=True))

    def checked(u: int, v: int, d: Mapping[str, Any]) -> bool:
        if d.get("mode") not in ("road", "expressway", "drive_access") or inside[u] or not inside[v]:
            return False
        if d.get("mode") == "drive_access" or d.get("kind") == "local":
            return True
        osm = G.nodes[u].get("kind") == "osm" or G.nodes[v].get("kind") == "osm"
        return osm or str(d.get("feature_id")) in roads

    inbound = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if checked(u, v, d)]
    b = GraphBuilder(dict(assumptions), G)
    next_id = (max(G.nodes) + 1) if len(G) else 0
    for u, v, k in sorted(inbound):
        d = dict(G.edges[u, v, k])
        c = next_id
        next_id += 1
        nv = G.nodes[v]
        G.add_node(
            c, x=nv["x"], y=nv["y"], key=f"checkpoint:{u}-{v}-{k}", kind="checkpoint", feature_id="", street_count=2
        )
        G.remove_edge(u, v, k)
        G.add_edge(u, c, **d)
        b.edge(
            c,
            v,
            mode=d["mode"],
            length=0.0,
            travel_time=delay,
            feature_id=d.get("feature_id"),
            kind="checkpoint",
            geometry=LineString([(nv["x"], nv["y"]), (nv["x"], nv["y"])]),
        )
    logger.info("Beijing entry checkpoints: %.0f s on %d inbound drive edges", delay, len(inbound))
    return len(inbound)


def osmnx_edge_conventions(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Give every edge OSMnx's ``highway`` (in place), so that
    :func:`osmnx.routing.add_edge_speeds` and :func:`osmnx.routing.add_edge_travel_times` work.

    Gazetteer road edges already carry ``highway`` (:data:`ROAD_CLASS_HIGHWAY`) and
    ``maxspeed`` (the model's speed of their class, km/h, from ``road_speeds_kmh``: so
    ``add_edge_speeds`` + ``add_edge_travel_times`` reproduce the network's road travel
    times); OSM edges keep their own tags. Every other edge gets the ``highway`` of its
    mode (:data:`MODE_HIGHWAY`) and no ``maxspeed``, which OSMnx imputes (pass
    ``hwy_speeds`` for those values to control it).

    Parameters
    ----------
    G : networkx.MultiDiGraph

    Returns
    -------
    networkx.MultiDiGraph
        ``G`` itself.
    """
    for _, _, d in G.edges(data=True):
        hw = d.get("highway")
        if hw is None or hw == "" or (isinstance(hw, float) and math.isnan(hw)):
            d["highway"] = MODE_HIGHWAY.get(str(d.get("mode")), "unclassified")
    return G


def build_network(
    layers: Mapping[str, Any],
    *,
    as_of: Any = None,
    include_expected: bool = False,
    assumptions: Mapping[str, Any] | None = None,
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
        Include only features open on that date (see
        :func:`geo.network.policy.feature_included`); ``None`` includes every feature in the
        layers.
    include_expected : bool
        Also include features *expected* to be open by ``as_of``.
    assumptions : mapping, optional
        Overrides merged over ``geo/data/assumptions.yaml`` (see
        :func:`geo.network.policy.load_assumptions`).
    osm_graph : networkx.MultiDiGraph, optional
        A road graph from :func:`geo.network.osm.load_osm` / :func:`geo.network.osm.fetch_osm`,
        merged with :func:`geo.network.osm.merge_osm` (replacing the gazetteer roads).
    online : bool
        If True and ``osm_graph`` is None, fetch the study-area drive network from Overpass via
        :func:`geo.network.osm.fetch_osm` (uses OSMnx's cache). Needs internet.

    Returns
    -------
    networkx.MultiDiGraph
        OSMnx-compatible graph (``crs`` EPSG:4326; node ``x``/``y`` lon/lat; edge ``length`` in
        metres (EPSG:4548), ``travel_time`` in seconds, ``mode``, ``feature_id``, ``geometry``).

    Raises
    ------
    ValueError
        If ``as_of`` cannot be parsed (:func:`geo.dates.parse_as_of`).
    """
    day = None if as_of is None else parse_as_of(as_of)
    a = load_assumptions(assumptions)
    b = GraphBuilder(a)
    lookup: dict[str, tuple[dict[str, Any], Any, str]] = {}
    for name in sorted(layers, key=lambda n: (n != "stations", n)):
        for props, geom in layer_rows(layers, name):
            lookup.setdefault(str(props["id"]), (props, geom, name))
    _add_lines(b, layers, lookup, day, include_expected)
    _add_transfers(b)
    _add_roads(b, layers, day, include_expected)
    _add_local_roads(b)
    _add_places(b, layers)
    G = b.G
    G.graph.update(
        name="jjj-atlas multimodal network",
        as_of=day.isoformat() if day else "",
        include_expected=bool(include_expected),
        metric_crs=METRIC_CRS,
    )
    if osm_graph is None and online:
        osm_graph = fetch_osm(assumptions=a)
    if osm_graph is None:
        osm_graph = default_osm()
    if osm_graph is not None:
        roads = {str(p["id"]): p for name in ("roads", "bridges") for p, _ in layer_rows(layers, name)}
        G = merge_osm(G, osm_graph, assumptions=a, features=roads, as_of=day, include_expected=include_expected)
    else:
        set_street_count(G)
    route_bus_on_roads(G, a)
    add_entry_checkpoints(G, a)
    osmnx_edge_conventions(G)
    logger.info("network as of %s: %d nodes, %d edges", day, G.number_of_nodes(), G.number_of_edges())
    return G
