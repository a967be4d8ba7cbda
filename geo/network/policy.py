"""The modelling assumptions and the as-of rules: what the network contains on a date.

This module owns

* reading the assumptions (``geo/data/assumptions.yaml``: speeds, waits, access rules,
  mode chains), with overrides: :func:`load_assumptions`, :func:`assumption`,
  :func:`line_parameter`, :func:`chain_modes`;
* the as-of rules: which features and links are open on a date
  (:func:`feature_included`, :func:`road_included`, :func:`station_closed`).

As of a date, only features whose timeline status (:func:`geo.timeline.status_as_of`) is
``open`` are included. Features with no timeline or an ``unknown`` status are excluded,
except roads with no timeline at all, which follow
``status_policy.roads_without_timeline`` (pre-existing arterials). ``as_of=None`` means
"everything in the layers". Stations follow their line unless their own timeline gives a
definite planned / under_construction / suspended status.

As-of dates are parsed with :func:`geo.dates.parse_as_of` (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD`` or a :class:`datetime.date`).
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from geo.dates import parse_as_of
from geo.errors import ConfigError, NetworkError
from geo.io import load_yaml, package_text
from geo.schema import FEATURE_STATUSES, as_list
from geo.timeline import status_as_of

__all__ = [
    "assumption",
    "chain_modes",
    "feature_included",
    "line_parameter",
    "load_assumptions",
    "osm_edge_included",
    "road_included",
    "station_closed",
]

_ASSUMPTIONS_FILE = "assumptions.yaml"
_MAX_BYTES = 1_000_000
#: Feature statuses that definitely close a station (not open, and not merely unknown).
_NON_OPEN = frozenset(FEATURE_STATUSES) - {"open", "unknown"}
_LINE_TABLES = {
    "speed_kmh": "speeds_kmh",
    "dwell_s": "dwell_s",
    "half_headway_s": "half_headway_s",
    "boarding_overhead_s": "boarding_overhead_s",
}


# ----------------------------------------------------------------------------------------------
# assumptions
# ----------------------------------------------------------------------------------------------
def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        cur = out.get(k)
        if isinstance(v, Mapping) and isinstance(cur, dict):
            out[k] = _deep_merge(cur, v)
        elif isinstance(cur, dict) and "value" in cur and not isinstance(v, Mapping):
            out[k] = {**cur, "value": v}  # allow {"speeds_kmh": {"metro": 40}}
        else:
            out[k] = copy.deepcopy(v)
    return out


@lru_cache(maxsize=1)
def _packaged_assumptions() -> dict[str, Any]:
    where = f"geo/data/{_ASSUMPTIONS_FILE}"
    data = load_yaml(package_text(_ASSUMPTIONS_FILE), where=where, max_bytes=_MAX_BYTES)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the assumptions must be a YAML mapping")
    return data


def load_assumptions(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Load the travel-time assumptions, optionally overridden.

    Parameters
    ----------
    overrides : mapping, optional
        Nested dict merged key by key over ``geo/data/assumptions.yaml``. A bare number may
        replace a ``{value, source}`` entry, e.g. ``{"speeds_kmh": {"metro": 40}}``. A full
        assumptions dict (as returned here) may be passed again; the result is equal to it.

    Returns
    -------
    dict
        The merged assumptions (a fresh copy). Units: speeds km/h, times s, distances m
        (measured in EPSG:4548).
    """
    base = copy.deepcopy(_packaged_assumptions())
    if overrides:
        base = _deep_merge(base, overrides)
    return base


