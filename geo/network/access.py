"""Origins, destinations and the access links that join points to the network.

This module owns

* finding the node of a feature or key (:func:`node_lookup`, :func:`find_node`,
  :func:`place_node`);
* the access rules (``access`` and ``feeder`` in ``assumptions.yaml``): walk links to
  stations and stops, drive-access links to road nodes (:func:`access_candidates`,
  :func:`walk_link`, :func:`drive_link`, :func:`add_drive_access`), used for the place
  nodes of the graph and for arbitrary points (:func:`access_links`);
* feeder access and egress (local bus / taxi / park-and-ride to a station beyond walking
  distance), which are never edges of the graph: :func:`feeder_access_links` end on the
  platform after the first ride hop, :func:`feeder_egress_links` start on the platform one
  hop before the last stop, so a feeder can never replace the ride itself.

Points are WGS84 ``lon, lat`` degrees; distances are straight lines in EPSG:4548 metres
(times a detour factor); times are seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from geo.network.graph import LINE_KIND_MODE, GraphBuilder, to_metric_xy
from geo.network.policy import assumption, load_assumptions

__all__ = [
    "access_candidates",
    "access_links",
    "add_drive_access",
    "drivable_nodes",
    "drive_link",
    "feeder_access_links",
    "feeder_egress_links",
    "feeder_time_s",
    "find_node",
    "node_lookup",
    "place_node",
    "walk_link",
]

_Links = tuple[np.ndarray, np.ndarray, np.ndarray]


# ----------------------------------------------------------------------------------------------
# nodes of features
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

    The place node (``place:<id>``) if any, else the station node (``station:<id>``), else
    the stop node (``stop:<id>``).

    Parameters
    ----------
    G : networkx.MultiDiGraph
    feature_id : str
    lookup : mapping, optional
        :func:`node_lookup` of ``G``, when the caller has it already.

    Raises
    ------
    KeyError
        If the feature has none of these nodes.
    """
    lk = lookup if lookup is not None else node_lookup(G)
    for prefix in ("place:", "station:", "stop:"):
        if prefix + feature_id in lk:
            return lk[prefix + feature_id]
    raise KeyError(f"feature {feature_id!r} is not a place or station node of the network")


def drivable_nodes(G: nx.MultiDiGraph) -> list[int]:
    """Sorted ids of the road / OSM nodes with an outgoing ``road`` or ``expressway`` edge."""
    kinds = nx.get_node_attributes(G, "kind")
    out = set()
    for u, _, m in G.edges(data="mode"):
        if m in ("road", "expressway") and kinds.get(u) in ("road", "osm"):
            out.add(u)
    return sorted(out)


# ----------------------------------------------------------------------------------------------
# access rules
# ----------------------------------------------------------------------------------------------
def walk_link(a: Mapping[str, Any], straight_m: float) -> tuple[float, float]:
    """A walk link over a straight distance (m): ``(length m, seconds)`` with the walk detour."""
    length = straight_m * float(assumption(a, "detour_factors", "walk"))
    return length, length / (float(assumption(a, "speeds_kmh", "walk")) / 3.6)


def drive_link(a: Mapping[str, Any], straight_m: float) -> tuple[float, float]:
    """A drive-access link over a straight distance (m): ``(length m, seconds)``."""
    length = straight_m * float(assumption(a, "detour_factors", "drive_access"))
    return length, length / (float(assumption(a, "speeds_kmh", "drive_access")) / 3.6)


def feeder_time_s(a: Mapping[str, Any], straight_m: float) -> float:
    """Seconds of a feeder ride over a straight distance (m): ``feeder.penalty_s`` plus the
    straight line x ``feeder.detour_factor`` at ``feeder.speed_kmh``."""
    length = straight_m * float(assumption(a, "feeder", "detour_factor"))
    return float(assumption(a, "feeder", "penalty_s")) + length / (float(assumption(a, "feeder", "speed_kmh")) / 3.6)


