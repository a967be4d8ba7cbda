"""The atlas: every theme layer styled by theme and status, on one date.

:func:`atlas` builds it (legend, layer switcher grouped by theme, search box, scale bar,
full screen, measuring and an overview map; popups with each feature's status, accuracy,
dated timeline and claims); :func:`write_atlas` writes it. Its JavaScript is
``static/atlas.js`` (after ``static/common.js``).

Note: ``geo.maps.atlas`` is the *function* (re-exported by :mod:`geo.maps`); import this
module's other names with ``from geo.maps.atlas import ...``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd

from geo.config import Study, default_study
from geo.maps.features import (
    ATLAS_MAX_BYTES,
    attach_theme_map,
    check_layers,
    date_option,
    theme_map,
)
from geo.maps.page import write_map
from geo.maps.popups import escape

logger = logging.getLogger(__name__)

__all__ = ["atlas", "write_atlas"]


def atlas(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    as_of: dt.date | str | None = None,
    basemap: str = "osm",
    offline: bool = True,
    title: str = "jjj-atlas: 通州与北三县一体化 Tongzhou & the North Three Counties",
    documents: Mapping[str, Any] | None = None,
    tianditu_key: str | None = None,
    study: Study | None = None,
) -> folium.Map:
    """Interactive map of every layer, styled by theme and status.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        Layer name -> features in WGS84 (EPSG:4326; other CRSs are reprojected), with
        the properties of the contract's layer files (``id, name_zh, name_en, kind,
        theme, accuracy, geometry_source, status, status_date, timeline, claims,
        aliases``...). List/dict properties may be lists or JSON strings.
    as_of : datetime.date or str, optional
        Map date (ISO ``YYYY-MM-DD``). If given, each feature's status is recomputed
        from its timeline with :func:`geo.timeline.status_as_of` (actual events dated
        on or before ``as_of``); by default the layers' ``status`` property is used.
    basemap : {'osm', 'gaode', 'tianditu', 'none'}
        Background tiles. ``'gaode'`` (Amap) tiles are in GCJ-02, so every feature is
        shifted to GCJ-02 before drawing. ``'tianditu'`` needs ``tianditu_key`` or the
        ``TIANDITU_KEY`` environment variable. ``'none'`` draws no tiles and makes
        the file fully offline.
    offline : bool
        Inline all JS/CSS from the pinned npm packages (see :func:`geo.maps.assets_dir`);
        if False, link the same versions from cdn.jsdelivr.net.
    title : str
        Page title and legend heading.
    documents : mapping, optional
        ``doc_id`` -> title string, dict with ``title``/``published`` or a
        :class:`geo.corpus.Document`; shown next to quotes in popups.
    tianditu_key : str, optional
        Tianditu API key (embedded in the tile URLs of the output file).
    study : geo.config.Study, optional
        The study area: the initial view is the data extent clipped to its ``bbox``
        (default :func:`geo.config.default_study`).

    Returns
    -------
    folium.Map
        The map; save with :func:`write_atlas` or ``render_html(m)``.

    Raises
    ------
    MapError
        Empty ``layers``, a bad date or basemap.
    MissingAssetsError
        ``offline`` and the pinned assets are not found.
    """
    check_layers(layers)
    study = study or default_study()
    as_of_d = date_option(as_of, "as_of") if as_of is not None else None
    tm = theme_map(
        layers,
        name="atlas",
        title=title,
        basemap=basemap,
        tianditu_key=tianditu_key,
        as_of=as_of_d,
        documents=documents,
        study=study,
        timeline_mode=False,
    )
    date_txt = f"Status as of {as_of_d.isoformat()}" if as_of_d else "Status as last reported in the corpus"
    attach_theme_map(
        tm,
        name="atlas",
        title=title,
        subtitle=escape(date_txt),
        basemap=basemap,
        study=study,
        offline=offline,
        script="atlas.js",
        call="geoAtlasBuild",
        payload={"date": as_of_d.isoformat() if as_of_d else None},
    )
    logger.info("atlas: %d layers, %d features", len(tm.names), sum(len(p["features"]) for p in tm.payload_layers))
    return tm.map


def write_atlas(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], **kwargs: Any) -> Path:
    """Build :func:`atlas` and write it atomically to ``path`` (e.g. ``maps/atlas.html``).

    Keyword arguments are passed to :func:`atlas`. Returns the path written.
    """
    return write_map(path, atlas(layers, **kwargs), ATLAS_MAX_BYTES, "atlas")
