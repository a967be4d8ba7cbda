"""Scenarios: travel-time change between two dates, or with / without a feature.

Deltas are ``after - before`` in minutes; a pair unreachable on either side has ``delta_min``
NaN and is flagged ``newly_reachable`` / ``newly_unreachable`` instead (never 0).

A date of a scenario is an as-of date (``YYYY[-MM[-DD]]`` or a :class:`datetime.date`),
``latest`` (the ``latest=`` date given, e.g. the corpus's latest date) or ``expected:DATE``
(the network as of DATE with forecast openings counted). :func:`run_scenarios` runs the
study's scenarios (``scenarios`` in ``geo/data/study.yaml``), as ``geo build`` does.
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import Point

from geo.analysis import accessibility as acc
from geo.analysis.output import rounded
from geo.config import Scenario, Study, default_study
from geo.crs import WGS84
from geo.dates import parse_as_of
from geo.errors import AnalysisError
from geo.network.build import build_network
from geo.schema import delta_column, scenario_time_column

logger = logging.getLogger(__name__)

__all__ = [
    "NetworkCache",
    "compare_dates",
    "compare_tables",
    "compare_without",
    "run_scenarios",
    "services_on_track",
    "track_sections",
]

_LATEST = "latest"
_EXPECTED = "expected:"

_KEYS = ["origin", "origin_id", "destination", "destination_id", "chain"]


def compare_tables(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Join two :func:`geo.analysis.accessibility.travel_times` tables.

    Returns
    -------
    pandas.DataFrame
        Keys plus ``before_min, after_min, delta_min, newly_reachable, newly_unreachable``.
    """
    b = before[[*_KEYS, "time_min"]].rename(columns={"time_min": "before_min"})
    a = after[[*_KEYS, "time_min"]].rename(columns={"time_min": "after_min"})
    df = b.merge(a, on=_KEYS, how="outer")
    df["delta_min"] = df["after_min"] - df["before_min"]
    df["newly_reachable"] = df["before_min"].isna() & df["after_min"].notna()
    df["newly_unreachable"] = df["before_min"].notna() & df["after_min"].isna()
    return df.sort_values([*_KEYS[::2], "chain"]).reset_index(drop=True)


def _origin_points(G: nx.MultiDiGraph, table: pd.DataFrame, origins: Any, *, study: Study) -> gpd.GeoDataFrame:
    ors = {o["label"]: o for o in acc.resolve_origins(G, origins, study=study)}
    rows, geoms = [], []
    for label, grp in table.groupby("origin", sort=True):
        o = ors[label]
        row: dict[str, Any] = {"origin": label, "origin_id": o["feature_id"]}
        for _, r in grp.iterrows():
            col = f"delta_{r['chain']}_{r['destination_id']}"
            row[col] = rounded(r["delta_min"], 3)
        row["mean_delta_min"] = rounded(grp["delta_min"].mean(), 3) if grp["delta_min"].notna().any() else None
        row["newly_reachable"] = int(grp["newly_reachable"].sum())
        row["newly_unreachable"] = int(grp["newly_unreachable"].sum())
        rows.append(row)
        geoms.append(Point(o["lon"], o["lat"]))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms, crs=WGS84))


#: A cache of networks by (as-of date, include_expected), shared by the scenarios of one run.
NetworkCache = dict[tuple[_dt.date | None, bool], nx.MultiDiGraph]