def access_candidates(
    a: Mapping[str, Any],
    px: np.ndarray,
    py: np.ndarray,
    st_xy: np.ndarray,
    rd_xy: np.ndarray,
    *,
    walk: bool = True,
    drive: bool = True,
    fallback_mask: np.ndarray | None = None,
) -> tuple[list[tuple[int, int, float]], list[tuple[int, int, float]]]:
    """Walk and drive-access candidates of points by the ``access`` rules.

    Walk: every station / stop within ``access.walk_radius_m``, or else the nearest station
    (``fallback_mask`` marks which targets are stations, not schematic bus vertices) within
    ``access.walk_fallback_m``. Drive: the ``access.drive_k`` nearest road nodes within
    ``access.drive_radius_m``, or else (``access.drive_fallback_nearest``) the nearest one
    within ``access.drive_fallback_max_m``.

    Parameters
    ----------
    a : mapping
        Assumptions from :func:`geo.network.policy.load_assumptions`.
    px, py : numpy.ndarray
        Points, EPSG:4548 metres.
    st_xy, rd_xy : numpy.ndarray
        ``(n, 2)`` station / stop and road node coordinates, EPSG:4548 metres.
    walk, drive : bool
        Which candidates to compute.
    fallback_mask : numpy.ndarray of bool, optional
        Per row of ``st_xy``: may be the walk fallback (default all).

    Returns
    -------
    walk, drive : list of (int, int, float)
        ``(point index, target row, straight metres)``.
    """
    walk_out: list[tuple[int, int, float]] = []
    drive_out: list[tuple[int, int, float]] = []
    pts = np.column_stack([px, py])
    if walk and len(st_xy):
        tree = cKDTree(st_xy)
        r = float(assumption(a, "access", "walk_radius_m"))
        fb = float(assumption(a, "access", "walk_fallback_m"))
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
        k = int(assumption(a, "access", "drive_k"))
        r = float(assumption(a, "access", "drive_radius_m"))
        k_eff = min(k, len(rd_xy))
        tree = cKDTree(rd_xy)
        d, i = tree.query(pts, k=k_eff, distance_upper_bound=r)
        d = np.asarray(d).reshape(len(pts), k_eff)
        i = np.asarray(i).reshape(len(pts), k_eff)
        fallback = bool(assumption(a, "access", "drive_fallback_nearest", default=False))
        d1, i1 = tree.query(
            pts, k=1, distance_upper_bound=float(assumption(a, "access", "drive_fallback_max_m", default=np.inf))
        )
        for pi in range(len(pts)):
            n_before = len(drive_out)
            for dd, ii in zip(d[pi], i[pi], strict=True):
                if np.isfinite(dd):
                    drive_out.append((pi, int(ii), float(dd)))
            if fallback and len(drive_out) == n_before and np.isfinite(d1[pi]):
                drive_out.append((pi, int(i1[pi]), float(d1[pi])))
    return walk_out, drive_out


def add_drive_access(b: GraphBuilder, u: int, v: int, straight_m: float) -> None:
    """Add the two drive-access edges between two nodes (:func:`drive_link` rules).

    Parameters
    ----------
    b : geo.network.graph.GraphBuilder
        Builder of the graph holding ``u`` and ``v``.
    u, v : int
        Node ids.
    straight_m : float
        Straight distance between them (metres, EPSG:4548).
    """
    length, t = drive_link(b.a, straight_m)
    b.edge(u, v, mode="drive_access", length=length, travel_time=t, feature_id=None, kind="access")
    b.edge(v, u, mode="drive_access", length=length, travel_time=t, feature_id=None, kind="access")


def _node_xy(G: nx.MultiDiGraph, nodes: Sequence[int]) -> np.ndarray:
    """``(n, 2)`` EPSG:4548 coordinates (metres) of graph nodes."""
    return np.column_stack(to_metric_xy([G.nodes[n]["x"] for n in nodes], [G.nodes[n]["y"] for n in nodes])).reshape(
        -1, 2
    )


