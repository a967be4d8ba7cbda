"""The access map: a comparison tool for travel times on hexagons, origins and scenarios.

:func:`access_map` builds it and :func:`write_access_map` writes it; its JavaScript is
``static/access.js``. The page has one destination selector and one mode selector
(radio buttons: exactly one layer is drawn at a time): travel time by each mode chain,
the fastest mode, the difference between two modes (rail − car, bus − car) and each
scenario's change in travel time (diverging colours; pairs that become reachable shown
apart). A click on a hexagon or an origin gives every mode's time to the selected
destination, the fastest mode and the modes its chain uses; destinations are marked and
searchable with the origins, counties and stations; the view, destination, mode and
scenario are kept in the URL; the table of hexagons in view and the origins' table can
be downloaded as CSV.

Hexagon geometry is stored once, as integer coordinates delta-encoded per ring, and each
layer holds only ``[hexagon, minutes]`` values (dense or sparse, whichever is smaller);
the page draws the selected layer on one canvas. The analysis' frames are recognised by
their columns (:mod:`geo.maps.access_frames`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.config import Study, default_study
from geo.crs import area_km2
from geo.errors import MapError
from geo.maps.access_frames import AccessFrames, auto_labels, find_access_frames, long_times, scenario_frames
from geo.maps.page import (
    DATA_ATTRIBUTION,
    attach,
    base_map,
    bbox_feature,
    data_bounds,
    focus_bounds,
    geometry_json,
    prepare_geoms,
    valid_mask,
    write_map,
)
from geo.maps.popups import escape, pair_html, zh
from geo.maps.styles import (
    CHAIN_COLOURS,
    DIFF_BREAKS,
    MODE_LABELS,
    NEW_COLOUR,
    class_labels,
    diverging,
    opportunity_breaks,
    opportunity_labels,
    pair_text,
    sequential,
    time_breaks,
    viridis,
)
from geo.schema import GRID_DECIMALS, as_list, decode_property, parse_opportunity_column

logger = logging.getLogger(__name__)

__all__ = [
    "ACCESS_DECIMALS",
    "ACCESS_MAX_BYTES",
    "CONTEXT_DECIMALS",
    "MAX_HEX_IDS",
    "AccessFrames",
    "access_map",
    "find_access_frames",
    "long_times",
    "mean_cell_km2",
    "scenario_frames",
    "write_access_map",
]

#: Size budget (bytes) of the access map, checked with a warning.
ACCESS_MAX_BYTES = 8 * 1024 * 1024
#: Decimal places of drawn coordinates: those of the hexagon grid file (1e-5 degree is about 1 m).
ACCESS_DECIMALS = GRID_DECIMALS
#: Decimal places of the context drawn under the hexagons (county outlines, lines): about 10 m.
CONTEXT_DECIMALS = 4
#: Hexagon ids are embedded (shown in popups and downloads) only up to this many hexagons.
MAX_HEX_IDS = 20_000
#: Before/after times of a scenario layer are embedded (for popups) up to this many rows.
_MAX_SIDES = 2_000

_HEX_KEYS = ("hex_id", "h3", "hex", "cell")
#: Mode comparisons offered when both chains are present (first minus second).
_COMPARISONS = (("rail", "car"), ("bus", "car"), ("transit", "car"), ("rail", "bus"))


def _hex_key_column(gdf: gpd.GeoDataFrame) -> str | None:
    return next((c for c in _HEX_KEYS if c in gdf.columns), None)


def _opportunity_columns(frame: gpd.GeoDataFrame) -> list[tuple[str, str, float]]:
    """``(column, chain, threshold minutes)`` of the cumulative-opportunity columns
    (:func:`geo.schema.opportunity_column`) of a wide hexagon frame."""
    out = []
    for col in frame.columns:
        oc = parse_opportunity_column(col) if isinstance(col, str) else None
        if oc is not None:
            out.append((col, oc.chain, float(oc.threshold_min)))
    return out


def mean_cell_km2(frame: gpd.GeoDataFrame) -> float | None:
    """Mean area (km², EPSG:4548 as :func:`geo.crs.area_km2`) of a frame's distinct
    hexagons, to 2 decimals; ``None`` without polygons. H3 cells of one resolution differ
    in area by latitude: at resolution 8 they are about 0.52 km² around Tongzhou (the global
    average is 0.74 km²)."""
    g = frame
    key = _hex_key_column(frame)
    if key is not None:
        g = frame.drop_duplicates(subset=key)
    polys = g.geometry[g.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(polys):
        return None
    return round(float(np.mean(area_km2(polys.to_crs("EPSG:4326")))), 2)


def _threshold_key(th: float) -> str:
    """A threshold as the page names it: ``30`` for 30.0 min, ``22.5`` for 22.5."""
    return f"{th:g}"


def _encode_values(hv: np.ndarray, mv: np.ndarray, n_total: int) -> dict[str, Any]:
    """Values of one layer: dense (one per hexagon, null = none) if it covers over half of
    the hexagons, else sparse ``[hex, value, ...]`` pairs -- whichever is smaller."""
    if len(hv) * 2 > n_total:
        dense: list[int | None] = [None] * n_total
        for h, v in zip(hv.tolist(), mv.tolist(), strict=True):
            dense[h] = v
        return {"dense": True, "v": dense}
    return {"dense": False, "v": np.column_stack([hv, mv]).ravel().tolist()}


def _ramp_html(title: str, colours: Sequence[str], labels: Sequence[str], scheme: str) -> str:
    rows = "".join(
        f'<div class="ga-ramp"><i style="background:{c}"></i>{escape(lb)}</div>'
        for c, lb in zip(colours, labels, strict=True)
    )
    return f'<div class="ga-scheme" data-scheme="{escape(scheme)}"><div class="ga-h">{title}</div>{rows}</div>'


def _pairs(values: np.ndarray, idx: np.ndarray) -> list[Any]:
    return np.column_stack([idx, values]).ravel().tolist() if len(idx) else []


class _HexTable:
    """The shared geometry table: integer coordinates (1/scale degree), delta-encoded rings."""

    def __init__(self, basemap: str) -> None:
        self.basemap = basemap
        self.scale = 10**ACCESS_DECIMALS
        self.index: dict[Any, int] = {}
        self.rings: list[list[int]] = []
        self.ids: list[str] = []

    def register(self, gdf: gpd.GeoDataFrame) -> np.ndarray:
        """Index into the table of every row (geometry stored once per hexagon or point)."""
        keycol = _hex_key_column(gdf)
        if keycol:
            keys = gdf[keycol].astype(str).to_numpy()
        else:
            keys = shapely.to_wkb(np.asarray(gdf.geometry.values, dtype=object))
        names = gdf["origin"].astype(str).to_numpy() if "origin" in gdf.columns else None
        codes, uniques = pd.factorize(keys, sort=False)
        first = np.unique(codes, return_index=True)[1]
        geoms = prepare_geoms(gdf.iloc[first], self.basemap, ACCESS_DECIMALS)
        table = np.empty(len(uniques), dtype=np.int64)
        for u, (g, row) in enumerate(zip(geoms, first, strict=True)):
            k = uniques[u]
            j = self.index.get(k)
            if j is None:
                if g.geom_type == "Point":
                    xy = np.asarray(g.coords)
                else:
                    poly = g if g.geom_type == "Polygon" else max(getattr(g, "geoms", [g]), key=lambda p: p.area)
                    xy = np.asarray(poly.exterior.coords)[:-1]
                j = self.index[k] = len(self.rings)
                q = np.rint(np.asarray(xy, dtype=float) * self.scale).astype(np.int64)
                q[1:] = np.diff(q, axis=0)
                self.rings.append(q.ravel().tolist())
                if keycol:
                    self.ids.append(escape(k))
                elif names is not None:
                    self.ids.append(escape(names[row]))
                else:
                    self.ids.append(f"point {j + 1}")
            table[u] = j
        return table[codes]


def _context(
    context: Mapping[str, gpd.GeoDataFrame] | None, basemap: str, dest_ids: Sequence[str]
) -> tuple[dict[str, Any], dict[str, tuple[float, float]], dict[str, str]]:
    """What the page draws and searches besides the values: county outlines, rail lines, stations.

    Returns the payload part, the destinations' (lat, lon) and their English names.
    """
    out: dict[str, Any] = {"admin": [], "lines": [], "stations": [], "places": []}
    dest_ll: dict[str, tuple[float, float]] = {}
    dest_en: dict[str, str] = {}
    if not context:
        return out, dest_ll, dest_en
    for name in sorted(context):
        gdf = context[name]
        if not isinstance(gdf, gpd.GeoDataFrame) or not len(gdf) or "kind" not in gdf.columns:
            continue
        gdf = gdf[valid_mask(gdf)]
        if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
            gdf = gdf.to_crs("EPSG:4326")
        ids = gdf["id"].astype(str).to_numpy() if "id" in gdf.columns else np.array([""] * len(gdf))
        kinds = gdf["kind"].astype(str).to_numpy()
        want = (kinds == "admin") | (kinds == "station") | np.isin(kinds, ["metro_line", "rail_line"])
        want |= np.isin(ids, list(dest_ids))
        if not want.any():
            continue
        sub = gdf[want]
        geoms = prepare_geoms(sub, basemap, CONTEXT_DECIMALS)
        for g, (_, row) in zip(geoms, sub.iterrows(), strict=True):
            fid, kind = str(row.get("id")), str(row["kind"])
            zh_name = str(row.get("name_zh") or fid)
            en = row.get("name_en")
            en = "" if en is None or (isinstance(en, float) and np.isnan(en)) else str(en)
            if fid in dest_ids:
                pt = g.representative_point() if g.geom_type != "Point" else g
                dest_ll[fid] = (round(pt.y, 5), round(pt.x, 5))
                dest_en[fid] = en
            if kind == "admin" and g.geom_type == "Point":
                out["places"].append([round(g.y, 5), round(g.x, 5), escape(zh_name), zh_name, en])
            elif kind == "admin" and g.geom_type in ("Polygon", "MultiPolygon"):
                simple = shapely.simplify(g, 0.0008, preserve_topology=True)
                out["admin"].append(
                    {
                        "type": "Feature",
                        "geometry": geometry_json(simple, CONTEXT_DECIMALS),
                        "properties": {"l": escape(zh_name), "t": zh_name, "e": en},
                    }
                )
            elif kind == "station" and g.geom_type == "Point":
                out["stations"].append([round(g.y, 5), round(g.x, 5), escape(zh_name), zh_name, en])
            elif kind in ("metro_line", "rail_line") and str(row.get("scale")) != "regional":
                out["lines"].append(
                    {
                        "type": "Feature",
                        "geometry": geometry_json(g, CONTEXT_DECIMALS),
                        "properties": {"t": zh_name, "o": int(str(row.get("status")) == "open")},
                    }
                )
    return out, dest_ll, dest_en


def _minutes(x: Any) -> float | None:
    """A value in minutes rounded to 0.1, ``None`` when missing or not finite."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return round(f, 1) if np.isfinite(f) else None


