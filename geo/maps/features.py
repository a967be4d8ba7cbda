"""The theme layers as map data, shared by the atlas and the timeline map.

* :func:`status_on` and :func:`status_steps`: a feature's status on a date and its whole
  status history, both from :func:`geo.timeline.status_as_of` (so the page shows exactly
  what the timeline module computes).
* :func:`layer_payload`: one layer as compact GeoJSON with escaped popups, search entries
  and shared style keys.
* :func:`theme_map`: the base map, every layer's payload and feature group, and the
  layer switcher's theme groups.
* :func:`theme_legend_html`: the legend of themes, statuses and positional accuracy.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
from branca.element import Figure

from geo.config import Study
from geo.dates import iso_date, to_date
from geo.errors import MapError
from geo.maps.page import DATA_ATTRIBUTION, base_map, data_bounds, fix_id, geometry_json, prepare_geoms, valid_mask
from geo.maps.popups import escape, popup_body, popup_head, safe_label, search_entry, status_line
from geo.maps.styles import (
    CONTEXT_KINDS,
    CONTEXT_STATUS,
    DRAW_STATUSES,
    LAYER_ORDER,
    LEGEND_STATUSES,
    STATUS_LABELS,
    STATUS_SPEC,
    THEME_COLOURS,
    THEME_LABELS,
    path_style,
    style_key,
    swatch,
)
from geo.schema import APPROXIMATE_ACCURACY, COORD_DECIMALS, THEME_LAYER, as_list, decode_property
from geo.timeline import TimelineEvent, status_as_of

logger = logging.getLogger(__name__)

__all__ = [
    "ATLAS_DECIMALS",
    "ATLAS_MAX_BYTES",
    "ThemeMap",
    "all_event_dates",
    "check_layers",
    "date_option",
    "layer_payload",
    "layer_theme",
    "ordered_layers",
    "status_on",
    "status_steps",
    "theme_legend_html",
    "theme_map",
]

#: Size budget (bytes) of the atlas and the timeline map, checked with a warning.
ATLAS_MAX_BYTES = 3 * 1024 * 1024
#: Decimal places of drawn coordinates: those of the layer files (1e-6 degree is about 0.1 m).
ATLAS_DECIMALS = COORD_DECIMALS

#: Theme of a layer whose features carry none: the inverse of ``geo.schema.THEME_LAYER``,
#: stations drawn as rail and bridges as roads.
_LAYER_THEME = {**{layer: theme for theme, layer in THEME_LAYER.items()}, "stations": "rail", "bridges": "road"}


def date_option(value: dt.date | str, what: str) -> dt.date:
    """A date argument (date, datetime or ISO text) as a date (:func:`geo.dates.to_date`).

    Raises
    ------
    MapError
        ``value`` is not a date.
    """
    d = to_date(value)
    if d is None:
        raise MapError(f"{what}: {value!r} is not a date (use YYYY-MM-DD)")
    return d


def check_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Raise unless ``layers`` is a non-empty mapping of name -> GeoDataFrame."""
    if not isinstance(layers, Mapping) or not layers:
        raise MapError("layers must be a non-empty dict of name -> GeoDataFrame")
    for k, v in layers.items():
        if not isinstance(v, gpd.GeoDataFrame):
            raise TypeError(f"layer {k!r} is not a GeoDataFrame")


# --------------------------------------------------------------------------- status


def status_on(timeline: Sequence[Mapping[str, Any]], as_of: dt.date) -> tuple[str, str | None]:
    """``(status, ISO date it holds since)`` of a timeline on ``as_of``.

    :func:`geo.timeline.status_as_of`: actual events dated on or before ``as_of``.
    """
    res = status_as_of(list(timeline), as_of)
    return str(res.status), iso_date(getattr(res, "date", None))


