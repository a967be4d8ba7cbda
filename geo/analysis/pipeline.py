"""The analyses that ``geo build`` runs, as layers and tables.

Layers (written next to the theme layers as ``layers/access_*.geojson``):

``access_origins``
    The commute origins (town centres) with their travel time in minutes to each
    destination per mode chain (``t_<chain>_<destination id>``; null = unreachable).
``access_hexes``
    H3 cells (resolution 8) over the seven focus counties with the same columns.
``access_isochrones``
    Union of the cells within 30/45/60 minutes, per destination and chain.
``access_crossborder``
    Links crossing the Beijing–Hebei boundary between Tongzhou and the North Three
    Counties or crossing the 潮白河, with their class.
``access_scenarios``
    Origins with the travel-time change of each scenario (minutes; negative = faster).

Tables (``layers/tables/``): ``od_travel_times.csv``, ``hex_shares.csv``,
``crossborder_claims.csv``, ``scenarios.csv`` and ``summary.json`` (rail-circle test,
cross-border counts, scenario summaries, the assumptions used).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import pandas as pd
import shapely

from geo.io import atomic_write_text

logger = logging.getLogger(__name__)

__all__ = ["FOCUS_COUNTIES", "SCENARIOS", "run_analyses"]

#: The counties whose area the H3 grid covers.
FOCUS_COUNTIES = (
    "admin-tongzhou", "admin-sanhe", "admin-dachang", "admin-xianghe",
    "admin-pinggu", "admin-jizhou", "admin-xinglong",
)

#: Scenarios run by ``geo build``: (id, description, before, after). A date is an as-of date;
#: ``expected:DATE`` builds the network with forecast openings counted (``include_expected``).
SCENARIOS: tuple[tuple[str, str, str, str], ...] = (
    ("jingtang", "Jing-Tang intercity railway opens (2022-12-30)", "2022-12-29", "2022-12-31"),
    ("changtong", "厂通路 and its Chaobai bridge open (2024-09-29)", "2024-09-28", "2024-09-30"),
    ("line22", "Line 22 (Pinggu line) opens as forecast (what-if)", "latest", "expected:2026-06-30"),
)


def _focus_area(layers: Mapping[str, gpd.GeoDataFrame]):
    admin = layers["admin"]
    geoms = admin.loc[admin["id"].isin(FOCUS_COUNTIES), "geometry"]
    if geoms.empty:
        raise ValueError("the admin layer has none of the focus counties: " + ", ".join(FOCUS_COUNTIES))
    return shapely.union_all(list(geoms))


def _round_frame(df: pd.DataFrame, nd: int = 2) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(nd)
    return out


def _csv(df: pd.DataFrame) -> str:
    return _round_frame(df).to_csv(index=False, lineterminator="\n")


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else round(obj, 3)
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (_dt.date,)):
        return obj.isoformat()
    if hasattr(obj, "item"):
        return _json_safe(obj.item())
    return obj


def _with_ids(gdf: gpd.GeoDataFrame, ids: list[str], nd: int = 1) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    gdf.insert(0, "id", ids)
    return _round_frame(gdf, nd)


def _origin_layer(od: pd.DataFrame, G) -> gpd.GeoDataFrame:
    from geo.analysis.accessibility import resolve_origins

    pts = {o["label"]: o for o in resolve_origins(G, None)}
    rows, geoms = [], []
    for label, grp in od.groupby("origin", sort=True):
        o = pts[label]
        row: dict[str, Any] = {"id": f"origin-{o['feature_id']}", "origin": label, "origin_id": o["feature_id"]}
        for _, r in grp.sort_values(["chain", "destination_id"]).iterrows():
            t = r["time_min"]
            row[f"t_{r['chain']}_{r['destination_id']}"] = None if pd.isna(t) else round(float(t), 1)
        rows.append(row)
        geoms.append(shapely.Point(o["lon"], o["lat"]))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


def _scenario(layers, before: str, after: str, latest: _dt.date):
    from geo import network as gn
    from geo.analysis import accessibility as acc
    from geo.analysis.scenarios import compare_tables

    def graph(spec: str):
        expected = spec.startswith("expected:")
        date = spec.split(":", 1)[1] if expected else spec
        as_of = latest if date == "latest" else gn.parse_as_of(date)
        return gn.build_network(layers, as_of=as_of, include_expected=expected), as_of

    Gb, db = graph(before)
    Ga, da = graph(after)
    table = compare_tables(acc.travel_times(Gb), acc.travel_times(Ga))
    return table, Ga, db, da


def run_analyses(
    layers: Mapping[str, gpd.GeoDataFrame],
    extraction: Any = None,
    *,
    as_of: _dt.date | None = None,
    tables_dir: str | Path | None = "layers",
    resolution: int = 8,
    scenarios: tuple[tuple[str, str, str, str], ...] = SCENARIOS,
) -> tuple[dict[str, gpd.GeoDataFrame], list[Path]]:
    """Run accessibility, cross-border and scenario analyses on the layers.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Theme layers from :func:`geo.layers.build_layers` (WGS84), with timelines.
    extraction : geo.extract.Extraction, optional
        Supplies the corpus claims the cross-border counts are set against, and the default date.
    as_of : datetime.date, optional
        Network date (default: the extraction's latest date).
    tables_dir : path-like or None
        Tables go to ``<tables_dir>/tables/``; ``None`` writes none.
    resolution : int
        H3 resolution of the grid (8: cells of about 0.74 km²).
    scenarios : tuple
        See :data:`SCENARIOS`.

    Returns
    -------
    (dict of str to GeoDataFrame, list of Path)
        The ``access_*`` layers and the table files written.
    """
    from geo import network as gn
    from geo.analysis import accessibility as acc
    from geo.analysis.crossborder import crossborder_report

    if as_of is None and extraction is not None:
        as_of = extraction.latest_date()
    G = gn.build_network(layers, as_of=as_of)
    report = acc.accessibility_report(G, area=_focus_area(layers), resolution=resolution)
    claims = extraction.claims_json() if extraction is not None else []
    cross = crossborder_report(layers, claims, as_of=as_of)

    hexes = report["hexes"]
    out: dict[str, gpd.GeoDataFrame] = {
        "access_origins": _origin_layer(report["od"], G),
        "access_hexes": _with_ids(hexes.drop(columns=["lon", "lat"], errors="ignore"),
                                  [f"h3-{h}" for h in hexes["h3"]]),
    }
    iso = report["isochrones"]
    iso = iso[~iso.geometry.is_empty].reset_index(drop=True)
    out["access_isochrones"] = _with_ids(
        iso, [f"iso-{r.chain}-{r.destination_id}-{int(r.threshold_min)}" for r in iso.itertuples()]
    )
    links = cross["links"].drop(columns=["parent"], errors="ignore")
    out["access_crossborder"] = _with_ids(links, [f"cross-{f}" for f in links["feature_id"]])

    scen_rows = []
    scen_summary = []
    latest = as_of or _dt.date.today()
    points: dict[str, dict] = {}
    for sid, desc, before, after in scenarios:
        table, Ga, db, da = _scenario(layers, before, after, latest)
        table.insert(0, "scenario", sid)
        scen_rows.append(table)
        scen_summary.append({"id": sid, "description": desc, "before": str(db), "after": str(da),
                             "changed_pairs": int((table["delta_min"].fillna(0).abs() > 0.05).sum()
                                                  + table["newly_reachable"].sum())})
        for _, r in table.iterrows():
            key = r["origin"]
            p = points.setdefault(key, {"origin": key})
            d = r["delta_min"]
            p[f"d_{sid}_{r['chain']}_{r['destination_id']}"] = None if pd.isna(d) else round(float(d), 1)
    scen_table = pd.concat(scen_rows, ignore_index=True) if scen_rows else pd.DataFrame()
    origins = out["access_origins"].set_index("origin")
    spts = [
        {"id": f"scenario-{origins.loc[k, 'origin_id']}", **v}
        for k, v in sorted(points.items()) if k in origins.index
    ]
    out["access_scenarios"] = gpd.GeoDataFrame(
        pd.DataFrame(spts), geometry=[origins.loc[p["origin"], "geometry"] for p in spts], crs="EPSG:4326"
    )

    written: list[Path] = []
    if tables_dir is not None:
        tdir = Path(tables_dir) / "tables"
        summary = {
            "as_of": str(as_of) if as_of else None,
            "network": {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()},
            "accessibility": report["summary"],
            "crossborder": cross["summary"],
            "scenarios": scen_summary,
            "assumptions": gn.load_assumptions(None),
        }
        od = report["od"].drop(columns=["time_s"], errors="ignore").sort_values(
            ["origin_id", "destination_id", "chain"])
        written += [
            atomic_write_text(tdir / "od_travel_times.csv", _csv(od)),
            atomic_write_text(tdir / "hex_shares.csv", _csv(report["shares"])),
            atomic_write_text(tdir / "crossborder_claims.csv", _csv(cross["comparison"])),
            atomic_write_text(tdir / "scenarios.csv", _csv(scen_table)),
            atomic_write_text(tdir / "summary.json",
                              json.dumps(_json_safe(summary), ensure_ascii=False, indent=1, sort_keys=True) + "\n"),
        ]
    return out, written
