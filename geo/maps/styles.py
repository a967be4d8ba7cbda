"""How the maps look and what they call things: colours, status and accuracy styling, labels.

This module owns every visual constant of the three maps, the display names of the
project's vocabularies, and the functions that turn a style class into Leaflet options:

* :data:`THEME_COLOURS`, :data:`THEME_LABELS`: one colour and one legend label per theme.
  Every colour has a contrast of at least 3:1 against a white or light basemap
  (:func:`contrast_ratio`, :data:`BASEMAP_BACKGROUNDS`), so open features stay legible.
* :data:`STATUS_SPEC`: status by colour *and* dash. Open lines are solid on a white
  casing, lines under construction dashed on an amber casing, planned lines pale and
  dotted; points are filled, amber or hollow. :data:`CONTEXT_STATUS` is the maps-only
  status of features without a life cycle (rivers, boundaries), drawn solid.
* :func:`path_style`, :func:`casing_style`, :func:`style_key`: Leaflet options of a style
  class (theme, status, positional accuracy, geometry kind). Every option is always
  present (``dashArray: None`` included), so restyling a feature replaces its whole
  style: a style is a pure function of the class, never of the previous style.
* :func:`swatch`: the SVG legend sample of a style.
* Display names, English and Chinese, as ``(en, zh)`` pairs: :data:`LAYER_LABELS`,
  :data:`KIND_LABELS`, :data:`EVENT_LABELS`, :data:`STATUS_NAMES`, :data:`ACCURACY_LABELS`,
  :data:`PRECISION_LABELS`, :data:`MODE_LABELS`; :func:`pair_text` joins a pair.
* :func:`time_breaks`, :data:`DIFF_BREAKS`, :func:`viridis`, :func:`diverging`,
  :func:`class_labels`, :data:`CHAIN_COLOURS`: classes and colours of the access map.

Everything here is trusted constant text or numbers; nothing is escaped here because
nothing here comes from a document.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from branca.colormap import linear

from geo.schema import ACCURACY, EVENT_STATUSES, FEATURE_STATUSES, KINDS, LAYER_NAMES, THEMES

__all__ = [
    "ACCURACY_LABELS",
    "BASEMAP_BACKGROUNDS",
    "CASING_COLOURS",
    "CHAIN_COLOURS",
    "CONTEXT_KINDS",
    "CONTEXT_STATUS",
    "DIFF_BREAKS",
    "DRAW_STATUSES",
    "EVENT_LABELS",
    "FALLBACK_COLOUR",
    "KIND_LABELS",
    "LAYER_LABELS",
    "LAYER_ORDER",
    "LEGEND_STATUSES",
    "MIN_CONTRAST",
    "MODE_LABELS",
    "NEW_COLOUR",
    "PLACEMENT_LABELS",
    "PRECISION_LABELS",
    "STATUS_LABELS",
    "STATUS_NAMES",
    "STATUS_SPEC",
    "THEME_COLOURS",
    "THEME_LABELS",
    "Pair",
    "casing_style",
    "class_labels",
    "contrast_ratio",
    "diverging",
    "effective_colour",
    "mix",
    "opportunity_breaks",
    "opportunity_labels",
    "pair_text",
    "path_style",
    "sequential",
    "style_key",
    "swatch",
    "time_breaks",
    "viridis",
]

#: A display name in English and Chinese.
Pair = tuple[str, str]

#: Theme colours: distinct hues, each at least 3:1 against white and the light basemaps.
THEME_COLOURS: dict[str, str] = {
    "rail": "#c0392b",
    "road": "#b35900",
    "bus": "#007a5a",
    "water": "#0b6fa4",
    "zone": "#7b3fa0",
    "facility": "#7a5230",
    "admin": "#4d4d4d",
}
#: Legend label of each theme.
THEME_LABELS: dict[str, str] = {
    "rail": "Rail 轨道交通",
    "road": "Roads 道路",
    "bus": "Bus 公交",
    "water": "Water 水系",
    "zone": "Zones 功能区",
    "facility": "Facilities 公共设施",
    "admin": "Admin 行政区",
}
#: The land colour of each basemap (what features are drawn on), for contrast checks.
BASEMAP_BACKGROUNDS: dict[str, str] = {
    "osm": "#f2efe9",
    "gaode": "#f5f5f5",
    "tianditu": "#f8f8f8",
    "none": "#f2f1ee",
}
#: Least contrast of an open feature against the basemap (WCAG 2.1 non-text contrast).
MIN_CONTRAST = 3.0
#: The maps-only drawing status of features without a life cycle whose status is unknown.
CONTEXT_STATUS = "context"
#: Display name of each feature status (and :data:`CONTEXT_STATUS`).
STATUS_NAMES: dict[str, Pair] = {
    "open": ("open", "已开通/建成"),
    "under_construction": ("under construction", "在建"),
    "planned": ("planned", "规划"),
    "suspended": ("suspended", "暂停"),
    "unknown": ("status unknown", "状态未知"),
    CONTEXT_STATUS: ("existing context (river, boundary)", "现状背景"),
}
#: Display label of each drawing status, English and Chinese in one string.
STATUS_LABELS: dict[str, str] = {k: f"{en} {zh}" for k, (en, zh) in STATUS_NAMES.items()}
#: Every status a feature can be drawn with.
DRAW_STATUSES: tuple[str, ...] = (*FEATURE_STATUSES, CONTEXT_STATUS)
#: The statuses the theme legends explain, in legend order.
LEGEND_STATUSES: tuple[str, ...] = tuple(s for s in STATUS_NAMES if s != CONTEXT_STATUS)
#: Kinds without a life cycle: drawn solid whatever their (unknown) status.
CONTEXT_KINDS = frozenset({"admin", "river"})
#: Layer drawing order (bottom to top); other layers go on top in name order.
LAYER_ORDER = ("admin", "zones", "water", "facilities", "roads", "bus", "rail", "bridges", "stations")
#: Colour of a theme without one of its own.
FALLBACK_COLOUR = "#666666"
#: Colour of "newly reachable" on the access map's scenario layers (not on the diverging ramp).
NEW_COLOUR = "#00a651"

#: Display name of each theme layer (the layer switcher, the feature list).
LAYER_LABELS: dict[str, Pair] = {
    "rail": ("Rail & metro lines", "铁路与地铁"),
    "stations": ("Stations", "车站"),
    "roads": ("Roads & expressways", "道路"),
    "bridges": ("Bridges & interchanges", "桥梁与立交"),
    "bus": ("Bus lines", "公交线路"),
    "water": ("Rivers & water", "水系"),
    "zones": ("Zones", "功能区"),
    "facilities": ("Facilities", "公共设施"),
    "admin": ("Boundaries", "行政区划"),
}
#: Display name of each feature kind of :data:`geo.schema.KINDS`.
KIND_LABELS: dict[str, Pair] = {
    "metro_line": ("metro line", "地铁线路"),
    "rail_line": ("railway", "铁路"),
    "station": ("station", "车站"),
    "expressway": ("expressway", "高速公路"),
    "road": ("road", "道路"),
    "bridge": ("bridge", "桥梁"),
    "interchange": ("interchange", "立交/互通"),
    "bus_line": ("bus line", "公交线路"),
    "river": ("river", "河流"),
    "lock": ("lock", "船闸"),
    "monitoring_section": ("water monitoring section", "水质监测断面"),
    "park": ("park", "公园"),
    "zone": ("zone", "功能区"),
    "admin": ("administrative area", "行政区"),
    "school": ("school", "学校"),
    "hospital": ("hospital", "医院"),
    "government": ("government office", "政府机构"),
    "culture": ("cultural venue", "文化设施"),
    "destination": ("commute destination", "通勤目的地"),
}
#: Display name of each event status of :data:`geo.schema.EVENT_STATUSES`.
EVENT_LABELS: dict[str, Pair] = {
    "planned": ("planned", "规划"),
    "early_stage": ("early stage", "前期工作"),
    "agreement": ("agreement signed", "签约"),
    "construction_started": ("construction started", "开工"),
    "under_construction": ("under construction", "在建"),
    "milestone": ("construction milestone", "建设节点"),
    "opened": ("opened", "开通/通车"),
    "suspended": ("suspended", "暂停"),
}
#: Display name of each accuracy class of :data:`geo.schema.ACCURACY`.
ACCURACY_LABELS: dict[str, Pair] = {
    "surveyed": ("surveyed (≤ 50 m)", "实测"),
    "located": ("located (≤ 500 m)", "定位"),
    "approximate": ("approximate (≤ 5 km)", "近似"),
    "schematic": ("schematic: a route drawn through known points", "示意"),
    "unlocated": ("unlocated: drawn as its county's outline", "未定位"),
}
#: Display name of a date precision.
PRECISION_LABELS: dict[str, Pair] = {
    "day": ("day", "日"),
    "month": ("month", "月"),
    "year": ("year", "年"),
    "reported": ("undated: publication date", "报道日期"),
    # a fact the text does not date, dated to the month of the report that states it
    "reported_month": ("undated: month of the report", "报道月份"),
}
#: How a provisional feature was placed (``placement.level``, one per
#: :data:`geo.extract.provisional.PLACEMENT_LEVELS`): where the text names its county.
PLACEMENT_LABELS: dict[str, Pair] = {
    "prefix": ("the county named just before its name", "名称前的区县"),
    "sentence": ("a county named in the same sentence", "同句中的区县"),
    "paragraph": ("a county named in the same paragraph", "同段中的区县"),
    "document": ("a county named in the same document", "同文中的区县"),
    "study_area": ("no county named: only the study area", "仅研究区"),
}
#: Display name of the access analysis' mode chains (``mode_chains`` of assumptions.yaml).
MODE_LABELS: dict[str, Pair] = {
    "rail": ("rail", "轨道"),
    "rail_walk": ("rail, walking access", "轨道（步行接驳）"),
    "bus": ("bus", "公交"),
    "car": ("car", "驾车"),
    "transit": ("public transport", "公共交通"),
}
#: Colour of each mode chain on the access map's "fastest mode" layer.
CHAIN_COLOURS: dict[str, str] = {
    "rail": "#c0392b",
    "rail_walk": "#e7298a",
    "bus": "#1b9e77",
    "car": "#4c6ef5",
    "transit": "#7570b3",
}

assert set(KIND_LABELS) == set(KINDS), set(KINDS) ^ set(KIND_LABELS)
assert set(EVENT_LABELS) == set(EVENT_STATUSES)
assert set(ACCURACY_LABELS) == set(ACCURACY)
assert set(THEME_COLOURS) == set(THEME_LABELS) == set(THEMES)
assert set(LAYER_LABELS) == set(LAYER_NAMES)


def pair_text(pair: Pair | str | None, fallback: Any = "") -> str:
    """``'en zh'`` of a display pair (a plain string is returned as is)."""
    if pair is None:
        return str(fallback or "")
    if isinstance(pair, str):
        return pair
    return f"{pair[0]} {pair[1]}".strip()


#: Status spec: dash pattern, line weight, colour treatment, point and area fills, casing.
STATUS_SPEC: dict[str, dict[str, Any]] = {
    "open": {"dash": None, "weight": 4.0, "opacity": 1.0, "fill": 1.0, "area_fill": 0.14, "casing": "#ffffff"},
    "under_construction": {
        "dash": "10 6",
        "weight": 4.0,
        "opacity": 1.0,
        "fill": 1.0,
        "area_fill": 0.1,
        "casing": "#ffc20e",
        "point_fill": "#ffc20e",
        "point_dash": "3 2",
    },
    "planned": {
        "dash": "1 7",
        "weight": 4.0,
        "opacity": 0.95,
        "fill": 1.0,
        "area_fill": 0.05,
        "pale": 0.4,
        "cap": "round",
        "point_fill": "#ffffff",
        "point_dash": "2 2",
    },
    "suspended": {
        "dash": "12 4 2 4",
        "weight": 3.5,
        "opacity": 0.95,
        "fill": 1.0,
        "area_fill": 0.06,
        "grey": 0.3,
        "casing": "#d0d0d0",
        "point_fill": "#d0d0d0",
    },
    "unknown": {
        "dash": "2 5",
        "weight": 2.5,
        "opacity": 0.9,
        "fill": 1.0,
        "area_fill": 0.04,
        "grey": 0.5,
        "cap": "round",
        "point_fill": "#ffffff",
        "point_dash": "2 3",
    },
    CONTEXT_STATUS: {"dash": None, "weight": 2.2, "opacity": 0.9, "fill": 0.7, "area_fill": 0.03},
}
#: Casing (halo) colour of lines by status: white lifts open lines off any basemap, amber
#: marks construction (the gaps of the dash show it).
CASING_COLOURS: dict[str, str] = {k: v["casing"] for k, v in STATUS_SPEC.items() if v.get("casing")}
assert set(STATUS_SPEC) == set(DRAW_STATUSES) == set(STATUS_NAMES)


def mix(colour: str, other: str, t: float) -> str:
    """Mix two ``#rrggbb`` colours: ``t=0`` gives ``colour``, ``t=1`` gives ``other``."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(colour: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def effective_colour(colour: str, opacity: float, background: str) -> str:
    """The colour seen when ``colour`` is drawn at ``opacity`` over ``background``."""
    return mix(background, colour, float(opacity))


