"""GeoJSON text, written one way everywhere (layers, exports, reference data, maps).

RFC 7946: WGS84 lon/lat, polygon exterior rings counter-clockwise (right-hand rule),
no ``crs`` member. Output is deterministic: the same features give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import shapely
from shapely.geometry import mapping

__all__ = ["dumps", "feature_collection_text", "geometry_to_geojson", "round_coords"]


def dumps(obj: Any, *, sort_keys: bool = False) -> str:
    """Compact JSON text (UTF-8 characters kept, no NaN/Infinity)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=sort_keys)


def round_coords(coords: Any, decimals: int, *, dims: int | None = None) -> Any:
    """Round nested coordinate sequences to ``decimals`` (lists out, ``-0.0`` -> ``0.0``).

    Parameters
    ----------
    coords : nested sequence of numbers
        GeoJSON ``coordinates`` (degrees).
    decimals : int
        Decimal places (6 is about 0.1 m at this latitude).
    dims : int, optional
        Keep only the first ``dims`` values of each position (2 drops Z).
    """
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            pos = coords if dims is None else coords[:dims]
            return [round(float(v), decimals) + 0.0 for v in pos]
        return [round_coords(c, decimals, dims=dims) for c in coords]
    return coords


def geometry_to_geojson(
    geom: Any, decimals: int, *, dims: int | None = None, orient: bool = True
) -> dict[str, Any] | None:
    """A shapely geometry as an RFC 7946 geometry dict (``None`` for a missing or empty one).

    Coordinates are rounded with :func:`round_coords`. With ``orient`` (the default)
    polygon rings follow the right-hand rule; ``orient=False`` keeps the rings as they
    are (for drawing, where orientation does not matter).
    """
    if geom is None or shapely.is_missing(geom) or geom.is_empty:
        return None
    if orient and geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    if geom.geom_type == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [geometry_to_geojson(g, decimals, dims=dims) for g in geom.geoms],
        }
    g = mapping(geom)
    return {"type": g["type"], "coordinates": round_coords(g["coordinates"], decimals, dims=dims)}


def feature_collection_text(
    features: Iterable[Mapping[str, Any]], *, members: Mapping[str, Any] | None = None, sort_keys: bool = False
) -> str:
    """A FeatureCollection as text, one feature per line, ending in a newline.

    Parameters
    ----------
    features : iterable of dict
        GeoJSON Feature dicts, already in their final order and JSON-clean.
    members : dict, optional
        Top-level members after ``type`` (e.g. ``name``, ``attribution``).
    sort_keys : bool
        Sort object keys (the header's too).
    """
    head = dumps({"type": "FeatureCollection", **(members or {})}, sort_keys=sort_keys)[:-1]
    lines = [dumps(f, sort_keys=sort_keys) for f in features]
    if not lines:
        return head + ',"features":[]}\n'
    return head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