def _network(
    layers: Mapping[str, Any],
    when: Any,
    *,
    latest: _dt.date | None,
    include_expected: bool,
    assumptions: Mapping[str, Any] | None,
    networks: NetworkCache | None = None,
) -> tuple[nx.MultiDiGraph, _dt.date | None]:
    """The network of one side of a scenario, and its as-of date (built once per date and
    ``include_expected`` when a ``networks`` cache is given; not with assumption overrides)."""
    if isinstance(when, str) and when.startswith(_EXPECTED):
        when, include_expected = when[len(_EXPECTED) :], True
    if when == _LATEST:
        if latest is None:
            raise AnalysisError("scenario date 'latest' needs the latest date (latest=)")
        day: _dt.date | None = latest
    else:
        day = None if when is None else parse_as_of(when)
    key = (day, bool(include_expected))
    if networks is not None and assumptions is None and key in networks:
        return networks[key], day
    G = build_network(layers, as_of=day, include_expected=include_expected, assumptions=assumptions)
    if networks is not None and assumptions is None:
        networks[key] = G
    return G, day


def compare_dates(
    layers: Mapping[str, Any],
    date_before: Any,
    date_after: Any,
    *,
    origins: Any = None,
    destinations: Any = None,
    chains: Sequence[str] | None = None,
    include_expected: bool = False,
    assumptions: Mapping[str, Any] | None = None,
    latest: _dt.date | None = None,
    study: Study | None = None,
    networks: NetworkCache | None = None,
) -> dict[str, Any]:
    """Travel-time change per origin and destination between two dates.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers with timelines.
    date_before, date_after : date or str
        As-of dates, ``latest`` or ``expected:DATE`` (see the module docstring).
    origins, destinations
        See :func:`geo.analysis.accessibility.resolve_origins` / ``resolve_destinations``.
    chains : sequence of str, optional
        Mode chains; default the study's.
    include_expected : bool
        Count forecast openings on both sides (``expected:DATE`` does so for one side).
    assumptions : mapping, optional
        Overrides (see :func:`geo.network.policy.load_assumptions`).
    latest : datetime.date, optional
        The date ``latest`` stands for.
    study : geo.config.Study, optional
        Defaults (:func:`geo.config.default_study`).
    networks : dict, optional
        A cache ``{(as-of date, include_expected): graph}`` read and filled here, so that
        several comparisons build each network once (see :func:`run_scenarios`).

    Returns
    -------
    dict
        ``table`` (DataFrame from :func:`compare_tables`), ``points`` (GeoDataFrame of origins
        with ``delta_<chain>_<destination_id>`` columns, minutes), ``summary`` (JSON; its
        ``before`` / ``after`` are the ISO as-of dates).
    """
    study = study or default_study()
    kw: dict[str, Any] = {
        "latest": latest,
        "include_expected": include_expected,
        "assumptions": assumptions,
        "networks": networks,
    }
    Gb, day_before = _network(layers, date_before, **kw)
    Ga, day_after = _network(layers, date_after, **kw)
    tb = acc.travel_times(
        Gb, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions, study=study
    )
    ta = acc.travel_times(
        Ga, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions, study=study
    )
    table = compare_tables(tb, ta)
    pts = _origin_points(Ga, table, origins, study=study)
    return {"table": table, "points": pts, "summary": _summary(table, before=str(day_before), after=str(day_after))}


