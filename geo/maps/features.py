"""The theme layers as map data, shared by the atlas and the timeline map.

* :func:`status_on` and :func:`status_steps`: a feature's status on a date and its whole
  status history, both from :func:`geo.timeline.status_as_of` (so the page shows exactly
  what the timeline module computes).
* :func:`clip_to_frame`: regional context lines cut at the study-area frame, with where
  each one leaves it and where it goes (:class:`Exit`).
* :func:`station_ranks`: which stations matter most (interchanges, intercity stations,
  termini), for decluttering and labels at low zoom.
* :func:`layer_payload`: one layer as compact GeoJSON with escaped popups, search entries,
  plain-text fields for the feature list and downloads, and shared style keys.
* :func:`theme_map`: the base map, every layer's payload and feature group, and the
  layer switcher's theme groups.
* :func:`theme_legend_html`: the legend of themes, statuses and positional accuracy; its
  theme and status entries are buttons that filter the map.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import shapely
from branca.element import Figure
from shapely.geometry import LineString, MultiLineString, Point, box

from geo.config import Study
from geo.crs import length_m
from geo.dates import iso_date, to_date
from geo.errors import MapError
from geo.layers import existed_before
from geo.maps.page import (
    DATA_ATTRIBUTION,
    attach,
    base_map,
    bbox_feature,
    data_bounds,
    fix_id,
    focus_bounds,
    geometry_json,
    prepare_geoms,
    valid_mask,
)
from geo.maps.popups import (
    escape,
    pair_html,
    popup_body,
    popup_head,
    safe_label,
    search_entry,
    status_line,
    zh,
)
from geo.maps.styles import (
    ACCURACY_LABELS,
    CONTEXT_KINDS,
    CONTEXT_STATUS,
    DRAW_STATUSES,
    KIND_LABELS,
    LAYER_LABELS,
    LAYER_ORDER,
    LEGEND_STATUSES,
    STATUS_NAMES,
    STATUS_SPEC,
    THEME_COLOURS,
    THEME_LABELS,
    casing_style,
    pair_text,
    path_style,
    style_key,
    swatch,
)
from geo.schema import (
    APPROXIMATE_ACCURACY,
    COORD_DECIMALS,
    EXISTING_BEFORE_BASIS,
    THEME_LAYER,
    as_list,
    decode_property,
)
from geo.timeline import TimelineEvent, status_as_of

logger = logging.getLogger(__name__)

__all__ = [
    "ALWAYS_OPEN_STEPS",
    "ATLAS_DECIMALS",
    "ATLAS_MAX_BYTES",
    "Exit",
    "ThemeMap",
    "all_event_dates",
    "attach_theme_map",
    "change_dates",
    "check_layers",
    "clip_to_frame",
    "date_option",
    "existed_before",
    "frame_bounds",
    "layer_label",
    "layer_payload",
    "layer_theme",
    "ordered_layers",
    "page_vocabulary",
    "station_ranks",
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
#: Least zoom at which a line of each kind is labelled (others are not labelled).
_LINE_LABEL_ZOOM = {"metro_line": 10, "rail_line": 9, "expressway": 10, "road": 11, "bus_line": 12, "bridge": 12}
#: Words ending an English line name that are not a place (``Beijing–Harbin High-Speed Railway``).
_LINE_WORDS = re.compile(
    r"\s+(high-speed railway|high-speed rail|hsr|intercity railway|intercity|railway|rail|line|expressway|"
    r"highway|road)\b.*$",
    re.I,
)


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


def layer_label(name: str) -> str:
    """Display name of a layer (``'Rail & metro lines 铁路与地铁'``; the name itself if unknown)."""
    return pair_text(LAYER_LABELS.get(name), name)


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


#: The status step of a feature open since before any date (``status_steps`` of a feature
#: that :func:`existed_before`): the page compares ISO dates as strings, and ``""`` sorts
#: before every date.
ALWAYS_OPEN_STEPS: tuple[tuple[str, str], ...] = (("", "open"),)


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


def change_dates(payload_layers: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every date on which some feature of the timeline map's layers changes status, sorted."""
    out: set[str] = set()
    for ld in payload_layers:
        for f in ld["features"]:
            out.update(step[0] for step in f["properties"].get("st", ()) if step[0])
    return sorted(out)


