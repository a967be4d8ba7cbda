"""The analysis frames the access map draws: recognised by their columns, reshaped to long format.

The analysis (:mod:`geo.analysis.pipeline`) writes wide frames whose columns follow
:mod:`geo.schema`: travel times ``t_<chain>_<destination id>``
(:func:`geo.schema.time_column`), scenario differences ``d_<scenario>_<chain>_<destination
id>`` (:func:`geo.schema.delta_column`) and the scenario's travel times on each side
``b_…``/``a_…`` (:func:`geo.schema.scenario_time_column`). Users may also pass long
frames (one row per feature × destination × mode).

* :func:`find_access_frames`: the hexagon, isochrone, origin and scenario frames among
  the analysis layers.
* :func:`long_times`: travel times or thresholds, one row per feature × destination × mode.
* :func:`scenario_frames`: one long frame per scenario with ``delta_minutes`` and, where
  known, ``minutes_before`` and ``minutes_after`` (so that pairs that become reachable,
  which have no delta, can be shown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import MapError
from geo.schema import (
    parse_delta_column,
    parse_scenario_time_column,
    parse_time_column,
    scenario_time_column,
    time_column,
)

__all__ = [
    "AccessFrames",
    "auto_labels",
    "find_access_frames",
    "long_times",
    "scenario_frames",
]

#: Columns of one wide value column once melted: ``{"destination": ..., "mode": ...}`` (and
#: ``"scenario"`` for differences).
_Keys = dict[str, str]


def _chains(frame: gpd.GeoDataFrame) -> list[str] | None:
    chains = frame.attrs.get("chains")
    return [str(c) for c in chains] if chains else None


def _time_columns(frame: gpd.GeoDataFrame) -> list[tuple[str, _Keys]]:
    """The travel-time columns (:func:`geo.schema.time_column`) of a wide frame.

    ``attrs['chains']`` (as :func:`geo.analysis.accessibility.hex_travel_times` sets it)
    resolves chain names holding an underscore; otherwise the destination id, which has
    none, ends the name.
    """
    chains = _chains(frame)
    out = []
    for col in frame.columns:
        tc = (parse_time_column(col, chains) if chains else None) or parse_time_column(col)
        if tc is not None:
            out.append((col, {"destination": tc.destination, "mode": tc.chain}))
    return out


def _delta_columns(frame: gpd.GeoDataFrame) -> list[tuple[str, _Keys]]:
    """The scenario columns (:func:`geo.schema.delta_column`) of a wide frame (see :func:`_time_columns`)."""
    chains = _chains(frame)
    out = []
    for col in frame.columns:
        dc = (parse_delta_column(col, chains) if chains else None) or parse_delta_column(col)
        if dc is not None:
            out.append((col, {"scenario": dc.scenario, "destination": dc.destination, "mode": dc.chain}))
    return out


def _melt(
    frame: gpd.GeoDataFrame,
    columns: Sequence[tuple[str, _Keys]],
    value: str,
    extra: Mapping[str, Mapping[str, str]] | None = None,
) -> gpd.GeoDataFrame:
    """Long format from wide value columns: one row per feature × column, the keys as columns.

    ``extra`` maps a value column to ``{long column name: wide column}`` of values that go
    with it (a scenario's before/after times); the wide columns of ``extra`` are not kept.
    """
    wide = {col for col, _ in columns} | {c for m in (extra or {}).values() for c in m.values()}
    keep = [c for c in frame.columns if c not in wide and parse_scenario_time_column(c) is None]
    parts = []
    for col, keys in columns:
        part = frame[keep].copy()
        for k, v in keys.items():
            part[k] = v
        part[value] = frame[col].to_numpy(dtype=float)
        for name, src in (extra or {}).get(col, {}).items():
            part[name] = frame[src].to_numpy(dtype=float)
        parts.append(part)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry=frame.geometry.name, crs=frame.crs)
    out.attrs = dict(frame.attrs)
    return out


#: The analysis' long column names -> the map's.
_LONG_NAMES = {"destination_id": "destination", "chain": "mode"}


def _long(frame: gpd.GeoDataFrame, value: str, aliases: Sequence[str]) -> gpd.GeoDataFrame | None:
    """``frame`` with ``destination``, ``mode`` and ``value`` columns if it has them under
    the map's or the analysis' names (``destination_id``, ``chain``, one of ``aliases``)."""
    need = {"destination", "mode", value}
    if need <= set(frame.columns):
        return frame
    names = dict(_LONG_NAMES)
    names.update({a: value for a in aliases if a in frame.columns and value not in frame.columns})
    renamed = frame.rename(columns=names)
    return renamed if need <= set(renamed.columns) else None


def long_times(frame: gpd.GeoDataFrame, value: str = "minutes") -> gpd.GeoDataFrame:
    """Travel times or thresholds, one row per feature × destination × mode.

    Accepts the long format (``destination``, ``mode``, ``value``), the analysis' long
    names (``destination_id``, ``chain``, ``threshold_min``) or the schema's wide
    travel-time columns ``t_<chain>_<destination id>`` (:func:`geo.schema.time_column`).

    Raises
    ------
    MapError
        The frame has neither.
    """
    long = _long(frame, value, ("threshold_min",))
    if long is not None:
        return long
    columns = _time_columns(frame)
    if not columns:
        raise MapError(
            f"need columns destination, mode and {value!r} (long format, one row per hexagon × "
            f"destination × mode) or wide columns {time_column('<chain>', '<destination id>')} (minutes)"
        )
    return _melt(frame, columns, value)


def auto_labels(*frames: Any) -> dict[str, str]:
    """Destination labels from the analysis frames' ``attrs['destinations']`` (id -> label)."""
    out: dict[str, str] = {}
    for f in frames:
        for d in (getattr(f, "attrs", None) or {}).get("destinations") or []:
            if isinstance(d, Mapping) and d.get("feature_id") and d.get("label"):
                out[str(d["feature_id"])] = str(d["label"])
    return out


def _sides(frame: gpd.GeoDataFrame, columns: Sequence[tuple[str, _Keys]]) -> dict[str, dict[str, str]]:
    """For each delta column, the frame's before/after columns of the same scenario, chain, destination."""
    present = set(frame.columns)
    out: dict[str, dict[str, str]] = {}
    for col, keys in columns:
        found = {}
        for side in ("before", "after"):
            name = scenario_time_column(side, keys["scenario"], keys["mode"], keys["destination"])
            if name in present:
                found[f"minutes_{side}"] = name
        out[col] = found
    return out


def scenario_frames(
    scenarios: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame] | None,
) -> list[tuple[str, gpd.GeoDataFrame]]:
    """``(scenario id, long frame with destination, mode, delta_minutes)`` pairs, one per scenario.

    Parameters
    ----------
    scenarios : GeoDataFrame or mapping of str to GeoDataFrame, optional
        Wide frames carry the schema's scenario columns ``d_<scenario>_<chain>_<destination id>``
        (:func:`geo.schema.delta_column`; one frame may hold several scenarios, the
        mapping's keys are not used) and, optionally, the travel times on each side
        (:func:`geo.schema.scenario_time_column`). Long frames carry
        ``destination``/``destination_id``, ``mode``/``chain`` and
        ``delta_minutes``/``delta_min`` (or ``minutes_baseline`` and ``minutes_scenario``),
        and a ``scenario`` column or else one scenario named by the mapping key (a single
        frame: ``attrs['scenario']``, else ``'scenario'``).

    Returns
    -------
    list of (str, GeoDataFrame)
        Scenarios in the order first met (a ``scenario`` column: sorted); the rows of
        several frames for one scenario are concatenated. Frames that give them have
        ``minutes_before`` and ``minutes_after`` columns (NaN = unreachable).

    Raises
    ------
    MapError
        A non-empty frame in neither format.
    """
    if scenarios is None:
        return []
    if isinstance(scenarios, gpd.GeoDataFrame):
        items: list[tuple[str | None, gpd.GeoDataFrame]] = [(None, scenarios)]
    else:
        items = [(str(k), v) for k, v in scenarios.items()]
    found: dict[str, list[gpd.GeoDataFrame]] = {}
    for name, g in items:
        if not len(g):
            continue
        wide = _delta_columns(g)
        if wide:
            melted = _melt(g, wide, "delta_minutes", _sides(g, wide))
            for sid, part in melted.groupby("scenario", sort=False):
                found.setdefault(str(sid), []).append(part.drop(columns="scenario"))
            continue
        if {"minutes_baseline", "minutes_scenario"} <= set(g.columns):
            g = g.assign(minutes_before=g["minutes_baseline"], minutes_after=g["minutes_scenario"])
            if "delta_minutes" not in g.columns:
                g = g.assign(delta_minutes=g["minutes_scenario"] - g["minutes_baseline"])
        long = _long(g, "delta_minutes", ("delta_min",))
        if long is None:
            raise MapError(
                f"scenario frame {name or '(unnamed)'}: need the schema's scenario columns "
                "d_<scenario>_<chain>_<destination id> (geo.schema.delta_column) or columns destination, "
                "mode and delta_minutes"
            )
        if "scenario" in long.columns:
            for sid, part in long.groupby("scenario", sort=True):
                found.setdefault(str(sid), []).append(part)
        else:
            found.setdefault(name or str(g.attrs.get("scenario", "scenario")), []).append(long)
    out = []
    for sid, parts in found.items():
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        out.append((sid, gpd.GeoDataFrame(frame, geometry=parts[0].geometry.name, crs=parts[0].crs)))
    return out