def _colour(theme: str, spec: Mapping[str, Any]) -> str:
    colour = THEME_COLOURS.get(theme, FALLBACK_COLOUR)
    if "pale" in spec:
        colour = mix(colour, "#ffffff", spec["pale"])
    if "grey" in spec:
        colour = mix(colour, "#888888", spec["grey"])
    return colour


def path_style(
    theme: str, status: str, approx: bool, gkind: str, *, admin: bool = False, provisional: bool = False
) -> dict[str, Any]:
    """Leaflet path options for one style class (every option present).

    Parameters
    ----------
    theme : str
        Feature theme (hue).
    status : str
        One of :data:`DRAW_STATUSES` (colour treatment and dash).
    approx : bool
        The geometry is approximate, schematic or unlocated (class ``ga-approx``): lines
        a little thinner, points larger with a lighter fill -- never a paler stroke, so
        the contrast of open features is kept.
    gkind : {'p', 'l', 'a'}
        Point, line or area geometry.
    admin : bool
        Outline only (admin boundaries, and unlocated features drawn as their county's
        outline: dotted).
    provisional : bool
        Found in documents but not in the gazetteer (class ``ga-provisional``).

    Returns
    -------
    dict
        Leaflet path options; ``dashArray`` is ``None`` (JSON ``null``) for solid strokes.
    """
    spec = STATUS_SPEC[status]
    colour = _colour(theme, spec)
    cls = f"ga-st-{status}" + (" ga-approx" if approx else "") + (" ga-provisional" if provisional else "")
    out: dict[str, Any] = {
        "color": colour,
        "opacity": spec["opacity"],
        "className": cls,
        "dashArray": spec["dash"],
        "lineCap": spec.get("cap", "butt"),
        "lineJoin": "round",
        "fill": gkind != "l",
    }
    if gkind == "p":
        out.update(
            radius=7.0 if approx else 5.5,
            weight=2.0 if status != "open" else 1.5,
            color=colour if status != "open" else "#ffffff",
            fillColor=spec.get("point_fill", colour),
            fillOpacity=round(spec["fill"] * (0.85 if approx else 1.0), 3),
            dashArray=spec.get("point_dash"),
            lineCap="butt",
        )
        if status == "open":
            out["opacity"] = 1.0
    elif gkind == "a":
        outline = admin
        out.update(
            weight=1.5 if (outline and theme == "admin") else 2.0,
            fillColor=colour,
            fillOpacity=0.0 if outline else round(spec["area_fill"] * (0.6 if approx else 1.0), 3),
        )
        if outline and theme != "admin":  # an unlocated feature: its county's outline, dotted
            out.update(dashArray="1 5", lineCap="round", weight=2.0)
        if provisional:
            out.update(dashArray="1 4", lineCap="round", weight=2.5)
    else:
        out.update(weight=round(spec["weight"] * (0.8 if approx else 1.0), 2), fillColor=colour, fillOpacity=0.0)
    return out