# --------------------------------------------------------------------------- context frame


@dataclass(frozen=True)
class Exit:
    """Where a clipped line leaves the frame: the point (WGS84), the bearing (degrees
    clockwise from north) towards the part cut off, its length (km) and the place it
    goes towards (from the line's English name; ``''`` if the name gives none)."""

    lon: float
    lat: float
    bearing: float
    km: float
    toward: str


def _termini(name_en: Any) -> tuple[str, str]:
    """The places a line's English name runs between (``Beijing–Harbin HSR`` -> Beijing, Harbin)."""
    text = str(name_en or "")
    inner = re.search(r"\(([^()]*[–—][^()]*)\)", text)
    text = inner.group(1) if inner else re.sub(r"\([^()]*\)", "", text)
    parts = [p.strip() for p in re.split(r"\s*[–—]\s*", text) if p.strip()]
    if len(parts) < 2:
        return "", ""
    return _LINE_WORDS.sub("", parts[0]), _LINE_WORDS.sub("", parts[-1])


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    dy = b[1] - a[1]
    return round(math.degrees(math.atan2(dx, dy)) % 360, 1)


def clip_to_frame(geom: Any, frame: Sequence[float], name_en: Any = None) -> tuple[Any, list[Exit]]:
    """A line cut at the frame ``(west, south, east, north)`` and where it leaves it.

    Parameters
    ----------
    geom : shapely LineString or MultiLineString
        WGS84 geometry.
    frame : (west, south, east, north)
        WGS84 degrees (the study area).
    name_en : str, optional
        The line's English name: ``A–B–C Railway`` gives the places the two ends go towards.

    Returns
    -------
    (geometry, list of Exit)
        The part inside the frame (the geometry unchanged when it lies inside) and one
        :class:`Exit` per part outside, at the frame edge.
    """
    if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "MultiLineString"):
        return geom, []
    w, s, e, n = frame
    rect = box(w, s, e, n)
    if rect.contains(geom):
        return geom, []
    inside = shapely.clip_by_rect(geom, w, s, e, n)
    outside = geom.difference(rect)
    start_name, end_name = _termini(name_en)
    lines = list(geom.geoms) if isinstance(geom, MultiLineString) else [geom]
    first, last = Point(lines[0].coords[0]), Point(lines[-1].coords[-1])
    exits = []
    parts = list(outside.geoms) if hasattr(outside, "geoms") else [outside]
    border = rect.exterior
    for part in parts:
        if not isinstance(part, LineString) or part.is_empty:
            continue
        a, b = Point(part.coords[0]), Point(part.coords[-1])
        on_a, on_b = border.distance(a) < 1e-9, border.distance(b) < 1e-9
        if not (on_a or on_b):
            continue
        at, far = (a, b) if on_a else (b, a)
        toward = end_name if far.distance(last) < 1e-9 else (start_name if far.distance(first) < 1e-9 else "")
        coords = list(part.coords) if on_a else list(part.coords)[::-1]
        nxt = coords[1] if len(coords) > 1 else (far.x, far.y)
        exits.append(
            Exit(
                round(at.x, 6),
                round(at.y, 6),
                _bearing((at.x, at.y), nxt),
                round(float(length_m(part)) / 1000, 1),
                toward,
            )
        )
    if inside.is_empty:
        return geom, []
    return inside, exits


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


def station_ranks(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, tuple[float, bool]]:
    """``station id -> (priority, major)`` for decluttering and labels.

    A station served by two or more lines (an interchange), by a railway (an intercity
    or main-line station) or ending a line (a terminus) is *major*: labelled and kept
    first when stations crowd. Open and surveyed stations rank higher among equals.
    """
    lines: dict[str, str] = {}
    termini: set[str] = set()
    for gdf in layers.values():
        if not {"id", "kind"} <= set(gdf.columns):
            continue
        for _, row in gdf[gdf["kind"].isin(["metro_line", "rail_line"])].iterrows():
            lines[str(row["id"])] = str(row["kind"])
            stops = [str(s) for s in as_list(decode_property(row.get("stops"))) if s]
            if stops:
                termini.update((stops[0], stops[-1]))
    out: dict[str, tuple[float, bool]] = {}
    for gdf in layers.values():
        if not {"id", "kind"} <= set(gdf.columns):
            continue
        for _, row in gdf[gdf["kind"] == "station"].iterrows():
            fid = str(row["id"])
            parents = [str(p) for p in as_list(decode_property(row.get("parent"))) if str(p) in lines]
            interchange = len(parents) >= 2
            railway = any(lines[p] == "rail_line" for p in parents)
            terminus = fid in termini
            score = 2.0 * interchange + 2.0 * railway + 1.0 * terminus
            score += 0.5 * (str(row.get("status")) == "open") + 0.25 * (str(row.get("accuracy")) == "surveyed")
            out[fid] = (score, interchange or railway or terminus)
    return out