def _origins_payload(
    origins: gpd.GeoDataFrame | None,
    scen: Sequence[tuple[str, gpd.GeoDataFrame]],
    basemap: str,
) -> list[dict[str, Any]]:
    """Origins with their travel times (``t[dest][mode]``) and scenario changes
    (``sc[scenario][dest][mode] = [delta, before, after]``)."""
    if origins is None or not len(origins):
        return []
    origins = origins[valid_mask(origins)]
    name_col = "origin" if "origin" in origins.columns else ("name_zh" if "name_zh" in origins.columns else None)
    long = long_times(origins)
    geoms = prepare_geoms(origins, basemap, ACCESS_DECIMALS)
    out: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    for g, (_, row) in zip(geoms, origins.iterrows(), strict=True):
        nm = str(row[name_col]) if name_col else f"origin {len(out) + 1}"
        rec: dict[str, Any] = {"name": nm, "label": escape(nm), "ll": [round(g.y, 5), round(g.x, 5)], "t": {}, "sc": {}}
        out.append(rec)
        by_name[nm] = rec
    if name_col:
        for r in long[[name_col, "destination", "mode", "minutes"]].itertuples(index=False):
            town = by_name.get(str(r[0]))
            if town is not None and np.isfinite(r[3]):
                town["t"].setdefault(str(r[1]), {})[str(r[2])] = round(float(r[3]), 1)
    for sid, sg in scen:
        if "origin" not in sg.columns:
            continue
        before = sg["minutes_before"] if "minutes_before" in sg.columns else pd.Series(np.nan, index=sg.index)
        after = sg["minutes_after"] if "minutes_after" in sg.columns else pd.Series(np.nan, index=sg.index)
        for o, d, mo, dv, b, a in zip(
            sg["origin"], sg["destination"], sg["mode"], sg["delta_minutes"], before, after, strict=True
        ):
            town = by_name.get(str(o))
            if town is None:
                continue
            vals = [_minutes(dv), _minutes(b), _minutes(a)]
            if any(v is not None for v in vals):
                town["sc"].setdefault(sid, {}).setdefault(str(d), {})[str(mo)] = vals
    return out


