"""How the maps look: theme colours, status and accuracy styling, legend swatches, colour ramps.

This module owns every visual constant of the three maps and the functions that turn a
style class into Leaflet path options:

* :data:`THEME_COLOURS`, :data:`THEME_LABELS`: one colour and one legend label per theme.
* :data:`STATUS_LABELS`, :data:`DRAW_STATUSES`: the drawing statuses, i.e. the feature
  statuses of :data:`geo.schema.FEATURE_STATUSES` plus the maps-only :data:`CONTEXT_STATUS`
  (features without a life cycle -- rivers, boundaries -- drawn solid).
* :func:`path_style` / :func:`style_key`: Leaflet options of a style class (theme, status,
  positional accuracy, geometry kind), shared per class in the map data.
* :func:`swatch`: the SVG legend sample of a style.
* :func:`time_breaks`, :data:`DIFF_BREAKS`, :func:`viridis`, :func:`diverging`,
  :func:`class_labels`: class breaks and colours of the access map.

Everything here is trusted constant text or numbers; nothing is escaped here because
nothing here comes from a document.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from branca.colormap import linear

from geo.schema import FEATURE_STATUSES

__all__ = [
    "CONTEXT_KINDS",
    "CONTEXT_STATUS",
    "DIFF_BREAKS",
    "DRAW_STATUSES",
    "FALLBACK_COLOUR",
    "LAYER_ORDER",
    "LEGEND_STATUSES",
    "STATUS_LABELS",
    "STATUS_SPEC",
    "THEME_COLOURS",
    "THEME_LABELS",
    "class_labels",
    "diverging",
    "mix",
    "path_style",
    "style_key",
    "swatch",
    "time_breaks",
    "viridis",
]

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
#: The maps-only drawing status of features without a life cycle whose status is unknown.
CONTEXT_STATUS = "context"
#: Display label of each drawing status (the feature statuses and :data:`CONTEXT_STATUS`).
STATUS_LABELS: dict[str, str] = {
    "open": "open 已建成/开通",
    "under_construction": "under construction 在建",
    "planned": "planned 规划",
    "suspended": "suspended 暂停",
    "unknown": "status unknown 未知",
    CONTEXT_STATUS: "existing context (river, boundary)",
}
#: Every status a feature can be drawn with.
DRAW_STATUSES: tuple[str, ...] = (*FEATURE_STATUSES, CONTEXT_STATUS)
#: The statuses the theme legends explain, in legend order.
LEGEND_STATUSES: tuple[str, ...] = tuple(s for s in STATUS_LABELS if s != CONTEXT_STATUS)
#: Kinds without a life cycle: drawn solid whatever their (unknown) status.
CONTEXT_KINDS = frozenset({"admin", "river"})
#: Layer drawing order (bottom to top); other layers go on top in name order.
LAYER_ORDER = ("admin", "zones", "water", "facilities", "roads", "bus", "rail", "bridges", "stations")
#: Colour of a theme without one of its own.
FALLBACK_COLOUR = "#666666"

#: Status spec: dash pattern, stroke opacity, line weight, point/polygon fill opacity.
STATUS_SPEC: dict[str, dict[str, Any]] = {
    "open": {"dash": None, "opacity": 0.95, "weight": 4.0, "fill": 0.85, "area_fill": 0.16},
    "under_construction": {"dash": "8 6", "opacity": 0.9, "weight": 4.0, "fill": 0.45, "area_fill": 0.1},
    "planned": {"dash": "1 7", "opacity": 0.65, "weight": 4.0, "fill": 0.15, "area_fill": 0.05, "pale": 0.45},
    "suspended": {"dash": "12 4 2 4", "opacity": 0.7, "weight": 3.0, "fill": 0.3, "area_fill": 0.06},
    "unknown": {"dash": "2 4", "opacity": 0.5, "weight": 2.5, "fill": 0.2, "area_fill": 0.04, "grey": 0.5},
    CONTEXT_STATUS: {"dash": None, "opacity": 0.8, "weight": 2.5, "fill": 0.6, "area_fill": 0.03},
}
assert set(STATUS_SPEC) == set(DRAW_STATUSES) == set(STATUS_LABELS)


def mix(colour: str, other: str, t: float) -> str:
    """Mix two ``#rrggbb`` colours: ``t=0`` gives ``colour``, ``t=1`` gives ``other``."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def path_style(theme: str, status: str, approx: bool, gkind: str, *, admin: bool = False) -> dict[str, Any]:
    """Leaflet path options for one style class.

    Parameters
    ----------
    theme : str
        Feature theme (colour).
    status : str
        One of :data:`DRAW_STATUSES`.
    approx : bool
        Whether the geometry is approximate or schematic (drawn thinner and
        translucent, class ``ga-approx``).
    gkind : {'p', 'l', 'a'}
        Point, line or area geometry.
    admin : bool
        Admin boundary: outline only.

    Returns
    -------
    dict
        Leaflet path options (``color``, ``opacity``, ``className``, ``weight`` ...).
    """
    spec = STATUS_SPEC[status]
    colour = THEME_COLOURS.get(theme, FALLBACK_COLOUR)
    if "pale" in spec:
        colour = mix(colour, "#ffffff", spec["pale"])
    if "grey" in spec:
        colour = mix(colour, "#888888", spec["grey"])
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


def style_key(theme: str, status: str, approx: bool, gkind: str, admin: bool) -> str:
    """Key of a style class in the map data (``theme|status|approx|gkind|admin``).

    The timeline map's JavaScript builds the same key (``timeline.js``).
    """
    return f"{theme}|{status}|{int(approx)}|{gkind}|{int(admin)}"


def swatch(style: Mapping[str, Any], gk: str) -> str:
    """SVG legend sample (34×18 px) of a :func:`path_style` for a point, line or area."""
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    cap = f' stroke-linecap="{style.get("lineCap", "butt")}"'
    col, op = style["color"], style.get("opacity", 1)
    if gk == "p":
        r = min(style.get("radius", 6), 8)
        return (
            f'<svg width="34" height="18"><circle cx="17" cy="9" r="{r}" stroke="{col}" '
            f'stroke-opacity="{op}" stroke-width="{style.get("weight", 2)}" fill="{style.get("fillColor", col)}" '
            f'fill-opacity="{style.get("fillOpacity", 0.5)}"{dash}/></svg>'
        )
    if gk == "a":
        return (
            f'<svg width="34" height="18"><rect x="3" y="3" width="28" height="12" stroke="{col}" '
            f'stroke-opacity="{op}" stroke-width="{style.get("weight", 2)}" fill="{style.get("fillColor", col)}" '
            f'fill-opacity="{max(style.get("fillOpacity", 0.1), 0.05)}"{dash}/></svg>'
        )
    return (
        f'<svg width="34" height="18"><line x1="2" y1="9" x2="32" y2="9" stroke="{col}" '
        f'stroke-opacity="{op}" stroke-width="{style.get("weight", 3)}"{dash}{cap}/></svg>'
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