def _text_fields(props: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Plain (unescaped) text of a feature for the page's ``textContent`` and downloads."""
    kind = str(props.get("kind") or "")
    accuracy = str(props.get("accuracy") or "")
    out: dict[str, Any] = {
        "id": str(props.get("id") or ""),
        "n": str(props.get("name_zh") or props.get("id") or ""),
        "e": str(props.get("name_en") or ""),
        "kd": kind,
        "k": pair_text(KIND_LABELS.get(kind), kind),
        "ac": accuracy,
        "a": pair_text(ACCURACY_LABELS.get(accuracy), accuracy).split(":")[0].split(" (")[0],
        "ly": name,
        "ds": [str(d) for d in as_list(props.get("docs")) if d],
        "gs": str(props.get("geometry_source") or ""),
    }
    if props.get("provisional") is True:
        out["pv"] = 1
    return out


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
    line_names: Mapping[str, str] | None = None,
    line_aliases: Mapping[str, Sequence[str]] | None = None,
    ranks: Mapping[str, tuple[float, bool]] | None = None,
    frame: Sequence[float] | None = None,
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
        Style key -> Leaflet options; the styles used are added to it (casings under
        ``'c|' + key``).
    inherited : mapping, optional
        Feature id -> timeline: a feature with no dated history of its own whose status was
        inherited (a station from its line, ``status_source.inherited_from``) follows that
        timeline.
    line_names : mapping, optional
        Feature id -> name, for "as its line <name>".
    line_aliases : mapping, optional
        Line id -> its names and aliases: searching them also finds the line's stations.
    ranks : mapping, optional
        Station ranks (:func:`station_ranks`).
    frame : (west, south, east, north), optional
        Regional lines (``scale == 'regional'``) are cut at this frame (:func:`clip_to_frame`).

    Returns
    -------
    dict
        ``{name, label, features}``; feature properties are short keys read by the
        page's JavaScript (``p`` popup, ``lb``/``sx`` search, ``sk`` style, ``t`` plain
        text ...).
    """
    if "id" in gdf.columns:
        gdf = gdf.assign(_sort=gdf["id"].astype(str)).sort_values("_sort", kind="stable")
    valid = valid_mask(gdf)
    if not valid.all():
        logger.warning("layer %s: %d features without geometry skipped", name, int((~valid).sum()))
    gdf = gdf[valid]
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    exits: list[list[Exit]] = [[] for _ in range(len(gdf))]
    if frame is not None and "scale" in gdf.columns and len(gdf):
        geoms = list(gdf.geometry.values)
        for i, (g, scale) in enumerate(zip(geoms, gdf["scale"].astype(str), strict=True)):
            if scale == "regional":
                en = gdf["name_en"].iloc[i] if "name_en" in gdf.columns else None
                geoms[i], exits[i] = clip_to_frame(g, frame, en)
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    geoms_drawn = prepare_geoms(gdf, basemap, ATLAS_DECIMALS)
    dated = as_of is not None and not timeline_mode
    as_of_iso = as_of.isoformat() if as_of else None
    cols = [c for c in gdf.columns if c not in ("geometry", "_sort")]
    feats = []
    for i, (geom, (_, row)) in enumerate(zip(geoms_drawn, gdf[cols].iterrows(), strict=True)):
        props = {c: decode_property(row[c]) for c in cols}
        fid = str(props.get("id") or "")
        theme = str(props.get("theme") or layer_theme(gdf, name))
        kind = str(props.get("kind") or "")
        approx = props.get("accuracy") in APPROXIMATE_ACCURACY
        provisional = props.get("provisional") is True
        gk = _gkind(geom)
        admin = theme == "admin" or kind == "admin"
        context = kind in CONTEXT_KINDS or admin
        # a feature no source locates is drawn as its county's outline only, never as an area
        admin = admin or props.get("accuracy") == "unlocated"
        timeline = [ev for ev in as_list(props.get("timeline")) if isinstance(ev, Mapping)]
        source = props.get("status_source")
        always_open = existed_before(props)
        line_name = None
        if isinstance(source, Mapping) and source.get("inherited_from"):
            parent = str(source["inherited_from"])
            line_name = (line_names or {}).get(parent, parent)
            if not timeline and inherited:
                timeline = list(inherited.get(parent, []))
        also: list[str] = []
        if kind == "station":
            for parent_id in as_list(props.get("parent")):
                also += list((line_aliases or {}).get(str(parent_id), ()))
        lb, sx, sy = search_entry(props, layer_label(name), also)
        p: dict[str, Any] = {"id": escape(fid), "lb": lb, "sx": sx, "t": _text_fields(props, name)}
        if sy:
            p["sy"] = sy
        if gk == "l" and kind in _LINE_LABEL_ZOOM:
            p["lz"] = _LINE_LABEL_ZOOM[kind]
        if ranks and fid in ranks and gk == "p":  # a station drawn as its county (unlocated) is no point
            score, major = ranks[fid]
            p["pr"] = score
            p["lz"] = 11 if major else 13
        if exits[i]:
            p["x"] = [[e.lat, e.lon, e.bearing, e.km, e.toward] for e in exits[i]]
        head = popup_head(props)
        body = popup_body(props, documents)
        if timeline_mode:
            for st in DRAW_STATUSES:
                k = style_key(theme, st, approx, gk, admin, provisional)
                st_style = styles.setdefault(k, path_style(theme, st, approx, gk, admin=admin, provisional=provisional))
                casing = casing_style(st, gk, st_style["weight"])
                if casing:
                    styles.setdefault("c|" + k, casing)
            p.update(
                th=theme,
                ac=int(approx),
                gk=gk,
                ad=int(admin),
                pv=int(provisional),
                cx=int(context),
                st=[list(x) for x in ALWAYS_OPEN_STEPS] if always_open else status_steps(timeline),
                h=head,
                b=body,
            )
            if line_name:
                p["ih"] = zh(line_name)
            if always_open:
                p["eb"] = 1
        else:
            deciding = source if isinstance(source, Mapping) else None
            if dated and as_of is not None and always_open:
                status, sdate = "open", None
            elif dated and as_of is not None:
                res = status_as_of(list(timeline), as_of)
                status, sdate = str(res.status), iso_date(getattr(res, "date", None))
                ev = getattr(res, "event", None)
                deciding = ev if isinstance(ev, Mapping) else deciding
            else:
                status = str(props.get("status") or "unknown")
                sdate = iso_date(props.get("status_date"))
            if status not in STATUS_SPEC:
                status = "unknown"
            draw = CONTEXT_STATUS if (context and status == "unknown") else status
            k = style_key(theme, draw, approx, gk, admin, provisional)
            st_style = styles.setdefault(k, path_style(theme, draw, approx, gk, admin=admin, provisional=provisional))
            casing = casing_style(draw, gk, st_style["weight"])
            if casing:
                styles.setdefault("c|" + k, casing)
                p["cs"] = "c|" + k
            line = status_line(status, sdate, as_of_iso, inherited=line_name, source=deciding, documents=documents)
            p.update(th=theme, sk=k, s=status, dr=draw, sd=sdate, p=head + line + body)
        feats.append({"type": "Feature", "geometry": geometry_json(geom, ATLAS_DECIMALS), "properties": p})
    return {"name": name, "label": escape(layer_label(name)), "features": feats}


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
    provisional: bool


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
        fg = folium.FeatureGroup(name=f"{safe_label(layer_label(lname))} ({len(pl['features'])})", show=True)
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
    ``timeline_mode`` see :func:`layer_payload`; ``study`` gives the view's limits and
    the frame regional lines are cut at, its ``bbox``).
    """
    names = ordered_layers(layers)
    bounds = data_bounds(layers, study=study)
    fig, m = base_map(
        title=title,
        basemap=basemap,
        tianditu_key=tianditu_key,
        bounds=bounds,
        name=name,
        study=study,
        phone_bounds=focus_bounds(layers, study=study),
    )
    styles: dict[str, dict[str, Any]] = {}
    inherited: dict[str, list[Any]] = {}
    line_names: dict[str, str] = {}
    line_aliases: dict[str, list[str]] = {}
    for gdf in layers.values():
        if "id" not in gdf.columns:
            continue
        if "timeline" in gdf.columns:
            for fid, tl in zip(gdf["id"], gdf["timeline"], strict=True):
                inherited[str(fid)] = [ev for ev in as_list(decode_property(tl)) if isinstance(ev, Mapping)]
        if "name_zh" in gdf.columns:
            line_names.update({str(k): str(v) for k, v in zip(gdf["id"], gdf["name_zh"], strict=True) if v})
        if "kind" in gdf.columns:
            for _, row in gdf[gdf["kind"].isin(["metro_line", "rail_line", "bus_line"])].iterrows():
                known = [row.get("name_zh"), row.get("name_en"), *as_list(decode_property(row.get("aliases")))]
                line_aliases[str(row["id"])] = [str(x) for x in known if x and not isinstance(x, float)]
    ranks = station_ranks(layers)
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
            line_names=line_names,
            line_aliases=line_aliases,
            ranks=ranks,
            frame=study.bbox,
        )
        for n in names
    ]
    fgs, grouped = _feature_groups(m, layers, names, name, payload_layers)
    themes = sorted({layer_theme(layers[n], n) for n in names} & set(THEME_COLOURS), key=list(THEME_COLOURS).index)
    provisional = any(
        "provisional" in g.columns and bool((g["provisional"].astype(object) == True).any())  # noqa: E712
        for g in layers.values()
    )
    return ThemeMap(fig, m, names, payload_layers, styles, fgs, grouped, themes, bounds, provisional)


