"""Validation of the gazetteer (``geo check``).

Rules, each reported with the record id and the rule name:

``feature-id``
    Every id matches :data:`geo.schema.FEATURE_ID` (lower-case letters and digits joined
    by hyphens or dots; :func:`geo.gazetteer.load_gazetteer` refuses other ids, this rule
    catches them in a gazetteer built in Python).
``valid-geometry``
    Every geometry is valid (OGC) and non-empty.
``study-area``
    Every geometry lies inside the study area (``bbox`` of the study configuration,
    :func:`geo.config.default_study`); features of ``scale: regional`` need only
    intersect it.
``station-on-line``
    Every station lies within 300 m of each line it names as ``parent``.
``line-stops``
    Every id in a line's ``stops`` exists and is a station within 300 m of the line.
``bridge-crosses-river``
    Every bridge crosses (intersects) the river it names as ``parent``.
``crosses-boundary``
    Every road, rail or bus feature marked ``cross_border`` crosses the Beijing
    provincial boundary.
``osm-station-50m``
    A station whose name is also an OSM station in the reference file lies within
    50 m of that OSM node.
``references``
    ``parent`` and ``stops`` name existing features.
``unique-names``
    No name or alias resolves to two features.
``known-events``
    Every ``known_events`` entry is a mapping with a known status, a calendar date, a
    precision no finer than the date and a source (:func:`geo.gazetteer.known_event_problems`;
    :func:`geo.gazetteer.load_gazetteer` refuses other entries, this rule catches them in a
    gazetteer built in Python).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import box, shape

from geo.config import default_study
from geo.crs import to_metric
from geo.errors import GazetteerError
from geo.gazetteer import Gazetteer, known_event_problems
from geo.io import package_text
from geo.schema import FEATURE_ID

logger = logging.getLogger(__name__)

__all__ = ["OSM_STATION_TOLERANCE_M", "STATION_LINE_TOLERANCE_M", "Problem", "check_gazetteer"]

#: Largest distance (m) of a station from each line it names as parent, and of a line's stops.
STATION_LINE_TOLERANCE_M = 300.0
#: Largest distance (m) of a station from the OSM station node of the same name.
OSM_STATION_TOLERANCE_M = 50.0
_LINE_KINDS = {"metro_line", "rail_line", "bus_line"}


@dataclass(frozen=True)
class Problem:
    """One broken rule: the record, the rule and what is wrong."""

    feature_id: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.feature_id}: [{self.rule}] {self.message}"


def _reference(name: str) -> dict:
    return json.loads(package_text("reference", name))


def _beijing_boundary() -> Any:
    fc = _reference("boundaries.geojson")
    for f in fc["features"]:
        if f["properties"].get("level") == "province" and int(f["properties"]["adcode"]) == 110000:
            return shape(f["geometry"]).boundary
    raise GazetteerError("reference/boundaries.geojson has no Beijing outline")


def _osm_stations() -> dict[str, list]:
    out: dict[str, list] = {}
    for f in _reference("osm_stations.geojson")["features"]:
        out.setdefault(f["properties"]["name"], []).append(shape(f["geometry"]))
    return out


def _dist_m(a: Any, b: Any) -> float:
    return float(shapely.distance(to_metric(a), to_metric(b)))


def check_gazetteer(gaz: Gazetteer, *, study_area: tuple[float, float, float, float] | None = None) -> list[Problem]:
    """Check every rule on every record.

    Parameters
    ----------
    gaz : Gazetteer
    study_area : (west, south, east, north), optional
        WGS84 degrees; default the study configuration's ``bbox``
        (:func:`geo.config.default_study`).

    Returns
    -------
    list of Problem
        Empty when the gazetteer is sound. Distances are measured in EPSG:4548.
    """
    problems: list[Problem] = []
    bbox = study_area if study_area is not None else default_study().bbox
    area = box(*bbox)
    boundary = _beijing_boundary()
    osm = _osm_stations()
    for name, ids in sorted(gaz.ambiguous_names().items()):
        problems.append(Problem(ids[0], "unique-names", f"name {name!r} resolves to {', '.join(ids)}"))
    for fid in sorted(gaz):
        f = gaz[fid]
        if not FEATURE_ID.match(fid):
            problems.append(
                Problem(fid, "feature-id", "id must be lower-case letters and digits joined by hyphens or dots")
            )
        for i, event in enumerate(f.known_events):
            for message in known_event_problems(event):
                problems.append(Problem(fid, "known-events", f"known_events #{i + 1} {message}"))
        g = f.geometry
        if g is None or g.is_empty:
            problems.append(Problem(fid, "valid-geometry", "geometry is empty"))
            continue
        if not g.is_valid:
            problems.append(Problem(fid, "valid-geometry", f"invalid geometry: {shapely.is_valid_reason(g)}"))
        if f.scale == "regional":
            if not g.intersects(area):
                problems.append(Problem(fid, "study-area", "regional feature does not touch the study area"))
        elif not area.contains(g):
            problems.append(Problem(fid, "study-area", f"geometry leaves the study area {bbox}"))
        for ref in (*f.parent, *f.stops):
            if ref not in gaz:
                problems.append(Problem(fid, "references", f"names unknown feature {ref!r}"))
        if f.kind == "station":
            for pid in f.parent:
                p = gaz.get(pid)
                if p is not None and p.kind in _LINE_KINDS:
                    d = _dist_m(g, p.geometry)
                    if d > STATION_LINE_TOLERANCE_M:
                        problems.append(
                            Problem(
                                fid,
                                "station-on-line",
                                f"station is {d:.0f} m from its line {pid} (limit {STATION_LINE_TOLERANCE_M:.0f} m)",
                            )
                        )
            for name in (f.name_zh, *f.aliases):
                key = name[:-1] if name.endswith("站") else name
                if key in osm:
                    d = min(_dist_m(g, pt) for pt in osm[key])
                    if d > OSM_STATION_TOLERANCE_M:
                        problems.append(
                            Problem(
                                fid,
                                "osm-station-50m",
                                f"station is {d:.0f} m from OSM station {key!r} (limit {OSM_STATION_TOLERANCE_M:.0f} m)",
                            )
                        )
                    break
        if f.kind in _LINE_KINDS:
            for sid in f.stops:
                s = gaz.get(sid)
                if s is None:
                    continue
                d = _dist_m(s.geometry, g)
                if d > STATION_LINE_TOLERANCE_M:
                    problems.append(Problem(fid, "line-stops", f"stop {sid} is {d:.0f} m from the line"))
        if f.kind == "bridge":
            rivers = [gaz[p] for p in f.parent if p in gaz and gaz[p].theme == "water"]
            if not rivers:
                problems.append(Problem(fid, "bridge-crosses-river", "bridge names no river as parent"))
            for r in rivers:
                if not g.intersects(r.geometry):
                    d = _dist_m(g, r.geometry)
                    problems.append(
                        Problem(
                            fid, "bridge-crosses-river", f"bridge does not cross its river {r.id} ({d:.0f} m apart)"
                        )
                    )
        crosses = f.cross_border and f.theme in ("road", "rail", "bus") and f.kind != "station"
        if crosses and not g.intersects(boundary):
            problems.append(
                Problem(fid, "crosses-boundary", "marked cross_border but does not cross the Beijing boundary")
            )
    return problems
