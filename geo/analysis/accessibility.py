"""Travel times from the towns and an H3 grid to the Beijing destinations, per mode chain.

Definitions
-----------
* Origins are town centres (``centre`` of admin rows) — place nodes of the network — or
  arbitrary WGS84 points / H3 cell centres, which join the network by *virtual* access links
  built with the same rules as place nodes (:func:`geo.network.access.access_links`). The
  default origins, destinations, chains, grid resolution and thresholds are the study's
  (:func:`geo.config.default_study`, or the ``study=`` passed).
* Destinations are network nodes: place nodes (destinations, the 行政办公区 centroid) or station
  nodes (北京城市副中心站).
* Mode chains (``mode_chains`` in ``assumptions.yaml``): ``rail`` = metro + rail + walk,
  ``bus`` = bus + walk, ``car`` = expressway + road + drive_access, ``transit`` = all public
  transport + walk. Travel time includes access, boarding waits (half headway + overhead),
  in-vehicle time, dwell and transfers.
* Computation: one CSR matrix per chain, :func:`scipy.sparse.csgraph.dijkstra` on the
  *reversed* graph from each destination (one-to-many), chunked; ``limit=`` is used as cutoff
  (:func:`geo.network.routing.destination_field`).
* Isochrones are the **union of H3 cells whose centre** reaches the destination within the
  threshold (not buffered nodes).
* Unreachable = ``inf`` in arrays, ``NaN`` in minute columns, ``None`` in JSON summaries.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon, box

from geo.analysis.output import rounded
from geo.config import Study, default_study
from geo.crs import WGS84, to_metric
from geo.errors import AnalysisError, UnknownFeatureError, unknown_name_message
from geo.network.access import (
    access_links,
    feeder_access_links,
    feeder_egress_links,
    feeder_time_s,
    node_lookup,
    place_node,
)
from geo.network.graph import to_metric_xy
from geo.network.policy import chain_modes, load_assumptions
from geo.network.routing import destination_field, point_travel_times
from geo.schema import opportunity_column, parse_time_column, time_column

logger = logging.getLogger(__name__)

__all__ = [
    "URBAN_RAIL_ADCODES",
    "accessibility_report",
    "cumulative_opportunities",
    "egress_by_node",
    "grid_resolution",
    "half_hour_rail_circle",
    "hex_grid",
    "hex_links",
    "hex_travel_times",
    "isochrones",
    "opportunity_block",
    "origin_times",
    "resolve_destinations",
    "resolve_origins",
    "share_within",
    "travel_times",
]

_Origins = Iterable[str] | Mapping[str, Any] | None
_Destinations = Iterable[str] | Mapping[str, str] | None
#: Adcodes of Beijing's central city (东城 西城 朝阳 丰台 石景山 海淀) and the sub-center (通州):
#: metro stations there are "Beijing urban rail nodes" for :func:`half_hour_rail_circle`.
URBAN_RAIL_ADCODES: tuple[str, ...] = ("110101", "110102", "110105", "110106", "110107", "110108", "110112")

_MIN = 60.0


def _in_study_area(lon: float, lat: float, study: Study) -> bool:
    w, s, e, n = study.bbox
    return w <= lon <= e and s <= lat <= n


def resolve_origins(
    G: nx.MultiDiGraph, origins: _Origins = None, *, study: Study | None = None
) -> list[dict[str, Any]]:
    """Resolve origin names to place nodes or points.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    origins : iterable of str, mapping, or None
        Labels of the study's origins (e.g. ``"燕郊"``), feature ids of place nodes, or a
        mapping ``label -> feature id | (lon, lat)`` (WGS84 degrees). ``None``: the study's
        origins present in ``G``.
    study : geo.config.Study, optional
        Origins and study area (default :func:`geo.config.default_study`).

    Returns
    -------
    list of dict
        ``{label, feature_id, node (or None), lon, lat}``.

    Raises
    ------
    UnknownFeatureError
        Unknown name (a :class:`~geo.errors.UsageError`; the message suggests close names).
    AnalysisError
        A point outside the study area (a ``ValueError``).
    """
    study = study or default_study()
    default = study.origins
    lk = node_lookup(G)
    places = sorted(k.split(":", 1)[1] for k in lk if k.startswith("place:"))
    items: list[tuple[Any, Any]]
    if origins is None:
        items = [(lbl, fid) for lbl, fid in default.items() if f"place:{fid}" in lk]
        missing = [lbl for lbl, fid in default.items() if f"place:{fid}" not in lk]
        if missing:
            logger.warning("default origins not in the network: %s", ", ".join(missing))
        if not items:
            raise AnalysisError(
                f"none of the default origins {list(default)} is in the network; valid place ids: {places}"
            )
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
            if not _in_study_area(lon, lat, study):
                raise AnalysisError(
                    f"origin {label!r} at ({lon}, {lat}) is outside the study area {study.bbox} (W, S, E, N)"
                )
            out.append({"label": str(label), "feature_id": None, "node": None, "lon": lon, "lat": lat})
            continue
        fid = default.get(str(ref), str(ref))
        key = f"place:{fid}"
        if key not in lk:
            valid = sorted(set(default) | {f for f in default.values() if f"place:{f}" in lk} | set(places))
            raise UnknownFeatureError(unknown_name_message(str(ref), valid, what="origin", see="geo list origins"))
        n = lk[key]
        out.append(
            {
                "label": str(label),
                "feature_id": fid,
                "node": n,
                "lon": float(G.nodes[n]["x"]),
                "lat": float(G.nodes[n]["y"]),
            }
        )
    return out


def resolve_destinations(
    G: nx.MultiDiGraph, destinations: _Destinations = None, *, study: Study | None = None
) -> list[dict[str, Any]]:
    """Resolve destination names to network nodes.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    destinations : iterable of str, mapping, or None
        Labels of the study's destinations (e.g. ``"国贸"``), feature ids of place or station
        nodes, or a mapping ``label -> feature id``. ``None``: the study's destinations
        present in ``G``.
    study : geo.config.Study, optional
        Destinations (default :func:`geo.config.default_study`).

    Returns
    -------
    list of dict
        ``{label, feature_id, node, lon, lat}`` (WGS84 degrees).

    Raises
    ------
    UnknownFeatureError
        Unknown name (a :class:`~geo.errors.UsageError`; the message suggests close names).
    """
    default = (study or default_study()).destinations
    lk = node_lookup(G)
    items: list[tuple[Any, Any]]
    if destinations is None:
        present = []
        for lbl, fid in default.items():
            try:
                place_node(G, fid, lookup=lk)
                present.append((lbl, fid))
            except KeyError:
                logger.warning("default destination %s (%s) not in the network", lbl, fid)
        items = present
        if not items:
            raise AnalysisError(f"none of the default destinations {list(default)} is in the network")
    elif isinstance(destinations, Mapping):
        items = list(destinations.items())
    elif isinstance(destinations, str):
        items = [(destinations, destinations)]
    else:
        items = [(d, d) for d in destinations]
    out = []
    for label, ref in items:
        fid = default.get(str(ref), str(ref))
        try:
            n = place_node(G, fid, lookup=lk)
        except KeyError:
            places = sorted(k.split(":", 1)[1] for k in lk if k.startswith(("place:", "station:")))
            valid = sorted(set(default) | set(places))
            raise UnknownFeatureError(
                unknown_name_message(str(ref), valid, what="destination", see="geo list destinations")
            ) from None
        out.append(
            {
                "label": str(label),
                "feature_id": fid,
                "node": n,
                "lon": float(G.nodes[n]["x"]),
                "lat": float(G.nodes[n]["y"]),
            }
        )
    return out


def origin_times(
    G: nx.MultiDiGraph,
    origins: Sequence[Mapping[str, Any]],
    modes: Sequence[str],
    field: np.ndarray,
    pos: Mapping[int, int],
    *,
    assumptions: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """Travel times from resolved origins to the destinations of a destination field.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    origins : sequence of dict
        From :func:`resolve_origins`: a place node (``node``) or a point (``lon``, ``lat``,
        WGS84 degrees, ``node`` None) joined by its access links.
    modes : sequence of str
        The chain's modes; with ``feeder``, place nodes may also start by feeder access
        (virtual, not in the graph: :func:`geo.network.access.feeder_access_links`).
    field, pos
        From :func:`geo.network.routing.destination_field`.
    assumptions : mapping, optional
        Overrides (the access rules).

    Returns
    -------
    numpy.ndarray
        ``(n_origins, n_destinations)`` seconds; ``inf`` where unreachable.
    """
    out = np.full((len(origins), field.shape[1]), np.inf)
    pts = [i for i, o in enumerate(origins) if o["node"] is None]
    nodes = [i for i, o in enumerate(origins) if o["node"] is not None]
    for i in nodes:
        out[i] = field[pos[origins[i]["node"]]]
    if nodes and "feeder" in modes:  # feeder access is virtual (not in the graph)
        fe = point_travel_times(
            G,
            np.array([origins[i]["lon"] for i in nodes]),
            np.array([origins[i]["lat"] for i in nodes]),
            ["feeder", *modes],
            field,
            pos,
            assumptions=assumptions,
        )
        out[nodes] = np.minimum(out[nodes], fe)
    if pts:
        out[pts] = point_travel_times(
            G,
            np.array([origins[i]["lon"] for i in pts]),
            np.array([origins[i]["lat"] for i in pts]),
            modes,
            field,
            pos,
            assumptions=assumptions,
        )
    return out


def travel_times(
    G: nx.MultiDiGraph,
    *,
    origins: _Origins = None,
    destinations: _Destinations = None,
    chains: Sequence[str] | None = None,
    cutoff_min: float | None = None,
    assumptions: Mapping[str, Any] | None = None,
    exclude_features: Iterable[str] = (),
    study: Study | None = None,
) -> pd.DataFrame:
    """Origin x destination x chain travel times.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    origins, destinations
        See :func:`resolve_origins` / :func:`resolve_destinations`.
    chains : sequence of str, optional
        Mode chains (``rail``, ``bus``, ``car``, ``transit``); default the study's.
    cutoff_min : float, optional
        Search limit in minutes; longer trips are reported unreachable.
    assumptions : mapping, optional
        Overrides (only the access rules matter here; speeds are baked into ``G``).
    exclude_features : iterable of str
        Feature ids whose edges are ignored (scenarios).
    study : geo.config.Study, optional
        Default origins, destinations and chains (default :func:`geo.config.default_study`).

    Returns
    -------
    pandas.DataFrame
        Columns ``origin, origin_id, destination, destination_id, chain, time_s, time_min,
        reachable, note``; ``time_s`` is ``inf`` and ``time_min`` NaN when unreachable; ``note``
        states the chain's modelling caveats (schematic bus lines, local-road links, feeder).
    """
    study = study or default_study()
    a = load_assumptions(assumptions)
    ors = resolve_origins(G, origins, study=study)
    dss = resolve_destinations(G, destinations, study=study)
    rows = []
    for chain in study.chains if chains is None else chains:
        modes = chain_modes(chain, a)
        field, pos = destination_field(
            G,
            modes,
            [d["node"] for d in dss],
            cutoff_s=None if cutoff_min is None else cutoff_min * _MIN,
            exclude_features=exclude_features,
            assumptions=a,
        )
        T = origin_times(G, ors, modes, field, pos, assumptions=a)
        if cutoff_min is not None:
            T[np.greater(T, cutoff_min * _MIN)] = np.inf
        for i, o in enumerate(ors):
            for j, d in enumerate(dss):
                t = float(T[i, j])
                rows.append(
                    {
                        "origin": o["label"],
                        "origin_id": o["feature_id"],
                        "destination": d["label"],
                        "destination_id": d["feature_id"],
                        "chain": chain,
                        "time_s": t,
                        "time_min": t / _MIN if np.isfinite(t) else np.nan,
                        "reachable": bool(np.isfinite(t)),
                        "note": _chain_note(modes),
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "origin",
            "origin_id",
            "destination",
            "destination_id",
            "chain",
            "time_s",
            "time_min",
            "reachable",
            "note",
        ],
    )


def _chain_note(modes: Sequence[str]) -> str:
    """Caveats of a chain's times (written next to every OD row)."""
    notes = []
    if "bus" in modes:
        notes.append(
            "bus lines are schematic (drawn between documented end points/places, no stop records): "
            "boarding at drawn vertices, hop = straight segment x 1.3"
        )
    if "road" in modes:
        notes.append("car: gazetteer arterials (approximate/schematic) + straight local-road links at 30 km/h x 1.3")
    if "feeder" in modes:
        notes.append(
            "access/egress to stations beyond walking distance by feeder (local bus/taxi, 22 km/h x 1.3 + 5 min)"
        )
    return "; ".join(notes)