def assumption(a: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
    """One value of the assumptions: ``assumption(a, "speeds_kmh", "walk")`` -> ``4.5``.

    Parameters
    ----------
    a : mapping
        Assumptions from :func:`load_assumptions`.
    *keys : str
        Path into the nested mapping.
    default : optional
        Returned when the path does not exist.

    Returns
    -------
    Any
        The entry, or its ``value`` when the entry is a ``{value, source}`` mapping.
    """
    cur: Any = a
    for k in keys:
        if not isinstance(cur, Mapping) or k not in cur:
            return default
        cur = cur[k]
    if isinstance(cur, Mapping) and "value" in cur:
        return cur["value"]
    return cur


def line_parameter(a: Mapping[str, Any], line_id: str, mode: str, name: str) -> float:
    """A line's running parameter: its ``line_overrides`` entry, else the mode's value.

    Parameters
    ----------
    a : mapping
        Assumptions from :func:`load_assumptions`.
    line_id : str
        Line feature id.
    mode : str
        The line's mode (``metro``, ``rail``, ``bus``).
    name : {'speed_kmh', 'dwell_s', 'half_headway_s', 'boarding_overhead_s'}
        Running speed (km/h), dwell per stop (s), half the headway (s) or the boarding
        overhead (s).

    Raises
    ------
    ConfigError
        The assumptions have no value for that mode.
    """
    over = (a.get("line_overrides") or {}).get(line_id) or {}
    if name in over and over[name] is not None:
        return float(over[name])
    table = _LINE_TABLES[name]
    val = assumption(a, table, mode)
    if val is None:
        raise ConfigError(f"assumptions: no {table}.{mode}")
    return float(val)


def chain_modes(chain: str, assumptions: Mapping[str, Any]) -> list[str]:
    """The edge modes (and ``feeder``) of a mode chain (``mode_chains`` in the assumptions).

    Parameters
    ----------
    chain : str
        ``rail``, ``rail_walk``, ``bus``, ``car``, ``transit`` ...
    assumptions : mapping
        Assumptions from :func:`load_assumptions`.

    Raises
    ------
    NetworkError
        Unknown chain; the message lists the valid ones.
    """
    chains = assumptions.get("mode_chains") or {}
    if chain not in chains:
        raise NetworkError(f"unknown mode chain {chain!r}; valid: {sorted(chains)}")
    return list(chains[chain])


# ----------------------------------------------------------------------------------------------
# as-of rules
# ----------------------------------------------------------------------------------------------
def _status(props: Mapping[str, Any], as_of: _dt.date, include_expected: bool) -> str:
    timeline = as_list(props.get("timeline"))
    if not timeline:
        return "unknown"
    res = status_as_of(timeline, as_of, include_expected=include_expected)
    return str(getattr(res, "status", res) or "unknown")


def feature_included(props: Mapping[str, Any], as_of: Any, *, include_expected: bool = False) -> bool:
    """Whether a line / road feature belongs to the network as of a date.

    Parameters
    ----------
    props : mapping
        Feature properties with an optional ``timeline`` (list of event dicts, or its JSON text).
    as_of : date, str or None
        ``None`` includes every feature; otherwise only features whose
        ``status_as_of(timeline, as_of, include_expected=...)`` is ``open``. Features with no
        timeline (status ``unknown``) are excluded.
    include_expected : bool
        Also count events expected (modality ``expected``) by ``as_of``.

    Raises
    ------
    ValueError
        ``as_of`` is not a date (:func:`geo.dates.parse_as_of`).
    """
    if as_of is None:
        return True
    return _status(props, parse_as_of(as_of), include_expected) == "open"


def road_included(
    props: Mapping[str, Any],
    as_of: Any,
    *,
    include_expected: bool = False,
    assumptions: Mapping[str, Any] | None = None,
) -> bool:
    """Whether a road / bridge feature belongs to the drive network as of a date.

    Like :func:`feature_included`, except that a road with **no timeline at all** follows
    ``status_policy.roads_without_timeline`` (``open`` by default: the gazetteer records events
    only for roads built or rebuilt in the period; a road with none, e.g. 通燕高速 or 京榆旧线,
    is pre-existing infrastructure). A road whose timeline gives ``unknown`` as of the date
    (its only events are later, or undated expectations) is still excluded.

    Parameters
    ----------
    props : mapping
        Feature properties with an optional ``timeline``.
    as_of : date, str or None
        ``None`` includes every road.
    include_expected : bool
        Also count events expected by ``as_of``.
    assumptions : mapping, optional
        Assumptions (defaults to the packaged ones).
    """
    if as_of is None:
        return True
    day = parse_as_of(as_of)
    if not as_list(props.get("timeline")):
        a = assumptions if assumptions is not None else load_assumptions()
        return str(assumption(a, "status_policy", "roads_without_timeline", default="exclude")) == "open"
    return _status(props, day, include_expected) == "open"


def station_closed(props: Mapping[str, Any], as_of: _dt.date | None, *, include_expected: bool = False) -> bool:
    """Whether a station is closed as of a date by its own timeline (else it follows its line).

    A station is closed when its timeline says planned, under construction or suspended on
    ``as_of``; a station with a dated history of its own that gives no status on ``as_of``
    (its first event, e.g. its opening, is later) is closed too.

    Parameters
    ----------
    props : mapping
        Station properties with an optional ``timeline``.
    as_of : datetime.date or None
        The date (``None``: never closed).
    include_expected : bool
        Also count events expected by ``as_of``.
    """
    if as_of is None:
        return False
    status = _status(props, as_of, include_expected)
    return status in _NON_OPEN or (status == "unknown" and bool(as_list(props.get("timeline"))))


def osm_edge_included(
    edge: Mapping[str, Any],
    feature: Mapping[str, Any] | None,
    as_of: Any,
    *,
    include_expected: bool = False,
    assumptions: Mapping[str, Any] | None = None,
) -> bool:
    """Whether an OpenStreetMap road edge belongs to the network as of a date.

    OSM shows today's network, so an OSM way is dated by what the documents say:

    * a way conflated with a gazetteer road or bridge (``feature`` given: its layer
      properties with ``timeline``) follows that feature, by :func:`road_included`
      (厂通路's ways are absent before its opening day and present from it);
    * a way tagged ``highway=construction`` (edge attribute ``osm_construction``) and not
      conflated with a documented feature is planned: never included;
    * every other way is pre-existing and included.

    Parameters
    ----------
    edge : mapping
        Edge attributes (``osm_construction``).
    feature : mapping or None
        Properties of the feature the way is conflated with, or ``None``.
    as_of : date, str or None
        ``None``: every conflated way (construction ways without a feature stay out).
    include_expected : bool
        Also count events expected by ``as_of``.
    assumptions : mapping, optional
        Assumptions (``status_policy``).
    """
    if feature is not None:
        return road_included(feature, as_of, include_expected=include_expected, assumptions=assumptions)
    return not bool(edge.get("osm_construction"))
