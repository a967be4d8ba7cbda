"""Multimodal travel network (metro, intercity rail, bus, roads, walking) built from the layers.

The network is an OSMnx-compatible :class:`networkx.MultiDiGraph`:

* graph attribute ``crs`` is ``"EPSG:4326"``;
* every node has ``x`` (longitude) and ``y`` (latitude) in WGS84 plus ``key`` (a readable string
  id such as ``"station:station-guomao"``), ``kind`` (station | stop | platform | road | place |
  osm), ``feature_id`` and ``street_count``;
* every edge has ``length`` (metres, measured in EPSG:4548), ``travel_time`` (seconds),
  ``mode`` (metro | rail | expressway | road | bus | walk | drive_access), ``feature_id``,
  ``kind`` (ride | board | alight | transfer | access | road | local) and ``geometry`` (a
  shapely LineString in WGS84).

So :func:`osmnx.graph_to_gdfs`, :func:`osmnx.distance.nearest_nodes`,
:func:`osmnx.routing.shortest_path`, :func:`osmnx.stats.basic_stats` and
:func:`osmnx.save_graphml` work on it.

Modules
-------
:mod:`geo.network.policy`
    The assumptions (``geo/data/assumptions.yaml``) and the as-of rules: which features and
    links are open on a date.
:mod:`geo.network.build`
    :func:`build_network`: the graph from the layers.
:mod:`geo.network.access`
    Origin / destination nodes, access links of arbitrary points, feeder access and egress.
:mod:`geo.network.routing`
    CSR many-to-many travel times (scipy's Dijkstra).
:mod:`geo.network.osm`
    OpenStreetMap input (XML / PBF extracts, Overpass) and merging it with the network.
:mod:`geo.network.graph`
    The graph conventions and the building blocks the modules above share.

The names below are re-exported here (``from geo.network import build_network``).
"""

from __future__ import annotations

from geo.network.access import access_links, feeder_egress_links, find_node, node_lookup, place_node
from geo.network.build import build_network
from geo.network.graph import MODES
from geo.network.osm import fetch_osm, load_osm, merge_osm
from geo.network.policy import feature_included, load_assumptions, road_included
from geo.network.routing import csr_from_arrays, graph_to_csr, shortest_travel_times

__all__ = [
    "MODES",
    "access_links",
    "build_network",
    "csr_from_arrays",
    "feature_included",
    "feeder_egress_links",
    "fetch_osm",
    "find_node",
    "graph_to_csr",
    "load_assumptions",
    "load_osm",
    "merge_osm",
    "node_lookup",
    "place_node",
    "road_included",
    "shortest_travel_times",
]