def _as_links(rows: list[tuple[int, int, float]]) -> _Links:
    if not rows:
        return np.zeros(0, int), np.zeros(0, np.int64), np.zeros(0, float)
    arr = np.array(rows, dtype=float)
    return arr[:, 0].astype(int), arr[:, 1].astype(np.int64), arr[:, 2]


def access_links(
    G: nx.MultiDiGraph,
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    *,
    modes: Iterable[str],
    assumptions: Mapping[str, Any] | None = None,
) -> _Links:
    """Virtual access links from arbitrary points into the network (same rules as place nodes).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    lon, lat : array-like
        WGS84 coordinates of the points (degrees).
    modes : iterable of str
        Allowed modes; ``walk`` enables walk links to station / stop nodes, ``drive_access``
        links to road (or OSM drivable) nodes, ``feeder`` feeder-access links to the platform
        after the first ride hop of lines of the vehicle modes in ``modes`` (see
        :func:`feeder_access_links`; access only, never in the graph).
    assumptions : mapping, optional
        Overrides (see :func:`geo.network.policy.load_assumptions`).

    Returns
    -------
    point_index, node, seconds : numpy.ndarray
        One row per access link: index of the point, network node id, access time (s).
    """
    a = load_assumptions(assumptions)
    modes = set(modes)
    px, py = to_metric_xy(np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float)))
    stations = [n for n, k in G.nodes(data="kind") if k in ("station", "stop")]
    drivable = drivable_nodes(G)
    w, d = access_candidates(
        a,
        px,
        py,
        _node_xy(G, stations),
        _node_xy(G, drivable),
        walk="walk" in modes,
        drive="drive_access" in modes,
        fallback_mask=np.array([G.nodes[n]["kind"] == "station" for n in stations], bool),
    )
    rows = [(pi, stations[j], walk_link(a, dist)[1]) for pi, j, dist in w]
    rows += [(pi, drivable[j], drive_link(a, dist)[1]) for pi, j, dist in d]
    if "feeder" in modes:
        rows += _feeder_rows(G, px, py, modes, a)
    return _as_links(rows)


def _feeder_rows(
    G: nx.MultiDiGraph, px: np.ndarray, py: np.ndarray, modes: Iterable[str], a: Mapping[str, Any]
) -> list[tuple[int, int, float]]:
    """Feeder access rows (point index, platform node, seconds); see :func:`feeder_access_links`."""
    vehicle = set(modes) & set(LINE_KIND_MODE.values())
    if not vehicle or len(px) == 0:
        return []
    boards: dict[int, list[tuple[int, float]]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "board" and d.get("mode") in vehicle:
            boards.setdefault(u, []).append((v, float(d["travel_time"])))
    if not boards:
        return []
    stations = sorted(boards)
    st_xy = _node_xy(G, stations)
    hits = cKDTree(st_xy).query_ball_point(np.column_stack([px, py]), float(assumption(a, "feeder", "radius_m")))
    min_m = float(assumption(a, "feeder", "min_distance_m", default=0.0))
    rides: dict[int, list[tuple[int, float]]] = {}
    rows: list[tuple[int, int, float]] = []
    for pi, h in enumerate(hits):
        best: dict[int, float] = {}
        for j in sorted(h):
            s = stations[j]
            dist = float(np.hypot(px[pi] - st_xy[j, 0], py[pi] - st_xy[j, 1]))
            if dist < min_m:
                continue  # within walking distance people walk
            t_acc = feeder_time_s(a, dist)
            for plat, t_board in boards[s]:
                if plat not in rides:
                    rides[plat] = [
                        (v, float(d["travel_time"]))
                        for _, v, d in G.out_edges(plat, data=True)
                        if d.get("kind") == "ride"
                    ]
                for nxt, t_ride in rides[plat]:
                    t = t_acc + t_board + t_ride
                    if t < best.get(nxt, np.inf):
                        best[nxt] = t
        rows += [(pi, n, t) for n, t in sorted(best.items())]
    return rows


def feeder_access_links(
    G: nx.MultiDiGraph,
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    *,
    modes: Iterable[str],
    assumptions: Mapping[str, Any] | None = None,
) -> _Links:
    """Feeder access (local bus / taxi / bike / park-and-ride) from points to the first vehicle.

    A feeder link goes from a point to a station within ``feeder.radius_m`` (and at least
    ``feeder.min_distance_m`` away: nearer, people walk) that is served by a line of the
    vehicle modes in ``modes``, and is charged the feeder ride (:func:`feeder_time_s`), the
    line's boarding wait and **the first ride hop**: the link ends on the platform of the next
    stop. So the feeder is access only; it can never stand in for the rail / bus ride itself
    (a trip that used a feeder has ridden at least one hop).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    lon, lat : array-like
        WGS84 coordinates of the points (degrees).
    modes : iterable of str
        Modes of the chain; its vehicle modes (metro, rail, bus) are the lines a feeder serves.
    assumptions : mapping, optional
        Overrides (see :func:`geo.network.policy.load_assumptions`).

    Returns
    -------
    point_index, node, seconds : numpy.ndarray
        One row per link: point index, platform node id, seconds from the point.
    """
    a = load_assumptions(assumptions)
    px, py = to_metric_xy(np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float)))
    return _as_links(_feeder_rows(G, px, py, modes, a))