def _opportunity_layers(
    frame: gpd.GeoDataFrame | None,
    columns: Sequence[tuple[str, str, float]],
    table: _HexTable,
    chains: Sequence[str],
    schemes: dict[str, dict[str, Any]],
    mode_label: Any,
    unit: str,
) -> list[dict[str, Any]]:
    """The cumulative-opportunity layers (``opp:<chain>:<minutes>``) and their scheme.

    Adds ``schemes['opp']`` (breaks shared by every layer, colours, unit and, for cell
    counts, the cells' mean area in km²). Chains without travel times are left out (the
    mode selector offers only those).
    """
    if frame is None or not len(frame) or not columns:
        return []
    used = [(c, ch, th) for c, ch, th in columns if ch in chains]
    for c, ch, _ in columns:
        if ch not in chains:
            logger.warning("access map: opportunity column %s left out: no travel times by %r", c, ch)
    if not used:
        return []
    ids = table.register(frame)
    counts = unit == "cells"
    values = np.concatenate([frame[c].to_numpy(dtype=float) for c, _, _ in used])
    ob = opportunity_breaks(values, counts=counts)
    cell_km2 = mean_cell_km2(frame)
    schemes["opp"] = {
        "breaks": ob,
        "colours": sequential(len(ob) + 1),
        "unit": unit,
        "counts": counts,
        "cellKm2": cell_km2 if counts else None,
        "thresholds": sorted({_threshold_key(th) for _, _, th in used}, key=float),
    }
    order = sorted(used, key=lambda u: (list(chains).index(u[1]), u[2]))
    out = []
    for col, ch, th in order:
        v = frame[col].to_numpy(dtype=float)
        ok = np.isfinite(v)
        sel = np.argsort(ids[ok], kind="stable")
        hv = ids[ok][sel]
        mv = v[ok][sel]
        mv_out = np.rint(mv).astype(int) if counts else np.round(mv, 1)
        th_key = _threshold_key(th)
        out.append(
            {
                "key": f"opp:{ch}:{th_key}",
                "type": "opp",
                "scheme": "opp",
                "mode": ch,
                "th": th_key,
                "label": escape(f"{unit} reachable within {th_key} min · {mode_label(ch)}"),
                "n": len(hv),
                **_encode_values(hv, mv_out, len(table.rings)),
            }
        )
    return out


