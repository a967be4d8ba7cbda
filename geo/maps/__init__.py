"""Interactive Leaflet maps of the layers, the network through time and accessibility.

Three maps, each a single self-contained HTML file built with :mod:`folium`:

* :func:`atlas` / :func:`write_atlas` -- every layer styled by theme and status, with
  a legend, a layer switcher grouped by theme, a search box (Chinese and English
  names and aliases), a scale bar, full screen, measuring and an overview map.
  Popups give each feature's name, kind, status as of the map date, positional
  accuracy, geometry source, its dated timeline (quote and document for every
  event) and the claims made about it.
* :func:`timeline_map` / :func:`write_timeline_map` -- the same features with a date
  slider running from the earliest to the latest event: features appear and change
  style as they go planned -> under construction -> open.
* :func:`access_map` / :func:`write_access_map` -- hexagons coloured by travel time
  (minutes) to each destination by each mode, isochrone outlines and scenario
  differences, each a toggleable layer with a colour legend.

:func:`write_all_maps` writes all three from the layers and analysis frames of
``geo build``.

With ``offline=True`` (the default) every JavaScript and CSS asset is inlined from
the pinned npm packages listed in ``geo/data/assets.yaml`` (see :func:`assets_dir`
for where they are looked for), so the file makes no request except for basemap
tiles, and none at all with ``basemap='none'``.

All coordinates are WGS84 (EPSG:4326) lon/lat on input. With ``basemap='gaode'``
the drawn coordinates are shifted to GCJ-02 so that they line up with Amap tiles.
Every string that comes from a document (names, quotes, titles) is HTML-escaped
before it reaches a popup, tooltip, legend or the search index, and never reaches
Jinja2 as template source (see :mod:`geo.maps.page`).

Modules
-------
:mod:`~geo.maps.assets`
    The pinned npm assets: manifest, lookup, inlining.
:mod:`~geo.maps.styles`
    Colours, status and accuracy styling, legend swatches, colour ramps.
:mod:`~geo.maps.popups`
    Escaping; popup, tooltip and search-entry HTML.
:mod:`~geo.maps.page`
    The page scaffold: base map, controls, data and script attachment, rendering.
:mod:`~geo.maps.features`
    Theme layers as map data (status through time, payloads), shared by atlas and timeline.
:mod:`~geo.maps.atlas`, :mod:`~geo.maps.timeline`, :mod:`~geo.maps.access`
    The three maps.

``static/`` holds the maps' own JavaScript (``common.js`` and one file per map) and
the shared stylesheet ``maps.css`` (package data). Note that ``geo.maps.atlas`` is the
function :func:`atlas`; import the module's names with ``from geo.maps.atlas import ...``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo import progress
from geo.config import Study, default_study
from geo.errors import MissingAssetsError
from geo.maps.access import ACCESS_DECIMALS, ACCESS_MAX_BYTES, access_map, write_access_map
from geo.maps.access_frames import find_access_frames
from geo.maps.assets import assets_dir
from geo.maps.atlas import atlas, write_atlas
from geo.maps.features import ATLAS_DECIMALS, ATLAS_MAX_BYTES, all_event_dates, status_steps
from geo.maps.page import BASEMAPS, DATA_ATTRIBUTION, render_html
from geo.maps.popups import documents_from
from geo.maps.styles import CONTEXT_KINDS, LAYER_LABELS, LAYER_ORDER, STATUS_LABELS, THEME_COLOURS, THEME_LABELS
from geo.maps.timeline import timeline_map, write_timeline_map

logger = logging.getLogger(__name__)

__all__ = [
    "ACCESS_DECIMALS",
    "ACCESS_MAX_BYTES",
    "ATLAS_DECIMALS",
    "ATLAS_MAX_BYTES",
    "BASEMAPS",
    "CONTEXT_KINDS",
    "DATA_ATTRIBUTION",
    "LAYER_LABELS",
    "LAYER_ORDER",
    "STATUS_LABELS",
    "THEME_COLOURS",
    "THEME_LABELS",
    "MissingAssetsError",
    "access_map",
    "assets_dir",
    "atlas",
    "render_html",
    "status_steps",
    "timeline_map",
    "write_access_map",
    "write_all_maps",
    "write_atlas",
    "write_timeline_map",
]


def write_all_maps(
    layers: Mapping[str, gpd.GeoDataFrame],
    extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    maps_dir: str | os.PathLike[str] = "maps",
    *,
    extraction: Any = None,
    corpus: Any = None,
    as_of: dt.date | str | None = None,
    basemap: str = "osm",
    offline: bool = True,
    tianditu_key: str | None = None,
    study: Study | None = None,
) -> list[Path]:
    """Write ``atlas.html``, ``timeline.html`` and (with analysis layers) ``access.html``.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The theme layers (``rail``, ``stations``, ... as from :func:`geo.layers.build_layers`).
    extra_layers : dict, optional
        Analysis layers; the hexagon travel times, isochrones and scenario differences
        are recognised by their columns for the access map
        (:func:`geo.maps.access.find_access_frames`).
    maps_dir : path-like
        Output folder.
    extraction : geo.extract.Extraction, optional
        Gives the publication dates of the documents cited in popups.
    corpus : geo.corpus.Corpus, optional
        Gives document titles for popups.
    as_of, basemap, offline, tianditu_key
        As for :func:`atlas` (``as_of`` only affects the atlas).
    study : geo.config.Study, optional
        Study area and what the access map shows on load (``access_destination``,
        ``access_mode``); default :func:`geo.config.default_study`.

    Returns
    -------
    list of pathlib.Path
        The files written, in order.
    """
    maps_dir = Path(maps_dir)
    study = study or default_study()
    docs = documents_from(extraction, corpus)
    theme = {k: v for k, v in layers.items() if isinstance(v, gpd.GeoDataFrame) and len(v)}
    progress.stage("atlas")
    out = [
        write_atlas(
            maps_dir / "atlas.html",
            theme,
            as_of=as_of,
            basemap=basemap,
            offline=offline,
            documents=docs,
            tianditu_key=tianditu_key,
            study=study,
        )
    ]
    if all_event_dates(theme):
        progress.stage("timeline")
        out.append(
            write_timeline_map(
                maps_dir / "timeline.html",
                theme,
                basemap=basemap,
                offline=offline,
                documents=docs,
                tianditu_key=tianditu_key,
                study=study,
            )
        )
    else:
        logger.warning("no dated events in the layers: timeline.html not written")
    frames = find_access_frames(extra_layers or {})
    if frames.hexes is not None:
        progress.stage("access")
        out.append(
            write_access_map(
                maps_dir / "access.html",
                frames.hexes,
                frames.isochrones,
                frames.scenarios or None,
                basemap=basemap,
                offline=offline,
                tianditu_key=tianditu_key,
                destination=study.access_destination,
                mode=study.access_mode,
                labels={fid: label for label, fid in study.destinations.items()},
                origins=frames.origins,
                context=theme,
                study=study,
            )
        )
    else:
        logger.info("no hexagon travel-time layer among the analysis layers: access.html not written")
    return out
