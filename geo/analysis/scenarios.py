"""Scenarios: travel-time change between two dates, or with / without a feature.

Deltas are ``after - before`` in minutes; a pair unreachable on either side has ``delta_min``
NaN and is flagged ``newly_reachable`` / ``newly_unreachable`` instead (never 0).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import Point

from geo import network as gn
from geo.analysis import accessibility as acc

logger = logging.getLogger(__name__)

__all__ = ["compare_dates", "compare_tables", "compare_without"]

_KEYS = ["origin", "origin_id", "destination", "destination_id", "chain"]


def compare_tables(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Join two :func:`geo.analysis.accessibility.travel_times` tables.

    Returns
    -------
    pandas.DataFrame
        Keys plus ``before_min, after_min, delta_min, newly_reachable, newly_unreachable``.
    """
    b = before[_KEYS + ["time_min"]].rename(columns={"time_min": "before_min"})
    a = after[_KEYS + ["time_min"]].rename(columns={"time_min": "after_min"})
    df = b.merge(a, on=_KEYS, how="outer")
    df["delta_min"] = df["after_min"] - df["before_min"]
    df["newly_reachable"] = df["before_min"].isna() & df["after_min"].notna()
    df["newly_unreachable"] = df["before_min"].notna() & df["after_min"].isna()
    return df.sort_values(_KEYS[::2] + ["chain"]).reset_index(drop=True)


def _origin_points(G: nx.MultiDiGraph, table: pd.DataFrame, origins: Any) -> gpd.GeoDataFrame:
    ors = {o["label"]: o for o in acc.resolve_origins(G, origins)}
    rows, geoms = [], []
    for label, grp in table.groupby("origin", sort=True):
        o = ors[label]
        row: dict[str, Any] = {"origin": label, "origin_id": o["feature_id"]}
        for _, r in grp.iterrows():
            col = f"delta_{r['chain']}_{r['destination_id']}"
            row[col] = None if pd.isna(r["delta_min"]) else round(float(r["delta_min"]), 3)
        row["mean_delta_min"] = (round(float(grp["delta_min"].mean()), 3) if grp["delta_min"].notna().any()
                                 else None)
        row["newly_reachable"] = int(grp["newly_reachable"].sum())
        row["newly_unreachable"] = int(grp["newly_unreachable"].sum())
        rows.append(row)
        geoms.append(Point(o["lon"], o["lat"]))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms, crs=gn.WGS84))


def compare_dates(
    layers: Mapping[str, Any],
    date_before: Any,
    date_after: Any,
    *,
    origins: Any = None,
    destinations: Any = None,
    chains: Sequence[str] = ("rail", "bus", "car"),
    include_expected: bool = False,
    assumptions: Mapping | None = None,
) -> dict[str, Any]:
    """Travel-time change per origin and destination between two dates.

    Returns
    -------
    dict
        ``table`` (DataFrame from :func:`compare_tables`), ``points`` (GeoDataFrame of origins
        with ``delta_<chain>_<destination_id>`` columns, minutes), ``summary`` (JSON).
    """
    Gb = gn.build_network(layers, as_of=date_before, include_expected=include_expected, assumptions=assumptions)
    Ga = gn.build_network(layers, as_of=date_after, include_expected=include_expected, assumptions=assumptions)
    tb = acc.travel_times(Gb, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions)
    ta = acc.travel_times(Ga, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions)
    table = compare_tables(tb, ta)
    pts = _origin_points(Ga, table, origins)
    return {"table": table, "points": pts,
            "summary": _summary(table, before=str(gn.parse_as_of(date_before)), after=str(gn.parse_as_of(date_after)))}


def compare_without(
    G: nx.MultiDiGraph,
    feature_ids: str | Iterable[str],
    *,
    origins: Any = None,
    destinations: Any = None,
    chains: Sequence[str] = ("rail", "bus", "car"),
    assumptions: Mapping | None = None,
) -> dict[str, Any]:
    """Travel-time change when the edges of some features are removed ("without" scenario).

    ``before`` is the network as given, ``after`` the network without the features' edges, so
    positive deltas are the time the features save.

    Raises
    ------
    ValueError
        If none of the feature ids has edges in ``G``.
    """
    fids = [feature_ids] if isinstance(feature_ids, str) else list(feature_ids)
    present = {d.get("feature_id") for _, _, d in G.edges(data=True)}
    missing = [f for f in fids if f not in present]
    if len(missing) == len(fids):
        raise ValueError(f"feature(s) {missing} have no edges in the network")
    if missing:
        logger.warning("features without edges in the network: %s", missing)
    tb = acc.travel_times(G, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions)
    ta = acc.travel_times(G, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions,
                          exclude_features=fids)
    table = compare_tables(tb, ta)
    pts = _origin_points(G, table, origins)
    return {"table": table, "points": pts, "summary": _summary(table, before="with", after=f"without {fids}")}


def _summary(table: pd.DataFrame, *, before: str, after: str) -> dict[str, Any]:
    def num(x: Any) -> Any:
        return None if pd.isna(x) else round(float(x), 3)

    return {"before": before, "after": after,
            "rows": [{**{k: r[k] for k in _KEYS}, "before_min": num(r["before_min"]), "after_min": num(r["after_min"]),
                      "delta_min": num(r["delta_min"]), "newly_reachable": bool(r["newly_reachable"]),
                      "newly_unreachable": bool(r["newly_unreachable"])} for _, r in table.iterrows()]}

