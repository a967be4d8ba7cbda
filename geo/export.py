"""Export map layers to GeoJSON, GeoPackage, GeoParquet, CSV and KML.

Input is the layer dictionary produced by :mod:`geo.layers`: layer name ->
:class:`geopandas.GeoDataFrame` in WGS84 (EPSG:4326), one row per feature with
the properties listed in the project contract, some of them list- or
dict-valued (``aliases``, ``admin``, ``parent``, ``docs``, ``timeline``,
``claims``, ...).

Every output is written atomically: all files of one export are first
written to temporary names in their target directories, read back and
validated (feature counts, CRS, and for GeoJSON the RFC 7946 rules), and only
then renamed over their targets with :func:`os.replace`. A failure at any
stage leaves existing files untouched; a write that fails (a full disk, a
file-size limit, a read-only folder) raises :class:`geo.errors.ExportError`
and leaves no temporary file behind.

Formats
-------
geojson
    RFC 7946: WGS84 lon/lat, at most 7 decimals (~1 cm), exterior rings
    counter-clockwise and holes clockwise, no ``crs`` member; nested
    properties stay native JSON. One FeatureCollection per layer: a single
    layer goes to ``path`` when it ends in ``.geojson``/``.json``, otherwise
    (and always for several layers) ``path`` is a directory receiving
    ``<layer>.geojson`` files. Each collection carries the foreign member
    ``"name": <layer>``.
gpkg
    One GeoPackage file, one table per layer, CRS recorded.
parquet
    GeoParquet, one file per layer (file/directory rule as for geojson), CRS
    recorded in the ``geo`` metadata.
csv
    One UTF-8 file per layer (file/directory rule as for geojson): property
    columns, then ``lon``/``lat`` (``x``/``y`` in a projected CRS) filled for
    point features only, then a ``wkt`` geometry column. Written with
    :func:`geo.io.csv_text`: a text cell starting with ``= + - @``, a tab or a
    carriage return gets a leading apostrophe so that no spreadsheet runs it
    as a formula (:func:`read_back` removes it again).
kml
    One KML file (LIBKML driver), one sub-Document per layer, WGS84 only. The
    feature ``id`` becomes the Placemark id and a ``name`` column (from
    ``name_zh`` when absent) the Placemark name. LIBKML wraps text in CDATA
    sections, so ``]]>`` in JSON text is written ``]]\\u003e`` (the same value)
    and plain text holding ``]]>`` is refused.

In every format except GeoJSON, list/dict-valued columns are stored as JSON
text; :func:`read_back` decodes them again.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo import crs as gcrs
from geo.errors import ExportError, ExportValidationError, UsageError
from geo.geojson import feature_collection_text, geometry_to_geojson
from geo.io import atomic_paths, csv_text, restore_csv_cell
from geo.schema import FEATURE_STATUSES, is_missing, json_value

logger = logging.getLogger(__name__)

__all__ = ["FORMATS", "GEOJSON_PRECISION", "export_layers", "read_back"]

#: Supported export formats.
FORMATS: tuple[str, ...] = ("geojson", "gpkg", "parquet", "csv", "kml")
#: Decimal places of GeoJSON coordinates (RFC 7946 recommends no more than ~7; 1e-7 deg ~ 1 cm).
GEOJSON_PRECISION: int = 7
# Decimal places of CSV WKT/x/y: degrees vs metres (mm).
_CSV_PRECISION_DEG = 7
_CSV_PRECISION_M = 3

_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "geojson": (".geojson", ".json"),
    "gpkg": (".gpkg",),
    "parquet": (".parquet",),
    "csv": (".csv",),
    "kml": (".kml",),
}
_MULTI_LAYER_FILE = {"gpkg", "kml"}  # formats holding all layers in one file
_GCJ02_FORMATS = {"geojson", "csv"}  # formats that can honestly label GCJ-02 coordinates
_LAYER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_NESTED_TYPES = (list, tuple, dict, set, np.ndarray)
_KML_BOILERPLATE = (
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
)
# Fixed GeoPackage timestamps so that identical input gives identical bytes.
_GPKG_FIXED_DATE = "2000-01-01T00:00:00.000Z"


# --------------------------------------------------------------------------- #
# public API
# --------------------------------------------------------------------------- #


def export_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike,
    *,
    fmt: str,
    layers_wanted: Sequence[str] | None = None,
    status: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    within: shapely.Geometry | None = None,
    crs: str | None = None,
    gcj02: bool = False,
) -> list[Path]:
    """Export layers to files, filtered, validated and written atomically.

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer name -> features in WGS84 (EPSG:4326; a frame without CRS is
        taken to be WGS84, another CRS is reprojected first). To export the
        state at a given date, build the layers for that date (``as_of``) in
        :mod:`geo.layers` and pass them here; this function does no temporal
        filtering.
    path : path-like
        Target file or directory. ``gpkg``/``kml``: a file (``layers.gpkg`` /
        ``layers.kml`` inside ``path`` when it is a directory or has no
        suffix). ``geojson``/``parquet``/``csv``: a file if exactly one layer is
        exported and ``path`` has the format's suffix, otherwise a directory
        (created if needed) receiving ``<layer><ext>``.
    fmt : {"geojson", "gpkg", "parquet", "csv", "kml"}
        Output format.
    layers_wanted : sequence of str, optional
        Layers to export, in this order (default: all, in mapping order).
    status : sequence of str, optional
        Keep only features whose ``status`` is one of these (values from
        :data:`geo.schema.FEATURE_STATUSES`; a missing/null status counts as ``"unknown"``).
    bbox : tuple of float, optional
        ``(west, south, east, north)`` in WGS84 degrees; keep features
        intersecting it.
    within : shapely geometry, optional
        WGS84 geometry; keep features intersecting it.
    crs : str, optional
        Output CRS (anything :class:`pyproj.CRS` accepts) for ``gpkg``,
        ``parquet`` and ``csv``. ``geojson`` and ``kml`` are WGS84 by
        definition and only accept a WGS84-equivalent value.
    gcj02 : bool, default False
        Write GCJ-02 (Amap/Tencent) coordinates instead of WGS84, for
        ``geojson`` and ``csv`` only. File names get a ``.gcj02`` infix
        (``roads.gcj02.geojson``) and GeoJSON gets the top-level member
        ``"coordinate_system": "GCJ-02"``.

    Returns
    -------
    list of pathlib.Path
        Written files, in layer order.

    Raises
    ------
    UsageError
        (a ValueError) Unknown format, layer or status value; invalid bbox or CRS; a
        non-WGS84 CRS with GeoJSON/KML; ``gcj02`` with an unsupported format or
        together with ``crs``; a file path given for several single-layer
        files.
    ExportValidationError
        An output failed its read-back validation (nothing is replaced then).
    ExportError
        The files could not be written (a full disk, a file-size limit, a read-only
        folder: nothing is replaced, no temporary file is left), or a KML export of a
        text value containing ``]]>`` (see :func:`_kml_safe`).
    TypeError
        If ``within`` is not a shapely geometry or a layer is not a
        GeoDataFrame.
    """
    fmt = _check_fmt(fmt)
    names = _select_layers(layers, layers_wanted)
    statuses = _check_status(status)
    bbox_geom = _check_bbox(bbox)
    if within is not None and not isinstance(within, shapely.Geometry):
        raise TypeError(f"within must be a shapely geometry, got {type(within).__name__}")
    out_crs = _check_crs(crs, fmt)
    if gcj02:
        if fmt not in _GCJ02_FORMATS:
            raise UsageError(
                f"gcj02 output is only supported for {sorted(_GCJ02_FORMATS)}: "
                f"GCJ-02 has no CRS definition that {fmt} could record"
            )
        if not _is_wgs84(out_crs):
            raise UsageError("gcj02=True cannot be combined with a non-WGS84 crs")

    frames: dict[str, gpd.GeoDataFrame] = {}
    for name in names:
        gdf = _prepare(layers[name], name=name, statuses=statuses, bbox_geom=bbox_geom, within=within)
        if gcj02:
            gdf = gcrs.convert_geometry(gdf, src="wgs84", dst="gcj02")
        elif not _is_wgs84(out_crs):
            gdf = gdf.to_crs(out_crs)
        gdf = gdf.set_geometry(shapely.orient_polygons(np.asarray(gdf.geometry.values), exterior_cw=False), crs=gdf.crs)
        frames[name] = gdf
        logger.info("export %s: layer %s, %d features", fmt, name, len(gdf))

    targets = _targets(Path(path), names, fmt=fmt, gcj02=gcj02)
    writer = _WRITERS[fmt]
    if fmt == "kml":
        frames = {name: _kml_safe(_flatten(gdf), layer=name) for name, gdf in frames.items()}
    try:
        with atomic_paths(targets) as staged:
            if fmt in _MULTI_LAYER_FILE:
                target = targets[0]
                writer(frames, staged[target], crs=out_crs)
                _validate_output(
                    staged[target], fmt=fmt, expected={n: len(frames[n]) for n in names}, crs=out_crs, gcj02=gcj02
                )
            else:
                for name, target in zip(names, targets, strict=True):
                    writer({name: frames[name]}, staged[target], crs=out_crs, gcj02=gcj02)
                for name, target in zip(names, targets, strict=True):
                    _validate_output(
                        staged[target], fmt=fmt, expected={name: len(frames[name])}, crs=out_crs, gcj02=gcj02
                    )
    except (OSError, RuntimeError) as exc:  # a full disk, a file-size limit, a read-only folder
        # (GDAL reports some write failures only as a file it cannot read back)
        where = ", ".join(str(t) for t in targets)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ExportError(
            f"could not write {where}: {reason} (is the disk full or the folder read-only?); nothing was replaced"
        ) from None
    logger.info("exported %d layer(s) to %s", len(names), ", ".join(str(t) for t in targets))
    return targets


def read_back(path: str | os.PathLike, *, crs: str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Read files written by :func:`export_layers` back into GeoDataFrames.

    Parameters
    ----------
    path : path-like
        A ``.geojson``/``.json``, ``.gpkg``, ``.parquet``, ``.csv`` or ``.kml``
        file, or a directory (every such file in it, sorted by name).
    crs : str, optional
        CRS of CSV files, which cannot record one (default WGS84, or none for
        ``.gcj02`` files).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Layer name -> features. JSON-text columns (a text column whose every
        non-null value parses as JSON, at least one as an array or object) are
        decoded to lists/dicts, so timelines survive the round trip. GCJ-02
        files get ``crs=None`` and ``attrs["coordinate_system"] == "GCJ-02"``.
        KML layers are 2D, the Placemark name is returned as ``name`` and
        LIBKML's styling fields are dropped.
    """
    path = Path(path)
    if path.is_dir():
        out: dict[str, gpd.GeoDataFrame] = {}
        for child in sorted(path.iterdir()):
            if child.is_file() and not child.name.startswith(".") and _fmt_of(child) is not None:
                out.update(read_back(child, crs=crs))
        return out
    fmt = _fmt_of(path)
    if fmt is None:
        raise UsageError(f"cannot tell the format of {path}; expected one of {_all_extensions()}")
    return _READERS[fmt](path, crs=crs)