def casing_style(status: str, gkind: str, weight: float) -> dict[str, Any] | None:
    """Leaflet options of the casing drawn under a line of ``status`` (``None``: no casing)."""
    colour = CASING_COLOURS.get(status)
    if gkind != "l" or colour is None:
        return None
    return {
        "color": colour,
        "opacity": 1.0 if status == "under_construction" else 0.85,
        "weight": round(weight + 3.0, 2),
        "dashArray": None,
        "lineCap": "butt",
        "lineJoin": "round",
        "fill": False,
        "className": f"ga-casing ga-st-{status}",
        "interactive": False,
    }


def style_key(theme: str, status: str, approx: bool, gkind: str, admin: bool, provisional: bool = False) -> str:
    """Key of a style class in the map data (``theme|status|approx|gkind|admin|provisional``).

    The timeline map's JavaScript builds the same key (``timeline.js``).
    """
    return f"{theme}|{status}|{int(approx)}|{gkind}|{int(admin)}|{int(provisional)}"


def swatch(style: Mapping[str, Any], gk: str, casing: Mapping[str, Any] | None = None) -> str:
    """SVG legend sample (34×18 px) of a :func:`path_style` for a point, line or area."""
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    cap = f' stroke-linecap="{style.get("lineCap") or "butt"}"'
    col, op = style["color"], style.get("opacity", 1)
    head = '<svg width="34" height="18" aria-hidden="true" focusable="false">'
    if gk == "p":
        r = min(style.get("radius", 6), 8)
        return (
            f'{head}<circle cx="17" cy="9" r="{r}" stroke="{col}" '
            f'stroke-opacity="{op}" stroke-width="{style.get("weight", 2)}" fill="{style.get("fillColor", col)}" '
            f'fill-opacity="{style.get("fillOpacity", 0.5)}"{dash}/></svg>'
        )
    if gk == "a":
        return (
            f'{head}<rect x="3" y="3" width="28" height="12" stroke="{col}" '
            f'stroke-opacity="{op}" stroke-width="{style.get("weight", 2)}" fill="{style.get("fillColor", col)}" '
            f'fill-opacity="{max(style.get("fillOpacity", 0.1), 0.05)}"{dash}{cap}/></svg>'
        )
    under = ""
    if casing:
        under = (
            f'<line x1="2" y1="9" x2="32" y2="9" stroke="{casing["color"]}" stroke-opacity="{casing["opacity"]}" '
            f'stroke-width="{casing["weight"]}"/>'
        )
    return (
        f'{head}<rect width="34" height="18" fill="#f2efe9"/>{under}<line x1="2" y1="9" x2="32" y2="9" '
        f'stroke="{col}" stroke-opacity="{op}" stroke-width="{style.get("weight", 3)}"{dash}{cap}/></svg>'
    )