def attach_theme_map(
    tm: ThemeMap,
    *,
    name: str,
    title: str,
    subtitle: str,
    basemap: str,
    study: Study,
    offline: bool,
    script: str,
    call: str,
    payload: Mapping[str, Any],
) -> None:
    """Attach the page data and scripts of a theme map (the atlas or the timeline map).

    ``payload`` holds the map's own entries (date, slider range …); the styles, layers,
    legend (``subtitle`` is escaped HTML), attribution, bounds, study frame and vocabulary
    common to both maps are added here, and the data go to the page as inert JSON.
    """
    shift = " Features shifted to GCJ-02 to match Amap tiles." if basemap == "gaode" else ""
    data = {
        **payload,
        "styles": dict(sorted(tm.styles.items())),
        "layers": tm.payload_layers,
        "legend": theme_legend_html(
            title, tm.themes, subtitle=subtitle, basemap=basemap, extra=shift, provisional=tm.provisional
        ),
        "attribution": DATA_ATTRIBUTION,
        "bboxFeature": bbox_feature(tm.bounds or study.bbox),
        "frame": frame_bounds(study),
        "gcj02": basemap == "gaode",
        **page_vocabulary(tm.themes),
    }
    attach(
        tm.fig,
        tm.map,
        name=name,
        grouped=tm.grouped,
        groups=tm.groups,
        payload=data,
        script=("theme.js", script),
        call=call,
        offline=offline,
    )