# --------------------------------------------------------------------------- #
# argument checks and filtering
# --------------------------------------------------------------------------- #


def _check_fmt(fmt: str) -> str:
    key = str(fmt).lower().lstrip(".")
    key = {"json": "geojson", "geopackage": "gpkg", "geoparquet": "parquet"}.get(key, key)
    if key not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    return key


def _select_layers(layers: Mapping[str, gpd.GeoDataFrame], wanted: Sequence[str] | None) -> list[str]:
    if not layers:
        raise UsageError("no layers to export")
    valid = list(layers)
    if wanted is None:
        names = valid
    else:
        if isinstance(wanted, str):
            wanted = [wanted]
        unknown = [w for w in wanted if w not in layers]
        if unknown:
            raise UsageError(
                f"unknown layer(s) {', '.join(map(repr, unknown))}; valid layers: {', '.join(sorted(valid))}"
            )
        names = list(dict.fromkeys(wanted))
        if not names:
            raise UsageError("layers_wanted is empty")
    for name in names:
        if not _LAYER_NAME.match(name):
            raise UsageError(f"layer name {name!r} is not usable as a file/table name")
        if not isinstance(layers[name], gpd.GeoDataFrame):
            raise TypeError(f"layer {name!r} is a {type(layers[name]).__name__}, not a GeoDataFrame")
    return names