def feeder_egress_links(
    G: nx.MultiDiGraph,
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    *,
    modes: Iterable[str],
    assumptions: Mapping[str, Any] | None = None,
) -> _Links:
    """Feeder egress (taxi / local bus) from the last vehicle to destination points.

    Mirror of :func:`feeder_access_links`: for every station / stop within
    ``feeder.egress_radius_m`` of a destination that is served by a line of the vehicle modes
    in ``modes``, a link starts on the platform one ride hop *before* that stop and costs that
    hop, the (free) alighting and the feeder ride (:func:`feeder_time_s`). So egress also
    never replaces the ride itself. Nothing is returned unless ``feeder`` is in ``modes``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    lon, lat : array-like
        WGS84 coordinates of the destinations (degrees).
    modes : iterable of str
    assumptions : mapping, optional

    Returns
    -------
    point_index, node, seconds : numpy.ndarray
        One row per link: destination point index, platform node id, seconds to the point.
    """
    a = load_assumptions(assumptions)
    vehicle = set(modes) & set(LINE_KIND_MODE.values())
    if "feeder" not in set(modes) or not vehicle:
        return _as_links([])
    alights: dict[int, list[tuple[int, float]]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "alight" and d.get("mode") in vehicle:
            alights.setdefault(v, []).append((u, float(d["travel_time"])))
    if not alights:
        return _as_links([])
    stations = sorted(alights)
    st_xy = _node_xy(G, stations)
    px, py = to_metric_xy(lon, lat)
    hits = cKDTree(st_xy).query_ball_point(
        np.column_stack([px, py]).reshape(-1, 2), float(assumption(a, "feeder", "egress_radius_m"))
    )
    rows: list[tuple[int, int, float]] = []
    for pi, h in enumerate(hits):
        best: dict[int, float] = {}
        for j in sorted(h):
            dist = float(np.hypot(px[pi] - st_xy[j, 0], py[pi] - st_xy[j, 1]))
            if dist < float(assumption(a, "feeder", "min_distance_m", default=0.0)):
                continue  # within walking distance people walk
            t_eg = feeder_time_s(a, dist)
            for plat, t_alight in alights[stations[j]]:
                for prev, _, d in G.in_edges(plat, data=True):
                    if d.get("kind") != "ride":
                        continue
                    t = float(d["travel_time"]) + t_alight + t_eg
                    if t < best.get(prev, np.inf):
                        best[prev] = t
        rows += [(pi, n, t) for n, t in sorted(best.items())]
    return _as_links(rows)
