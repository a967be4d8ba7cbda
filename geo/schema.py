"""The contracts between the stages: names, vocabularies, columns and property encoding.

Every stage (gazetteer, extraction, timelines, layers, network, analyses, maps,
exports, CLI) imports these; none re-declares them. A change here is a change of
the project's data contract: layer files, map data and exports follow it.

Vocabularies
------------
* :data:`EVENT_STATUSES`: what a dated statement in a document says happened
  (``construction_started``, ``opened`` ...), with a :data:`MODALITIES` value
  (``actual`` or ``expected``).
* :data:`FEATURE_STATUSES`: the state of a feature on a date (``planned``,
  ``under_construction``, ``open``, ``suspended``, ``unknown``), derived from its
  events through :data:`EVENT_TO_FEATURE_STATUS`.
* :data:`ACCURACY`: positional accuracy classes of geometries, with their nominal
  error bound in metres.

Columns
-------
Travel-time frames carry one column per mode chain and destination,
:func:`time_column` (``t_<chain>_<destination id>``, minutes); scenario frames one
per scenario, chain and destination, :func:`delta_column`
(``d_<scenario>_<chain>_<destination id>``, minutes, negative = faster).
:func:`parse_time_column` and :func:`parse_delta_column` read them back.

Property encoding
-----------------
Layer properties are plain JSON values (:func:`json_value`). Formats without
nested types carry lists and objects as JSON text; :func:`decode_property`
undoes that, :func:`as_list` also wraps scalars.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "ACCURACY",
    "ANALYSIS_LAYERS",
    "APPROXIMATE_ACCURACY",
    "COORD_DECIMALS",
    "EVENT_STATUSES",
    "EVENT_TO_FEATURE_STATUS",
    "FEATURE_ID",
    "FEATURE_STATUSES",
    "FEATURE_STATUS_RANK",
    "GRID_DECIMALS",
    "JSON_PROPERTIES",
    "KINDS",
    "LAYER_NAMES",
    "MODALITIES",
    "PROPERTY_ORDER",
    "TABLES",
    "THEMES",
    "THEME_LAYER",
    "DeltaColumn",
    "ScenarioTimeColumn",
    "TimeColumn",
    "as_list",
    "decode_property",
    "delta_column",
    "is_missing",
    "json_value",
    "parse_delta_column",
    "parse_scenario_time_column",
    "parse_time_column",
    "scenario_time_column",
    "time_column",
]

# --------------------------------------------------------------------------- features

#: Feature kinds of the gazetteer.
KINDS: frozenset[str] = frozenset(
    {
        "metro_line",
        "rail_line",
        "station",
        "expressway",
        "road",
        "bridge",
        "interchange",
        "bus_line",
        "river",
        "lock",
        "monitoring_section",
        "park",
        "zone",
        "admin",
        "school",
        "hospital",
        "government",
        "culture",
        "destination",
    }
)
#: Feature themes of the gazetteer.
THEMES: frozenset[str] = frozenset({"rail", "road", "bus", "water", "zone", "facility", "admin"})

#: Accuracy classes and their nominal error bound in metres. ``schematic``: a route drawn
#: through known points; ``unlocated``: no source places the feature more closely than the
#: county it is in, and its geometry is that county's outline (not a location).
ACCURACY: dict[str, float | None] = {
    "surveyed": 50.0,
    "located": 500.0,
    "approximate": 5000.0,
    "schematic": None,
    "unlocated": None,
}
#: Accuracy classes drawn and reported as not positionally reliable.
APPROXIMATE_ACCURACY: frozenset[str] = frozenset({"approximate", "schematic", "unlocated"})

# --------------------------------------------------------------------------- statuses

#: What a dated statement says happened to a feature (the extraction's event vocabulary).
EVENT_STATUSES: tuple[str, ...] = (
    "planned",
    "early_stage",
    "agreement",
    "construction_started",
    "under_construction",
    "milestone",
    "opened",
    "suspended",
)
#: Whether a statement reports a fact or a forecast/target.
MODALITIES: tuple[str, ...] = ("actual", "expected")
#: The state of a feature on a date.
FEATURE_STATUSES: tuple[str, ...] = ("planned", "under_construction", "open", "suspended", "unknown")
#: Event status -> the feature status it sets.
EVENT_TO_FEATURE_STATUS: dict[str, str] = {
    "planned": "planned",
    "early_stage": "planned",
    "agreement": "planned",
    "construction_started": "under_construction",
    "under_construction": "under_construction",
    "milestone": "under_construction",
    "opened": "open",
    "suspended": "suspended",
}
#: Progress order of the life-cycle statuses (higher = further along).
FEATURE_STATUS_RANK: dict[str, int] = {"planned": 1, "under_construction": 2, "open": 3}

# --------------------------------------------------------------------------- layers

#: The theme layers, in output order.
LAYER_NAMES: tuple[str, ...] = (
    "rail",
    "stations",
    "roads",
    "bridges",
    "bus",
    "water",
    "zones",
    "facilities",
    "admin",
)
#: Theme -> layer (stations and bridges have layers of their own, see ``geo.layers.layer_for``).
THEME_LAYER: dict[str, str] = {
    "rail": "rail",
    "road": "roads",
    "bus": "bus",
    "water": "water",
    "zone": "zones",
    "facility": "facilities",
    "admin": "admin",
}
#: The analysis layers ``geo build`` writes beside the theme layers.
ANALYSIS_LAYERS: tuple[str, ...] = (
    "access_origins",
    "access_hexes",
    "access_isochrones",
    "access_crossborder",
    "access_scenarios",
)
#: The analysis tables (``layers/tables/``).
TABLES: tuple[str, ...] = (
    "od_travel_times.csv",
    "hex_shares.csv",
    "crossborder_claims.csv",
    "scenarios.csv",
    "summary.json",
)
#: Properties every theme-layer feature carries, in this order.
PROPERTY_ORDER: tuple[str, ...] = (
    "id",
    "name_zh",
    "name_en",
    "kind",
    "theme",
    "accuracy",
    "geometry_source",
    "parent",
    "admin",
    "aliases",
    "scale",
    "cross_border",
    "road_class",
    "stops",
    "centre",
    "length_m",
    "area_km2",
    "status",
    "status_date",
    "status_source",
    "first_mentioned",
    "last_mentioned",
    "mention_count",
    "docs",
    "timeline",
    "claims",
    "provisional",
    "placement",
)
#: Properties whose values are lists or objects (JSON text in flat formats).
JSON_PROPERTIES: tuple[str, ...] = (
    "parent",
    "admin",
    "aliases",
    "stops",
    "centre",
    "docs",
    "timeline",
    "claims",
    "status_source",
    "placement",
)
#: Decimal places of written coordinates (1e-6 degree is about 0.1 m here).
COORD_DECIMALS = 6
#: Decimal places for the generated H3 grid (1e-5 degree, about 1 m: the cells are ~460 m wide).
GRID_DECIMALS = 5

# --------------------------------------------------------------------------- columns

_TIME_PREFIX = "t_"
_DELTA_PREFIX = "d_"
_SCENARIO_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class TimeColumn(NamedTuple):
    """A parsed travel-time column: mode chain and destination feature id."""

    chain: str
    destination: str


class DeltaColumn(NamedTuple):
    """A parsed scenario column: scenario id, mode chain and destination feature id."""

    scenario: str
    chain: str
    destination: str


def time_column(chain: str, destination: str) -> str:
    """Name of the column of travel times (minutes) by ``chain`` to ``destination``."""
    return f"{_TIME_PREFIX}{chain}_{destination}"


def delta_column(scenario: str, chain: str, destination: str) -> str:
    """Name of the column of a scenario's travel-time change (minutes, negative = faster).

    Scenario ids are lower-case words joined by hyphens (no underscores), so the
    column can be parsed back unambiguously.
    """
    if not _SCENARIO_ID.match(scenario):
        raise ValueError(f"scenario id {scenario!r}: use lower-case letters, digits and hyphens")
    return f"{_DELTA_PREFIX}{scenario}_{chain}_{destination}"


#: Feature ids: lower-case words joined by hyphens or dots (never underscores, so that
#: the column names above split unambiguously).
FEATURE_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")


def _split_chain(rest: str, chains: Iterable[str] | None) -> tuple[str, str] | None:
    if chains is None:  # feature ids have no underscore: the destination is the last part
        chain, sep, dest = rest.rpartition("_")
        return (chain, dest) if sep and chain and FEATURE_ID.match(dest) else None
    # the longest chain first: ``rail_walk`` before ``rail``
    for chain in sorted(chains, key=len, reverse=True):
        if rest.startswith(chain + "_") and len(rest) > len(chain) + 1:
            return chain, rest[len(chain) + 1 :]
    return None


def parse_time_column(column: str, chains: Iterable[str] | None = None) -> TimeColumn | None:
    """Parse a :func:`time_column` name; ``None`` if it is not one (for these chains, if given)."""
    if not isinstance(column, str) or not column.startswith(_TIME_PREFIX):
        return None
    split = _split_chain(column[len(_TIME_PREFIX) :], chains)
    return TimeColumn(*split) if split else None


def parse_delta_column(column: str, chains: Iterable[str] | None = None) -> DeltaColumn | None:
    """Parse a :func:`delta_column` name; ``None`` if it is not one (for these chains, if given)."""
    if not isinstance(column, str) or not column.startswith(_DELTA_PREFIX):
        return None
    scenario, sep, rest = column[len(_DELTA_PREFIX) :].partition("_")
    if not sep or not _SCENARIO_ID.match(scenario):
        return None
    split = _split_chain(rest, chains)
    return DeltaColumn(scenario, *split) if split else None


# --------------------------------------------------------------------------- values


def is_missing(value: Any) -> bool:
    """``True`` for ``None``, NaN (float or numpy) and pandas' missing scalars."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(math.isnan(value))
    if isinstance(value, (str, bytes, list, tuple, dict, set, np.ndarray)):
        return False
    try:
        import pandas as pd

        return bool(pd.isna(value)) if np.isscalar(value) or value is pd.NaT or value is pd.NA else False
    except (TypeError, ValueError):
        return False


