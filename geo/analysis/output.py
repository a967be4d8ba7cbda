"""Rounding of the analyses' written outputs (JSON summaries, CSV tables, layer columns).

Values become plain JSON first (:func:`geo.schema.json_value`: missing and non-finite
numbers are ``None``); this module only adds the rounding that is part of the output.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.schema import json_value

__all__ = ["grid_layer_text", "rounded"]


def _round_json(value: Any, ndigits: int) -> Any:
    if isinstance(value, float):
        return round(value, ndigits)
    if isinstance(value, dict):
        return {k: _round_json(v, ndigits) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_json(v, ndigits) for v in value]
    return value


def rounded(value: Any, ndigits: int) -> Any:
    """A value as written: JSON with its floats rounded, or a frame with its float columns rounded.

    Parameters
    ----------
    value : pandas.DataFrame (or GeoDataFrame), or any value
        A frame: a copy whose float columns are rounded (:meth:`pandas.Series.round`; other
        columns unchanged). Anything else: :func:`geo.schema.json_value` of it (``None`` for
        missing and non-finite numbers), every float rounded (:func:`round`).
    ndigits : int
        Decimal places.

    Returns
    -------
    pandas.DataFrame or JSON value
    """
    if isinstance(value, pd.DataFrame):
        out = value.copy()
        for col in out.columns:
            if pd.api.types.is_float_dtype(out[col]):
                out[col] = out[col].round(ndigits)
        return out
    return _round_json(json_value(value), ndigits)


def grid_layer_text(gdf: Any, *, name: str, decimals: int) -> str:
    """A grid layer (:data:`geo.schema.GRID_LAYERS`) as compact RFC 7946 GeoJSON text.

    Feature ``id`` = the H3 cell id (the ``h3`` column), properties = ``h3`` and every other
    column except ``id`` and the geometry, with missing values (``None``/NaN: unreachable)
    left out rather than written as ``null``. Features sorted by cell id, one per line;
    polygons oriented by the right-hand rule; coordinates rounded to ``decimals``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        WGS84 cells with an ``h3`` column.
    name : str
        Layer name (the collection's ``name`` member).
    decimals : int
        Coordinate decimals (:data:`geo.schema.GRID_DECIMALS`).
    """
    from geo.geojson import feature_collection_text, geometry_to_geojson

    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    cols = [c for c in gdf.columns if c not in ("id", "geometry", gdf.geometry.name)]
    records = gdf[cols].to_dict("records")
    feats = []
    for props, geom in sorted(zip(records, gdf.geometry, strict=True), key=lambda r: str(r[0]["h3"])):
        clean = {str(k): json_value(v) for k, v in props.items()}
        clean = {k: v for k, v in clean.items() if v is not None}
        feats.append(
            {
                "type": "Feature",
                "id": clean["h3"],
                "geometry": geometry_to_geojson(geom, decimals, dims=2),
                "properties": clean,
            }
        )
    return feature_collection_text(feats, members={"name": name})
