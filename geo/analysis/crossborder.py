"""Links crossing the Beijing–Hebei boundary (Tongzhou | 北三县) and the 潮白河, vs corpus claims.

Definitions
-----------
* The *boundary* is the part of the Tongzhou polygon's edge shared with the union of
  admin-sanhe, admin-dachang and admin-xianghe: ``tongzhou.boundary ∩ buffer(hebei.boundary,
  tolerance_m)`` in EPSG:4548 (the two datasets' edges need not coincide exactly).
* A line feature *crosses the boundary* if it has length inside both Tongzhou and the three
  counties and touches the boundary (within ``tolerance_m``).
* A road / bridge *crosses the 潮白河* if it intersects the river-chaobai geometry (water layer).
  Each bridge feature counts once; a road crossing the river counts once per crossing point
  unless a bridge feature names it as ``parent`` (so a bridge and its road are not
  double-counted). Rail bridges are not counted as 跨潮白河桥梁 (the claim is about roads).
* Classes: ``expressway``, ``trunk``, ``secondary``, ``road`` (other roads), ``road_all`` (all
  road classes), ``rail`` (metro + rail), ``bus``, ``commuter_bus`` (bus features whose name
  contains 快巴 / 通勤 / 定制), ``chaobai_bridge``. For boundary counts a bridge feature is
  skipped when one of its ``parent`` roads is itself counted (no double counting); otherwise
  it counts as ``road``. A collective feature (e.g. one bus feature
  standing for 22 lines) counts as its ``n_lines`` property if present, else as 1.
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import WGS84, to_metric, to_wgs84
from geo.dates import parse_as_of
from geo.errors import AnalysisError
from geo.network.graph import layer_rows, point_parts
from geo.network.policy import feature_included, road_included
from geo.schema import as_list, json_value

logger = logging.getLogger(__name__)

__all__ = [
    "BEIJING_SIDE",
    "CLAIM_CLASSES",
    "HEBEI_SIDE",
    "classify_claim",
    "compare_claims",
    "count_crossings",
    "crossborder_report",
    "crossing_links",
    "shared_boundary",
    "union_metric",
]

BEIJING_SIDE: tuple[str, ...] = ("admin-tongzhou",)
HEBEI_SIDE: tuple[str, ...] = ("admin-sanhe", "admin-dachang", "admin-xianghe")
#: Ordered (keyword, class) rules matching a claim's ``counted`` text.
CLAIM_CLASSES: tuple[tuple[str, str], ...] = (
    ("跨潮白河", "chaobai_bridge"),
    ("潮白河桥", "chaobai_bridge"),
    ("高速", "expressway"),
    ("主干路", "trunk"),
    ("主干道", "trunk"),
    ("次干路", "secondary"),
    ("定制快巴", "commuter_bus"),
    ("快巴", "commuter_bus"),
    ("通勤", "commuter_bus"),
    ("公交", "bus"),
    ("地铁", "rail"),
    ("轨道", "rail"),
    ("铁路", "rail"),
    ("城际", "rail"),
    ("跨界道路", "road_all"),
    ("跨界公路", "road_all"),
    ("公路", "road_all"),
    ("道路", "road_all"),
)
_COUNT_UNITS = frozenset({"条", "座", "个", "对", "处"})
_CLASS_ORDER = (
    "expressway",
    "trunk",
    "secondary",
    "road",
    "road_all",
    "rail",
    "bus",
    "commuter_bus",
    "chaobai_bridge",
    "chaobai_road_without_bridge",
)


def _geom_by_id(layers: Mapping[str, Any], fid: str) -> Any:
    for name in sorted(layers):
        for props, geom in layer_rows(layers, name):
            if str(props["id"]) == fid:
                return geom
    return None


def _day(as_of: Any) -> _dt.date | None:
    return None if as_of is None else parse_as_of(as_of)


def union_metric(layers: Mapping[str, Any], ids: Sequence[str]) -> Any:
    """The union of some features' geometries, in EPSG:4548 (metres).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers.
    ids : sequence of str
        Feature ids (e.g. :data:`BEIJING_SIDE`), looked up in every layer.

    Raises
    ------
    AnalysisError
        A feature is not in the layers (a ``ValueError``).
    """
    geoms = []
    for fid in ids:
        g = _geom_by_id(layers, fid)
        if g is None:
            raise AnalysisError(f"boundary feature {fid!r} not found in the layers")
        geoms.append(to_metric(g))
    return shapely.union_all(geoms)


def shared_boundary(
    layers: Mapping[str, Any],
    *,
    beijing_side: Sequence[str] = BEIJING_SIDE,
    hebei_side: Sequence[str] = HEBEI_SIDE,
    tolerance_m: float = 100.0,
) -> Any:
    """The Beijing–Hebei boundary between the two sides, as a WGS84 (Multi)LineString.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers with the admin features.
    beijing_side, hebei_side : sequence of str
        Admin feature ids of the two sides.
    tolerance_m : float
        How far apart the two sides' edges may lie (metres, EPSG:4548).

    Raises
    ------
    AnalysisError
        If an admin feature is missing (a ``ValueError``).
    """
    bj = union_metric(layers, beijing_side)
    hb = union_metric(layers, hebei_side)
    line = bj.boundary.intersection(hb.boundary.buffer(tolerance_m))
    return to_wgs84(shapely.line_merge(line) if line.geom_type == "MultiLineString" else line)


def _road_like(layer: str, props: Mapping) -> bool:
    return layer in ("roads", "bridges") and props.get("kind") in (None, "bridge", "road", "expressway")


def _klass(layer: str, props: Mapping) -> str | None:
    if layer in ("roads", "bridges"):
        rc = props.get("road_class")
        if layer == "bridges" or rc == "bridge":
            return "bridge"
        return rc if rc in ("expressway", "trunk", "secondary") else "road"
    if layer == "rail":
        return "rail" if props.get("kind") in ("metro_line", "rail_line", None) else None
    if layer == "bus":
        name = str(props.get("name_zh") or "")
        return "commuter_bus" if any(k in name for k in ("快巴", "通勤", "定制")) else "bus"
    return None


def crossing_links(
    layers: Mapping[str, Any],
    *,
    as_of: Any = None,
    include_expected: bool = False,
    beijing_side: Sequence[str] = BEIJING_SIDE,
    hebei_side: Sequence[str] = HEBEI_SIDE,
    river_id: str = "river-chaobai",
    tolerance_m: float = 100.0,
) -> gpd.GeoDataFrame:
    """Line features crossing the boundary and/or the 潮白河, as of a date.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers (``roads``, ``bridges``, ``rail``, ``bus``, ``admin``, ``water``).
    as_of, include_expected
        Status filter, as in :func:`geo.network.policy.road_included` for roads and bridges
        and :func:`geo.network.policy.feature_included` for rail and bus (``None``: all
        features).
    tolerance_m : float
        Boundary matching tolerance in metres (EPSG:4548).

    Returns
    -------
    geopandas.GeoDataFrame
        ``feature_id, name_zh, layer, class, crosses_boundary, crosses_chaobai,
        chaobai_crossings (int), cross_border_flag, n_lines`` and geometry (EPSG:4326); only
        features crossing at least one of the two.
    """
    day = _day(as_of)
    bj = union_metric(layers, beijing_side)
    hb = union_metric(layers, hebei_side)
    border = bj.boundary.intersection(hb.boundary.buffer(tolerance_m))
    border_zone = border.buffer(tolerance_m)
    river_geom = _geom_by_id(layers, river_id)
    river = to_metric(river_geom) if river_geom is not None else None
    if river is None:
        logger.warning("river %s not in the layers; 潮白河 crossings not counted", river_id)
    rows, geoms = [], []
    for layer in ("roads", "bridges", "rail", "bus"):
        for props, geom in layer_rows(layers, layer):
            if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "MultiLineString"):
                continue
            klass = _klass(layer, props)
            # the same inclusion rules as the network: a road with no dated history is pre-existing
            included = road_included if layer in ("roads", "bridges") else feature_included
            if klass is None or not included(props, as_of, include_expected=include_expected):
                continue
            gm = to_metric(geom)
            crosses_b = bool(
                gm.intersection(bj).length > tolerance_m
                and gm.intersection(hb).length > tolerance_m
                and gm.intersects(border_zone)
            )
            n_river = 0
            if river is not None and _road_like(layer, props) and gm.intersects(river):
                inter = gm.intersection(river)
                n_river = max(1, len(point_parts(inter))) if inter.geom_type in ("Point", "MultiPoint") else 1
            if not crosses_b and not n_river:
                continue
            n_lines = props.get("n_lines")
            rows.append(
                {
                    "feature_id": str(props["id"]),
                    "name_zh": props.get("name_zh") or "",
                    "layer": layer,
                    "class": klass,
                    "crosses_boundary": crosses_b,
                    "crosses_chaobai": bool(n_river),
                    "chaobai_crossings": int(n_river),
                    "cross_border_flag": bool(props.get("cross_border") or False),
                    "parent": [str(p) for p in as_list(props.get("parent"))],
                    "n_lines": int(n_lines) if isinstance(n_lines, (int, float)) and n_lines == n_lines else 1,
                }
            )
            geoms.append(geom)
    cols = [
        "feature_id",
        "name_zh",
        "layer",
        "class",
        "crosses_boundary",
        "crosses_chaobai",
        "chaobai_crossings",
        "cross_border_flag",
        "parent",
        "n_lines",
    ]
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=gpd.GeoSeries(geoms, crs=WGS84))
    gdf.attrs["as_of"] = str(day or "")
    return gdf


def count_crossings(links: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    """Count crossing links by class.

    Returns
    -------
    dict
        class -> ``{"count": int, "feature_ids": [...]}`` for every class in the module
        docstring (boundary crossings, except ``chaobai_bridge`` = bridge features over the 潮白河
        and ``chaobai_road_without_bridge`` = mapped roads crossing the river with no bridge
        record, which are reported but not counted as bridges).
    """
    out: dict[str, dict[str, Any]] = {k: {"count": 0, "feature_ids": []} for k in _CLASS_ORDER}
    bridged_roads = {
        p for _, r in links.iterrows() if r["class"] == "bridge" and r["crosses_chaobai"] for p in r["parent"]
    }
    crossing_roads = {
        r["feature_id"]
        for _, r in links.iterrows()
        if r["crosses_boundary"] and r["class"] in ("expressway", "trunk", "secondary", "road")
    }
    for _, r in links.sort_values("feature_id").iterrows():
        k = r["class"]
        if k == "bridge" and crossing_roads & set(r["parent"]):
            k = None  # the bridge is part of a road already counted as crossing the boundary
        elif k == "bridge":
            k = "road"
        if r["crosses_boundary"] and k is not None:
            n = int(r["n_lines"]) if k in ("bus", "commuter_bus") else 1
            if k in out:
                out[k]["count"] += n
                out[k]["feature_ids"].append(r["feature_id"])
            if k in ("expressway", "trunk", "secondary", "road"):
                out["road_all"]["count"] += 1
                out["road_all"]["feature_ids"].append(r["feature_id"])
        if r["crosses_chaobai"]:
            if r["class"] == "bridge":
                out["chaobai_bridge"]["count"] += 1
                out["chaobai_bridge"]["feature_ids"].append(r["feature_id"])
            elif r["feature_id"] not in bridged_roads:
                # a mapped road crossing the river with no bridge record: reported, not counted
                # as a bridge (the drawn roads are approximate; the crossing may not be real)
                out["chaobai_road_without_bridge"]["count"] += int(r["chaobai_crossings"])
                out["chaobai_road_without_bridge"]["feature_ids"].append(r["feature_id"])
    return out


def classify_claim(counted: str | None) -> str | None:
    """Map a claim's ``counted`` text (e.g. ``"跨潮白河桥梁"``) to a crossing class, or None."""
    text = str(counted or "")
    for kw, klass in CLAIM_CLASSES:
        if kw in text:
            return klass
    return None