def run_scenarios(
    layers: Mapping[str, Any],
    *,
    latest: _dt.date,
    scenarios: Sequence[Scenario] | None = None,
    study: Study | None = None,
    networks: NetworkCache | None = None,
) -> dict[str, Any]:
    """Run scenarios (default the study's) with :func:`compare_dates`, as ``geo build`` does.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers with timelines.
    latest : datetime.date
        The date a scenario's ``latest`` stands for (the corpus's latest date).
    scenarios : sequence of geo.config.Scenario, optional
        Default ``study.scenarios``.
    study : geo.config.Study, optional
        Default :func:`geo.config.default_study`.
    networks : dict, optional
        Networks already built, ``{(as-of date, include_expected): graph}`` (e.g. the
        pipeline's main network); every network is built once across the scenarios and
        added to it. Default: a fresh cache for this call.

    Returns
    -------
    dict
        ``table``: DataFrame, a ``scenario`` column and the :func:`compare_tables` columns, all
        scenarios; ``summary``: list of ``{id, description, before, after, changed_pairs}``
        (pairs whose time changes by more than 0.05 min or that become reachable);
        ``deltas``: list of dicts, one per origin label (sorted), ``origin`` and one
        :func:`geo.schema.delta_column` per scenario, chain and destination (minutes, 1
        decimal, ``None`` when unreachable on either side), and the travel times before and
        after (:func:`geo.schema.scenario_time_column`, ``None`` when unreachable).
    """
    study = study or default_study()
    rows = []
    summary = []
    points: dict[str, dict[str, Any]] = {}
    networks = {} if networks is None else networks
    for sc in study.scenarios if scenarios is None else scenarios:
        res = compare_dates(layers, sc.before, sc.after, latest=latest, study=study, networks=networks)
        table = res["table"]
        table.insert(0, "scenario", sc.id)
        rows.append(table)
        changed = (table["delta_min"].fillna(0).abs() > 0.05).sum() + table["newly_reachable"].sum()
        summary.append(
            {
                "id": sc.id,
                "description": sc.description,
                "before": res["summary"]["before"],
                "after": res["summary"]["after"],
                "changed_pairs": int(changed),
            }
        )
        for _, r in table.iterrows():
            p = points.setdefault(r["origin"], {"origin": r["origin"]})
            p[delta_column(sc.id, r["chain"], r["destination_id"])] = rounded(r["delta_min"], 1)
            # both sides, so that a map can show pairs that become (un)reachable (no delta)
            for side in ("before", "after"):
                col = scenario_time_column(side, sc.id, r["chain"], r["destination_id"])
                p[col] = rounded(r[f"{side}_min"], 1)
    return {
        "table": pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(),
        "summary": summary,
        "deltas": [v for _, v in sorted(points.items())],
    }


def track_sections(G: nx.MultiDiGraph, feature_ids: Iterable[str]) -> dict[str, set[tuple[str, str]]]:
    """The track sections each line runs on: unordered pairs of consecutive stations.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network` (ride edges join platforms whose
        ``station`` attribute is the station node key).
    feature_ids : iterable of str
        Line feature ids.

    Returns
    -------
    dict
        feature id -> set of ``(station key, station key)`` pairs (sorted within a pair).
    """
    wanted = set(feature_ids)
    out: dict[str, set[tuple[str, str]]] = {f: set() for f in wanted}
    for u, v, d in G.edges(data=True):
        fid = d.get("feature_id")
        if d.get("kind") != "ride" or fid not in wanted:
            continue
        a, b = str(G.nodes[u].get("station") or u), str(G.nodes[v].get("station") or v)
        if a != b:
            out[fid].add((min(a, b), max(a, b)))
    return out