def _check_status(status: Sequence[str] | None) -> set[str] | None:
    if status is None:
        return None
    if isinstance(status, str):
        status = [status]
    bad = [s for s in status if s not in FEATURE_STATUSES]
    if bad:
        raise UsageError(f"unknown status value(s) {', '.join(map(repr, bad))}; valid: {', '.join(FEATURE_STATUSES)}")
    return set(status)


def _check_bbox(bbox: Sequence[float] | None) -> shapely.Geometry | None:
    if bbox is None:
        return None
    try:
        w, s, e, n = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise UsageError(f"bbox must be four numbers (west, south, east, north), got {bbox!r}") from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise UsageError(f"bbox values must be finite, got {bbox!r}")
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise UsageError(
            f"bbox must be (west, south, east, north) in WGS84 degrees with west<=east, south<=north; got {bbox!r}"
        )
    return shapely.box(w, s, e, n)


def _check_crs(crs: str | None, fmt: str) -> CRS:
    if crs is None:
        return CRS.from_user_input(gcrs.WGS84)
    try:
        out = CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError) as exc:
        raise UsageError(f"unknown or invalid CRS {crs!r}: {exc}") from None
    if fmt == "geojson" and not _is_wgs84(out):
        raise UsageError(f"GeoJSON is WGS84 lon/lat by definition (RFC 7946); cannot write CRS {crs!r}")
    if fmt == "kml" and not _is_wgs84(out):
        raise UsageError(f"KML is WGS84 lon/lat by definition; cannot write CRS {crs!r}")
    return out