def hex_grid(area: Any = None, *, resolution: int | None = None, study: Study | None = None) -> gpd.GeoDataFrame:
    """H3 cells (v4) covering an area.

    Parameters
    ----------
    area : shapely (Multi)Polygon, optional
        WGS84 area; default the study's bbox (:attr:`geo.config.Study.bbox`).
    resolution : int, optional
        H3 resolution (8: ~0.74 km² cells, ~460 m edge); default the study's.
    study : geo.config.Study, optional
        Default area and resolution (default :func:`geo.config.default_study`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``h3`` (cell id), ``lon``, ``lat`` (cell centre), polygon geometry; EPSG:4326; sorted by id.
    """
    study = study or default_study()
    if area is None:
        area = box(*study.bbox)
    cells = sorted(h3.geo_to_cells(area, study.resolution if resolution is None else resolution))
    lat_lon = [h3.cell_to_latlng(c) for c in cells]
    polys = [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
    return gpd.GeoDataFrame(
        {"h3": cells, "lon": [p[1] for p in lat_lon], "lat": [p[0] for p in lat_lon]}, geometry=polys, crs=WGS84
    )


def hex_travel_times(
    G: nx.MultiDiGraph,
    *,
    destinations: _Destinations = None,
    chains: Sequence[str] | None = None,
    resolution: int | None = None,
    area: Any = None,
    cutoff_min: float | None = None,
    assumptions: Mapping[str, Any] | None = None,
    exclude_features: Iterable[str] = (),
    study: Study | None = None,
) -> gpd.GeoDataFrame:
    """Travel time from every H3 cell centre to each destination, per chain.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    destinations
        See :func:`resolve_destinations`.
    chains : sequence of str, optional
        Mode chains; default the study's.
    resolution : int, optional
        H3 resolution; default the study's.
    area : shapely (Multi)Polygon, optional
        WGS84 area of the grid (see :func:`hex_grid`).
    cutoff_min : float, optional
        Search limit in minutes.
    assumptions : mapping, optional
        Overrides (access rules).
    exclude_features : iterable of str
        Feature ids whose edges are ignored.
    study : geo.config.Study, optional
        Defaults (:func:`geo.config.default_study`).

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`hex_grid` plus one column per (chain, destination):
        :func:`geo.schema.time_column` ``t_<chain>_<destination_id>`` in minutes
        (NaN = unreachable). ``attrs['destinations']`` lists the destinations.
    """
    study = study or default_study()
    chains = study.chains if chains is None else chains
    a = load_assumptions(assumptions)
    dss = resolve_destinations(G, destinations, study=study)
    grid = hex_grid(area, resolution=resolution, study=study)
    lon, lat = grid["lon"].to_numpy(), grid["lat"].to_numpy()
    for chain in chains:
        modes = chain_modes(chain, a)
        field, pos = destination_field(
            G,
            modes,
            [d["node"] for d in dss],
            cutoff_s=None if cutoff_min is None else cutoff_min * _MIN,
            exclude_features=exclude_features,
            assumptions=a,
        )
        T = point_travel_times(G, lon, lat, modes, field, pos, assumptions=a) / _MIN
        if cutoff_min is not None:
            T[np.greater(T, cutoff_min)] = np.inf
        for j, d in enumerate(dss):
            col = np.where(np.isfinite(T[:, j]), T[:, j], np.nan)
            grid[time_column(chain, d["feature_id"])] = col
    grid.attrs["destinations"] = [{k: d[k] for k in ("label", "feature_id")} for d in dss]
    grid.attrs["chains"] = list(chains)
    return grid


def _time_columns(hexes: gpd.GeoDataFrame) -> list[tuple[str, str, str]]:
    out = []
    chains = hexes.attrs.get("chains") or None
    for col in hexes.columns:
        parsed = parse_time_column(col, chains)
        if parsed is not None:
            out.append((col, parsed.chain, parsed.destination))
    return out


def share_within(
    hexes: gpd.GeoDataFrame, *, thresholds_min: Sequence[float] | None = None, study: Study | None = None
) -> pd.DataFrame:
    """Share of H3 cells within each threshold, per destination and chain.

    Parameters
    ----------
    hexes : geopandas.GeoDataFrame
        From :func:`hex_travel_times`.
    thresholds_min : sequence of float, optional
        Thresholds in minutes; default the study's.
    study : geo.config.Study, optional
        Default thresholds (:func:`geo.config.default_study`).

    Returns
    -------
    pandas.DataFrame
        ``destination_id, chain, threshold_min, n_hex, n_within, share`` (share of all cells of
        the grid, 0–1).
    """
    if thresholds_min is None:
        thresholds_min = (study or default_study()).thresholds_min
    rows = []
    n = len(hexes)
    for col, chain, dest in _time_columns(hexes):
        t = hexes[col].to_numpy(dtype=float)
        for th in thresholds_min:
            k = int(np.sum(np.isfinite(t) & (t <= th)))
            rows.append(
                {
                    "destination_id": dest,
                    "chain": chain,
                    "threshold_min": float(th),
                    "n_hex": n,
                    "n_within": k,
                    "share": (k / n) if n else None,
                }
            )
    return pd.DataFrame(rows, columns=["destination_id", "chain", "threshold_min", "n_hex", "n_within", "share"])


def isochrones(
    hexes: gpd.GeoDataFrame, *, thresholds_min: Sequence[float] | None = None, study: Study | None = None
) -> gpd.GeoDataFrame:
    """Isochrone polygons: union of the H3 cells whose centre is within the threshold.

    Parameters
    ----------
    hexes : geopandas.GeoDataFrame
        From :func:`hex_travel_times`.
    thresholds_min : sequence of float, optional
        Thresholds in minutes; default the study's.
    study : geo.config.Study, optional
        Default thresholds (:func:`geo.config.default_study`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``destination_id, chain, threshold_min, n_hex, area_km2`` and (Multi)Polygon geometry
        (empty if no cell qualifies); EPSG:4326. Area measured in EPSG:4548.
    """
    if thresholds_min is None:
        thresholds_min = (study or default_study()).thresholds_min
    rows, geoms = [], []
    for col, chain, dest in _time_columns(hexes):
        t = hexes[col].to_numpy(dtype=float)
        for th in thresholds_min:
            sel = np.isfinite(t) & (t <= th)
            g = shapely.union_all(hexes.geometry.values[sel]) if sel.any() else Polygon()
            area = float(to_metric(g).area) / 1e6 if not g.is_empty else 0.0
            rows.append(
                {
                    "destination_id": dest,
                    "chain": chain,
                    "threshold_min": float(th),
                    "n_hex": int(sel.sum()),
                    "area_km2": round(area, 3),
                }
            )
            geoms.append(g)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84)