def services_on_track(G: nx.MultiDiGraph, feature_ids: str | Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Other lines (services) that run on some of the track of the given lines.

    A line shares the track of another where both ride between the same two consecutive
    stations (e.g. the 京滨 trains between 北京城市副中心 and 宝坻, which run on the 京唐 track,
    and the interim 京唐 service from 北京站). The network has no separate track objects, so this
    is how a scenario finds the services that a removed track carries.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    feature_ids : str or iterable of str
        The lines (tracks) removed.

    Returns
    -------
    dict
        service feature id -> the shared sections (sorted station-key pairs), sorted by id; the
        given lines themselves are not listed.
    """
    fids = {feature_ids} if isinstance(feature_ids, str) else set(feature_ids)
    track = set().union(*track_sections(G, fids).values()) if fids else set()
    others = {d.get("feature_id") for _, _, d in G.edges(data=True) if d.get("kind") == "ride"} - fids - {None}
    shared = {}
    for fid, sections in track_sections(G, {str(f) for f in others}).items():
        common = sorted(sections & track)
        if common:
            shared[fid] = common
    return dict(sorted(shared.items()))


def compare_without(
    G: nx.MultiDiGraph,
    feature_ids: str | Iterable[str],
    *,
    origins: Any = None,
    destinations: Any = None,
    chains: Sequence[str] | None = None,
    assumptions: Mapping[str, Any] | None = None,
    study: Study | None = None,
    keep_services: bool = False,
) -> dict[str, Any]:
    """Travel-time change when some features are removed ("without" scenario).

    ``before`` is the network as given, ``after`` the network without the features' edges, so
    positive deltas are the time the features save. Removing a line removes its track: every
    other service that runs on part of that track (:func:`services_on_track`) is removed with
    it, unless ``keep_services`` — then those services keep running on the track, a warning
    lists them, and so does the summary.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    feature_ids : str or iterable of str
        Features whose edges are removed.
    origins, destinations, chains, assumptions
        As in :func:`compare_dates` (default the study's).
    study : geo.config.Study, optional
        Defaults (:func:`geo.config.default_study`).
    keep_services : bool
        Keep the other services on the removed track (remove only the features' own edges).

    Returns
    -------
    dict
        As :func:`compare_dates`; the summary also has ``removed`` (every feature id taken out),
        ``services_removed`` / ``services_kept`` (service id -> shared sections) and ``note``
        (one sentence saying what was removed and what keeps running).

    Raises
    ------
    AnalysisError
        If none of the feature ids has edges in ``G`` (a ``ValueError``).
    """
    study = study or default_study()
    fids = [feature_ids] if isinstance(feature_ids, str) else list(feature_ids)
    present = {d.get("feature_id") for _, _, d in G.edges(data=True)}
    missing = [f for f in fids if f not in present]
    if len(missing) == len(fids):
        raise AnalysisError(f"feature(s) {missing} have no edges in the network")
    if missing:
        logger.warning("features without edges in the network: %s", missing)
    on_track = services_on_track(G, [f for f in fids if f in present])
    removed = sorted(set(fids) - set(missing)) if keep_services else sorted((set(fids) - set(missing)) | set(on_track))
    if on_track and keep_services:
        logger.warning(
            "services still running on the removed track: %s",
            ", ".join(f"{s} ({len(sec)} shared sections)" for s, sec in on_track.items()),
        )
    tb = acc.travel_times(
        G, origins=origins, destinations=destinations, chains=chains, assumptions=assumptions, study=study
    )
    ta = acc.travel_times(
        G,
        origins=origins,
        destinations=destinations,
        chains=chains,
        assumptions=assumptions,
        exclude_features=removed,
        study=study,
    )
    table = compare_tables(tb, ta)
    pts = _origin_points(G, table, origins, study=study)
    summary = _summary(table, before="with", after=f"without {removed}")
    sections = {s: [list(p) for p in sec] for s, sec in on_track.items()}
    summary["removed"] = removed
    summary["services_removed"] = {} if keep_services else sections
    summary["services_kept"] = sections if keep_services else {}
    if not on_track:
        note = f"removed {', '.join(removed)}; no other service runs on its track"
    elif keep_services:
        note = (
            f"removed {', '.join(removed)} only; still running on its track: {', '.join(on_track)} "
            "(kept on request; by default they are removed with the track)"
        )
    else:
        note = f"removed {', '.join(sorted(set(fids) - set(missing)))} and the services on its track: {', '.join(on_track)}"
    summary["note"] = note
    return {"table": table, "points": pts, "summary": summary}


def _summary(table: pd.DataFrame, *, before: str, after: str) -> dict[str, Any]:
    return {
        "before": before,
        "after": after,
        "rows": [
            {
                **{k: r[k] for k in _KEYS},
                "before_min": rounded(r["before_min"], 3),
                "after_min": rounded(r["after_min"], 3),
                "delta_min": rounded(r["delta_min"], 3),
                "newly_reachable": bool(r["newly_reachable"]),
                "newly_unreachable": bool(r["newly_unreachable"]),
            }
            for _, r in table.iterrows()
        ],
    }