def _opportunity_legend(scheme: Mapping[str, Any] | None) -> str:
    """Legend ramp of the cumulative opportunities (units, what one cell is)."""
    if not scheme:
        return ""
    unit = escape(str(scheme["unit"]))
    if scheme["counts"]:
        title = f"Cells reachable within the time, the cell itself included {zh('可达网格数')}"
        area = scheme.get("cellKm2")
        note = (
            "H3 cells"
            + (f" of about {area:g} km² each (count × {area:g} = km² reachable)" if area else "")
            + "; colour scale shared by every mode and threshold."
        )
    else:
        title = f"{unit} reachable within the time {zh('可达机会')}"
        note = f"Sum of {unit} over the cells reachable; colour scale shared by every mode and threshold."
    labels = opportunity_labels(scheme["breaks"], counts=bool(scheme["counts"]))
    return (
        _ramp_html(title, scheme["colours"], labels, "opp")
        + f'<div class="ga-scheme ga-sub" data-scheme="opp">Cumulative opportunities: {escape(note)}</div>'
    )


def _chain_modes() -> dict[str, str]:
    """The modes each chain may use (``mode_chains`` of the assumptions), as text."""
    from geo.network.policy import load_assumptions

    chains = load_assumptions(None).get("mode_chains") or {}
    return {str(k): ", ".join(str(m).replace("_", " ") for m in as_list(decode_property(v))) for k, v in chains.items()}


