"""The access map: travel times on hexagons, isochrones and scenario differences.

:func:`access_map` builds it and :func:`write_access_map` writes it; its JavaScript is
``static/access.js``. Hexagon geometry is stored once, as integer coordinates
delta-encoded per ring, and each layer holds only ``[hexagon, minutes]`` values (dense
or sparse, whichever is smaller); layers are drawn when first shown.

The analysis' frames are recognised by the columns of :mod:`geo.schema`
(:func:`find_access_frames`): travel times ``t_<chain>_<destination id>``
(:func:`geo.schema.time_column`) and scenario differences
``d_<scenario>_<chain>_<destination id>`` (:func:`geo.schema.delta_column`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.config import Study, default_study
from geo.errors import MapError
from geo.maps.page import (
    DATA_ATTRIBUTION,
    attach,
    base_map,
    bbox_feature,
    data_bounds,
    fix_id,
    geometry_json,
    prepare_geoms,
    valid_mask,
    write_map,
)
from geo.maps.popups import escape, safe_label
from geo.maps.styles import DIFF_BREAKS, class_labels, diverging, time_breaks, viridis
from geo.schema import GRID_DECIMALS, parse_delta_column, parse_time_column, time_column

logger = logging.getLogger(__name__)

__all__ = [
    "ACCESS_DECIMALS",
    "ACCESS_MAX_BYTES",
    "MAX_HEX_IDS",
    "AccessFrames",
    "access_map",
    "find_access_frames",
    "long_times",
    "scenario_frames",
    "write_access_map",
]

#: Size budget (bytes) of the access map, checked with a warning.
ACCESS_MAX_BYTES = 8 * 1024 * 1024
#: Decimal places of drawn coordinates: those of the hexagon grid file (1e-5 degree is about 1 m).
ACCESS_DECIMALS = GRID_DECIMALS
#: Hexagon ids are embedded (shown in popups) only up to this many hexagons.
MAX_HEX_IDS = 20_000

_HEX_KEYS = ("hex_id", "h3", "hex", "cell")


def _hex_key_column(gdf: gpd.GeoDataFrame) -> str | None:
    return next((c for c in _HEX_KEYS if c in gdf.columns), None)


def _encode_values(hv: np.ndarray, mv: np.ndarray, n_total: int) -> dict[str, Any]:
    """Values of one layer: dense (one per hexagon, null = none) if it covers over half of
    the hexagons, else sparse ``[hex, value, ...]`` pairs -- whichever is smaller."""
    if len(hv) * 2 > n_total:
        dense: list[int | None] = [None] * n_total
        for h, v in zip(hv.tolist(), mv.tolist(), strict=True):
            dense[h] = v
        return {"dense": True, "v": dense}
    return {"dense": False, "v": np.column_stack([hv, mv]).ravel().tolist()}


def _ramp_html(title: str, colours: Sequence[str], labels: Sequence[str]) -> str:
    rows = "".join(
        f'<div class="ga-ramp"><i style="background:{c}"></i>{escape(lb)}</div>'
        for c, lb in zip(colours, labels, strict=True)
    )
    return f'<div class="ga-h">{escape(title)}</div>{rows}'


# --------------------------------------------------------------------------- input frames


#: Columns of one wide value column once melted: ``{"destination": ..., "mode": ...}`` (and
#: ``"scenario"`` for differences).
_Keys = dict[str, str]


def _chains(frame: gpd.GeoDataFrame) -> list[str] | None:
    chains = frame.attrs.get("chains")
    return [str(c) for c in chains] if chains else None


def _time_columns(frame: gpd.GeoDataFrame) -> list[tuple[str, _Keys]]:
    """The travel-time columns (:func:`geo.schema.time_column`) of a wide frame.

    ``attrs['chains']`` (as :func:`geo.analysis.accessibility.hex_travel_times` sets it)
    resolves chain names holding an underscore; otherwise the destination id, which has
    none, ends the name.
    """
    chains = _chains(frame)
    out = []
    for col in frame.columns:
        tc = (parse_time_column(col, chains) if chains else None) or parse_time_column(col)
        if tc is not None:
            out.append((col, {"destination": tc.destination, "mode": tc.chain}))
    return out


def _delta_columns(frame: gpd.GeoDataFrame) -> list[tuple[str, _Keys]]:
    """The scenario columns (:func:`geo.schema.delta_column`) of a wide frame (see :func:`_time_columns`)."""
    chains = _chains(frame)
    out = []
    for col in frame.columns:
        dc = (parse_delta_column(col, chains) if chains else None) or parse_delta_column(col)
        if dc is not None:
            out.append((col, {"scenario": dc.scenario, "destination": dc.destination, "mode": dc.chain}))
    return out


def _melt(frame: gpd.GeoDataFrame, columns: Sequence[tuple[str, _Keys]], value: str) -> gpd.GeoDataFrame:
    """Long format from wide value columns: one row per feature × column, the keys as columns."""
    wide = {col for col, _ in columns}
    keep = [c for c in frame.columns if c not in wide]
    parts = []
    for col, keys in columns:
        part = frame[keep].copy()
        for k, v in keys.items():
            part[k] = v
        part[value] = frame[col].to_numpy(dtype=float)
        parts.append(part)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry=frame.geometry.name, crs=frame.crs)
    out.attrs = dict(frame.attrs)
    return out


#: The analysis' long column names -> the map's.
_LONG_NAMES = {"destination_id": "destination", "chain": "mode"}


def _long(frame: gpd.GeoDataFrame, value: str, aliases: Sequence[str]) -> gpd.GeoDataFrame | None:
    """``frame`` with ``destination``, ``mode`` and ``value`` columns if it has them under
    the map's or the analysis' names (``destination_id``, ``chain``, one of ``aliases``)."""
    need = {"destination", "mode", value}
    if need <= set(frame.columns):
        return frame
    names = dict(_LONG_NAMES)
    names.update({a: value for a in aliases if a in frame.columns and value not in frame.columns})
    renamed = frame.rename(columns=names)
    return renamed if need <= set(renamed.columns) else None


def long_times(frame: gpd.GeoDataFrame, value: str = "minutes") -> gpd.GeoDataFrame:
    """Travel times or thresholds, one row per feature × destination × mode.

    Accepts the long format (``destination``, ``mode``, ``value``), the analysis' long
    names (``destination_id``, ``chain``, ``threshold_min``) or the schema's wide
    travel-time columns ``t_<chain>_<destination id>`` (:func:`geo.schema.time_column`).

    Raises
    ------
    MapError
        The frame has neither.
    """
    long = _long(frame, value, ("threshold_min",))
    if long is not None:
        return long
    columns = _time_columns(frame)
    if not columns:
        raise MapError(
            f"need columns destination, mode and {value!r} (long format, one row per hexagon × "
            f"destination × mode) or wide columns {time_column('<chain>', '<destination id>')} (minutes)"
        )
    return _melt(frame, columns, value)


def _auto_labels(*frames: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in frames:
        for d in (getattr(f, "attrs", None) or {}).get("destinations") or []:
            if isinstance(d, Mapping) and d.get("feature_id") and d.get("label"):
                out[str(d["feature_id"])] = str(d["label"])
    return out


def scenario_frames(
    scenarios: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame] | None,
) -> list[tuple[str, gpd.GeoDataFrame]]:
    """``(scenario id, long frame with destination, mode, delta_minutes)`` pairs, one per scenario.

    Parameters
    ----------
    scenarios : GeoDataFrame or mapping of str to GeoDataFrame, optional
        Wide frames carry the schema's scenario columns ``d_<scenario>_<chain>_<destination id>``
        (:func:`geo.schema.delta_column`; one frame may hold several scenarios, the
        mapping's keys are not used). Long frames carry ``destination``/``destination_id``,
        ``mode``/``chain`` and ``delta_minutes``/``delta_min`` (or ``minutes_baseline`` and
        ``minutes_scenario``), and a ``scenario`` column or else one scenario named by the
        mapping key (a single frame: ``attrs['scenario']``, else ``'scenario'``).

    Returns
    -------
    list of (str, GeoDataFrame)
        Scenarios in the order first met (a ``scenario`` column: sorted); the rows of
        several frames for one scenario are concatenated.

    Raises
    ------
    MapError
        A non-empty frame in neither format.
    """
    if scenarios is None:
        return []
    if isinstance(scenarios, gpd.GeoDataFrame):
        items: list[tuple[str | None, gpd.GeoDataFrame]] = [(None, scenarios)]
    else:
        items = [(str(k), v) for k, v in scenarios.items()]
    found: dict[str, list[gpd.GeoDataFrame]] = {}
    for name, g in items:
        if not len(g):
            continue
        wide = _delta_columns(g)
        if wide:
            melted = _melt(g, wide, "delta_minutes")
            for sid, part in melted.groupby("scenario", sort=False):
                found.setdefault(str(sid), []).append(part.drop(columns="scenario"))
            continue
        if "delta_minutes" not in g.columns and {"minutes_baseline", "minutes_scenario"} <= set(g.columns):
            g = g.assign(delta_minutes=g["minutes_scenario"] - g["minutes_baseline"])
        long = _long(g, "delta_minutes", ("delta_min",))
        if long is None:
            raise MapError(
                f"scenario frame {name or '(unnamed)'}: need the schema's scenario columns "
                "d_<scenario>_<chain>_<destination id> (geo.schema.delta_column) or columns destination, "
                "mode and delta_minutes"
            )
        if "scenario" in long.columns:
            for sid, part in long.groupby("scenario", sort=True):
                found.setdefault(str(sid), []).append(part)
        else:
            found.setdefault(name or str(g.attrs.get("scenario", "scenario")), []).append(long)
    out = []
    for sid, parts in found.items():
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        out.append((sid, gpd.GeoDataFrame(frame, geometry=parts[0].geometry.name, crs=parts[0].crs)))
    return out


class AccessFrames(NamedTuple):
    """The analysis frames the access map draws (:func:`find_access_frames`)."""

    hexes: gpd.GeoDataFrame | None
    isochrones: gpd.GeoDataFrame | None
    scenarios: dict[str, gpd.GeoDataFrame]


def find_access_frames(extra: Mapping[str, Any]) -> AccessFrames:
    """Pick the hexagon, isochrone and scenario frames out of the analysis layers by their columns.

    * hexagons: the schema's travel-time columns (:func:`geo.schema.parse_time_column`)
      and an ``h3`` or ``hex_id`` column (the first such layer in name order; the
      ``access_hexes`` layer of :mod:`geo.analysis.pipeline`);
    * isochrones: a ``threshold_min`` column (``access_isochrones``);
    * scenarios: the schema's scenario columns (:func:`geo.schema.parse_delta_column`)
      or ``delta_minutes`` (``access_scenarios``: origin points).
    """
    hexes = iso = None
    scen: dict[str, gpd.GeoDataFrame] = {}
    for name in sorted(extra):
        g = extra[name]
        if not isinstance(g, gpd.GeoDataFrame) or not len(g):
            continue
        cols = [c for c in g.columns if isinstance(c, str)]
        if hexes is None and any(parse_time_column(c) for c in cols) and ("h3" in cols or "hex_id" in cols):
            hexes = g
        elif iso is None and "threshold_min" in cols:
            iso = g
        elif any(parse_delta_column(c) for c in cols) or "delta_minutes" in cols:
            scen[name] = g
    return AccessFrames(hexes, iso, scen)


# --------------------------------------------------------------------------- the map


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
        codes, uniques = pd.factorize(keys, sort=False)
        first = np.unique(codes, return_index=True)[1]
        geoms = prepare_geoms(gdf.iloc[first], self.basemap, ACCESS_DECIMALS)
        table = np.empty(len(uniques), dtype=np.int64)
        for u, g in zip(range(len(uniques)), geoms, strict=True):
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
                self.ids.append(escape(k) if keycol else f"hex {j}")
            table[u] = j
        return table[codes]


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
) -> folium.Map:
    """Hexagons coloured by travel time, isochrones and scenario differences.

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
        :func:`geo.analysis.accessibility.isochrones`); drawn as outlines coloured like
        the hexagons, one layer per destination × mode. Empty geometries are skipped.
    scenarios : geopandas.GeoDataFrame or mapping of str to GeoDataFrame, optional
        Travel-time differences (scenario minus baseline, minutes; negative = faster)
        on hexagons (polygons) or origins (points): wide, the schema's scenario columns
        ``d_<scenario>_<chain>_<destination_id>`` (:func:`geo.schema.delta_column`, as in
        the ``access_scenarios`` layer of :func:`geo.analysis.pipeline.run_analyses`), or
        long ``destination, mode, delta_minutes`` (or ``minutes_baseline`` and
        ``minutes_scenario``) with a ``scenario`` column or one frame per scenario in a
        mapping name -> frame (see :func:`scenario_frames`). One layer per scenario ×
        destination × mode, diverging colours.
    destination, mode : str, optional
        The travel-time layer shown on load (others start hidden, toggle them in the
        layer switcher); default the first in sort order.
    labels : mapping, optional
        Display names for destination ids, modes and scenarios (e.g.
        ``{'dest-guomao': '国贸 Guomao', 'transit': 'public transport'}``).
    breaks, diff_breaks : sequence of float, optional
        Class breaks in minutes for travel times (default: 5–30 min steps, at most 12
        classes) and differences (default ±1, 5, 10, 20, 30 min).
    basemap, offline, title, tianditu_key
        As for :func:`geo.maps.atlas`.
    study : geo.config.Study, optional
        The initial view is the data extent clipped to its ``bbox``, else its
        ``fallback_view`` (default :func:`geo.config.default_study`).

    Returns
    -------
    folium.Map
        Hexagon geometry is stored once (5 decimals) and each layer holds only
        ``[hex, minutes]`` pairs; styles are shared per class.

    Raises
    ------
    MapError
        No travel times, or none for the ``destination``/``mode`` asked for.
    """
    study = study or default_study()
    labels = {**_auto_labels(hexes, isochrones), **dict(labels or {})}

    def lab(x: Any) -> str:
        return str(labels.get(str(x), x))

    hexes = long_times(hexes)
    hexes = hexes[valid_mask(hexes)]
    scen = scenario_frames(scenarios)
    frames = [hexes] + [g for _, g in scen]
    bounds = data_bounds({str(i): f for i, f in enumerate(frames) if len(f)}, study=study)
    fig, m = base_map(
        title=title, basemap=basemap, tianditu_key=tianditu_key, bounds=bounds, name="access", study=study
    )

    table = _HexTable(basemap)
    tb = list(breaks) if breaks is not None else time_breaks(hexes["minutes"].to_numpy(dtype=float))
    db = list(diff_breaks) if diff_breaks is not None else list(DIFF_BREAKS)
    schemes: dict[str, dict[str, Any]] = {
        "time": {"breaks": tb, "colours": viridis(len(tb) + 1)},
        "diff": {"breaks": db, "colours": diverging(len(db) + 1)},
    }
    hex_ids = table.register(hexes)
    layers_payload: list[dict[str, Any]] = []
    fgs: dict[str, folium.FeatureGroup] = {}
    grouped: dict[str, list[folium.FeatureGroup]] = {}

    def add_group(key: str, label: str, group: str, show: bool, n: int) -> None:
        fg = folium.FeatureGroup(name=f"{safe_label(label)} ({n})", show=show)
        fix_id(fg, f"access_{len(fgs):03d}")
        fg.add_to(m)
        fgs[key] = fg
        grouped.setdefault(safe_label(group), []).append(fg)

    combos = sorted({(str(d), str(mo)) for d, mo in zip(hexes["destination"], hexes["mode"], strict=True)})
    if not combos:
        raise MapError("hexes is empty")
    chosen_dest = str(destination) if destination is not None else combos[0][0]
    chosen_mode = str(mode) if mode is not None else next((mo for d, mo in combos if d == chosen_dest), combos[0][1])
    chosen = (chosen_dest, chosen_mode)
    if chosen not in combos:
        raise MapError(f"no travel times for destination={chosen[0]!r}, mode={chosen[1]!r}; have {combos}")

    minutes = hexes["minutes"].to_numpy(dtype=float)
    dest_arr = hexes["destination"].astype(str).to_numpy()
    mode_arr = hexes["mode"].astype(str).to_numpy()
    for d, mo in combos:
        sel = (dest_arr == d) & (mode_arr == mo) & np.isfinite(minutes)
        order = np.argsort(hex_ids[sel], kind="stable")
        hv, mv = hex_ids[sel][order], np.rint(minutes[sel][order]).astype(int)
        label = f"{lab(d)} · {lab(mo)}"
        key = f"time:{d}:{mo}"
        layers_payload.append(
            {
                "key": key,
                "type": "time",
                "scheme": "time",
                "label": escape(label),
                "n": len(hv),
                **_encode_values(hv, mv, len(table.rings)),
            }
        )
        add_group(key, label, "Travel time 出行时间 (min)", (d, mo) == chosen, len(hv))

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
                            "t": escape(f"≤ {iso_m[i]:g} min to {lab(d)} by {lab(mo)}"),
                        },
                    }
                )
            key = f"iso:{d}:{mo}"
            label = f"{lab(d)} · {lab(mo)}"
            layers_payload.append(
                {
                    "key": key,
                    "type": "iso",
                    "scheme": "time",
                    "label": escape(label),
                    "n": len(feats),
                    "geojson": {"type": "FeatureCollection", "features": feats},
                }
            )
            add_group(key, label, "Isochrones 等时圈", (d, mo) == chosen, len(feats))

    for s_name, sg in scen:
        sg = sg[valid_mask(sg)]
        s_ids = table.register(sg)
        delta = sg["delta_minutes"].to_numpy(dtype=float)
        sd = sg["destination"].astype(str).to_numpy()
        sm = sg["mode"].astype(str).to_numpy()
        for d, mo in sorted(set(zip(sd, sm, strict=True))):
            sel = (sd == d) & (sm == mo) & np.isfinite(delta)
            order = np.argsort(s_ids[sel], kind="stable")
            hv, mv = s_ids[sel][order], np.rint(delta[sel][order]).astype(int)
            key = f"diff:{s_name}:{d}:{mo}"
            label = f"{lab(s_name)}: {lab(d)} · {lab(mo)}"
            layers_payload.append(
                {
                    "key": key,
                    "type": "diff",
                    "scheme": "diff",
                    "label": escape(label),
                    "n": len(hv),
                    **_encode_values(hv, mv, len(table.rings)),
                }
            )
            add_group(key, label, "Scenario difference 情景差异 (min)", False, len(hv))

    legend = (
        f'<div class="ga-legend-title">{escape(title)}</div>'
        f'<div class="ga-sub">Shown on load: {escape(lab(chosen[0]))} · {escape(lab(chosen[1]))}. '
        "Switch destination / mode in the layer control (top right).</div>"
        "<details open><summary>Legend 图例</summary>"
        + _ramp_html("Travel time, minutes 出行时间（分钟）", schemes["time"]["colours"], class_labels(tb, False))
        + (
            ""
            if not scen
            else _ramp_html(
                "Scenario − baseline, minutes (blue = faster)", schemes["diff"]["colours"], class_labels(db, True)
            )
        )
        + '<div class="ga-sub">Isochrone outlines use the travel-time colours of their threshold.</div>'
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
        "legend": legend,
        "attribution": DATA_ATTRIBUTION,
        "bboxFeature": bbox_feature(bounds or study.fallback_view),
    }
    attach(
        fig,
        m,
        name="access",
        grouped=grouped,
        groups=fgs,
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