def half_hour_rail_circle(
    G: nx.MultiDiGraph,
    *,
    origins: _Origins = None,
    threshold_min: float = 30.0,
    target_adcodes: Sequence[str] = URBAN_RAIL_ADCODES,
    extra_targets: Sequence[str] = ("station-beijing-subcenter",),
    assumptions: Mapping[str, Any] | None = None,
    study: Study | None = None,
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

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    origins
        See :func:`resolve_origins` (default the study's).
    threshold_min : float
        The claim's threshold (minutes).
    target_adcodes : sequence of str
        Adcodes whose metro stations count as Beijing urban rail nodes.
    extra_targets : sequence of str
        Station feature ids that count too.
    assumptions : mapping, optional
        Overrides (access rules, mode chains).
    study : geo.config.Study, optional
        Default origins (:func:`geo.config.default_study`).

    Returns
    -------
    dict
        ``definition`` (str), ``threshold_min``, ``rows`` (list of dicts: origin, origin_id,
        time_min (None if unreachable), via (station key), holds, access (walk | feeder),
        access_min (access + first boarding wait and overhead), in_vehicle_min (the rest:
        rides, dwell, transfers), lines (line ids in order), stations (boarding / alighting
        station ids in order)), ``holds_for`` / ``fails_for`` (labels); JSON-serialisable.
    """
    a = load_assumptions(assumptions)
    ors = resolve_origins(G, origins, study=study)
    metro_served = {u for u, v, d in G.edges(data=True) if d.get("kind") == "board" and d.get("mode") == "metro"}
    targets = []
    for n, d in G.nodes(data=True):
        if d.get("kind") != "station":
            continue
        codes = [c.strip() for c in str(d.get("admin") or "").split(",") if c.strip()]
        if (n in metro_served and any(c in target_adcodes for c in codes)) or d.get("feature_id") in extra_targets:
            targets.append(n)
    targets = sorted(set(targets))
    definition = (
        f"rail-chain ({'+'.join(chain_modes('rail', a))}) travel time from the town centre to the nearest metro station "
        f"in adcodes {list(target_adcodes)} or {list(extra_targets)}, incl. access (walk, or feeder "
        f"bus/taxi to a station), half-headway wait, boarding overhead, dwell and transfers; holds if "
        f"<= {threshold_min} min. holds_in_vehicle: the part after boarding the first train "
        f"(station-to-station time, the usual reading of such claims) <= {threshold_min} min"
    )
    rows = []
    modes = chain_modes("rail", a)
    if targets:
        field, pos = destination_field(G, modes, targets, cutoff_s=None, egress=False)
        T = origin_times(G, ors, modes, field, pos, assumptions=a)
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
        row = {
            "origin": o["label"],
            "origin_id": o["feature_id"],
            "time_min": round(t / _MIN, 2) if np.isfinite(t) else None,
            "via": G.nodes[targets[j]]["key"] if np.isfinite(t) else None,
            "holds": ok,
        }
        row.update(
            _rail_route(G, o, targets[j], modes, a)
            if np.isfinite(t)
            else {"access": None, "access_min": None, "in_vehicle_min": None, "lines": [], "stations": []}
        )
        row["holds_in_vehicle"] = bool(row["in_vehicle_min"] is not None and row["in_vehicle_min"] <= threshold_min)
        rows.append(row)
    return {
        "definition": definition,
        "threshold_min": float(threshold_min),
        "rows": rows,
        "holds_for": [r["origin"] for r in rows if r["holds"]],
        "fails_for": [r["origin"] for r in rows if not r["holds"]],
        "holds_in_vehicle_for": [r["origin"] for r in rows if r["holds_in_vehicle"]],
    }


def _rail_route(
    G: nx.MultiDiGraph, origin: Mapping, target: int, modes: Sequence[str], assumptions: Mapping
) -> dict[str, Any]:
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
    pi, node, secs = access_links(
        G, [origin["lon"]], [origin["lat"]], modes=[m for m in ms if m != "drive_access"], assumptions=assumptions
    )
    feeder = set()
    if "feeder" in ms:
        _, fnode, fsec = feeder_access_links(G, [origin["lon"]], [origin["lat"]], modes=ms, assumptions=assumptions)
        for n, sec in zip(fnode.tolist(), fsec.tolist(), strict=True):
            if n in D and (not D.has_edge(src, n) or D.edges[src, n]["w"] > sec):
                D.add_edge(src, n, w=float(sec), kind="feeder", mode="feeder", fid="")
                feeder.add(n)
    if origin.get("node") is None:
        for n, sec in zip(node.tolist(), secs.tolist(), strict=True):
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
        ox_, oy_ = to_metric_xy([origin["lon"]], [origin["lat"]])
        best = None
        lk_ = node_lookup(G)
        for q, _, d in G.in_edges(path[1], data=True):
            if d.get("kind") != "ride":
                continue
            st = lk_.get(str(G.nodes[q].get("station") or ""))
            if st is None:
                continue
            sx, sy = to_metric_xy([G.nodes[st]["x"]], [G.nodes[st]["y"]])
            t_acc = feeder_time_s(assumptions, float(np.hypot(ox_[0] - sx[0], oy_[0] - sy[0])))
            cand = (
                abs(total - (t_acc + float(D.edges[st, q]["w"]) + float(d["travel_time"]))),
                G.nodes[st].get("feature_id") or "",
                float(d["travel_time"]),
                d.get("feature_id") or "",
            )
            best = cand if best is None or cand < best else best
        first_ride = best[2] if best else 0.0
        lines.append(
            D.edges[path[1], path[2]]["fid"]
            if len(path) > 2 and D.edges[path[1], path[2]]["kind"] == "ride"
            else (best[3] if best else str(G.nodes[path[1]].get("feature_id") or ""))
        )
        if best:
            stations.append(str(best[1]))
        access_s = total - first_ride
        in_vehicle_s = first_ride
        boarded = True
    for u, v in itertools.pairwise(path[1:]):
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
    return {
        "access": access,
        "access_min": round(access_s / _MIN, 2),
        "in_vehicle_min": round(in_vehicle_s / _MIN, 2),
        "lines": lines,
        "stations": stations,
    }


def accessibility_report(
    G: nx.MultiDiGraph,
    *,
    origins: _Origins = None,
    destinations: _Destinations = None,
    chains: Sequence[str] | None = None,
    thresholds_min: Sequence[float] | None = None,
    resolution: int | None = None,
    area: Any = None,
    assumptions: Mapping[str, Any] | None = None,
    study: Study | None = None,
) -> dict[str, Any]:
    """All accessibility outputs in one call.

    Parameters are those of :func:`travel_times`, :func:`hex_travel_times` and
    :func:`share_within`; ``chains``, ``thresholds_min`` and ``resolution`` default to the
    study's (``study=``, default :func:`geo.config.default_study`).

    Returns
    -------
    dict
        ``od`` (DataFrame, :func:`travel_times`), ``hexes`` (GeoDataFrame), ``shares``
        (DataFrame), ``isochrones`` (GeoDataFrame), ``rail_circle`` (dict) and ``summary``
        (JSON-serialisable dict).
    """
    study = study or default_study()
    resolution = study.resolution if resolution is None else resolution
    od = travel_times(
        G, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions, study=study
    )
    hexes = hex_travel_times(
        G,
        destinations=destinations,
        chains=chains,
        resolution=resolution,
        area=area,
        assumptions=assumptions,
        study=study,
    )
    shares = share_within(hexes, thresholds_min=thresholds_min, study=study)
    iso = isochrones(hexes, thresholds_min=thresholds_min, study=study)
    circle = half_hour_rail_circle(G, origins=origins, assumptions=assumptions, study=study)
    summary = {
        "as_of": G.graph.get("as_of") or None,
        "od": [
            {k: rounded(v, 3) if k == "time_min" else v for k, v in r.items() if k != "time_s"}
            for r in od.to_dict("records")
        ],
        "shares": [
            {k: rounded(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in shares.to_dict("records")
        ],
        "isochrone_method": "union of H3 cells whose centre is within the threshold",
        "hex_resolution": resolution,
        "rail_circle": circle,
    }
    return {"od": od, "hexes": hexes, "shares": shares, "isochrones": iso, "rail_circle": circle, "summary": summary}


# --------------------------------------------------------------------------- cumulative opportunities


def hex_links(
    G: nx.MultiDiGraph,
    lon: np.ndarray,
    lat: np.ndarray,
    modes: Sequence[str],
    *,
    assumptions: Mapping[str, Any] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Access links of cell centres into the network and egress links out of it.

    Access: :func:`geo.network.access.access_links` with the chain's modes (walk, drive
    access, feeder to the first ride hop). Egress: the walk and drive-access links of the same
    points traversed the other way (their times are symmetric: straight line x detour at a
    speed) plus feeder egress from the last vehicle
    (:func:`geo.network.access.feeder_egress_links`), as for the destinations of
    :func:`geo.network.routing.destination_field`.

    Returns
    -------
    (point_index, node, seconds) for access, and for egress (node -> point).
    """
    acc_links = access_links(G, lon, lat, modes=modes, assumptions=assumptions)
    plain = [m for m in modes if m != "feeder"]
    e_pi, e_node, e_t = access_links(G, lon, lat, modes=plain, assumptions=assumptions)
    if "feeder" in modes:
        f_pi, f_node, f_t = feeder_egress_links(G, lon, lat, modes=modes, assumptions=assumptions)
        e_pi, e_node, e_t = np.concatenate([e_pi, f_pi]), np.concatenate([e_node, f_node]), np.concatenate([e_t, f_t])
    return acc_links, (np.asarray(e_pi, np.int64), np.asarray(e_node), np.asarray(e_t, float))


def opportunity_block(
    block: tuple[int, np.ndarray],
    *,
    csr: Any,
    n_nodes: int,
    egress_ptr: np.ndarray,
    egress_cell: np.ndarray,
    egress_s: np.ndarray,
    thresholds_s: np.ndarray,
    weights: np.ndarray | None,
    cell_ids: np.ndarray,
    od_dir: str | None,
) -> np.ndarray:
    """Cumulative opportunities of one block of origin cells (runs in-process or on a worker).

    ``csr`` is the chain's network plus one virtual source node per cell (position
    ``n_nodes + cell``) joined to the network by the cell's access links. One Dijkstra per
    origin cell, limited to the largest threshold, gives the time to every network node; the
    time to a destination cell is the best of (node time + egress) over the cell's egress
    links. The egress links are grouped by node (:func:`egress_by_node`: the links of node
    position ``p`` are ``egress_ptr[p]:egress_ptr[p + 1]`` of ``egress_cell`` / ``egress_s``),
    so the work per origin is proportional to the links of the nodes it reaches within the
    limit, not to every link of the grid. A cell reaches itself in 0 s.
    With
    ``od_dir`` the pairs within the largest threshold are written as ``part-<block>.parquet``
    (``origin``, ``destination`` H3 ids, ``time_s`` float32).

    Returns
    -------
    numpy.ndarray
        ``(len(block cells), len(thresholds_s))``: the count (``weights`` None) or the weight
        sum of the cells reached within each threshold.
    """
    from scipy.sparse.csgraph import dijkstra

    i, cells = block
    n_cells = len(cell_ids)
    limit = float(thresholds_s.max()) if len(thresholds_s) else 0.0
    dist = np.asarray(dijkstra(csr, directed=True, indices=n_nodes + cells, limit=limit)).reshape(len(cells), -1)
    dist = dist[:, :n_nodes]  # virtual cell nodes have no in-links: never reached
    r, p = np.nonzero(np.isfinite(dist))  # (origin row, node) pairs within the limit
    cnt = egress_ptr[p + 1] - egress_ptr[p]
    has = cnt > 0
    r, p, cnt = r[has], p[has], cnt[has]
    ends = np.cumsum(cnt)
    link = np.repeat(egress_ptr[p] - (ends - cnt), cnt) + np.arange(int(ends[-1]) if len(ends) else 0)
    t = np.repeat(dist[r, p], cnt) + egress_s[link]  # the same sums as a dense gather, fewer of them
    T = np.full((len(cells), n_cells), np.inf)
    np.minimum.at(T.reshape(-1), np.repeat(r, cnt) * n_cells + egress_cell[link], t)
    del dist, t, link
    T[np.arange(len(cells)), cells] = 0.0
    cols = []
    for th in thresholds_s:
        within = th >= T
        cols.append(np.count_nonzero(within, axis=1).astype(float) if weights is None else within @ weights)
    out = np.stack(cols, axis=1) if cols else np.zeros((len(cells), 0))
    if od_dir is not None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        r, c = np.nonzero(limit >= T)
        table = pa.table(
            {"origin": cell_ids[cells[r]], "destination": cell_ids[c], "time_s": T[r, c].astype(np.float32)}
        )
        pq.write_table(table, Path(od_dir) / f"part-{i:05d}.parquet", compression="zstd")
    return out


def cumulative_opportunities(
    G: nx.MultiDiGraph,
    *,
    chains: Sequence[str] | None = None,
    thresholds_min: Sequence[float] | None = None,
    resolution: int | None = None,
    area: Any = None,
    weights: Mapping[str, float] | pd.Series | None = None,
    weight_name: str | None = None,
    assumptions: Mapping[str, Any] | None = None,
    exclude_features: Iterable[str] = (),
    client: Any = None,
    od_dir: str | Path | None = None,
    block_size: int = 128,
    progress: Any = None,
    study: Study | None = None,
) -> gpd.GeoDataFrame:
    """Cumulative-opportunity accessibility on the full cell-to-cell travel-time matrix.

    For every H3 cell: how many cells (or, with ``weights``, how much population, jobs …) can
    be reached within each threshold, per mode chain — from the cell's centre through its
    access links, the network, and the egress links into the destination cell's centre
    (:func:`hex_links`). The matrix (``n_cells`` squared pairs) is computed in blocks of origin
    cells and never held whole; with a dask ``client`` the blocks run on the cluster with the
    graph scattered once (:func:`geo.distributed.map_blocks`), giving exactly the in-process
    result.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    chains : sequence of str, optional
        Mode chains; default the study's.
    thresholds_min : sequence of float, optional
        Minutes; default the study's (30, 45, 60).
    resolution : int, optional
        H3 resolution (default the study's, 8).
    area : shapely (Multi)Polygon, optional
        WGS84 area of the grid (default the study's bbox; ``geo build`` uses the focus
        counties).
    weights : mapping or Series, optional
        H3 cell id -> weight of the cell as a destination (population, jobs …); cells not
        given weigh 0. Default: every cell weighs 1 (a count of cells).
    weight_name : str, optional
        What the weights are (stored in ``attrs``), default ``"cells"``.
    assumptions : mapping, optional
        Overrides (access rules, mode chains).
    exclude_features : iterable of str
        Feature ids whose edges are ignored (scenarios).
    client : distributed.Client, optional
        Run the blocks on a dask cluster.
    od_dir : path-like, optional
        Also write the pairs within the largest threshold as a partitioned Parquet dataset,
        one folder per chain (``<od_dir>/<chain>/part-*.parquet``: ``origin``,
        ``destination`` H3 ids, ``time_s``). Each folder is replaced when complete.
    block_size : int
        Origin cells per task.
    progress : callable, optional
        ``progress(done, total, what)``.
    study : geo.config.Study, optional
        Defaults (:func:`geo.config.default_study`).

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`hex_grid` plus one column per chain and threshold,
        :func:`geo.schema.opportunity_column` ``o_<chain>_<minutes>``: the count (or weight
        sum) of cells reachable within the threshold, the origin cell included. ``attrs``:
        ``chains``, ``thresholds_min``, ``weight`` (name), ``total_weight``.
    """
    from geo import distributed
    from geo.network.routing import csr_from_arrays, edge_arrays

    study = study or default_study()
    chains = list(study.chains if chains is None else chains)
    ths = [float(t) for t in (study.thresholds_min if thresholds_min is None else thresholds_min)]
    a = load_assumptions(assumptions)
    grid = hex_grid(area, resolution=resolution, study=study)
    H = len(grid)
    lon, lat = grid["lon"].to_numpy(), grid["lat"].to_numpy()
    cell_ids = grid["h3"].to_numpy(dtype=object)
    if weights is None:
        w = np.ones(H)
    else:
        wmap = dict(weights.items())
        unknown = [k for k in wmap if k not in set(cell_ids.tolist())]
        if len(unknown) == len(wmap) and wmap:
            raise AnalysisError(
                f"none of the {len(wmap)} weight cells is in the grid (resolution {grid_resolution(grid)})"
            )
        w = np.array([float(wmap.get(c, 0.0)) for c in cell_ids.tolist()])
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise AnalysisError("weights must be finite and non-negative")
    arrays = edge_arrays(G)
    n = len(arrays.nodes)
    pos = {nd: i for i, nd in enumerate(arrays.nodes.tolist())}
    thresholds_s = np.array(ths) * _MIN
    for chain in chains:
        modes = chain_modes(chain, a)
        keep = arrays.mask(modes=modes, exclude_features=exclude_features)
        (a_pi, a_node, a_t), (e_pi, e_node, e_t) = hex_links(G, lon, lat, modes, assumptions=a)
        excl = set(exclude_features)
        if excl:  # no access to or egress from the platforms of removed features
            gone = {nd for u, v, d in G.edges(data=True) if d.get("feature_id") in excl for nd in (u, v)}
            ka = np.array([int(x) not in gone for x in a_node], bool)
            ke = np.array([int(x) not in gone for x in e_node], bool)
            a_pi, a_node, a_t = a_pi[ka], a_node[ka], a_t[ka]
            e_pi, e_node, e_t = e_pi[ke], e_node[ke], e_t[ke]
        a_pos = np.array([pos[int(x)] for x in a_node], np.int64)
        csr = csr_from_arrays(
            np.concatenate([arrays.u[keep], n + np.asarray(a_pi, np.int64)]),
            np.concatenate([arrays.v[keep], a_pos]),
            np.concatenate([arrays.weight[keep], np.asarray(a_t, float)]),
            n + H,
        )
        e_ptr, e_cell, e_sec = egress_by_node(n, e_pi, np.array([pos[int(x)] for x in e_node], np.int64), e_t)
        logger.info("cumulative opportunities (%s): %d cells, %d egress links", chain, H, len(e_cell))
        shared = {
            "csr": csr,
            "n_nodes": n,
            "egress_ptr": e_ptr,
            "egress_cell": e_cell,
            "egress_s": e_sec,
            "thresholds_s": thresholds_s,
            "weights": None if weights is None else w,
            "cell_ids": cell_ids,
        }
        blocks = [(i, np.arange(s, min(H, s + block_size))) for i, s in enumerate(range(0, H, block_size))]
        staging = None
        if od_dir is not None:
            target = Path(od_dir) / chain
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = target.with_name(f".{chain}.{os.getpid()}.tmp")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
        try:
            res = distributed.map_blocks(
                opportunity_block,
                blocks,
                client=client,
                shared={**shared, "od_dir": None if staging is None else str(staging)},
                progress=progress,
                what=f"cumulative opportunities ({chain})",
            )
            if staging is not None:
                distributed.replace_dir(staging, Path(od_dir) / chain)  # type: ignore[arg-type]
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        counts = np.concatenate(res, axis=0) if res else np.zeros((0, len(ths)))
        if weights is None:
            counts = np.rint(counts).astype(np.int64)
        for k, th in enumerate(ths):
            grid[opportunity_column(chain, th)] = counts[:, k]
    grid.attrs["chains"] = chains
    grid.attrs["thresholds_min"] = ths
    grid.attrs["weight"] = weight_name or ("cells" if weights is None else "weight")
    grid.attrs["total_weight"] = float(w.sum())
    return grid


def egress_by_node(
    n_nodes: int, cell: np.ndarray, node_pos: np.ndarray, seconds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Links (cell, node, seconds) grouped by node position, in CSR form.

    Parameters
    ----------
    n_nodes : int
        Number of node positions.
    cell, node_pos, seconds : numpy.ndarray
        One row per link: cell index, node position (``0 <= node_pos < n_nodes``), seconds.

    Returns
    -------
    ptr : numpy.ndarray
        ``n_nodes + 1`` offsets: the links of node position ``p`` are rows
        ``ptr[p]:ptr[p + 1]`` of ``cells`` and ``seconds``.
    cells, seconds : numpy.ndarray
        The links sorted by node position, then cell, then time.
    """
    cell = np.asarray(cell, np.int64)
    node_pos = np.asarray(node_pos, np.int64)
    seconds = np.asarray(seconds, float)
    order = np.lexsort((seconds, cell, node_pos))
    ptr = np.zeros(n_nodes + 1, np.int64)
    np.cumsum(np.bincount(node_pos, minlength=n_nodes), out=ptr[1:])
    return ptr, cell[order], seconds[order]


def grid_resolution(grid: gpd.GeoDataFrame) -> int | None:
    """H3 resolution of a :func:`hex_grid` (None when empty)."""
    return int(h3.get_resolution(grid["h3"].iloc[0])) if len(grid) else None
