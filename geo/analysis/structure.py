"""Network structure: components, critical links, bottlenecks and cross-border dead ends.

* Components per mode (weak and strong) of the sub-graph of that mode's edges.
* Critical links: :func:`networkx.bridges` and :func:`networkx.articulation_points` on the
  undirected simple version of the graph, reported with the feature ids of their edges; and
  :func:`removal_impact`, which removes each feature's edges and recomputes origin ×
  destination travel times with the CSR approach (scipy dijkstra).
* Bottlenecks: :func:`networkx.edge_betweenness_centrality` (weight ``travel_time``) on the
  simple directed version, sampled with ``k`` sources for large graphs.
* Cross-border dead ends: a road end within ``end_tolerance_m`` of the Beijing–Hebei boundary
  with no other road end or road line within ``continuation_m`` on the other side.

:func:`report` runs all of them (what ``geo analyze structure`` prints).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.analysis import accessibility as acc
from geo.analysis import crossborder as cb
from geo.config import Study
from geo.crs import WGS84, to_metric, to_wgs84
from geo.network.graph import layer_rows, line_parts
from geo.network.policy import chain_modes, feature_included, load_assumptions
from geo.network.routing import destination_field

logger = logging.getLogger(__name__)

__all__ = ["bottlenecks", "components", "critical_links", "crossborder_dead_ends", "removal_impact", "report"]


def components(G: nx.MultiDiGraph, *, modes: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Connected components of each mode's sub-graph.

    Returns
    -------
    dict
        mode -> ``{n_nodes, n_edges, n_weak, n_strong, largest_weak, weak_sizes}`` (sizes in
        nodes, descending); JSON-serialisable.
    """
    present = sorted({m for _, _, m in G.edges(data="mode")})
    out = {}
    for mode in list(modes) if modes is not None else present:
        H = G.edge_subgraph([(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m == mode])
        weak = sorted((len(c) for c in nx.weakly_connected_components(H)), reverse=True)
        strong = sum(1 for _ in nx.strongly_connected_components(H)) if len(H) else 0
        out[mode] = {
            "n_nodes": H.number_of_nodes(),
            "n_edges": H.number_of_edges(),
            "n_weak": len(weak),
            "n_strong": strong,
            "largest_weak": weak[0] if weak else 0,
            "weak_sizes": weak,
        }
    return out


def _simple_undirected(G: nx.MultiDiGraph, modes: Iterable[str] | None) -> nx.Graph:
    ms = set(modes) if modes is not None else None
    U = nx.Graph()
    for u, v, d in G.edges(data=True):
        if ms is not None and d.get("mode") not in ms:
            continue
        if u == v:
            continue
        fids = U.get_edge_data(u, v, {}).get("feature_ids", set())
        U.add_edge(u, v, feature_ids=fids | ({d.get("feature_id")} if d.get("feature_id") else set()))
    return U


def critical_links(G: nx.MultiDiGraph, *, modes: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """Bridges and articulation points of the undirected simple graph.

    Returns
    -------
    dict
        ``bridges``: DataFrame ``u, v, u_key, v_key, feature_ids``;
        ``articulation_points``: DataFrame ``node, key, kind, lon, lat``.
    """
    U = _simple_undirected(G, modes)
    rows = []
    for u, v in sorted(nx.bridges(U)) if len(U) else []:
        rows.append(
            {
                "u": u,
                "v": v,
                "u_key": G.nodes[u].get("key"),
                "v_key": G.nodes[v].get("key"),
                "feature_ids": sorted(U.edges[u, v]["feature_ids"]),
            }
        )
    arts = []
    for n in sorted(nx.articulation_points(U)) if len(U) else []:
        d = G.nodes[n]
        arts.append({"node": n, "key": d.get("key"), "kind": d.get("kind"), "lon": d["x"], "lat": d["y"]})
    return {
        "bridges": pd.DataFrame(rows, columns=["u", "v", "u_key", "v_key", "feature_ids"]),
        "articulation_points": pd.DataFrame(arts, columns=["node", "key", "kind", "lon", "lat"]),
    }


def removal_impact(
    G: nx.MultiDiGraph,
    *,
    origins: Any = None,
    destinations: Any = None,
    chain: str = "transit",
    candidates: Iterable[str] | None = None,
    top: int | None = 10,
    assumptions: Mapping[str, Any] | None = None,
    study: Study | None = None,
) -> pd.DataFrame:
    """Links (features) whose removal adds the most travel time for the origins.

    Each candidate feature's edges are dropped and the origin x destination matrix recomputed
    (CSR + scipy dijkstra from the destinations on the reversed graph).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    origins, destinations
        See :func:`geo.analysis.accessibility.resolve_origins` / ``resolve_destinations``
        (default the study's).
    chain : str
        Mode chain (``mode_chains`` in the assumptions).
    candidates : iterable of str, optional
        Feature ids to remove one at a time; default every feature with edges of the chain.
    top : int or None
        Rows returned (``None``: all).
    assumptions : mapping, optional
        Overrides (access rules, mode chains).
    study : geo.config.Study, optional
        Default origins and destinations (:func:`geo.config.default_study`).

    Returns
    -------
    pandas.DataFrame
        ``feature_id, added_min (sum over reachable OD pairs), newly_unreachable (pairs),
        pairs``, sorted by newly_unreachable then added_min, descending; ``top`` rows.
    """
    a = load_assumptions(assumptions)
    modes = chain_modes(chain, a)
    ors = acc.resolve_origins(G, origins, study=study)
    dss = acc.resolve_destinations(G, destinations, study=study)
    if candidates is None:
        candidates = sorted(
            {d.get("feature_id") for _, _, d in G.edges(data=True) if d.get("mode") in modes and d.get("feature_id")}
        )
    field, pos = destination_field(G, modes, [d["node"] for d in dss], cutoff_s=None, assumptions=a)
    base = acc.origin_times(G, ors, modes, field, pos, assumptions=a)
    rows = []
    for fid in candidates:
        field2, _ = destination_field(
            G, modes, [d["node"] for d in dss], cutoff_s=None, exclude_features=[fid], assumptions=a
        )
        T = acc.origin_times(G, ors, modes, field2, pos, assumptions=a)
        both = np.isfinite(base) & np.isfinite(T)
        lost = int(np.sum(np.isfinite(base) & ~np.isfinite(T)))
        rows.append(
            {
                "feature_id": fid,
                "added_min": round(float(np.sum(T[both] - base[both])) / 60.0, 3),
                "newly_unreachable": lost,
                "pairs": int(base.size),
            }
        )
    df = pd.DataFrame(rows, columns=["feature_id", "added_min", "newly_unreachable", "pairs"])
    df = df.sort_values(["newly_unreachable", "added_min", "feature_id"], ascending=[False, False, True])
    df = df.reset_index(drop=True)
    return df.head(top) if top else df


def bottlenecks(
    G: nx.MultiDiGraph,
    *,
    modes: Iterable[str] | None = None,
    k: int | None = None,
    top: int = 20,
    seed: int = 0,
    sample_above: int = 2000,
) -> pd.DataFrame:
    """Edges with the highest betweenness (weight ``travel_time``).

    Parameters
    ----------
    k : int, optional
        Source sample size; default ``min(500, n)`` when the graph has more than
        ``sample_above`` nodes, else exact.

    Returns
    -------
    pandas.DataFrame
        ``u, v, feature_id, mode, betweenness`` (normalised), top ``top`` rows.
    """
    ms = set(modes) if modes is not None else None
    D = nx.DiGraph()
    for u, v, d in G.edges(data=True):
        if ms is not None and d.get("mode") not in ms:
            continue
        w = float(d["travel_time"])
        if not D.has_edge(u, v) or D.edges[u, v]["travel_time"] > w:
            D.add_edge(u, v, travel_time=w, feature_id=d.get("feature_id", ""), mode=d.get("mode"))
    n = D.number_of_nodes()
    if k is None and n > sample_above:
        k = min(500, n)
    bc = nx.edge_betweenness_centrality(D, k=k, weight="travel_time", seed=seed) if n else {}
    rows = [
        {
            "u": u,
            "v": v,
            "feature_id": D.edges[u, v]["feature_id"],
            "mode": D.edges[u, v]["mode"],
            "betweenness": float(b),
        }
        for (u, v), b in bc.items()
    ]
    df = pd.DataFrame(rows, columns=["u", "v", "feature_id", "mode", "betweenness"])
    return df.sort_values(["betweenness", "u", "v"], ascending=[False, True, True]).head(top).reset_index(drop=True)


def crossborder_dead_ends(
    layers: Mapping[str, Any],
    *,
    as_of: Any = None,
    include_expected: bool = False,
    beijing_side: Sequence[str] = cb.BEIJING_SIDE,
    hebei_side: Sequence[str] = cb.HEBEI_SIDE,
    end_tolerance_m: float = 1000.0,
    continuation_m: float = 1000.0,
) -> gpd.GeoDataFrame:
    """Roads that reach the boundary from one side only (断头路).

    A road end (first / last vertex of a roads-layer line, EPSG:4548) within
    ``end_tolerance_m`` of the shared boundary is a dead end if no *other* road (roads or
    bridges layer) lies within ``continuation_m`` of that end on the other side of the boundary
    and the road itself does not cross into the other side.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers (``roads``, ``bridges``, ``admin``).
    as_of, include_expected
        Status filter of the roads (:func:`geo.network.policy.feature_included`; ``None``:
        all roads).
    beijing_side, hebei_side : sequence of str
        Admin feature ids of the two sides.
    end_tolerance_m, continuation_m : float
        Metres (EPSG:4548), see above.

    Returns
    -------
    geopandas.GeoDataFrame
        ``feature_id, name_zh, side (beijing | hebei), distance_to_boundary_m`` with the end
        point geometry (EPSG:4326).
    """
    bj = cb.union_metric(layers, beijing_side)
    hb = cb.union_metric(layers, hebei_side)
    border = bj.boundary.intersection(hb.boundary.buffer(50.0))
    if border.is_empty:
        border = bj.boundary.intersection(hb.buffer(50.0))
    roads = []
    for layer in ("roads", "bridges"):
        for props, geom in layer_rows(layers, layer):
            if geom is None or geom.geom_type not in ("LineString", "MultiLineString"):
                continue
            if feature_included(props, as_of, include_expected=include_expected):
                roads.append((layer, props, to_metric(geom)))
    rows, pts = [], []
    for layer, props, gm in roads:
        if layer != "roads":
            continue
        if gm.intersection(bj).length > 1 and gm.intersection(hb).length > 1:
            continue  # crosses
        for part in line_parts(gm):
            for end in (Point(part.coords[0]), Point(part.coords[-1])):
                dist = float(end.distance(border))
                if dist > end_tolerance_m:
                    continue
                side_poly, other_poly = (bj, hb) if bj.buffer(1).contains(end) and not hb.contains(end) else (hb, bj)
                zone = end.buffer(continuation_m).intersection(other_poly)
                continued = any(o is not props and og.intersects(zone) for _, o, og in roads)
                if not continued:
                    rows.append(
                        {
                            "feature_id": str(props["id"]),
                            "name_zh": props.get("name_zh") or "",
                            "side": "beijing" if side_poly is bj else "hebei",
                            "distance_to_boundary_m": round(dist, 1),
                        }
                    )
                    pts.append(to_wgs84(end))
    gdf = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["feature_id", "name_zh", "side", "distance_to_boundary_m"]),
        geometry=gpd.GeoSeries(pts, crs=WGS84),
    )
    return gdf.sort_values(["feature_id", "distance_to_boundary_m"]).reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON records (pandas' own JSON encoding: NaN -> null, numpy -> Python)."""
    records: list[dict[str, Any]] = json.loads(df.to_json(orient="records", force_ascii=False))
    return records


def report(
    G: nx.MultiDiGraph,
    layers: Mapping[str, Any],
    *,
    chains: Sequence[str] = ("rail", "car"),
    top: int = 10,
    study: Study | None = None,
) -> dict[str, Any]:
    """The structure report of a network: what ``geo analyze structure`` prints.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network` (its ``as_of`` graph attribute dates
        the dead-end search).
    layers : mapping of str to GeoDataFrame
        The WGS84 layers ``G`` was built from (for :func:`crossborder_dead_ends`).
    chains : sequence of str
        Mode chains of :func:`removal_impact`.
    top : int
        Rows of :func:`removal_impact` and :func:`bottlenecks`.
    study : geo.config.Study, optional
        Origins and destinations of :func:`removal_impact` (:func:`geo.config.default_study`).

    Returns
    -------
    dict
        ``as_of`` (str), ``components`` (dict, :func:`components`), ``critical_links``
        (dict of DataFrames, :func:`critical_links`), ``removal_impact`` (chain -> DataFrame),
        ``bottlenecks`` (DataFrame), ``crossborder_dead_ends`` (GeoDataFrame, EPSG:4326) and
        ``summary``: all of it JSON-serialisable (``as_of, components, bridges,
        articulation_points, removal_impact, bottlenecks, crossborder_dead_ends``; frames as
        lists of records, dead ends without geometry).
    """
    as_of = G.graph.get("as_of")
    comps = components(G)
    crit = critical_links(G)
    impact = {chain: removal_impact(G, chain=chain, top=top, study=study) for chain in chains}
    bott = bottlenecks(G, top=top)
    dead = crossborder_dead_ends(layers, as_of=as_of or None)
    summary = {
        "as_of": as_of,
        "components": comps,
        "bridges": _records(crit["bridges"]),
        "articulation_points": _records(crit["articulation_points"]),
        "removal_impact": {c: _records(df) for c, df in impact.items()},
        "bottlenecks": _records(bott),
        "crossborder_dead_ends": _records(dead.drop(columns="geometry")),
    }
    return {
        "as_of": as_of,
        "components": comps,
        "critical_links": crit,
        "removal_impact": impact,
        "bottlenecks": bott,
        "crossborder_dead_ends": dead,
        "summary": summary,
    }