def access_map(
    hexes: gpd.GeoDataFrame,
    isochrones: gpd.GeoDataFrame | None = None,
    scenarios: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame] | None = None,
    *,
    destination: str | None = None,
    mode: str | None = None,
    labels: Mapping[str, str] | None = None,
    breaks: Sequence[float] | None = None,
    diff_breaks: Sequence[float] | None = None,
    basemap: str = "osm",
    offline: bool = True,
    title: str = "jjj-atlas: accessibility 可达性",
    tianditu_key: str | None = None,
    study: Study | None = None,
    origins: gpd.GeoDataFrame | None = None,
    context: Mapping[str, gpd.GeoDataFrame] | None = None,
    scenario_labels: Mapping[str, str] | None = None,
    opportunity_unit: str | None = None,
) -> folium.Map:
    """Hexagons coloured by travel time, mode comparisons and scenario differences.

    Parameters
    ----------
    hexes : geopandas.GeoDataFrame
        Hexagon polygons (WGS84) with travel times in minutes (NaN/inf = unreachable,
        not drawn), either wide -- one column ``t_<chain>_<destination_id>``
        (:func:`geo.schema.time_column`) per mode chain and destination, as written by
        :func:`geo.analysis.accessibility.hex_travel_times` (``attrs['chains']`` and
        ``attrs['destinations']`` give chain names and destination labels) -- or long:
        one row per hexagon × destination × mode with ``destination``, ``mode`` and
        ``minutes``. An ``h3`` (or ``hex_id``) column identifies hexagons so their
        geometry is stored once.
    isochrones : geopandas.GeoDataFrame, optional
        Polygons with ``destination_id``/``destination``, ``chain``/``mode`` and
        ``threshold_min``/``minutes`` (as from
        :func:`geo.analysis.accessibility.isochrones`); drawn as outlines of the selected
        destination and mode. Empty geometries are skipped.
    scenarios : geopandas.GeoDataFrame or mapping of str to GeoDataFrame, optional
        Travel-time differences (scenario minus baseline, minutes; negative = faster)
        on hexagons (polygons) or origins (points), wide or long
        (:func:`geo.maps.access_frames.scenario_frames`); with the travel times on each
        side (:func:`geo.schema.scenario_time_column`) pairs that become reachable are
        shown as such. One layer per scenario × destination × mode, diverging colours.
    destination, mode : str, optional
        What the page shows on load; default the first in sort order.
    labels : mapping, optional
        Display names for destination ids and modes (e.g.
        ``{'dest-guomao': '国贸 Guomao', 'transit': 'public transport'}``); modes default to
        :data:`geo.maps.styles.MODE_LABELS`.
    breaks, diff_breaks : sequence of float, optional
        Class breaks in minutes for travel times (default: 5–30 min steps, at most 12
        classes) and differences (default ±1, 5, 10, 20, 30 min).
    basemap, offline, title, tianditu_key
        As for :func:`geo.maps.atlas`.
    study : geo.config.Study, optional
        The initial view is the extent of the hexagons, origins and destinations clipped
        to its ``bbox``; scenario descriptions come from its ``scenarios`` (default
        :func:`geo.config.default_study`).
    origins : geopandas.GeoDataFrame, optional
        Origin points (``origin`` names) with the schema's travel-time columns
        (``access_origins``): marked, labelled, searchable; their popups compare modes.
    context : mapping of str to GeoDataFrame, optional
        Theme layers: destination markers (features whose id is a destination), county
        outlines, rail lines and stations (drawn under the values and searchable).
    scenario_labels : mapping, optional
        Scenario id -> description (default the study's scenario descriptions).
    opportunity_unit : str, optional
        What the cumulative opportunities of ``hexes`` count: the wide columns
        ``o_<chain>_<minutes>`` (:func:`geo.schema.opportunity_column`, as
        ``access_hexes`` carries them) are offered as a view "reachable within N min" per
        chain and threshold (sequential colours, one scale for all). Default
        ``hexes.attrs['weight']`` or ``'cells'`` (H3 cells, the cell itself included; the
        legend and popups then give the cells' mean area in km²).

    Returns
    -------
    folium.Map
        Hexagon geometry is stored once (5 decimals) and each layer holds only
        ``[hex, minutes]`` values; styles are shared per class.

    Raises
    ------
    MapError
        No travel times, or none for the ``destination``/``mode`` asked for.
    """
    study = study or default_study()
    attrs_weight = (getattr(hexes, "attrs", None) or {}).get("weight")
    labels = {**auto_labels(hexes, isochrones), **dict(labels or {})}
    scen_labels = {s.id: s.description for s in study.scenarios}
    scen_labels.update(scenario_labels or {})

    def lab(x: Any) -> str:
        return str(labels.get(str(x), x))

    def mode_label(x: Any) -> str:
        return str(labels[str(x)]) if str(x) in labels else pair_text(MODE_LABELS.get(str(x)), x)

    opp_cols = _opportunity_columns(hexes)
    opp_frame: gpd.GeoDataFrame | None = None
    if opp_cols:
        keycol = _hex_key_column(hexes)
        keep = ([keycol] if keycol else []) + [c for c, _, _ in opp_cols] + [hexes.geometry.name]
        opp_frame = hexes[keep]
        opp_frame = opp_frame[valid_mask(opp_frame)]
        hexes = hexes.drop(columns=[c for c, _, _ in opp_cols])
    hexes = long_times(hexes)
    hexes = hexes[valid_mask(hexes)]
    scen = scenario_frames(scenarios)
    combos = sorted({(str(d), str(mo)) for d, mo in zip(hexes["destination"], hexes["mode"], strict=True)})
    if not combos:
        raise MapError("hexes is empty")
    chosen_dest = str(destination) if destination is not None else combos[0][0]
    chosen_mode = str(mode) if mode is not None else next((mo for d, mo in combos if d == chosen_dest), combos[0][1])
    if (chosen_dest, chosen_mode) not in combos:
        raise MapError(f"no travel times for destination={chosen_dest!r}, mode={chosen_mode!r}; have {combos}")
    dests = sorted({d for d, _ in combos})
    chains = sorted({mo for _, mo in combos}, key=lambda c: (list(MODE_LABELS).index(c) if c in MODE_LABELS else 99, c))
    ctx, dest_ll, dest_en = _context(context, basemap, dests)

    frames = [hexes] + [g for _, g in scen]
    if origins is not None and len(origins):
        frames.append(origins)
    bounds = data_bounds({str(i): f for i, f in enumerate(frames) if len(f)}, study=study)
    if bounds is not None and dest_ll:
        lats = [ll[0] for ll in dest_ll.values()]
        lons = [ll[1] for ll in dest_ll.values()]
        bounds = (min(bounds[0], *lons), min(bounds[1], *lats), max(bounds[2], *lons), max(bounds[3], *lats))
    phone = focus_bounds(context, study=study)
    if phone is not None and dest_ll:  # the destinations' markers in view too
        lats = [ll[0] for ll in dest_ll.values()]
        lons = [ll[1] for ll in dest_ll.values()]
        phone = (min(phone[0], *lons), min(phone[1], *lats), max(phone[2], *lons), max(phone[3], *lats))
    fig, m = base_map(
        title=title,
        basemap=basemap,
        tianditu_key=tianditu_key,
        bounds=bounds,
        name="access",
        study=study,
        phone_bounds=phone,
    )

    table = _HexTable(basemap)
    tb = list(breaks) if breaks is not None else time_breaks(hexes["minutes"].to_numpy(dtype=float))
    db = list(diff_breaks) if diff_breaks is not None else list(DIFF_BREAKS)
    schemes: dict[str, dict[str, Any]] = {
        "time": {"breaks": tb, "colours": viridis(len(tb) + 1)},
        "diff": {"breaks": db, "colours": diverging(len(db) + 1), "new": NEW_COLOUR},
        "fastest": {"chains": chains, "colours": [CHAIN_COLOURS.get(c, "#666666") for c in chains]},
    }
    hex_ids = table.register(hexes)
    hex_km2 = mean_cell_km2(hexes)
    layers_payload: list[dict[str, Any]] = []
    opp_payload = _opportunity_layers(
        opp_frame, opp_cols, table, chains, schemes, mode_label, opportunity_unit or str(attrs_weight or "cells")
    )
    layers_payload += opp_payload

    minutes = hexes["minutes"].to_numpy(dtype=float)
    dest_arr = hexes["destination"].astype(str).to_numpy()
    mode_arr = hexes["mode"].astype(str).to_numpy()
    for d, mo in combos:
        sel = (dest_arr == d) & (mode_arr == mo) & np.isfinite(minutes)
        order = np.argsort(hex_ids[sel], kind="stable")
        hv, mv = hex_ids[sel][order], np.rint(minutes[sel][order]).astype(int)
        layers_payload.append(
            {
                "key": f"time:{d}:{mo}",
                "type": "time",
                "scheme": "time",
                "dest": d,
                "mode": mo,
                "label": escape(f"{lab(d)} · {mode_label(mo)}"),
                "n": len(hv),
                **_encode_values(hv, mv, len(table.rings)),
            }
        )

    if isochrones is not None and len(isochrones):
        isochrones = long_times(isochrones)
        isochrones = isochrones[valid_mask(isochrones)]
    if isochrones is not None and len(isochrones):
        iso_geoms = prepare_geoms(isochrones, basemap, ACCESS_DECIMALS)
        tcm = schemes["time"]
        iso_m = isochrones["minutes"].to_numpy(dtype=float)
        idest = isochrones["destination"].astype(str).to_numpy()
        imode = isochrones["mode"].astype(str).to_numpy()
        for d, mo in sorted(set(zip(idest, imode, strict=True))):
            sel = np.flatnonzero((idest == d) & (imode == mo))
            sel = sel[np.argsort(-iso_m[sel], kind="stable")]
            feats = []
            for i in sel:
                k = int(np.searchsorted(tb, iso_m[i], side="right"))
                feats.append(
                    {
                        "type": "Feature",
                        "geometry": geometry_json(iso_geoms[i], ACCESS_DECIMALS),
                        "properties": {
                            "c": tcm["colours"][min(k, len(tcm["colours"]) - 1)],
                            "m": float(iso_m[i]),
                        },
                    }
                )
            layers_payload.append(
                {
                    "key": f"iso:{d}:{mo}",
                    "type": "iso",
                    "scheme": "time",
                    "dest": d,
                    "mode": mo,
                    "label": escape(f"{lab(d)} · {mode_label(mo)}"),
                    "n": len(feats),
                    "geojson": {"type": "FeatureCollection", "features": feats},
                }
            )

    for s_name, sg in scen:
        sg = sg[valid_mask(sg)]
        s_ids = table.register(sg)
        delta = sg["delta_minutes"].to_numpy(dtype=float)
        before = sg["minutes_before"].to_numpy(dtype=float) if "minutes_before" in sg.columns else None
        after = sg["minutes_after"].to_numpy(dtype=float) if "minutes_after" in sg.columns else None
        sd = sg["destination"].astype(str).to_numpy()
        sm = sg["mode"].astype(str).to_numpy()
        for d, mo in sorted(set(zip(sd, sm, strict=True))):
            rows = (sd == d) & (sm == mo)
            sel = rows & np.isfinite(delta)
            order = np.argsort(s_ids[sel], kind="stable")
            hv, mv = s_ids[sel][order], np.rint(delta[sel][order]).astype(int)
            entry: dict[str, Any] = {
                "key": f"diff:{s_name}:{d}:{mo}",
                "type": "diff",
                "scheme": "diff",
                "scen": s_name,
                "dest": d,
                "mode": mo,
                "label": escape(f"{scen_labels.get(s_name, s_name)}: {lab(d)} · {mode_label(mo)}"),
                "n": len(hv),
                **_encode_values(hv, mv, len(table.rings)),
            }
            if before is not None and after is not None:
                new = rows & ~np.isfinite(before) & np.isfinite(after)
                lost = rows & np.isfinite(before) & ~np.isfinite(after)
                entry["nw"] = _pairs(np.rint(after[new]).astype(int), s_ids[new])
                entry["ls"] = _pairs(np.rint(before[lost]).astype(int), s_ids[lost])
                entry["nn"] = int(new.sum())
                if int(rows.sum()) <= _MAX_SIDES:
                    both = rows & (np.isfinite(before) | np.isfinite(after))
                    entry["ba"] = (
                        np.column_stack(
                            [
                                s_ids[both],
                                np.round(np.nan_to_num(before[both], nan=-1), 1),
                                np.round(np.nan_to_num(after[both], nan=-1), 1),
                            ]
                        )
                        .ravel()
                        .tolist()
                    )
            layers_payload.append(entry)

    origin_rows = _origins_payload(origins, scen, basemap)
    cmp = [[a, b] for a, b in _COMPARISONS if a in chains and b in chains]
    scen_ids = [s for s, _ in scen]
    diff_title = f"Scenario − baseline, minutes (blue = faster) {zh('情景变化（分钟）')}"
    legend = (
        f'<details class="ga-legend-body" open><summary>Legend {zh("图例")}</summary>'
        f'<div class="ga-legend-title">{escape(title)}</div>'
        '<div class="ga-sub">Door-to-door travel time from each hexagon (H3'
        + (f", about {hex_km2:g} km²" if hex_km2 else "")
        + ") and each town to the destination chosen at right; rail includes the feeder trip to the station.</div>"
        + _ramp_html(
            f"Travel time, minutes {zh('出行时间（分钟）')}",
            schemes["time"]["colours"],
            class_labels(tb, False),
            "time",
        )
        + _ramp_html(
            f"Mode difference, minutes {zh('方式差（分钟）')}: blue = the first mode is faster",
            schemes["diff"]["colours"],
            class_labels(db, True),
            "cmp",
        )
        + (
            ""
            if not scen
            else _ramp_html(diff_title, schemes["diff"]["colours"], class_labels(db, True), "diff")
            + f'<div class="ga-scheme" data-scheme="diff"><div class="ga-ramp"><i style="background:{NEW_COLOUR}">'
            f"</i>newly reachable: no route before {zh('新增可达')}</div></div>"
        )
        + _opportunity_legend(schemes.get("opp"))
        + '<div class="ga-scheme" data-scheme="fastest"><div class="ga-h">Fastest mode '
        + zh("最快方式")
        + "</div>"
        + "".join(
            f'<div class="ga-ramp"><i style="background:{CHAIN_COLOURS.get(c, "#666666")}"></i>'
            f"{escape(mode_label(c))}</div>"
            for c in chains
        )
        + "</div>"
        + '<div class="ga-scheme ga-sub" data-scheme="cmp">Grey: reached by one of the two modes only.</div>'
        + '<div class="ga-scheme ga-sub" data-scheme="diff">Grey: no longer reachable after the change.</div>'
        + '<div class="ga-sub">Isochrone outlines (when on) use '
        "the travel-time colours of their threshold. ◆ destinations, ● towns (commute origins).</div>"
        + f'<div class="ga-src">Basemap: {escape(basemap)}. {DATA_ATTRIBUTION}.</div></details>'
    )
    hex_data: dict[str, Any] = {"scale": table.scale, "rings": table.rings}
    if len(table.ids) <= MAX_HEX_IDS:
        hex_data["ids"] = table.ids
    payload = {
        "units": "min",
        "hex": hex_data,
        "schemes": schemes,
        "layers": layers_payload,
        "dests": [
            {
                "id": d,
                "label": escape(lab(d))
                + (f' <span class="ga-en">{escape(dest_en[d])}</span>' if dest_en.get(d) else ""),
                "text": lab(d),
                "en": dest_en.get(d, ""),
                "ll": list(dest_ll[d]) if d in dest_ll else None,
            }
            for d in dests
        ],
        "modes": [{"id": c, "label": escape(mode_label(c)), "text": mode_label(c)} for c in chains],
        "chainModes": _chain_modes(),
        "cmp": cmp,
        "opp": [{"mode": ld["mode"], "th": ld["th"]} for ld in opp_payload],
        "scenarios": [
            {"id": s, "label": escape(scen_labels.get(s, s)), "text": scen_labels.get(s, s)} for s in scen_ids
        ],
        "origins": origin_rows,
        "context": ctx,
        "defaults": {"dest": chosen_dest, "mode": chosen_mode},
        "legend": legend,
        "attribution": DATA_ATTRIBUTION,
        "bboxFeature": bbox_feature(bounds or study.fallback_view),
        "gcj02": basemap == "gaode",
        "newLabel": pair_html(("newly reachable", "新增可达")),
    }
    attach(
        fig,
        m,
        name="access",
        grouped=None,
        groups={},
        payload=payload,
        script="access.js",
        call="geoAccessBuild",
        offline=offline,
    )
    logger.info("access map: %d hexagons, %d layers", len(table.rings), len(layers_payload))
    return m


def write_access_map(
    path: str | os.PathLike[str],
    hexes: gpd.GeoDataFrame,
    isochrones: gpd.GeoDataFrame | None = None,
    scenarios: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame] | None = None,
    **kwargs: Any,
) -> Path:
    """Build :func:`access_map` and write it atomically to ``path`` (e.g. ``maps/access.html``)."""
    return write_map(path, access_map(hexes, isochrones, scenarios, **kwargs), ACCESS_MAX_BYTES, "access")
