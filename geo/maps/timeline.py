"""The timeline map: the theme layers through time, with a date slider.

:func:`timeline_map` builds it and :func:`write_timeline_map` writes it. Each feature
carries its status history (:func:`geo.maps.features.status_steps`) and every style it
can take; the page's JavaScript (``static/timeline.js``) restyles, shows and hides the
features as the slider moves, planned -> under construction -> open.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd

from geo.config import Study, default_study
from geo.errors import MapError
from geo.maps.features import (
    ATLAS_MAX_BYTES,
    all_event_dates,
    attach_theme_map,
    change_dates,
    check_layers,
    date_option,
    theme_map,
)
from geo.maps.page import write_map
from geo.maps.popups import escape

__all__ = ["timeline_map", "write_timeline_map"]


def timeline_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    initial: dt.date | str | None = None,
    basemap: str = "osm",
    offline: bool = True,
    title: str = "jjj-atlas: network through time 路网演变",
    documents: Mapping[str, Any] | None = None,
    tianditu_key: str | None = None,
    study: Study | None = None,
) -> folium.Map:
    """Map of the network state through time, with a date slider.

    Each feature's status history is precomputed with :func:`geo.maps.status_steps`
    (i.e. :func:`geo.timeline.status_as_of`: actual events dated on or before the date);
    the slider looks it up, so the page shows exactly what ``status_as_of`` gives.
    Features with no status yet at the slider date are hidden, except context
    features (admin boundaries, rivers), which are always drawn.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        As for :func:`geo.maps.atlas`; the ``timeline`` property drives the slider.
    start, end : datetime.date or str, optional
        Slider range; default the earliest and latest event date in the layers.
    initial : datetime.date or str, optional
        Date shown on load; default ``end``.
    basemap, offline, title, documents, tianditu_key, study
        As for :func:`geo.maps.atlas`.

    Returns
    -------
    folium.Map
        The map; in the page, ``geoAtlas.setDate('YYYY-MM-DD')`` moves the slider.

    Raises
    ------
    MapError
        No dated events and no ``start``/``end``; ``end`` before ``start``; bad dates.
    """
    check_layers(layers)
    study = study or default_study()
    dates = all_event_dates(layers)
    if not dates and (start is None or end is None):
        raise MapError("no dated events in the layers' timelines; pass start= and end=")
    start_s = date_option(start, "start").isoformat() if start is not None else dates[0]
    end_s = date_option(end, "end").isoformat() if end is not None else dates[-1]
    if end_s < start_s:
        raise MapError(f"end {end_s} is before start {start_s}")
    initial_s = date_option(initial, "initial").isoformat() if initial is not None else end_s
    tm = theme_map(
        layers,
        name="timeline",
        title=title,
        basemap=basemap,
        tianditu_key=tianditu_key,
        as_of=None,
        documents=documents,
        study=study,
        timeline_mode=True,
    )
    sub = escape(
        f"Events {start_s} – {end_s}: a feature appears with its first dated actual event. "
        "Move the date with the bar at the bottom (arrow keys: one day)."
    )
    attach_theme_map(
        tm,
        name="timeline",
        title=title,
        subtitle=sub,
        basemap=basemap,
        study=study,
        offline=offline,
        script="timeline.js",
        call="geoTimelineBuild",
        payload={
            "start": start_s,
            "end": end_s,
            "initial": initial_s,
            "ticks": [d for d in dates if start_s <= d <= end_s],
            "changes": [d for d in change_dates(tm.payload_layers) if start_s <= d <= end_s],
        },
    )
    return tm.map


def write_timeline_map(path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], **kwargs: Any) -> Path:
    """Build :func:`timeline_map` and write it atomically to ``path`` (e.g. ``maps/timeline.html``)."""
    return write_map(path, timeline_map(layers, **kwargs), ATLAS_MAX_BYTES, "timeline")
