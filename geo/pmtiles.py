"""PMTiles export: vector tiles for layers too big to inline as GeoJSON (fine grids, OD layers).

``geo export --format pmtiles [--minzoom Z] [--maxzoom Z]`` (:func:`export_pmtiles`) writes one
PMTiles v3 archive per layer (``<layer>.pmtiles``, or the file given for a single layer) with
GDAL's PMTiles driver through pyogrio: Mapbox Vector Tiles (gzip), Web Mercator, one vector
layer named after the layer, tiles from ``minzoom`` to ``maxzoom``. Lists and objects travel as
JSON text (vector tiles have no nested values); missing values are left out. Each archive is
read back with the ``pmtiles`` package (extra ``pmtiles``) and its header checked before it
replaces the target.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import ExportValidationError, UsageError
from geo.io import atomic_paths
from geo.schema import json_value

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MAXZOOM", "DEFAULT_MINZOOM", "export_pmtiles", "pmtiles_info"]

#: Default zoom range: the study area fits zoom 7; 14 shows ~10 m detail.
DEFAULT_MINZOOM = 6
DEFAULT_MAXZOOM = 14


def _flat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        vals = out[col].tolist()
        if any(isinstance(v, (list, tuple, dict, set, np.ndarray)) for v in vals):
            out[col] = [
                None if v is None else json.dumps(json_value(v), ensure_ascii=False, sort_keys=True) for v in vals
            ]
        elif out[col].dtype == object:
            out[col] = pd.Series([json_value(v) for v in vals], index=out.index, dtype=object)
    return out


def pmtiles_info(path: str | os.PathLike) -> dict[str, Any]:
    """Header and metadata of a PMTiles archive, read with the ``pmtiles`` package.

    Returns
    -------
    dict
        ``min_zoom``, ``max_zoom``, ``tiles`` (addressed tiles), ``tile_type``, ``layers``
        (vector layer ids) and ``bounds`` (W, S, E, N degrees).
    """
    try:
        from pmtiles.reader import MmapSource, Reader
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise UsageError("reading PMTiles needs the pmtiles package: pip install 'jjj-atlas[pmtiles]'") from exc
    with open(path, "rb") as fh:
        r = Reader(MmapSource(fh))
        h = r.header()
        meta = r.metadata()
    return {
        "min_zoom": int(h["min_zoom"]),
        "max_zoom": int(h["max_zoom"]),
        "tiles": int(h["addressed_tiles_count"]),
        "tile_type": str(getattr(h["tile_type"], "name", h["tile_type"])),
        "layers": [v.get("id") for v in meta.get("vector_layers", [])],
        "bounds": tuple(h[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")),
    }


def export_pmtiles(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike,
    *,
    minzoom: int | None = None,
    maxzoom: int | None = None,
) -> list[Path]:
    """Write each layer as a PMTiles archive (see the module docstring).

    Parameters
    ----------
    frames : mapping of str to GeoDataFrame
        WGS84 layers (already filtered).
    path : path-like
        A ``.pmtiles`` file for one layer, else a folder receiving ``<layer>.pmtiles``.
    minzoom, maxzoom : int, optional
        Zoom range (0–22; default 6–14).

    Returns
    -------
    list of pathlib.Path
        The archives written (each checked, then replaced atomically).
    """
    import pyogrio

    lo = DEFAULT_MINZOOM if minzoom is None else int(minzoom)
    hi = DEFAULT_MAXZOOM if maxzoom is None else int(maxzoom)
    if not 0 <= lo <= hi <= 22:
        raise UsageError(f"zoom range {lo}-{hi}: need 0 <= minzoom <= maxzoom <= 22")
    out = Path(path)
    names = list(frames)
    if out.suffix.lower() == ".pmtiles":
        if len(names) != 1:
            raise UsageError(f"{len(names)} layers give one PMTiles archive each: pass a folder instead of {out}")
        targets = [out]
    else:
        targets = [out / f"{n}.pmtiles" for n in names]
    with atomic_paths(targets) as staged:
        for name, target in zip(names, targets, strict=True):
            gdf = frames[name]
            if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
                gdf = gdf.to_crs("EPSG:4326")
            tmp = staged[target]
            if tmp.exists():
                tmp.unlink()
            pyogrio.write_dataframe(
                _flat(gdf),
                tmp,
                driver="PMTiles",
                layer=name,
                dataset_options={"MINZOOM": str(lo), "MAXZOOM": str(hi), "NAME": name},
            )
            info = pmtiles_info(tmp)
            if (info["min_zoom"], info["max_zoom"]) != (lo, hi) or (len(gdf) and info["tiles"] == 0):
                raise ExportValidationError(f"{target}: PMTiles archive failed its check ({info})")
            logger.info("pmtiles %s: %d features, %d tiles, zoom %d-%d", target, len(gdf), info["tiles"], lo, hi)
    return targets