def json_value(value: Any) -> Any:
    """A property value as plain JSON: ``None`` for missing and non-finite numbers,
    Python scalars for numpy ones, ISO text for dates, lists for tuples, arrays and sets
    (sets sorted), WKT for a shapely geometry and ``str()`` for anything else."""
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, set):
        return [json_value(v) for v in sorted(value, key=str)]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, (str, int)):
        return value
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # pandas.Timestamp
        return value.isoformat()
    try:
        import shapely

        if isinstance(value, shapely.Geometry):
            return shapely.to_wkt(value, rounding_precision=7)
    except ImportError:  # pragma: no cover - shapely is a dependency
        pass
    if isinstance(value, np.generic):
        return json_value(value.item())
    return str(value)


def decode_property(value: Any) -> Any:
    """A property as read back from a file: JSON text of a list/object decoded, numpy
    values made Python, missing values ``None``; anything else unchanged."""
    if isinstance(value, str):
        if value[:1] in "[{":
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def as_list(value: Any) -> list[Any]:
    """:func:`decode_property`, then a list: ``None`` -> ``[]``, a scalar -> ``[value]``."""
    value = decode_property(value)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


# --------------------------------------------------------------------------- appended: scale-out (issue 16)

_OPPORTUNITY_PREFIX = "o_"


