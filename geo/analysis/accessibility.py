"""Travel times from the towns and an H3 grid to the Beijing destinations, per mode chain.

Definitions
-----------
* Origins are town centres (``centre`` of admin rows) — place nodes of the network — or
  arbitrary WGS84 points / H3 cell centres, which join the network by *virtual* access links
  built with the same rules as place nodes (:func:`geo.network.access_links`).
* Destinations are network nodes: place nodes (destinations, the 行政办公区 centroid) or station
  nodes (北京城市副中心站).
* Mode chains (``mode_chains`` in ``assumptions.yaml``): ``rail`` = metro + rail + walk,
  ``bus`` = bus + walk, ``car`` = expressway + road + drive_access, ``transit`` = all public
  transport + walk. Travel time includes access, boarding waits (half headway + overhead),
  in-vehicle time, dwell and transfers.
* Computation: one CSR matrix per chain, :func:`scipy.sparse.csgraph.dijkstra` on the
  *reversed* graph from each destination (one-to-many), chunked; ``limit=`` is used as cutoff.
* Isochrones are the **union of H3 cells whose centre** reaches the destination within the
  threshold (not buffered nodes).
* Unreachable = ``inf`` in arrays, ``NaN`` in minute columns, ``None`` in JSON summaries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import h3
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon, box

from geo import network as gn

logger = logging.getLogger(__name__)

__all__ = [
    "DESTINATIONS",
    "ORIGINS",
    "URBAN_RAIL_ADCODES",
    "accessibility_report",
    "half_hour_rail_circle",
    "hex_grid",
    "hex_travel_times",
    "isochrones",
    "resolve_destinations",
    "resolve_origins",
    "share_within",
    "travel_times",
]

#: Default commute origins: label -> admin-layer feature id (town centre from its ``centre``).
ORIGINS: dict[str, str] = {
    "燕郊": "town-yanjiao",
    "三河": "admin-sanhe",
    "大厂": "admin-dachang",
    "香河": "admin-xianghe",
    "平谷": "admin-pinggu",
    "蓟州": "admin-jizhou",
    "兴隆": "admin-xinglong",
}
#: Default destinations: label -> feature id (place node or station node).
DESTINATIONS: dict[str, str] = {
    "国贸": "dest-guomao",
    "望京": "dest-wangjing",
    "行政办公区": "zone-admin-office-area",
    "北京城市副中心站": "station-beijing-subcenter",
}
#: Adcodes of Beijing's central city (东城 西城 朝阳 丰台 石景山 海淀) and the sub-center (通州):
#: metro stations there are "Beijing urban rail nodes" for :func:`half_hour_rail_circle`.
URBAN_RAIL_ADCODES: tuple[str, ...] = ("110101", "110102", "110105", "110106", "110107", "110108", "110112")

_MIN = 60.0


def _in_study_area(lon: float, lat: float) -> bool:
    w, s, e, n = gn.STUDY_AREA_BBOX
    return w <= lon <= e and s <= lat <= n


def _chain_modes(chain: str, assumptions: Mapping) -> list[str]:
    chains = assumptions.get("mode_chains") or {}
    if chain not in chains:
        raise ValueError(f"unknown mode chain {chain!r}; valid: {sorted(chains)}")
    return list(chains[chain])


def resolve_origins(
    G: nx.MultiDiGraph,
    origins: Iterable[str] | Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Resolve origin names to place nodes or points.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    origins : iterable of str, mapping, or None
        Labels of :data:`ORIGINS` (e.g. ``"燕郊"``), feature ids of place nodes, or a mapping
        ``label -> feature id | (lon, lat)`` (WGS84 degrees). ``None``: the :data:`ORIGINS`
        present in ``G``.

    Returns
    -------
    list of dict
        ``{label, feature_id, node (or None), lon, lat}``.

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid names) or a point outside the study area.
    """
    lk = gn.node_lookup(G)
    places = sorted(k.split(":", 1)[1] for k in lk if k.startswith("place:"))
    if origins is None:
        items = [(lbl, fid) for lbl, fid in ORIGINS.items() if f"place:{fid}" in lk]
        missing = [lbl for lbl, fid in ORIGINS.items() if f"place:{fid}" not in lk]
        if missing:
            logger.warning("default origins not in the network: %s", ", ".join(missing))
        if not items:
            raise ValueError(f"none of the default origins {list(ORIGINS)} is in the network; "
                             f"valid place ids: {places}")
    elif isinstance(origins, Mapping):
        items = list(origins.items())
    elif isinstance(origins, str):
        items = [(origins, origins)]
    else:
        items = [(o, o) for o in origins]
    out = []
    for label, ref in items:
        if isinstance(ref, (tuple, list)) and len(ref) == 2 and not isinstance(ref[0], str):
            lon, lat = float(ref[0]), float(ref[1])
            if not _in_study_area(lon, lat):
                raise ValueError(f"origin {label!r} at ({lon}, {lat}) is outside the study area "
                                 f"{gn.STUDY_AREA_BBOX} (W, S, E, N)")
            out.append({"label": str(label), "feature_id": None, "node": None, "lon": lon, "lat": lat})
            continue
        fid = ORIGINS.get(str(ref), str(ref))
        key = f"place:{fid}"
        if key not in lk:
            valid = sorted(set(ORIGINS) | {f for f in ORIGINS.values() if f"place:{f}" in lk} | set(places))
            raise ValueError(f"unknown origin {ref!r}; valid names: {valid} (or a (lon, lat) point)")
        n = lk[key]
        out.append({"label": str(label), "feature_id": fid, "node": n,
                     "lon": float(G.nodes[n]["x"]), "lat": float(G.nodes[n]["y"])})
    return out


