"""OpenStreetMap input: road graphs from OSM XML / PBF extracts or Overpass, joined to the network.

This module owns

* reading an OSM extract (:func:`load_osm`: OSM XML through :func:`osmnx.graph_from_xml`,
  ``.pbf`` through pyosmium) and downloading one (:func:`fetch_osm`, Overpass via OSMnx);
* giving OSM edges the network's attributes: ``mode`` (expressway | road | walk),
  ``length`` (metres, EPSG:4548), ``travel_time`` (seconds, from
  ``osm_highway_speeds_kmh``), ``feature_id`` ``osm-way-<id>``;
* joining an OSM road graph to a transit network (:func:`merge_osm`).
"""

from __future__ import annotations

import math
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from geo.config import default_study
from geo.crs import to_metric
from geo.errors import OSMError
from geo.network.access import access_candidates, add_drive_access
from geo.network.graph import MIN_WEIGHT_S, WGS84, GraphBuilder, set_street_count, to_metric_xy
from geo.network.policy import assumption, load_assumptions

__all__ = ["fetch_osm", "load_osm", "merge_osm"]

_DRIVE_MODES = ("road", "expressway")


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, (list, tuple)) and v else v


def _annotate_osm(G: nx.MultiDiGraph, a: Mapping[str, Any]) -> nx.MultiDiGraph:
    speeds = a.get("osm_highway_speeds_kmh") or {}
    walk_tags = set(a.get("osm_walk_highways") or [])
    xway_tags = set(a.get("osm_expressway_highways") or [])
    walk_v = float(assumption(a, "speeds_kmh", "walk")) / 3.6
    ids = list(G.nodes)
    mx, my = to_metric_xy([G.nodes[n]["x"] for n in ids], [G.nodes[n]["y"] for n in ids])
    mpos = {n: (x, y) for n, x, y in zip(ids, mx, my, strict=True)}
    for n in ids:
        G.nodes[n]["kind"] = "osm"
        G.nodes[n]["key"] = f"osm:{n}"
        G.nodes[n]["feature_id"] = ""
    for u, v, _k, d in G.edges(keys=True, data=True):
        hw = str(_first(d.get("highway")) or "")
        geom = d.get("geometry")
        if geom is None:
            geom = LineString([(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
            d["geometry"] = geom
            length = math.dist(mpos[u], mpos[v])
        else:
            length = float(to_metric(geom).length)
        d["length"] = length
        if hw in walk_tags:
            d["mode"], sp = "walk", walk_v
        else:
            d["mode"] = "expressway" if hw in xway_tags else "road"
            base = hw[:-5] if hw.endswith("_link") else hw
            kmh = speeds.get(base, speeds.get("default", 20))
            sp = float(kmh) / 3.6
        d["travel_time"] = max(length / sp, MIN_WEIGHT_S)
        d["feature_id"] = f"osm-way-{_first(d.get('osmid'))}"
        d["kind"] = "road" if d["mode"] != "walk" else "walkway"
        d["road_class"] = hw
    return G


def load_osm(
    path: str | Path, *, assumptions: Mapping[str, Any] | None = None, simplify: bool = True
) -> nx.MultiDiGraph:
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
    OSMError
        Empty, malformed or unsupported file, or no ways in it (a ``ValueError``).
    ImportError
        A ``.pbf`` file without pyosmium installed.
    """
    import osmnx as ox

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"OSM file not found: {p}")
    if p.stat().st_size == 0:
        raise OSMError(f"OSM file is empty: {p}")
    suffixes = "".join(p.suffixes).lower()
    a = load_assumptions(assumptions)
    if suffixes.endswith(".pbf"):
        try:
            import osmium  # noqa: F401
        except ImportError:
            raise ImportError(
                f"{p}: reading .pbf needs pyosmium (pip install osmium); or convert it to OSM XML "
                "first, e.g. `osmium cat in.osm.pbf -o out.osm`"
            ) from None
        with tempfile.TemporaryDirectory() as tmp:
            xml_path = Path(tmp) / "extract.osm"
            _pbf_to_xml(p, xml_path)
            return load_osm(xml_path, assumptions=a, simplify=simplify)
    if not (suffixes.endswith((".osm", ".xml"))):
        raise OSMError(f"{p}: unsupported OSM file type {suffixes!r}; expected .osm, .xml or .pbf")
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError as exc:
        raise OSMError(f"malformed OSM XML {p}: {exc}") from None
    if root.tag != "osm":
        raise OSMError(f"{p}: not OSM XML (root element <{root.tag}>, expected <osm>)")
    if root.find("way") is None:
        raise OSMError(f"OSM file contains no ways: {p}")
    try:
        G = ox.graph_from_xml(p, simplify=False, retain_all=True)
        if simplify:  # keep nodes where the highway class changes (speeds differ)
            G = ox.simplify_graph(G, edge_attrs_differ=["highway"])
    except Exception as exc:  # osmnx raises various errors on odd input
        raise OSMError(f"could not build a graph from {p}: {exc}") from exc
    if G.number_of_edges() == 0:
        raise OSMError(f"OSM file yields no routable ways: {p}")
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
    assumptions: Mapping[str, Any] | None = None,
) -> nx.MultiDiGraph:  # pragma: no cover - needs internet
    """Download a road graph from Overpass with OSMnx (cached in OSMnx's cache folder).

    Parameters
    ----------
    bbox : (west, south, east, north), optional
        WGS84 degrees; default the study area (:func:`geo.config.default_study` ``.bbox``).
    polygon : shapely Polygon, optional
        WGS84 polygon (takes precedence over ``bbox``).
    network_type : str
        OSMnx network type.
    assumptions : mapping, optional
        Overrides for ``osm_highway_speeds_kmh`` etc.

    Raises
    ------
    ConnectionError
        Overpass cannot be reached.
    """
    import osmnx as ox

    ox.settings.use_cache = True
    try:
        if polygon is not None:
            G = ox.graph_from_polygon(polygon, network_type=network_type, retain_all=True)
        else:
            G = ox.graph_from_bbox(bbox or default_study().bbox, network_type=network_type, retain_all=True)
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
    assumptions: Mapping[str, Any] | None = None,
    replace_roads: bool = True,
) -> nx.MultiDiGraph:
    """Join a transit network and an OSM road graph.

    OSM nodes get new integer ids after the transit ones (the OSM id stays in ``osmid``);
    station, stop and place nodes get drive-access links to their nearest drivable OSM node(s)
    (``access.drive_k``, within ``access.drive_radius_m``).

    Parameters
    ----------
    G_transit : networkx.MultiDiGraph
        From :func:`geo.network.build_network`.
    G_osm : networkx.MultiDiGraph
        From :func:`load_osm` / :func:`fetch_osm` (annotated here if ``mode`` is missing).
    assumptions : mapping, optional
        Overrides (access rules, OSM speeds).
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
    roads = G_osm.copy()
    if str(roads.graph.get("crs", WGS84)).upper() not in (WGS84, "EPSG:4326"):
        roads = ox.project_graph(roads, to_crs=WGS84)
    if any("mode" not in d for _, _, d in roads.edges(data=True)):
        roads = _annotate_osm(roads, a)
    start = (max(H.nodes) + 1) if len(H) else 0
    mapping = {n: start + i for i, n in enumerate(sorted(roads.nodes))}
    for n, i in mapping.items():
        attrs = dict(roads.nodes[n])
        attrs.setdefault("osmid", n)
        attrs["kind"] = "osm"
        attrs["key"] = f"osm:{n}"
        H.add_node(i, **attrs)
    for u, v, d in roads.edges(data=True):
        H.add_edge(mapping[u], mapping[v], **d)
    drivable = [
        mapping[n]
        for n in sorted(roads.nodes)
        if any(d.get("mode") in _DRIVE_MODES for _, _, d in roads.out_edges(n, data=True))
        or any(d.get("mode") in _DRIVE_MODES for _, _, d in roads.in_edges(n, data=True))
    ]
    ends = [n for n, k in H.nodes(data="kind") if k in ("station", "stop", "place")]
    b = GraphBuilder(a, H)
    if drivable and ends:
        rd_xy = np.column_stack(to_metric_xy([H.nodes[n]["x"] for n in drivable], [H.nodes[n]["y"] for n in drivable]))
        exy = np.column_stack(to_metric_xy([H.nodes[n]["x"] for n in ends], [H.nodes[n]["y"] for n in ends]))
        _, d = access_candidates(a, exy[:, 0], exy[:, 1], np.zeros((0, 2)), rd_xy, walk=False)
        for pi, j, dist in d:
            add_drive_access(b, ends[pi], drivable[j], dist)
    H.graph.update(G_transit.graph)
    H.graph["crs"] = WGS84
    H.graph["osm_merged"] = True
    set_street_count(H)
    return H