class OpportunityColumn(NamedTuple):
    """A parsed cumulative-opportunity column: mode chain and threshold (minutes)."""

    chain: str
    threshold_min: float


def opportunity_column(chain: str, threshold_min: float) -> str:
    """Name of the column of cumulative opportunities (``o_<chain>_<minutes>``).

    The value is the count of H3 cells (or the weight sum: population, jobs …) reachable from
    the cell within ``threshold_min`` minutes by ``chain``, the cell itself included
    (:func:`geo.analysis.accessibility.cumulative_opportunities`). The ``access_hexes`` layer
    carries one per chain and threshold of the study.
    """
    th = float(threshold_min)
    return f"{_OPPORTUNITY_PREFIX}{chain}_{int(th) if th.is_integer() else th:g}"


def parse_opportunity_column(column: str) -> OpportunityColumn | None:
    """Parse an :func:`opportunity_column` name; ``None`` if it is not one."""
    if not isinstance(column, str) or not column.startswith(_OPPORTUNITY_PREFIX):
        return None
    chain, sep, th = column[len(_OPPORTUNITY_PREFIX) :].rpartition("_")
    if not sep or not chain:
        return None
    try:
        return OpportunityColumn(chain, float(th))
    except ValueError:
        return None


__all__ += ["OpportunityColumn", "opportunity_column", "parse_opportunity_column"]