def resolve_destinations(
    G: nx.MultiDiGraph,
    destinations: Iterable[str] | Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Resolve destination names to network nodes (see :data:`DESTINATIONS`).

    Raises
    ------
    ValueError
        Unknown name; the message lists the valid names.
    """
    lk = gn.node_lookup(G)
    if destinations is None:
        items = list(DESTINATIONS.items())
        present = []
        for lbl, fid in items:
            try:
                gn.place_node(G, fid, lookup=lk)
                present.append((lbl, fid))
            except KeyError:
                logger.warning("default destination %s (%s) not in the network", lbl, fid)
        items = present
        if not items:
            raise ValueError(f"none of the default destinations {list(DESTINATIONS)} is in the network")
    elif isinstance(destinations, Mapping):
        items = list(destinations.items())
    elif isinstance(destinations, str):
        items = [(destinations, destinations)]
    else:
        items = [(d, d) for d in destinations]
    out = []
    for label, ref in items:
        fid = DESTINATIONS.get(str(ref), str(ref))
        try:
            n = gn.place_node(G, fid, lookup=lk)
        except KeyError:
            places = sorted(k.split(":", 1)[1] for k in lk if k.startswith(("place:", "station:")))
            valid = sorted(set(DESTINATIONS) | set(places))
            raise ValueError(f"unknown destination {ref!r}; valid names: {valid}") from None
        out.append({"label": str(label), "feature_id": fid, "node": n,
                    "lon": float(G.nodes[n]["x"]), "lat": float(G.nodes[n]["y"])})
    return out


def _dest_fields(G: nx.MultiDiGraph, modes: Sequence[str], dest_nodes: Sequence[int], *,
                 cutoff_s: float | None, exclude_features: Iterable[str] = (), egress: bool = True,
                 assumptions: Mapping | None = None) -> tuple[np.ndarray, dict]:
    """Travel time (s) from every node to each destination: shape (n_nodes, n_dest).

    With ``egress`` and ``feeder`` in ``modes``, the last leg may be a feeder (taxi / local bus)
    from a station or stop to the destination (:func:`geo.network.feeder_egress_links`).
    """
    csr, nodes = gn.graph_to_csr(G, modes=modes, exclude_features=exclude_features)
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    tgt = np.array([pos[d] for d in dest_nodes], np.int64)
    if egress and "feeder" in modes and len(tgt):
        # feeder egress: one virtual sink per destination, fed by the destination node (0 s) and
        # by feeder-egress links from platforms (gn.feeder_egress_links); sinks have no out-edges
        # so a feeder can never be used mid-trip.
        n = len(nodes)
        lon = [G.nodes[d]["x"] for d in dest_nodes]
        lat = [G.nodes[d]["y"] for d in dest_nodes]
        di, enode, et = gn.feeder_egress_links(G, lon, lat, modes=modes, assumptions=assumptions)
        excl = set(exclude_features)
        keep = [k for k in range(len(di)) if not excl or not any(
            d.get("feature_id") in excl for _, _, d in G.out_edges(int(enode[k]), data=True))]
        coo = csr.tocoo()
        u = np.concatenate([coo.row, tgt, np.array([pos[int(enode[k])] for k in keep], np.int64)])
        v = np.concatenate([coo.col, n + np.arange(len(tgt)), n + di[keep].astype(np.int64)])
        w = np.concatenate([coo.data, np.zeros(len(tgt)), et[keep]])
        big = gn.csr_from_arrays(u, v, w, n + len(tgt))
        field = gn.shortest_travel_times(big, np.arange(n), n + np.arange(len(tgt)), cutoff=cutoff_s, reverse=True)
        return field, pos
    field = gn.shortest_travel_times(csr, np.arange(len(nodes)), tgt, cutoff=cutoff_s, reverse=True)
    return field, pos


def _point_times(G: nx.MultiDiGraph, lon: np.ndarray, lat: np.ndarray, modes: Sequence[str], field: np.ndarray,
                 pos: Mapping[int, int], assumptions: Mapping | None) -> np.ndarray:
    out = np.full((len(lon), field.shape[1]), np.inf)
    if len(lon) == 0:
        return out
    pi, node, t = gn.access_links(G, lon, lat, modes=modes, assumptions=assumptions)
    if len(pi):
        rows = np.array([pos[int(n)] for n in node], np.int64)
        np.minimum.at(out, pi, t[:, None] + field[rows])
    return out


def _origin_times(G: nx.MultiDiGraph, origins: list[dict], modes: Sequence[str], field: np.ndarray,
                  pos: Mapping[int, int], assumptions: Mapping | None) -> np.ndarray:
    out = np.full((len(origins), field.shape[1]), np.inf)
    pts = [i for i, o in enumerate(origins) if o["node"] is None]
    nodes = [i for i, o in enumerate(origins) if o["node"] is not None]
    for i in nodes:
        out[i] = field[pos[origins[i]["node"]]]
    if nodes and "feeder" in modes:  # feeder access is virtual (not in the graph), see gn.access_links
        fe = _point_times(G, np.array([origins[i]["lon"] for i in nodes]),
                          np.array([origins[i]["lat"] for i in nodes]), ["feeder", *modes], field, pos, assumptions)
        out[nodes] = np.minimum(out[nodes], fe)
    if pts:
        out[pts] = _point_times(G, np.array([origins[i]["lon"] for i in pts]),
                                np.array([origins[i]["lat"] for i in pts]), modes, field, pos, assumptions)
    return out


def travel_times(
    G: nx.MultiDiGraph,
    *,
    origins: Iterable[str] | Mapping[str, Any] | None = None,
    destinations: Iterable[str] | Mapping[str, str] | None = None,
    chains: Sequence[str] = ("rail", "bus", "car"),
    cutoff_min: float | None = None,
    assumptions: Mapping | None = None,
    exclude_features: Iterable[str] = (),
) -> pd.DataFrame:
    """Origin x destination x chain travel times.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    origins, destinations
        See :func:`resolve_origins` / :func:`resolve_destinations`.
    chains : sequence of str
        Mode chains (``rail``, ``bus``, ``car``, ``transit``).
    cutoff_min : float, optional
        Search limit in minutes; longer trips are reported unreachable.
    assumptions : mapping, optional
        Overrides (only the access rules matter here; speeds are baked into ``G``).
    exclude_features : iterable of str
        Feature ids whose edges are ignored (scenarios).

    Returns
    -------
    pandas.DataFrame
        Columns ``origin, origin_id, destination, destination_id, chain, time_s, time_min,
        reachable, note``; ``time_s`` is ``inf`` and ``time_min`` NaN when unreachable; ``note``
        states the chain's modelling caveats (schematic bus lines, local-road links, feeder).
    """
    a = gn.load_assumptions(assumptions)
    ors = resolve_origins(G, origins)
    dss = resolve_destinations(G, destinations)
    rows = []
    for chain in chains:
        modes = _chain_modes(chain, a)
        field, pos = _dest_fields(G, modes, [d["node"] for d in dss],
                                  cutoff_s=None if cutoff_min is None else cutoff_min * _MIN,
                                  exclude_features=exclude_features, assumptions=a)
        T = _origin_times(G, ors, modes, field, pos, a)
        if cutoff_min is not None:
            T[T > cutoff_min * _MIN] = np.inf
        for i, o in enumerate(ors):
            for j, d in enumerate(dss):
                t = float(T[i, j])
                rows.append({"origin": o["label"], "origin_id": o["feature_id"], "destination": d["label"],
                             "destination_id": d["feature_id"], "chain": chain, "time_s": t,
                             "time_min": t / _MIN if np.isfinite(t) else np.nan, "reachable": bool(np.isfinite(t)),
                             "note": _chain_note(modes)})
    return pd.DataFrame(rows, columns=["origin", "origin_id", "destination", "destination_id", "chain", "time_s",
                                       "time_min", "reachable", "note"])


def _chain_note(modes: Sequence[str]) -> str:
    """Caveats of a chain's times (written next to every OD row)."""
    notes = []
    if "bus" in modes:
        notes.append("bus lines are schematic (drawn between documented end points/places, no stop records): "
                     "boarding at drawn vertices, hop = straight segment x 1.3")
    if "road" in modes:
        notes.append("car: gazetteer arterials (approximate/schematic) + straight local-road links at 30 km/h x 1.3")
    if "feeder" in modes:
        notes.append("access/egress to stations beyond walking distance by feeder (local bus/taxi, 22 km/h x 1.3 + 5 min)")
    return "; ".join(notes)


def hex_grid(area: Any = None, *, resolution: int = 8) -> gpd.GeoDataFrame:
    """H3 cells (v4) covering an area.

    Parameters
    ----------
    area : shapely (Multi)Polygon, optional
        WGS84 area; default the study-area bbox :data:`geo.network.STUDY_AREA_BBOX`.
    resolution : int
        H3 resolution (8: ~0.74 km² cells, ~460 m edge).

    Returns
    -------
    geopandas.GeoDataFrame
        ``h3`` (cell id), ``lon``, ``lat`` (cell centre), polygon geometry; EPSG:4326; sorted by id.
    """
    if area is None:
        area = box(*gn.STUDY_AREA_BBOX)
    cells = sorted(h3.geo_to_cells(area, resolution))
    lat_lon = [h3.cell_to_latlng(c) for c in cells]
    polys = [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
    return gpd.GeoDataFrame({"h3": cells, "lon": [p[1] for p in lat_lon], "lat": [p[0] for p in lat_lon]},
                            geometry=polys, crs=gn.WGS84)


def hex_travel_times(
    G: nx.MultiDiGraph,
    *,
    destinations: Iterable[str] | Mapping[str, str] | None = None,
    chains: Sequence[str] = ("rail", "bus", "car"),
    resolution: int = 8,
    area: Any = None,
    cutoff_min: float | None = None,
    assumptions: Mapping | None = None,
    exclude_features: Iterable[str] = (),
) -> gpd.GeoDataFrame:
    """Travel time from every H3 cell centre to each destination, per chain.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`hex_grid` plus one column per (chain, destination): ``t_<chain>_<destination_id>``
        in minutes (NaN = unreachable). ``attrs['destinations']`` lists the destinations.
    """
    a = gn.load_assumptions(assumptions)
    dss = resolve_destinations(G, destinations)
    grid = hex_grid(area, resolution=resolution)
    lon, lat = grid["lon"].to_numpy(), grid["lat"].to_numpy()
    for chain in chains:
        modes = _chain_modes(chain, a)
        field, pos = _dest_fields(G, modes, [d["node"] for d in dss],
                                  cutoff_s=None if cutoff_min is None else cutoff_min * _MIN,
                                  exclude_features=exclude_features, assumptions=a)
        T = _point_times(G, lon, lat, modes, field, pos, a) / _MIN
        if cutoff_min is not None:
            T[T > cutoff_min] = np.inf
        for j, d in enumerate(dss):
            col = np.where(np.isfinite(T[:, j]), T[:, j], np.nan)
            grid[f"t_{chain}_{d['feature_id']}"] = col
    grid.attrs["destinations"] = [{k: d[k] for k in ("label", "feature_id")} for d in dss]
    grid.attrs["chains"] = list(chains)
    return grid


def _time_columns(hexes: gpd.GeoDataFrame) -> list[tuple[str, str, str]]:
    out = []
    chains = hexes.attrs.get("chains") or []
    for col in hexes.columns:
        if col.startswith("t_"):
            rest = col[2:]
            chain = next((c for c in chains if rest.startswith(c + "_")), rest.split("_", 1)[0])
            out.append((col, chain, rest[len(chain) + 1:]))
    return out


def share_within(hexes: gpd.GeoDataFrame, *, thresholds_min: Sequence[float] = (30, 45, 60)) -> pd.DataFrame:
    """Share of H3 cells within each threshold, per destination and chain.

    Returns
    -------
    pandas.DataFrame
        ``destination_id, chain, threshold_min, n_hex, n_within, share`` (share of all cells of
        the grid, 0–1).
    """
    rows = []
    n = len(hexes)
    for col, chain, dest in _time_columns(hexes):
        t = hexes[col].to_numpy(dtype=float)
        for th in thresholds_min:
            k = int(np.sum(np.isfinite(t) & (t <= th)))
            rows.append({"destination_id": dest, "chain": chain, "threshold_min": float(th), "n_hex": n,
                         "n_within": k, "share": (k / n) if n else None})
    return pd.DataFrame(rows, columns=["destination_id", "chain", "threshold_min", "n_hex", "n_within", "share"])


def isochrones(hexes: gpd.GeoDataFrame, *, thresholds_min: Sequence[float] = (30, 45, 60)) -> gpd.GeoDataFrame:
    """Isochrone polygons: union of the H3 cells whose centre is within the threshold.

    Returns
    -------
    geopandas.GeoDataFrame
        ``destination_id, chain, threshold_min, n_hex, area_km2`` and (Multi)Polygon geometry
        (empty if no cell qualifies); EPSG:4326. Area measured in EPSG:4548.
    """
    rows, geoms = [], []
    for col, chain, dest in _time_columns(hexes):
        t = hexes[col].to_numpy(dtype=float)
        for th in thresholds_min:
            sel = np.isfinite(t) & (t <= th)
            g = shapely.union_all(hexes.geometry.values[sel]) if sel.any() else Polygon()
            area = float(gn._geom_to_metric(g).area) / 1e6 if not g.is_empty else 0.0
            rows.append({"destination_id": dest, "chain": chain, "threshold_min": float(th),
                         "n_hex": int(sel.sum()), "area_km2": round(area, 3)})
            geoms.append(g)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=gn.WGS84)


def half_hour_rail_circle(
    G: nx.MultiDiGraph,
    *,
    origins: Iterable[str] | Mapping[str, Any] | None = None,
    threshold_min: float = 30.0,
    target_adcodes: Sequence[str] = URBAN_RAIL_ADCODES,
    extra_targets: Sequence[str] = ("station-beijing-subcenter",),
    assumptions: Mapping | None = None,
) -> dict[str, Any]:
    """Test the claim "北三县融入北京半小时轨道交通圈" (half-hour rail circle).

    Definition: for each origin (town centre), the ``rail``-chain travel time — walk access,
    boarding wait (half headway) and overhead, in-vehicle time, dwell, transfers — to the
    *nearest Beijing urban rail node*: any metro station whose ``admin`` adcode is in
    ``target_adcodes`` (Beijing central city + Tongzhou sub-center by default) plus the stations
    in ``extra_targets`` (北京城市副中心站). Arrival is at the station (no egress). The claim
    holds for an origin if that time is ``<= threshold_min``.

    Access is by walking or by feeder (local bus / taxi / park-and-ride to a station, see
    ``feeder`` in ``assumptions.yaml``); the ``rail`` chain's modes are used.

    Returns
    -------
    dict
        ``definition`` (str), ``threshold_min``, ``rows`` (list of dicts: origin, origin_id,
        time_min (None if unreachable), via (station key), holds, access (walk | feeder),
        access_min (access + first boarding wait and overhead), in_vehicle_min (the rest:
        rides, dwell, transfers), lines (line ids in order), stations (boarding / alighting
        station ids in order)), ``holds_for`` / ``fails_for`` (labels); JSON-serialisable.
    """
    a = gn.load_assumptions(assumptions)
    ors = resolve_origins(G, origins)
    lk = gn.node_lookup(G)
    metro_served = {u for u, v, d in G.edges(data=True) if d.get("kind") == "board" and d.get("mode") == "metro"}
    targets = []
    for n, d in G.nodes(data=True):
        if d.get("kind") != "station":
            continue
        codes = [c.strip() for c in str(d.get("admin") or "").split(",") if c.strip()]
        if (n in metro_served and any(c in target_adcodes for c in codes)) or d.get("feature_id") in extra_targets:
            targets.append(n)
    targets = sorted(set(targets))
    definition = (f"rail-chain ({'+'.join(_chain_modes('rail', a))}) travel time from the town centre to the nearest metro station "
                  f"in adcodes {list(target_adcodes)} or {list(extra_targets)}, incl. access (walk, or feeder "
                  f"bus/taxi to a station), half-headway wait, boarding overhead, dwell and transfers; holds if "
                  f"<= {threshold_min} min. holds_in_vehicle: the part after boarding the first train "
                  f"(station-to-station time, the usual reading of such claims) <= {threshold_min} min")
    rows = []
    if targets:
        modes = _chain_modes("rail", a)
        field, pos = _dest_fields(G, modes, targets, cutoff_s=None, egress=False)
        T = _origin_times(G, ors, modes, field, pos, a)
    else:
        logger.warning("no Beijing urban rail node in the network")
        T = np.full((len(ors), 0), np.inf)
    for i, o in enumerate(ors):
        if T.shape[1]:
            j = int(np.argmin(T[i]))
            t = float(T[i, j])
        else:
            j, t = -1, float("inf")
        ok = bool(np.isfinite(t) and t <= threshold_min * _MIN)
        row = {"origin": o["label"], "origin_id": o["feature_id"],
               "time_min": round(t / _MIN, 2) if np.isfinite(t) else None,
               "via": G.nodes[targets[j]]["key"] if np.isfinite(t) else None, "holds": ok}
        row.update(_rail_route(G, o, targets[j], modes, a) if np.isfinite(t) else
                   {"access": None, "access_min": None, "in_vehicle_min": None, "lines": [], "stations": []})
        row["holds_in_vehicle"] = bool(row["in_vehicle_min"] is not None and row["in_vehicle_min"] <= threshold_min)
        rows.append(row)
    del lk
    return {"definition": definition, "threshold_min": float(threshold_min), "rows": rows,
            "holds_for": [r["origin"] for r in rows if r["holds"]],
            "fails_for": [r["origin"] for r in rows if not r["holds"]],
            "holds_in_vehicle_for": [r["origin"] for r in rows if r["holds_in_vehicle"]]}


def _rail_route(G: nx.MultiDiGraph, origin: Mapping, target: int, modes: Sequence[str],
                assumptions: Mapping) -> dict[str, Any]:
    """Reconstruct the fastest route (same rules as the CSR times) from an origin to a target node.

    Returns ``access`` (walk | feeder), ``access_min`` (access + first boarding wait, or the walk),
    ``in_vehicle_min`` (ride edges incl. dwell, transfers and later waits: everything after the
    first vehicle is boarded, up to arrival), ``lines`` (line ids in order) and ``stations``
    (boarding / alighting station ids in order).
    """
    ms = set(modes)
    D = nx.DiGraph()
    for u, v, d in G.edges(data=True):
        if d.get("mode") not in ms:
            continue
        w = float(d["travel_time"])
        fid = d.get("feature_id") or ""
        if D.has_edge(u, v) and abs(D.edges[u, v]["w"] - w) < 1e-6 and fid:  # parallel lines, same time
            D.edges[u, v]["fid"] = " / ".join(sorted(set(D.edges[u, v]["fid"].split(" / ")) | {fid}))
        elif not D.has_edge(u, v) or D.edges[u, v]["w"] > w:
            D.add_edge(u, v, w=w, kind=d.get("kind"), mode=d.get("mode"), fid=fid)
    src = ("src",)
    if origin.get("node") is not None and origin["node"] in D:
        D.add_edge(src, origin["node"], w=0.0, kind="origin", mode="walk", fid="")
    pi, node, secs = gn.access_links(G, [origin["lon"]], [origin["lat"]],
                                     modes=[m for m in ms if m != "drive_access"], assumptions=assumptions)
    feeder = set()
    if "feeder" in ms:
        fr = gn._feeder_rows(G, *gn._to_metric_xy([origin["lon"]], [origin["lat"]]), ms, assumptions)
        for _, n, sec in fr:
            if n in D and (not D.has_edge(src, n) or D.edges[src, n]["w"] > sec):
                D.add_edge(src, n, w=float(sec), kind="feeder", mode="feeder", fid="")
                feeder.add(n)
    if origin.get("node") is None:
        for n, sec in zip(node.tolist(), secs.tolist()):
            if n in D and not D.has_edge(src, n):
                D.add_edge(src, n, w=float(sec), kind="access", mode="walk", fid="")
    del pi
    try:
        path = nx.dijkstra_path(D, src, target, weight="w")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return {"access": None, "access_min": None, "in_vehicle_min": None, "lines": [], "stations": []}
    lines: list[str] = []
    stations: list[str] = []
    access_s = in_vehicle_s = 0.0
    boarded = False
    access = "feeder" if path[1] in feeder else "walk"
    if access == "feeder":  # the feeder row includes the boarding wait and the first hop
        total = D.edges[src, path[1]]["w"]
        ox_, oy_ = gn._to_metric_xy([origin["lon"]], [origin["lat"]])
        best = None
        lk_ = gn.node_lookup(G)
        for q, _, d in G.in_edges(path[1], data=True):
            if d.get("kind") != "ride":
                continue
            st = lk_.get(str(G.nodes[q].get("station") or ""))
            if st is None:
                continue
            sx, sy = gn._to_metric_xy([G.nodes[st]["x"]], [G.nodes[st]["y"]])
            t_acc = gn._feeder_time(assumptions, float(np.hypot(ox_[0] - sx[0], oy_[0] - sy[0])))
            cand = (abs(total - (t_acc + float(D.edges[st, q]["w"]) + float(d["travel_time"]))),
                    G.nodes[st].get("feature_id") or "", float(d["travel_time"]), d.get("feature_id") or "")
            best = cand if best is None or cand < best else best
        first_ride = best[2] if best else 0.0
        lines.append(D.edges[path[1], path[2]]["fid"] if len(path) > 2 and D.edges[path[1], path[2]]["kind"] == "ride"
                     else (best[3] if best else str(G.nodes[path[1]].get("feature_id") or "")))
        if best:
            stations.append(str(best[1]))
        access_s = total - first_ride
        in_vehicle_s = first_ride
        boarded = True
    for u, v in zip(path[1:-1], path[2:]):
        e = D.edges[u, v]
        if e["kind"] == "board":
            if not boarded:
                access_s += e["w"]
            else:
                in_vehicle_s += e["w"]
            boarded = True
            stations.append(str(G.nodes[u].get("feature_id") or ""))
            if not lines or lines[-1] != e["fid"]:
                lines.append(e["fid"])
        elif e["kind"] == "alight":
            stations.append(str(G.nodes[v].get("feature_id") or ""))
        elif boarded:
            in_vehicle_s += e["w"]
        else:
            access_s += e["w"]
    return {"access": access, "access_min": round(access_s / _MIN, 2), "in_vehicle_min": round(in_vehicle_s / _MIN, 2),
            "lines": lines, "stations": stations}


def _json_num(x: Any) -> Any:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    return round(f, 3) if np.isfinite(f) else None


def accessibility_report(
    G: nx.MultiDiGraph,
    *,
    origins: Iterable[str] | Mapping[str, Any] | None = None,
    destinations: Iterable[str] | Mapping[str, str] | None = None,
    chains: Sequence[str] = ("rail", "bus", "car"),
    thresholds_min: Sequence[float] = (30, 45, 60),
    resolution: int = 8,
    area: Any = None,
    assumptions: Mapping | None = None,
) -> dict[str, Any]:
    """All accessibility outputs in one call.

    Returns
    -------
    dict
        ``od`` (DataFrame, :func:`travel_times`), ``hexes`` (GeoDataFrame), ``shares``
        (DataFrame), ``isochrones`` (GeoDataFrame), ``rail_circle`` (dict) and ``summary``
        (JSON-serialisable dict).
    """
    od = travel_times(G, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions)
    hexes = hex_travel_times(G, destinations=destinations, chains=chains, resolution=resolution, area=area,
                             assumptions=assumptions)
    shares = share_within(hexes, thresholds_min=thresholds_min)
    iso = isochrones(hexes, thresholds_min=thresholds_min)
    circle = half_hour_rail_circle(G, origins=origins, assumptions=assumptions)
    summary = {
        "as_of": G.graph.get("as_of") or None,
        "od": [{k: _json_num(v) if k in ("time_min",) else v for k, v in r.items() if k != "time_s"}
               for r in od.to_dict("records")],
        "shares": [{k: _json_num(v) if isinstance(v, float) else v for k, v in r.items()}
                   for r in shares.to_dict("records")],
        "isochrone_method": "union of H3 cells whose centre is within the threshold",
        "hex_resolution": resolution,
        "rail_circle": circle,
    }
    return {"od": od, "hexes": hexes, "shares": shares, "isochrones": iso, "rail_circle": circle,
            "summary": summary}