def _is_wgs84(crs: CRS | None) -> bool:
    return crs is not None and crs.equals(CRS.from_user_input(gcrs.WGS84), ignore_axis_order=True)


def _prepare(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    statuses: set[str] | None,
    bbox_geom: shapely.Geometry | None,
    within: shapely.Geometry | None,
) -> gpd.GeoDataFrame:
    """Copy a layer, bring it to WGS84 and apply the row filters."""
    if gdf.crs is None:
        logger.warning("layer %s has no CRS; assuming WGS84 (EPSG:4326)", name)
        gdf = gdf.set_crs(gcrs.WGS84)
    elif not _is_wgs84(gdf.crs):
        gdf = gdf.to_crs(gcrs.WGS84)
    gdf = gdf.copy()
    keep = np.ones(len(gdf), dtype=bool)
    if statuses is not None:
        if "status" in gdf.columns:
            st = gdf["status"].where(gdf["status"].notna(), "unknown").astype(str)
        else:
            st = pd.Series("unknown", index=gdf.index)
        keep &= st.isin(statuses).to_numpy()
    geoms = np.asarray(gdf.geometry.values)
    for region in (bbox_geom, within):
        if region is not None:
            keep &= shapely.intersects(geoms, region) & ~shapely.is_missing(geoms)
    return gdf.loc[keep].reset_index(drop=True)


def _targets(path: Path, names: list[str], *, fmt: str, gcj02: bool) -> list[Path]:
    exts = _EXTENSIONS[fmt]
    suffix = path.suffix.lower()
    infix = ".gcj02" if gcj02 else ""
    if fmt in _MULTI_LAYER_FILE:
        if suffix in exts:
            return [_with_infix(path, infix)]
        if path.is_dir() or not path.suffix:
            return [path / f"layers{infix}{exts[0]}"]
        raise UsageError(f"{fmt} output path must end with {exts[0]} or be a directory, got {path}")
    if suffix in exts and not path.is_dir():
        if len(names) > 1:
            raise UsageError(
                f"{len(names)} layers give one {fmt} file each: pass a directory instead of {path} "
                "(or select a single layer: --layers NAME, or layers=[NAME] in Python)"
            )
        return [_with_infix(path, infix)]
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} exists and is not a directory")
    return [path / f"{name}{infix}{exts[0]}" for name in names]


def _with_infix(path: Path, infix: str) -> Path:
    if not infix or path.name.lower().endswith(infix + path.suffix.lower()):
        return path
    return path.with_name(f"{path.stem}{infix}{path.suffix}")