#: Layers of generated grid cells, written compactly (:func:`geo.analysis.output.grid_layer_text`):
#: the feature ``id`` is the H3 cell id (no prefix), the properties are the ``h3`` cell id and
#: the value columns (:func:`time_column` minutes, :func:`opportunity_column` counts) with
#: missing values (unreachable) left out instead of written as ``null``; there is no ``id``
#: property. A reader gets NaN for a key a feature lacks (e.g.
#: :meth:`geopandas.GeoDataFrame.from_features`).
GRID_LAYERS: tuple[str, ...] = ("access_hexes",)

__all__ += ["GRID_LAYERS"]

#: Which line status a station without a dated history of its own takes: the last of these
#: that any of its lines has (the rule of :func:`geo.layers.build_layers`; the PostGIS
#: ``status_periods`` follow it too).
STATION_STATUS_INHERITANCE: tuple[str, ...] = ("planned", "under_construction", "suspended", "open")

__all__ += ["STATION_STATUS_INHERITANCE"]
#: Longest sentence (characters) the corpus reader gives (:attr:`geo.corpus.Document.sentences`):
#: a longer run without sentence punctuation is split at a comma, an enumeration mark or a
#: space near this length (at the length itself when there is none), so work and output that
#: quote sentences stay linear in the size of a document.
SENTENCE_MAX_CHARS = 1000


# --------------------------------------------------------------------------- scenario travel times
# (appended for the access map's "newly reachable" pairs: a delta alone cannot tell them apart)

_SIDE_PREFIX = {"before": "b_", "after": "a_"}


class ScenarioTimeColumn(NamedTuple):
    """A parsed scenario travel-time column: side (``before``/``after``), scenario, chain, destination."""

    side: str
    scenario: str
    chain: str
    destination: str


def scenario_time_column(side: str, scenario: str, chain: str, destination: str) -> str:
    """Name of the column of a scenario's travel time on one side, minutes.

    ``b_<scenario>_<chain>_<destination id>`` (``side='before'``) or ``a_…`` (``'after'``);
    missing = unreachable on that side. With :func:`delta_column` (after minus before) it
    tells a pair that becomes reachable (before missing, after present) from one that
    stays unreachable.
    """
    if side not in _SIDE_PREFIX:
        raise ValueError(f"side must be 'before' or 'after', not {side!r}")
    return _SIDE_PREFIX[side] + delta_column(scenario, chain, destination)[len(_DELTA_PREFIX) :]


def parse_scenario_time_column(column: str, chains: Iterable[str] | None = None) -> ScenarioTimeColumn | None:
    """Parse a :func:`scenario_time_column` name; ``None`` if it is not one."""
    if not isinstance(column, str):
        return None
    for side, prefix in _SIDE_PREFIX.items():
        if column.startswith(prefix):
            dc = parse_delta_column(_DELTA_PREFIX + column[len(prefix) :], chains)
            return ScenarioTimeColumn(side, *dc) if dc else None
    return None


# --------------------------------------------------------------------------- status basis (maps, issue 13)

#: ``status_source.basis`` of a road or bridge the layers give ``status: open`` because it
#: existed before the corpus (:func:`geo.layers.existing_before_source`): it has no timeline,
#: and the maps draw it open at every date.
EXISTING_BEFORE_BASIS = "existing_before"

__all__ += ["EXISTING_BEFORE_BASIS"]