def page_vocabulary(themes: Iterable[str]) -> dict[str, Any]:
    """What the page's script needs to name things: status names as text (``statusText``) and
    as HTML (``statusLabels``, Chinese marked), and the theme codes the legend can filter."""
    return {
        "statusText": {k: pair_text(v) for k, v in STATUS_NAMES.items()},
        "statusLabels": {k: pair_html(v) for k, v in STATUS_NAMES.items()},
        "themeCodes": dict.fromkeys(themes, 1),
    }


def frame_bounds(study: Study) -> list[list[float]]:
    """The study area as Leaflet bounds ``[[south, west], [north, east]]`` (the context frame)."""
    w, s, e, n = study.bbox
    return [[s, w], [n, e]]


def _filter_row(kind: str, value: str, sample: str, label: str) -> str:
    return (
        f'<button type="button" class="ga-row ga-filter" data-filter="{escape(kind)}" data-value="{escape(value)}" '
        f'aria-pressed="true" title="Show or hide these features">{sample}<span>{label}</span></button>'
    )


def theme_legend_html(
    title: str,
    themes: Iterable[str],
    *,
    subtitle: str,
    basemap: str,
    extra: str = "",
    provisional: bool = False,
) -> str:
    """Legend of the atlas and the timeline map: themes, statuses, positional accuracy, sources.

    The theme and status entries are buttons (``data-filter``/``data-value``) that show or
    hide those features. ``subtitle`` and ``extra`` are HTML (escape document text before);
    ``title`` is escaped here. ``provisional`` adds the entry for provisional features.
    """
    parts = [
        f'<details class="ga-legend-body" open><summary>Legend {zh("图例")}</summary>',
        f'<div class="ga-legend-title">{escape(title)}</div>',
        f'<div class="ga-sub">{subtitle}</div>',
        f'<div class="ga-h">Theme {zh("主题")} <span class="ga-hint">(click to show or hide)</span></div>',
    ]
    for th in themes:
        style = path_style(th, "open", False, "l")
        sample = swatch(style, "l", casing_style("open", "l", style["weight"]))
        label = THEME_LABELS.get(th, th)
        en, _, cn = label.partition(" ")
        parts.append(_filter_row("theme", th, sample, f"{escape(en)} {zh(cn)}"))
    parts.append(f'<div class="ga-h">Status {zh("状态")}</div>')
    for st in LEGEND_STATUSES:
        line = path_style("rail", st, False, "l")
        point = path_style("rail", st, False, "p")
        sample = swatch(line, "l", casing_style(st, "l", line["weight"])) + swatch(point, "p")
        parts.append(_filter_row("status", st, sample, pair_html(STATUS_NAMES[st])))
    parts.append(f'<div class="ga-h">Accuracy {zh("位置精度")}</div>')
    exact = path_style("rail", "open", False, "l")
    rough = path_style("rail", "open", True, "l")
    parts.append(
        f'<div class="ga-row">{swatch(exact, "l", casing_style("open", "l", exact["weight"]))}'
        f"{swatch(path_style('rail', 'open', False, 'p'), 'p')}<span>surveyed / located (≤ 500 m)</span></div>"
    )
    parts.append(
        f'<div class="ga-row ga-acc-approx">{swatch(rough, "l", casing_style("open", "l", rough["weight"]))}'
        f"{swatch(path_style('rail', 'open', True, 'p'), 'p')}"
        "<span>approximate (≤ 5 km) or schematic (a route drawn through known points, e.g. every "
        "line through its stations): lines a little thinner, points larger and lighter</span></div>"
    )
    parts.append(
        f'<div class="ga-row ga-acc-unlocated">'
        f"{swatch(path_style('facility', 'open', True, 'a', admin=True), 'a')}"
        "<span>unlocated: no source places it more closely than its county; drawn as that county's "
        "dotted outline (not a location)</span></div>"
    )
    if provisional:
        parts.append(
            f'<div class="ga-row ga-acc-provisional">'
            f"{swatch(path_style('road', 'open', True, 'a', admin=True, provisional=True), 'a')}"
            "<span>provisional: found in the documents but not yet in the gazetteer "
            f"{zh('临时要素')}; drawn as the outline of the county the text places it in</span></div>"
        )
    parts.append(
        '<div class="ga-row ga-frame-note"><svg width="34" height="18" aria-hidden="true" focusable="false">'
        '<rect x="2" y="3" width="30" height="12" fill="none" stroke="#666" stroke-dasharray="4 3"/></svg>'
        "<span>study area: regional lines are cut at its edge; an arrow says where they continue</span></div>"
    )
    parts.append(
        '<div class="ga-sub">Labels show lines and major stations as you zoom in; stations that would '
        "overlap are hidden until there is room (search finds them all).</div>"
    )
    parts.append(f'<div class="ga-src">Basemap: {escape(basemap)}. {DATA_ATTRIBUTION}.{extra}</div></details>')
    return "".join(parts)