class AccessFrames(NamedTuple):
    """The analysis frames the access map draws (:func:`find_access_frames`)."""

    hexes: gpd.GeoDataFrame | None
    isochrones: gpd.GeoDataFrame | None
    scenarios: dict[str, gpd.GeoDataFrame]
    origins: gpd.GeoDataFrame | None = None


def _points(g: gpd.GeoDataFrame) -> bool:
    types = set(np.asarray(g.geometry.geom_type.dropna().unique(), dtype=object))
    return bool(types) and types <= {"Point"}


def find_access_frames(extra: Mapping[str, Any]) -> AccessFrames:
    """Pick the hexagon, isochrone, origin and scenario frames out of the analysis layers by their columns.

    * hexagons: the schema's travel-time columns (:func:`geo.schema.parse_time_column`)
      and an ``h3`` or ``hex_id`` column (the first such layer in name order; the
      ``access_hexes`` layer of :mod:`geo.analysis.pipeline`);
    * isochrones: a ``threshold_min`` column (``access_isochrones``);
    * scenarios: the schema's scenario columns (:func:`geo.schema.parse_delta_column`)
      or ``delta_minutes`` (``access_scenarios``: origin points);
    * origins: points with travel-time columns and an ``origin`` name (``access_origins``).
    """
    hexes = iso = origins = None
    scen: dict[str, gpd.GeoDataFrame] = {}
    for name in sorted(extra):
        g = extra[name]
        if not isinstance(g, gpd.GeoDataFrame) or not len(g):
            continue
        cols = [c for c in g.columns if isinstance(c, str)]
        times = any(parse_time_column(c) for c in cols)
        if hexes is None and times and ("h3" in cols or "hex_id" in cols):
            hexes = g
        elif iso is None and "threshold_min" in cols:
            iso = g
        elif any(parse_delta_column(c) for c in cols) or "delta_minutes" in cols:
            scen[name] = g
        elif origins is None and times and "origin" in cols and _points(g):
            origins = g
    return AccessFrames(hexes, iso, scen, origins)