# --------------------------------------------------------------------------- #
# staging (atomic replace)
# --------------------------------------------------------------------------- #


@contextlib.contextmanager
def _gdal_config(**options: str) -> Iterator[None]:
    old = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(old)


# --------------------------------------------------------------------------- #
# value conversion
# --------------------------------------------------------------------------- #


def _json_text(value: Any) -> str:
    return json.dumps(json_value(value), ensure_ascii=False, allow_nan=False)


def _flatten(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make a frame writable by GDAL/Arrow: nested columns -> JSON text, dates -> ISO text."""
    out = gdf.copy()
    geom_col = out.geometry.name
    for col in out.columns:
        if col == geom_col or out[col].dtype != object:
            continue
        values = list(out[col])
        present = [v for v in values if isinstance(v, _NESTED_TYPES) or not is_missing(v)]
        if any(isinstance(v, _NESTED_TYPES) for v in present):
            conv = [None if (not isinstance(v, _NESTED_TYPES) and is_missing(v)) else _json_text(v) for v in values]
        elif present and all(isinstance(v, (pd.Timestamp, _dt.date)) for v in present):
            conv = [None if is_missing(v) else v.isoformat() for v in values]
        elif all(isinstance(v, str) for v in present):
            conv = [None if is_missing(v) else v for v in values]
        else:
            conv = [None if is_missing(v) else (v if isinstance(v, str) else _json_text(v)) for v in values]
        out[col] = pd.Series(conv, index=out.index, dtype=object)
    return out


def _decode_json_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Decode text columns that hold JSON arrays/objects (see :func:`read_back`)."""
    geom_col = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    for col in df.columns:
        if col == geom_col or df[col].dtype not in (object, "string"):
            continue
        values = list(df[col])
        present = [v for v in values if not is_missing(v)]
        if not present or not all(isinstance(v, str) for v in present):
            continue
        decoded: list[Any] = []
        nested = False
        try:
            for v in values:
                if is_missing(v):
                    decoded.append(None)
                    continue
                d = json.loads(v)
                nested = nested or isinstance(d, (list, dict))
                decoded.append(d)
        except (json.JSONDecodeError, TypeError):
            continue
        if nested:
            df[col] = pd.Series(decoded, index=df.index, dtype=object)
    return df


# --------------------------------------------------------------------------- #
# writers
# --------------------------------------------------------------------------- #


def _geojson_text(name: str, gdf: gpd.GeoDataFrame, *, gcj02: bool) -> str:
    geom_col = gdf.geometry.name
    prop_cols = [c for c in gdf.columns if c != geom_col]
    members: dict[str, Any] = {"name": name}
    if gcj02:
        members["coordinate_system"] = "GCJ-02"
    records = gdf[prop_cols].to_dict(orient="records") if prop_cols else [{} for _ in range(len(gdf))]
    features = []
    for geom, props in zip(gdf.geometry.values, records, strict=True):
        feature: dict[str, Any] = {"type": "Feature"}
        fid = json_value(props.get("id"))
        if isinstance(fid, (str, int)):
            feature["id"] = fid
        feature["geometry"] = geometry_to_geojson(geom, GEOJSON_PRECISION)
        feature["properties"] = {str(k): json_value(v) for k, v in props.items()}
        features.append(feature)
    return feature_collection_text(features, members=members)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _write_geojson(frames: dict[str, gpd.GeoDataFrame], path: Path, *, crs: CRS, gcj02: bool) -> None:
    ((name, gdf),) = frames.items()
    _write_text(path, _geojson_text(name, gdf, gcj02=gcj02))


def _write_gpkg(frames: dict[str, gpd.GeoDataFrame], path: Path, *, crs: CRS) -> None:
    with _gdal_config(OGR_CURRENT_DATE=_GPKG_FIXED_DATE):
        for i, (name, gdf) in enumerate(frames.items()):
            flat = _flatten(gdf)
            kwargs: dict[str, Any] = {}
            if len(flat) == 0:
                kwargs["geometry_type"] = "Unknown"
            pyogrio.write_dataframe(
                flat, path, layer=name, driver="GPKG", append=i > 0, promote_to_multi=False, **kwargs
            )


def _write_parquet(frames: dict[str, gpd.GeoDataFrame], path: Path, *, crs: CRS, gcj02: bool) -> None:
    ((_, gdf),) = frames.items()
    _flatten(gdf).to_parquet(path, index=False)


def _write_csv(frames: dict[str, gpd.GeoDataFrame], path: Path, *, crs: CRS, gcj02: bool) -> None:
    ((_, gdf),) = frames.items()
    geographic = crs.is_geographic
    ndigits = _CSV_PRECISION_DEG if geographic else _CSV_PRECISION_M
    xcol, ycol = ("lon", "lat") if geographic else ("x", "y")
    flat = _flatten(gdf)
    geoms = np.asarray(flat.geometry.values)
    df = pd.DataFrame(flat.drop(columns=flat.geometry.name))
    is_point = shapely.get_type_id(geoms) == 0  # Point (missing -> -1)
    is_point &= ~shapely.is_empty(geoms)
    xs = np.full(len(df), np.nan)
    ys = np.full(len(df), np.nan)
    if is_point.any():
        xs[is_point] = np.round(shapely.get_x(geoms[is_point]), ndigits)
        ys[is_point] = np.round(shapely.get_y(geoms[is_point]), ndigits)
    df[xcol] = xs
    df[ycol] = ys
    df["wkt"] = [None if g is None else shapely.to_wkt(g, rounding_precision=ndigits, trim=True) for g in geoms]
    _write_text(path, csv_text(df))  # formula-like text cells neutralised


def _write_kml(frames: dict[str, gpd.GeoDataFrame], path: Path, *, crs: CRS) -> None:
    for i, (name, gdf) in enumerate(frames.items()):
        flat = _flatten(gdf)
        if "name" not in flat.columns and "name_zh" in flat.columns:
            flat.insert(0, "name", flat["name_zh"])
        kwargs: dict[str, Any] = {}
        if len(flat) == 0:
            kwargs["geometry_type"] = "Unknown"
        pyogrio.write_dataframe(flat, path, layer=name, driver="LIBKML", append=i > 0, **kwargs)


def _kml_safe(gdf: gpd.GeoDataFrame, *, layer: str) -> gpd.GeoDataFrame:
    """Make text values safe for LIBKML, which wraps text holding ``<``, ``>`` or ``&`` in
    a CDATA section without splitting a ``]]>`` inside it (the file would not be XML).

    In JSON text (nested values: timelines, claims, quotes) ``>`` after ``]]`` is written
    as the JSON escape ``\\u003e``, which decodes to the same value. Plain text holding
    ``]]>`` cannot be written faithfully and is refused with :class:`ExportError` naming
    the layer, feature and column.
    """
    out = gdf.copy()
    geom_col = out.geometry.name
    for col in out.columns:
        if col == geom_col:
            continue
        values = list(out[col])
        if not any(isinstance(v, str) and "]]>" in v for v in values):
            continue
        fixed: list[Any] = []
        for i, v in enumerate(values):
            if isinstance(v, str) and "]]>" in v:
                if v[:1] not in "[{" or not _is_json(v):
                    fid = out["id"].iloc[i] if "id" in out.columns else i
                    raise ExportError(
                        f"layer {layer}, feature {fid}, column {col}: the text contains ']]>', which KML "
                        "(LIBKML's CDATA sections) cannot hold; export it as GeoJSON, GeoPackage, GeoParquet or CSV"
                    )
                v = v.replace("]]>", "]]\\u003e")  # ">" occurs in JSON text only inside strings
            fixed.append(v)
        out[col] = pd.Series(fixed, index=out.index, dtype=object)
    return out


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


_WRITERS: dict[str, Callable[..., None]] = {
    "geojson": _write_geojson,
    "gpkg": _write_gpkg,
    "parquet": _write_parquet,
    "csv": _write_csv,
    "kml": _write_kml,
}


# --------------------------------------------------------------------------- #
# validation
# --------------------------------------------------------------------------- #


def _validate_output(path: Path, *, fmt: str, expected: dict[str, int], crs: CRS, gcj02: bool) -> None:
    """Read a freshly written (temporary) file back and check it.

    Checks the feature count of every layer and the recorded CRS (gpkg,
    parquet); for GeoJSON also the RFC 7946 rules (see
    :func:`_check_rfc7946`). Raises :class:`ExportValidationError`.
    """
    if fmt == "geojson":
        ((name, count),) = expected.items()
        _check_rfc7946(path, expected_count=count, gcj02=gcj02)
        counts = {name: pyogrio.read_info(path, force_feature_count=True)["features"]}
    elif fmt == "parquet":
        ((name, _),) = expected.items()
        back = gpd.read_parquet(path)
        counts = {name: len(back)}
        _check_crs_equal(path, back.crs, crs)
    elif fmt == "csv":
        ((name, _),) = expected.items()
        back = pyogrio.read_dataframe(path, GEOM_POSSIBLE_NAMES="wkt", KEEP_GEOM_COLUMNS="NO")
        counts = {name: len(back)}
        n_geoms = int((~shapely.is_missing(np.asarray(back.geometry.values))).sum())
        raw = pd.read_csv(path, usecols=["wkt"], dtype=str, keep_default_na=False)
        n_wkt = int((raw["wkt"] != "").sum())
        if n_geoms != n_wkt:
            raise ExportValidationError(f"{path}: {n_geoms} of {n_wkt} WKT geometries parse")
    else:  # gpkg, kml: several layers in one file
        present = {str(row[0]) for row in pyogrio.list_layers(path)}
        missing = set(expected) - present
        if missing:
            raise ExportValidationError(f"{path}: layer(s) {sorted(missing)} missing after writing")
        counts = {}
        for name in expected:
            info = pyogrio.read_info(path, layer=name, force_feature_count=True)
            counts[name] = info["features"]
            if fmt == "gpkg":
                _check_crs_equal(path, info["crs"], crs)
    for name, count in expected.items():
        if counts.get(name) != count:
            raise ExportValidationError(f"{path}: layer {name} has {counts.get(name)} features, expected {count}")


def _check_crs_equal(path: Path, got: Any, want: CRS) -> None:
    if got is None or not CRS.from_user_input(got).equals(want, ignore_axis_order=True):
        raise ExportValidationError(f"{path}: CRS {got!r} read back, expected {want.to_string()}")


def _check_rfc7946(path: Path, *, expected_count: int, gcj02: bool) -> None:
    """RFC 7946 checks: no ``crs``, lon/lat ranges, <= 7 decimals, ring winding."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    if doc.get("type") != "FeatureCollection":
        raise ExportValidationError(f"{path}: not a FeatureCollection")
    if "crs" in doc:
        raise ExportValidationError(f"{path}: RFC 7946 forbids the 'crs' member")
    if gcj02 != (doc.get("coordinate_system") == "GCJ-02"):
        raise ExportValidationError(f"{path}: coordinate_system member does not match gcj02={gcj02}")
    features = doc.get("features")
    if not isinstance(features, list) or len(features) != expected_count:
        raise ExportValidationError(f"{path}: {len(features or [])} features, expected {expected_count}")
    scale = 10**GEOJSON_PRECISION
    for i, feat in enumerate(features):
        if "crs" in feat:
            raise ExportValidationError(f"{path}: feature {i} has a 'crs' member")
        geom = feat.get("geometry")
        if geom is None:
            continue
        coords = shapely.get_coordinates(shapely.geometry.shape(geom))
        if len(coords):
            lon, lat = coords[:, 0], coords[:, 1]
            if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
                raise ExportValidationError(f"{path}: feature {i} has coordinates outside lon/lat range")
            flat = coords.ravel()
            if not np.array_equal(np.round(flat * scale) / scale, flat):
                raise ExportValidationError(f"{path}: feature {i} has more than {GEOJSON_PRECISION} decimals")
        _check_winding(shapely.geometry.shape(geom), where=f"{path}: feature {i}")


def _check_winding(geom: shapely.Geometry, *, where: str) -> None:
    if isinstance(geom, shapely.Polygon):
        polys = [geom]
    elif isinstance(geom, (shapely.MultiPolygon, shapely.GeometryCollection)):
        for part in geom.geoms:
            _check_winding(part, where=where)
        return
    else:
        return
    for poly in polys:
        if poly.is_empty:
            continue
        if not poly.exterior.is_ccw:
            raise ExportValidationError(f"{where}: exterior ring is not counter-clockwise (RFC 7946)")
        if any(ring.is_ccw for ring in poly.interiors):
            raise ExportValidationError(f"{where}: interior ring is not clockwise (RFC 7946)")


# --------------------------------------------------------------------------- #
# readers
# --------------------------------------------------------------------------- #


def _all_extensions() -> list[str]:
    return [e for exts in _EXTENSIONS.values() for e in exts]


def _fmt_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    for fmt, exts in _EXTENSIONS.items():
        if suffix in exts:
            return fmt
    return None


def _layer_name_from(path: Path) -> str:
    stem = path.stem
    return stem[: -len(".gcj02")] if stem.lower().endswith(".gcj02") else stem


def _read_geojson(path: Path, *, crs: str | None) -> dict[str, gpd.GeoDataFrame]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    rows = []
    geoms = []
    for feat in doc.get("features", []):
        props = dict(feat.get("properties") or {})
        if "id" in feat and "id" not in props:
            props = {"id": feat["id"], **props}
        rows.append(props)
        geom = feat.get("geometry")
        geoms.append(None if geom is None else shapely.geometry.shape(geom))
    is_gcj = doc.get("coordinate_system") == "GCJ-02"
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms), crs=None if is_gcj else gcrs.WGS84)
    if is_gcj:
        gdf.attrs["coordinate_system"] = "GCJ-02"
    name = doc.get("name") if isinstance(doc.get("name"), str) else _layer_name_from(path)
    return {name: gdf}


def _read_gpkg(path: Path, *, crs: str | None) -> dict[str, gpd.GeoDataFrame]:
    out = {}
    for name, _ in pyogrio.list_layers(path):
        out[str(name)] = _decode_json_columns(pyogrio.read_dataframe(path, layer=str(name)))
    return out


def _read_parquet(path: Path, *, crs: str | None) -> dict[str, gpd.GeoDataFrame]:
    return {_layer_name_from(path): _decode_json_columns(gpd.read_parquet(path))}


def _read_csv(path: Path, *, crs: str | None) -> dict[str, gpd.GeoDataFrame]:
    df = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"wkt": str})
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype):
            df.isetitem(i, col.map(restore_csv_cell, na_action="ignore"))
    wkt = df.pop("wkt") if "wkt" in df.columns else pd.Series([None] * len(df))
    for col in ("lon", "lat", "x", "y"):
        df.pop(col) if col in df.columns else None
    geoms = shapely.from_wkt(np.asarray(wkt.where(wkt.notna(), None), dtype=object))
    is_gcj = ".gcj02" in path.name.lower()
    out_crs = crs if crs is not None else (None if is_gcj else gcrs.WGS84)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index), crs=out_crs)
    if is_gcj:
        gdf.attrs["coordinate_system"] = "GCJ-02"
    return {_layer_name_from(path): _decode_json_columns(gdf)}


def _read_kml(path: Path, *, crs: str | None) -> dict[str, gpd.GeoDataFrame]:
    out = {}
    for name, _ in pyogrio.list_layers(path):
        gdf = pyogrio.read_dataframe(path, layer=str(name))
        drop = [c for c in _KML_BOILERPLATE if c in gdf.columns]
        if "description" in gdf.columns and gdf["description"].isna().all():
            drop.append("description")
        gdf = gdf.drop(columns=drop)
        if "Name" in gdf.columns and "name" not in gdf.columns:
            gdf = gdf.rename(columns={"Name": "name"})
        gdf = gdf.set_geometry(shapely.force_2d(np.asarray(gdf.geometry.values)), crs=gdf.crs)
        out[str(name)] = _decode_json_columns(gdf)
    return out


_READERS: dict[str, Callable[..., dict[str, gpd.GeoDataFrame]]] = {
    "geojson": _read_geojson,
    "gpkg": _read_gpkg,
    "parquet": _read_parquet,
    "csv": _read_csv,
    "kml": _read_kml,
}