def _change_dates(timeline: Sequence[Mapping[str, Any]]) -> set[str]:
    """Every date at which the status of a timeline can change (ISO strings).

    The dates of the events and, for events of month/year precision, the dates from
    which they count (``effective_date``, as computed by :mod:`geo.timeline`).
    """
    out: set[str] = set()
    for ev in timeline:
        for k in ("date", "effective_date", "date_end", "published"):
            d = iso_date(ev.get(k))
            if d and len(d) == 10:
                out.add(d)
        try:
            eff = TimelineEvent.from_json(ev).effective_date
        except (ValueError, TypeError, KeyError):
            eff = None
        if eff is not None:
            out.add(eff.isoformat())
    return out


def status_steps(timeline: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Step function of a feature's status through time.

    The status of a feature only changes on the dates from which its events count
    (the event date, or the end of the period / publication date for month or year
    precision), so evaluating :func:`geo.timeline.status_as_of` on each of those dates
    gives the whole history. The timeline map's slider looks the status up in these
    steps, which therefore mirrors ``status_as_of`` exactly.

    Parameters
    ----------
    timeline : sequence of dict
        Event dicts ``{date: 'YYYY-MM-DD', status, modality, ...}``.

    Returns
    -------
    list of [str, str]
        ``[[date_iso, status], ...]`` in date order, consecutive duplicates merged;
        before the first date the status is ``'unknown'``.
    """
    steps: list[list[str]] = []
    prev = "unknown"
    for d in sorted(d for d in _change_dates(timeline) if d and len(d) == 10):
        day = to_date(d)
        if day is None:
            continue
        status, _ = status_on(timeline, day)
        if status != prev:
            steps.append([d, status])
            prev = status
    return steps


def all_event_dates(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Every ISO day date of an event in the layers' timelines, sorted."""
    dates: set[str] = set()
    for gdf in layers.values():
        if "timeline" not in gdf.columns:
            continue
        for tl in gdf["timeline"]:
            for ev in as_list(tl):
                if isinstance(ev, Mapping):
                    d = iso_date(ev.get("date"))
                    if d and len(d) == 10:
                        dates.add(d)
    return sorted(dates)


# --------------------------------------------------------------------------- layers


def _gkind(geom: Any) -> str:
    t = geom.geom_type
    if t in ("Point", "MultiPoint"):
        return "p"
    if t in ("Polygon", "MultiPolygon"):
        return "a"
    if t == "GeometryCollection" and len(geom.geoms):
        return _gkind(geom.geoms[0])
    return "l"


def ordered_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Layer names in drawing order (:data:`geo.maps.styles.LAYER_ORDER`, then by name)."""
    order = {n: i for i, n in enumerate(LAYER_ORDER)}
    return sorted(layers, key=lambda n: (order.get(n, len(order)), n))


def layer_theme(gdf: gpd.GeoDataFrame, name: str) -> str:
    """The theme of a layer: its features' most common ``theme``, else from its name."""
    if "theme" in gdf.columns and len(gdf):
        counts = gdf["theme"].dropna().astype(str).value_counts()
        if len(counts):
            return str(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    return _LAYER_THEME.get(name, name)


def layer_payload(
    name: str,
    gdf: gpd.GeoDataFrame,
    *,
    basemap: str,
    as_of: dt.date | None,
    documents: Mapping[str, Any] | None,
    timeline_mode: bool,
    styles: dict[str, dict[str, Any]],
    inherited: Mapping[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """Compact GeoJSON of one layer with precomputed escaped popups and style keys.

    Parameters
    ----------
    name : str
        Layer name.
    gdf : geopandas.GeoDataFrame
        The layer's features (see :func:`geo.maps.atlas`).
    basemap : str
        ``'gaode'`` shifts the geometry to GCJ-02.
    as_of : datetime.date, optional
        Atlas date: status recomputed from each timeline (else the ``status`` property).
    documents : mapping, optional
        See :func:`geo.maps.popups.doc_label`.
    timeline_mode : bool
        Timeline map: status steps and every status style instead of one status.
    styles : dict
        Style key -> Leaflet options; the styles used are added to it.
    inherited : mapping, optional
        Feature id -> timeline: a feature with no dated history of its own whose status was
        inherited (a station from its line, ``status_source.inherited_from``) follows that
        timeline.

    Returns
    -------
    dict
        ``{name, label, features}``; feature properties are short keys read by the
        page's JavaScript (``p`` popup, ``lb``/``sx`` search, ``sk`` style ...).
    """
    if "id" in gdf.columns:
        gdf = gdf.assign(_sort=gdf["id"].astype(str)).sort_values("_sort", kind="stable")
    valid = valid_mask(gdf)
    if not valid.all():
        logger.warning("layer %s: %d features without geometry skipped", name, int((~valid).sum()))
    gdf = gdf[valid]
    geoms = prepare_geoms(gdf, basemap, ATLAS_DECIMALS)
    dated = as_of is not None and not timeline_mode
    as_of_iso = as_of.isoformat() if as_of else None
    cols = [c for c in gdf.columns if c not in ("geometry", "_sort")]
    feats = []
    for geom, (_, row) in zip(geoms, gdf[cols].iterrows(), strict=True):
        props = {c: decode_property(row[c]) for c in cols}
        theme = str(props.get("theme") or layer_theme(gdf, name))
        kind = str(props.get("kind") or "")
        approx = props.get("accuracy") in APPROXIMATE_ACCURACY
        gk = _gkind(geom)
        admin = theme == "admin" or kind == "admin"
        context = kind in CONTEXT_KINDS or admin
        # a feature no source locates is drawn as its county's outline only, never as an area
        admin = admin or props.get("accuracy") == "unlocated"
        timeline = [ev for ev in as_list(props.get("timeline")) if isinstance(ev, Mapping)]
        source = props.get("status_source")
        if not timeline and inherited and isinstance(source, Mapping) and source.get("inherited_from"):
            timeline = list(inherited.get(str(source["inherited_from"]), []))
        lb, sx = search_entry(props, name)
        p: dict[str, Any] = {"id": escape(props.get("id")), "lb": lb, "sx": sx}
        head = popup_head(props)
        body = popup_body(props, documents)
        if timeline_mode:
            for st in DRAW_STATUSES:
                k = style_key(theme, st, approx, gk, admin)
                styles.setdefault(k, path_style(theme, st, approx, gk, admin=admin))
            p.update(
                th=theme,
                ac=int(approx),
                gk=gk,
                ad=int(admin),
                cx=int(context),
                st=status_steps(timeline),
                h=head,
                b=body,
            )
        else:
            if dated and as_of is not None:
                status, sdate = status_on(timeline, as_of)
            else:
                status = str(props.get("status") or "unknown")
                sdate = iso_date(props.get("status_date"))
            if status not in STATUS_SPEC:
                status = "unknown"
            draw = CONTEXT_STATUS if (context and status == "unknown") else status
            k = style_key(theme, draw, approx, gk, admin)
            styles.setdefault(k, path_style(theme, draw, approx, gk, admin=admin))
            p.update(sk=k, s=status, p=head + status_line(status, sdate, as_of_iso) + body)
        feats.append({"type": "Feature", "geometry": geometry_json(geom, ATLAS_DECIMALS), "properties": p})
    return {"name": name, "label": escape(name), "features": feats}


# --------------------------------------------------------------------------- the shared map


@dataclass
class ThemeMap:
    """What :func:`theme_map` builds for the atlas and the timeline map."""

    fig: Figure
    map: folium.Map
    names: list[str]
    payload_layers: list[dict[str, Any]]
    styles: dict[str, dict[str, Any]]
    groups: dict[str, folium.FeatureGroup]
    grouped: dict[str, list[folium.FeatureGroup]]
    themes: list[str]
    bounds: tuple[float, float, float, float] | None


def _feature_groups(
    m: folium.Map,
    layers: Mapping[str, gpd.GeoDataFrame],
    names: Sequence[str],
    name: str,
    payload_layers: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, folium.FeatureGroup], dict[str, list[folium.FeatureGroup]]]:
    fgs: dict[str, folium.FeatureGroup] = {}
    grouped: dict[str, list[folium.FeatureGroup]] = {}
    for lname, pl in zip(names, payload_layers, strict=True):
        theme = layer_theme(layers[lname], lname)
        fg = folium.FeatureGroup(name=f"{safe_label(lname)} ({len(pl['features'])})", show=True)
        fix_id(fg, f"{name}_{lname}")
        fg.add_to(m)
        fgs[lname] = fg
        grouped.setdefault(safe_label(THEME_LABELS.get(theme, theme)), []).append(fg)
    return fgs, grouped


def theme_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    name: str,
    title: str,
    basemap: str,
    tianditu_key: str | None,
    as_of: dt.date | None,
    documents: Mapping[str, Any] | None,
    timeline_mode: bool,
    study: Study,
) -> ThemeMap:
    """The parts the atlas and the timeline map share: base map, layer payloads, feature groups.

    Parameters are those of :func:`geo.maps.atlas` (``name`` names the map's elements;
    ``timeline_mode`` see :func:`layer_payload`; ``study`` gives the view's limits).
    """
    names = ordered_layers(layers)
    bounds = data_bounds(layers, study=study)
    fig, m = base_map(title=title, basemap=basemap, tianditu_key=tianditu_key, bounds=bounds, name=name, study=study)
    styles: dict[str, dict[str, Any]] = {}
    inherited = {
        str(fid): [ev for ev in as_list(tl) if isinstance(ev, Mapping)]
        for gdf in layers.values()
        if {"id", "timeline"} <= set(gdf.columns)
        for fid, tl in zip(gdf["id"], gdf["timeline"], strict=True)
    }
    payload_layers = [
        layer_payload(
            n,
            layers[n],
            basemap=basemap,
            as_of=as_of,
            documents=documents,
            timeline_mode=timeline_mode,
            styles=styles,
            inherited=inherited,
        )
        for n in names
    ]
    fgs, grouped = _feature_groups(m, layers, names, name, payload_layers)
    themes = sorted({layer_theme(layers[n], n) for n in names} & set(THEME_COLOURS), key=list(THEME_COLOURS).index)
    return ThemeMap(fig, m, names, payload_layers, styles, fgs, grouped, themes, bounds)


def theme_legend_html(title: str, themes: Iterable[str], *, subtitle: str, basemap: str, extra: str = "") -> str:
    """Legend of the atlas and the timeline map: themes, statuses, positional accuracy, sources.

    ``subtitle`` and ``extra`` are HTML (escape document text before); ``title`` is escaped here.
    """
    parts = [
        f'<div class="ga-legend-title">{escape(title)}</div>',
        f'<div class="ga-sub">{subtitle}</div>',
        "<details open><summary>Legend 图例</summary>",
        '<div class="ga-h">Theme 主题</div>',
    ]
    for th in themes:
        sample = swatch(path_style(th, "open", False, "l"), "l")
        parts.append(f'<div class="ga-row">{sample}{escape(THEME_LABELS.get(th, th))}</div>')
    parts.append('<div class="ga-h">Status 状态</div>')
    for st in LEGEND_STATUSES:
        sample = swatch(path_style("rail", st, False, "l"), "l")
        parts.append(f'<div class="ga-row">{sample}{escape(STATUS_LABELS[st])}</div>')
    parts.append('<div class="ga-h">Accuracy 位置精度</div>')
    parts.append(
        f'<div class="ga-row">{swatch(path_style("rail", "open", False, "l"), "l")}surveyed / located (≤ 500 m)</div>'
    )
    parts.append(
        f'<div class="ga-row ga-acc-approx">{swatch(path_style("rail", "open", True, "l"), "l")}'
        f"{swatch(path_style('rail', 'open', True, 'p'), 'p')}"
        "approximate (≤ 5 km, placed from a description) or schematic (route drawn through known "
        "points): thinner, translucent; points as wide dashed rings</div>"
    )
    parts.append(
        f'<div class="ga-row ga-acc-unlocated">{swatch(path_style("facility", "open", True, "a", admin=True), "a")}'
        "unlocated: no source places it more closely than its county, drawn as that county's "
        "outline (not a location)</div>"
    )
    parts.append(f'<div class="ga-src">Basemap: {escape(basemap)}. {DATA_ATTRIBUTION}.{extra}</div></details>')
    return "".join(parts)
