"""The study configuration: area, focus counties, origins, destinations, scenarios, map defaults.

One source, ``geo/data/study.yaml`` (package data), used by the analyses, the maps
and the command line. A user studying another corridor passes their own file
(``--study FILE`` on the command line, :func:`load_study` in Python); the code holds
no study defaults of its own. The modelling assumptions (speeds, waits, access
rules) are a separate file, ``assumptions.yaml`` (see :mod:`geo.network.policy`).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import ConfigError, YAMLError
from geo.io import load_yaml, package_text

__all__ = ["Scenario", "Study", "default_study", "load_study", "use_study"]

_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Scenario:
    """A scenario ``geo build`` runs: the network ``before`` vs ``after``.

    ``before``/``after`` are as-of dates (``YYYY[-MM[-DD]]``), ``latest`` (the corpus's
    latest date) or ``expected:DATE`` (forecast openings up to DATE counted).
    """

    id: str
    description: str
    before: str
    after: str


@dataclass(frozen=True)
class Study:
    """A study configuration (see ``geo/data/study.yaml`` for the meaning of each field).

    Attributes
    ----------
    name : str
    bbox : tuple of float
        Study area (west, south, east, north), WGS84 degrees.
    focus_counties : tuple of str
        Admin feature ids whose area the accessibility grid covers.
    origins, destinations : dict of str to str
        Label -> feature id.
    resolution : int
        H3 resolution of the accessibility grid.
    chains : tuple of str
        Mode chains computed by default.
    thresholds_min : tuple of int
        Thresholds of the accessibility shares and isochrones (minutes).
    scenarios : tuple of Scenario
    fallback_view : tuple of float
        Map view (west, south, east, north) when a map has no data extent.
    access_destination, access_mode : str
        What the access map shows on load.
    source : str
        Where the configuration was read from.
    """

    name: str
    bbox: tuple[float, float, float, float]
    focus_counties: tuple[str, ...]
    origins: dict[str, str]
    destinations: dict[str, str]
    resolution: int
    chains: tuple[str, ...]
    thresholds_min: tuple[int, ...]
    scenarios: tuple[Scenario, ...]
    fallback_view: tuple[float, float, float, float]
    access_destination: str
    access_mode: str
    source: str


def _bbox(value: Any, where: str, key: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be [west, south, east, north] in degrees") from None
    if not all(math.isfinite(v) for v in (w, s, e, n)) or not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ConfigError(f"{where}: {key} {value!r} is not a box (west < east, south < north, in degrees)")
    return (w, s, e, n)


def _names(value: Any, where: str, key: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"{where}: {key} must be a non-empty mapping label -> feature id")
    return {str(k): str(v) for k, v in value.items()}


def _parse(data: Any, where: str) -> Study:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: a study configuration must be a YAML mapping")
    try:
        access = data.get("access") or {}
        maps = data.get("maps") or {}
        scen = []
        for i, s in enumerate(data.get("scenarios") or []):
            if not isinstance(s, Mapping) or not {"id", "before", "after"} <= set(s):
                raise ConfigError(f"{where}: scenarios[{i}] needs id, before and after")
            scen.append(Scenario(str(s["id"]), str(s.get("description", s["id"])), str(s["before"]), str(s["after"])))
        focus = tuple(str(c) for c in data.get("focus_counties") or [])
        if not focus:
            raise ConfigError(f"{where}: focus_counties must list at least one admin feature id")
        study = Study(
            name=str(data.get("name", "study")),
            bbox=_bbox(data.get("bbox"), where, "bbox"),
            focus_counties=focus,
            origins=_names(data.get("origins"), where, "origins"),
            destinations=_names(data.get("destinations"), where, "destinations"),
            resolution=int(access.get("resolution", 8)),
            chains=tuple(str(c) for c in access.get("chains", ("rail", "bus", "car"))),
            thresholds_min=tuple(int(t) for t in access.get("thresholds_min", (30, 45, 60))),
            scenarios=tuple(scen),
            fallback_view=_bbox(maps.get("fallback_view", data.get("bbox")), where, "maps.fallback_view"),
            access_destination=str(maps.get("access_destination", next(iter(data["destinations"].values())))),
            access_mode=str(maps.get("access_mode", "car")),
            source=where,
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{where}: {exc}") from None
    if not 0 <= study.resolution <= 15:
        raise ConfigError(f"{where}: access.resolution must be an H3 resolution 0-15")
    if study.access_destination not in study.destinations.values():
        raise ConfigError(f"{where}: maps.access_destination {study.access_destination!r} is not a destination")
    return study


_ACTIVE: list[Study] = []


def use_study(study: Study | str | os.PathLike[str] | None) -> Study:
    """Make ``study`` (a :class:`Study` or a YAML path) the default of every stage.

    The command line's ``--study FILE`` calls this; ``None`` goes back to the package's
    configuration. Returns the study now in use.
    """
    _ACTIVE.clear()
    if study is not None:
        _ACTIVE.append(study if isinstance(study, Study) else load_study(study))
    return default_study()


def default_study() -> Study:
    """The study in use: the one given to :func:`use_study`, else ``geo/data/study.yaml``."""
    return _ACTIVE[0] if _ACTIVE else _package_study()


@functools.lru_cache(maxsize=1)
def _package_study() -> Study:
    return _parse(
        load_yaml(package_text("study.yaml"), where="geo/data/study.yaml", max_bytes=_MAX_BYTES), "geo/data/study.yaml"
    )


def load_study(path: str | os.PathLike[str] | None = None) -> Study:
    """Read a study configuration.

    Parameters
    ----------
    path : path-like, optional
        A YAML file with the fields of ``geo/data/study.yaml``; ``None`` gives
        :func:`default_study`.

    Raises
    ------
    ConfigError
        The file is missing, not YAML, or a field is malformed.
    """
    if path is None:
        return default_study()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the study configuration ({exc})") from None
    try:
        data = load_yaml(text, where=str(p), max_bytes=_MAX_BYTES)
    except YAMLError as exc:
        raise ConfigError(str(exc)) from None
    return _parse(data, str(p))