# --------------------------------------------------------------------------- access map classes

#: Default class breaks of travel-time differences (minutes; negative = faster).
DIFF_BREAKS: tuple[float, ...] = (-30.0, -20.0, -10.0, -5.0, -1.0, 1.0, 5.0, 10.0, 20.0, 30.0)


def time_breaks(values: Any, max_classes: int = 12) -> list[float]:
    """Class breaks for travel times: a round step (5 ... 120 min) giving at most ``max_classes``.

    Parameters
    ----------
    values : numpy.ndarray
        Travel times in minutes (non-finite values ignored).
    max_classes : int
        Most classes wanted.
    """
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    top = float(finite.max()) if finite.size else 60.0
    for step in (5, 10, 15, 20, 30, 45, 60, 90, 120):
        if top / step <= max_classes - 1:
            break
    return [float(step * k) for k in range(1, int(top // step) + 1)] or [float(step)]


def viridis(n: int) -> list[str]:
    """``n`` colours of the perceptually uniform viridis ramp (dark = short)."""
    # branca builds its named colormaps at runtime: no static attribute
    cm = linear.viridis.scale(0, max(n - 1, 1))  # type: ignore[attr-defined]
    return [cm.rgb_hex_str(i) for i in range(n)]


def diverging(n: int) -> list[str]:
    """``n`` colours of reversed RdBu: blue = time saved (negative difference), red = time lost."""
    cm = linear.RdBu_11.scale(0, n - 1)  # type: ignore[attr-defined]
    return [cm.rgb_hex_str(n - 1 - i) for i in range(n)]


def opportunity_breaks(values: Any, *, counts: bool = True) -> list[float]:
    """Class breaks for cumulative opportunities (counts of reachable cells, or weight sums).

    The counts are very skewed (most cells reach only themselves by rail within 30 min, the
    best reach thousands by car), so the classes follow a 1-2.5-5 series: ``[2, 10, 25, 50,
    100, 250, …]`` up to the largest value; the first class (``< 2``) is "the cell itself
    only". Weights (population, jobs …) use the same series from the smallest positive
    value up. One scale serves every chain and threshold, so that their colours compare.

    Parameters
    ----------
    values : numpy.ndarray
        Counts (or weight sums) of every opportunity layer (non-finite values ignored).
    counts : bool
        The values count cells (the origin cell included, so at least 1).
    """
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    top = float(finite.max()) if finite.size else 2.0
    series = [m * 10.0**e for e in range(-3, 13) for m in (1.0, 2.5, 5.0)]
    if counts:
        out = [2.0] + [b for b in series if 10.0 <= b < top]
    else:
        positive = finite[finite > 0]
        low = float(positive.min()) if positive.size else 1.0
        out = [b for b in series if low < b < top] or [top]
    return out


def opportunity_labels(breaks: Sequence[float], *, counts: bool = True) -> list[str]:
    """Legend labels of the opportunity classes :func:`opportunity_breaks` gives.

    Counts are whole numbers: ``1 (the cell itself)``, ``2 – 9``, … ``≥ z``; weights use
    :func:`class_labels`.
    """
    if not counts:
        return class_labels(breaks, False)
    out = ["1 (the cell itself)"]
    out += [f"{a:,.0f} – {b - 1:,.0f}" for a, b in itertools.pairwise(breaks)]
    out.append(f"≥ {breaks[-1]:,.0f}")
    return out


def sequential(n: int) -> list[str]:
    """``n`` colours of the sequential YlGnBu ramp (light = few, dark blue = many).

    Distinct from :func:`viridis` (travel times) so that a count is never read as minutes.
    """
    cm = linear.YlGnBu_09.scale(0, max(n - 1, 1))  # type: ignore[attr-defined]
    return [cm.rgb_hex_str(i) for i in range(n)]


def class_labels(breaks: Sequence[float], signed: bool) -> list[str]:
    """Legend labels of the classes ``breaks`` delimit (``< a``, ``a – b`` ..., ``≥ z``).

    ``signed`` writes positive values with a ``+`` (differences).
    """

    def f(x: float) -> str:
        s = f"{x:g}"
        return ("+" + s) if signed and x > 0 else s.replace("-", "−")

    out = [f"< {f(breaks[0])}"]
    out += [f"{f(a)} – {f(b)}" for a, b in itertools.pairwise(breaks)]
    out.append(f"≥ {f(breaks[-1])}")
    return out
