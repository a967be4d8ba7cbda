"""The network's graph conventions and the building blocks every network module shares.

This module owns

* the conventions of the OSMnx-compatible graph: :data:`MODES`, :data:`LINE_KIND_MODE`,
  :data:`MIN_WEIGHT_S`, storage CRS :data:`WGS84` (EPSG:4326) and measuring CRS
  :data:`METRIC_CRS` (EPSG:4548, metres);
* coordinate arrays between the two (:func:`to_metric_xy`, :func:`to_wgs84_xy`);
* reading features out of the layers (:func:`layer_rows`, :func:`point_of`,
  :func:`line_parts`, :func:`point_parts`);
* :class:`GraphBuilder`, which adds nodes and edges with the attributes OSMnx expects,
  and :func:`set_street_count`.

It imports nothing else from :mod:`geo.network`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from geo.crs import METRIC_CRS, WGS84, to_metric, transformer
from geo.schema import decode_property

__all__ = [
    "LINE_KIND_MODE",
    "METRIC_CRS",
    "MIN_WEIGHT_S",
    "MODES",
    "WGS84",
    "GraphBuilder",
    "layer_rows",
    "line_parts",
    "point_of",
    "point_parts",
    "set_street_count",
    "to_metric_xy",
    "to_wgs84_xy",
]

#: Edge modes of the network.
MODES: tuple[str, ...] = ("metro", "rail", "expressway", "road", "bus", "walk", "drive_access")
#: Line feature kind -> the mode of its ride edges.
LINE_KIND_MODE: dict[str, str] = {"metro_line": "metro", "rail_line": "rail", "bus_line": "bus"}
#: Smallest edge weight (seconds): scipy's csgraph drops explicit zero weights in some paths.
MIN_WEIGHT_S = 1e-6


_transformer = lru_cache(maxsize=4)(transformer)  # pyproj transformers are costly to create


def to_metric_xy(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 coordinates to :data:`METRIC_CRS`.

    Parameters
    ----------
    lon, lat : array-like of float
        WGS84 longitude and latitude (degrees).

    Returns
    -------
    x, y : numpy.ndarray
        EPSG:4548 easting and northing (metres).
    """
    x, y = _transformer(WGS84, METRIC_CRS).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def to_wgs84_xy(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_metric_xy`: EPSG:4548 metres to WGS84 ``lon, lat`` (degrees)."""
    lon, lat = _transformer(METRIC_CRS, WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)


def layer_rows(layers: Mapping[str, Any], name: str) -> list[tuple[dict[str, Any], Any]]:
    """The features of one layer as ``(properties, geometry)`` pairs, sorted by id.

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer name -> features; a frame in another CRS is brought to WGS84 first.
    name : str
        The layer; a missing or empty layer gives ``[]``.

    Returns
    -------
    list of (dict, shapely geometry)
        Features with an ``id`` (those without are skipped); geometries in WGS84.
    """
    gdf = layers.get(name)
    if gdf is None or len(gdf) == 0:
        return []
    if getattr(gdf, "crs", None) is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(WGS84)
    out = []
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    for rec, geom in zip(gdf[cols].to_dict("records"), gdf.geometry.values, strict=True):
        if "id" not in rec or rec["id"] is None:
            continue
        out.append((rec, geom))
    out.sort(key=lambda t: str(t[0]["id"]))
    return out


def point_of(props: Mapping[str, Any], geom: Any) -> tuple[float, float] | None:
    """The point standing for a feature (WGS84 ``lon, lat``), or ``None`` without geometry.

    The feature's ``centre`` property if it has one; else the point itself, the centroid of
    a polygon or a point on a line (both computed in EPSG:4548).
    """
    centre = decode_property(props.get("centre"))
    if isinstance(centre, (list, tuple)) and len(centre) == 2 and centre[0] is not None:
        return float(centre[0]), float(centre[1])
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return float(geom.x), float(geom.y)
    gm = to_metric(geom)
    c = gm.centroid if gm.geom_type in ("Polygon", "MultiPolygon") else gm.representative_point()
    lon, lat = to_wgs84_xy([c.x], [c.y])
    return float(lon[0]), float(lat[0])


def line_parts(geom: Any) -> list[LineString]:
    """The LineStrings of a (Multi)LineString or geometry collection (any CRS); ``[]`` otherwise."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    if geom.geom_type == "MultiLineString":
        return list(geom.geoms)
    if geom.geom_type == "GeometryCollection":
        return [g for x in geom.geoms for g in line_parts(x)]
    return []


def point_parts(geom: Any) -> list[tuple[float, float]]:
    """The points of an intersection result (any CRS), as ``(x, y)`` tuples.

    A line (two overlapping roads) contributes its two ends; collections are flattened.
    """
    if geom is None or geom.is_empty:
        return []
    t = geom.geom_type
    if t == "Point":
        return [(geom.x, geom.y)]
    if t == "LineString":  # overlapping roads: junctions at the overlap's ends
        return [geom.coords[0], geom.coords[-1]]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in point_parts(g)]
    return []


class GraphBuilder:
    """Adds nodes and edges to a network graph with the attributes the package and OSMnx use.

    Parameters
    ----------
    assumptions : dict
        Merged assumptions (:func:`geo.network.policy.load_assumptions`), kept as :attr:`a`.
    graph : networkx.MultiDiGraph, optional
        A graph to extend (its edges are counted); default a new empty graph with
        ``crs`` EPSG:4326.

    Attributes
    ----------
    G : networkx.MultiDiGraph
    a : dict
    by_key : dict of str to int
        Readable node key -> node id of the nodes added here.
    mxy : dict of int to (float, float)
        Node id -> EPSG:4548 coordinates (metres) of the nodes added here.
    n_edges : int
        Edges in :attr:`G` (every edge must be added through :meth:`edge`).
    """

    def __init__(self, assumptions: dict[str, Any], graph: nx.MultiDiGraph | None = None) -> None:
        self.a = assumptions
        self.G = graph if graph is not None else nx.MultiDiGraph(crs=WGS84)
        # edges added so far (every edge goes through :meth:`edge`): counting them here keeps
        # the sequential ``osmid`` O(1) per edge (``number_of_edges()`` walks every node)
        self.n_edges = self.G.number_of_edges()
        self.by_key: dict[str, int] = {}
        self.mxy: dict[int, tuple[float, float]] = {}

    def node(
        self,
        key: str,
        lon: float,
        lat: float,
        *,
        kind: str,
        mx: float | None = None,
        my: float | None = None,
        **attrs: Any,
    ) -> int:
        """Add (or find) the node with readable ``key``; returns its integer id.

        ``lon``/``lat`` are WGS84 degrees (stored rounded to 1e-7), ``mx``/``my`` its
        EPSG:4548 metres if already known. ``None`` attribute values are stored as ``""``.
        """
        if key in self.by_key:
            return self.by_key[key]
        nid = len(self.by_key)
        self.by_key[key] = nid
        if mx is None or my is None:
            xs, ys = to_metric_xy([lon], [lat])
            mx, my = float(xs[0]), float(ys[0])
        self.mxy[nid] = (mx, my)
        clean = {k: ("" if v is None else v) for k, v in attrs.items()}
        self.G.add_node(nid, x=round(float(lon), 7), y=round(float(lat), 7), key=key, kind=kind, **clean)
        return nid

    def edge(
        self,
        u: int,
        v: int,
        *,
        mode: str,
        length: float,
        travel_time: float,
        feature_id: str | None,
        kind: str,
        geometry: Any = None,
        **attrs: Any,
    ) -> None:
        """Add an edge: ``length`` in metres, ``travel_time`` in seconds (at least
        :data:`MIN_WEIGHT_S`), ``geometry`` a WGS84 LineString (default the straight line)."""
        if geometry is None:
            nu, nv = self.G.nodes[u], self.G.nodes[v]
            geometry = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
        # OSMnx tools (to_undirected, basic_stats) expect an ``osmid`` on every edge: these edges
        # are not OSM ways, so they get a sequential id, unique in the graph
        attrs.setdefault("osmid", -(self.n_edges + 1))
        self.n_edges += 1
        self.G.add_edge(
            u,
            v,
            mode=mode,
            length=float(length),
            travel_time=max(float(travel_time), MIN_WEIGHT_S),
            feature_id=feature_id or "",
            kind=kind,
            geometry=geometry,
            **{k: ("" if x is None else x) for k, x in attrs.items()},
        )

    def nodes_of_kind(self, kinds: Iterable[str]) -> list[int]:
        """Ids of the graph's nodes whose ``kind`` is one of ``kinds``, in graph order."""
        ks = set(kinds)
        return [n for n, k in self.G.nodes(data="kind") if k in ks]


def set_street_count(G: nx.MultiDiGraph) -> None:
    """Set OSMnx's ``street_count`` node attribute (:func:`osmnx.stats.count_streets_per_node`)."""
    import osmnx as ox

    counts = ox.stats.count_streets_per_node(G)
    nx.set_node_attributes(G, {n: int(counts.get(n, 0)) for n in G.nodes}, "street_count")