def compare_claims(
    counts: Mapping[str, Mapping[str, Any]],
    claims: Iterable[Mapping[str, Any]],
    *,
    as_of: Any = None,
    mapped_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Claimed vs mapped counts, one row per claim, with the quote.

    Parameters
    ----------
    counts : mapping
        From :func:`count_crossings`.
    claims : iterable of dict
        ``{value, unit, counted, quote, doc_id}`` (e.g. from the extraction's Claim objects).
        A claim whose ``feature_ids`` enumerate exactly as many features as it counts (``4条
        跨界公路厂通路…安石路…神威北大街、通宝路``) is compared with those features (class
        ``named_features``: how many of them are mapped), not with a crossing class.
    mapped_ids : iterable of str, optional
        Ids of the mapped features (for ``named_features``).

    Returns
    -------
    pandas.DataFrame
        ``doc_id, counted, class, claimed, mapped, difference (mapped - claimed), unit, quote,
        feature_ids, as_of, note``; unmatched claims keep ``class``/``mapped`` None.
    """
    rows = []
    day = _day(as_of)
    for claim in claims:
        c: dict[str, Any] = (
            dict(claim)
            if isinstance(claim, Mapping)
            else {k: getattr(claim, k, None) for k in ("value", "unit", "counted", "quote", "doc_id")}
        )
        value: Any = c.get("value")
        # only counts of links (条, 座, 个, 对) can be set against the map: not travel times, money…
        klass = classify_claim(c.get("counted")) if str(c.get("unit") or "") in _COUNT_UNITS else None
        named = [str(f) for f in (c.get("feature_ids") or [])]
        try:
            enumerated = klass is not None and len(named) >= 2 and len(named) == int(float(value))
        except (TypeError, ValueError):
            enumerated = False
        if enumerated:
            known = set(mapped_ids or ())
            rows.append(
                {
                    "doc_id": c.get("doc_id"),
                    "counted": c.get("counted"),
                    "class": "named_features",
                    "claimed": len(named),
                    "mapped": sum(f in known for f in named),
                    "difference": sum(f in known for f in named) - len(named),
                    "unit": c.get("unit"),
                    "quote": c.get("quote"),
                    "feature_ids": named,
                    "as_of": day.isoformat() if day else None,
                    "note": "the claim enumerates these features (any status)",
                }
            )
            continue
        try:
            claimed = float(value) if value is not None else None
        except (TypeError, ValueError):
            claimed = None
        mapped = counts.get(klass, {}).get("count") if klass else None
        note = "" if klass else "no matching crossing class"
        if klass and claimed is not None and mapped is not None and mapped != claimed:
            note = "mapped fewer than claimed" if mapped < claimed else "mapped more than claimed"
        rows.append(
            {
                "doc_id": c.get("doc_id"),
                "counted": c.get("counted"),
                "class": klass,
                "claimed": int(claimed) if claimed is not None and claimed.is_integer() else claimed,
                "mapped": mapped,
                "difference": (mapped - claimed) if (mapped is not None and claimed is not None) else None,
                "unit": c.get("unit"),
                "quote": c.get("quote"),
                "feature_ids": list(counts.get(klass, {}).get("feature_ids", [])) if klass else [],
                "as_of": day.isoformat() if day else None,
                "note": note,
            }
        )
    cols = [
        "doc_id",
        "counted",
        "class",
        "claimed",
        "mapped",
        "difference",
        "unit",
        "quote",
        "feature_ids",
        "as_of",
        "note",
    ]
    # object columns so that "no match" stays None (not NaN) and counts stay integers
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in cols}, columns=cols)


def crossborder_report(
    layers: Mapping[str, Any],
    claims: Iterable[Mapping[str, Any]] = (),
    *,
    as_of: Any = None,
    include_expected: bool = False,
    **kwargs: Any,
) -> dict[str, Any]:
    """Crossing links, counts, claim comparison and a JSON-serialisable summary.

    A claim with a ``published`` date is compared with the map as of that date (what the
    document could have counted); the others with the map as of ``as_of``.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers.
    claims : iterable of dict
        Corpus claims (see :func:`compare_claims`).
    as_of, include_expected
        Status filter (see :func:`crossing_links`).
    **kwargs
        ``beijing_side``, ``hebei_side``, ``river_id``, ``tolerance_m`` of :func:`crossing_links`.

    Returns
    -------
    dict
        ``links`` (GeoDataFrame), ``counts`` (dict), ``comparison`` (DataFrame), ``boundary``
        (WGS84 geometry), ``summary`` (JSON-serialisable).
    """
    links = crossing_links(layers, as_of=as_of, include_expected=include_expected, **kwargs)
    counts = count_crossings(links)
    # each claim is set against the map as of the date its document was published (when known)
    claims = [dict(c) if isinstance(c, Mapping) else c for c in claims]
    ids = {
        str(i)
        for name in ("roads", "bridges", "rail", "bus")
        if name in layers and len(layers[name])
        for i in layers[name]["id"]
    }
    by_date: dict[Any, list] = {}
    for c in claims:
        when = c.get("published") if isinstance(c, dict) else None
        by_date.setdefault(when or as_of, []).append(c)
    parts = []
    for when, group in sorted(by_date.items(), key=lambda kv: str(kv[0])):
        cnt = (
            counts
            if when == as_of
            else count_crossings(crossing_links(layers, as_of=when, include_expected=include_expected, **kwargs))
        )
        parts.append(compare_claims(cnt, group, as_of=when, mapped_ids=ids))
    comp = pd.concat(parts, ignore_index=True) if parts else compare_claims(counts, [], as_of=as_of, mapped_ids=ids)
    if len(comp):
        comp = comp.sort_values(["doc_id"], kind="stable").reset_index(drop=True)
    boundary_kw = {k: v for k, v in kwargs.items() if k in ("beijing_side", "hebei_side", "tolerance_m")}
    summary = {
        "as_of": str(_day(as_of) or "") or None,
        "counts": {k: {"count": int(v["count"]), "feature_ids": list(v["feature_ids"])} for k, v in counts.items()},
        "claims": [json_value(r) for r in comp.to_dict("records")],
    }
    return {
        "links": links,
        "counts": counts,
        "comparison": comp,
        "boundary": shared_boundary(layers, **boundary_kw),
        "summary": summary,
    }
