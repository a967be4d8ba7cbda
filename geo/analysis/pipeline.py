"""The analyses that ``geo build`` runs, as layers and tables.

Layers (written next to the theme layers as ``layers/access_*.geojson``):

``access_origins``
    The commute origins (town centres) with their travel time in minutes to each
    destination per mode chain (``t_<chain>_<destination id>``; null = unreachable).
``access_hexes``
    H3 cells (the study's resolution, 8) over the study's focus counties with the same columns.
``access_isochrones``
    Union of the cells within 30/45/60 minutes, per destination and chain.
``access_crossborder``
    Links crossing the Beijing–Hebei boundary between Tongzhou and the North Three
    Counties or crossing the 潮白河, with their class.
``access_scenarios``
    Origins with the travel-time change of each scenario (``d_<scenario>_<chain>_<destination
    id>``, minutes; negative = faster), from :func:`geo.analysis.scenarios.run_scenarios`.

Tables (``layers/tables/``): ``od_travel_times.csv``, ``hex_shares.csv``,
``crossborder_claims.csv``, ``scenarios.csv`` and ``summary.json`` (rail-circle test,
cross-border counts, scenario summaries, the assumptions used).

Origins, destinations, focus counties, grid resolution, thresholds and scenarios are the
study's (:func:`geo.config.default_study`, or the ``study=`` passed to :func:`run_analyses`).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from geo import progress
from geo.analysis import accessibility as acc
from geo.analysis.crossborder import crossborder_report
from geo.analysis.output import rounded
from geo.analysis.scenarios import run_scenarios
from geo.config import Scenario, Study, default_study
from geo.crs import WGS84
from geo.errors import AnalysisError
from geo.io import atomic_write_text, csv_text
from geo.network.build import build_network
from geo.network.policy import load_assumptions
from geo.schema import time_column

logger = logging.getLogger(__name__)

__all__ = ["focus_area", "run_analyses"]


def focus_area(layers: Mapping[str, gpd.GeoDataFrame], *, study: Study | None = None) -> Any:
    """The union of the study's focus counties (the area of the accessibility grid).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        WGS84 layers with an ``admin`` layer.
    study : geo.config.Study, optional
        ``focus_counties`` (default :func:`geo.config.default_study`).

    Returns
    -------
    shapely (Multi)Polygon
        WGS84.

    Raises
    ------
    AnalysisError
        The admin layer has none of the focus counties (a ``ValueError``).
    """
    counties = (study or default_study()).focus_counties
    admin = layers["admin"]
    geoms = admin.loc[admin["id"].isin(counties), "geometry"]
    if geoms.empty:
        raise AnalysisError("the admin layer has none of the focus counties: " + ", ".join(counties))
    return shapely.union_all(list(geoms))


def _csv(df: pd.DataFrame) -> str:
    return csv_text(rounded(df, 2))  # formula-like text cells neutralised (geo.io.csv_text)


def _with_ids(gdf: gpd.GeoDataFrame, ids: list[str], nd: int = 1) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    gdf.insert(0, "id", ids)
    return rounded(gdf, nd)


def _origin_layer(od: pd.DataFrame, G: nx.MultiDiGraph, study: Study) -> gpd.GeoDataFrame:
    pts = {o["label"]: o for o in acc.resolve_origins(G, None, study=study)}
    rows, geoms = [], []
    for label, grp in od.groupby("origin", sort=True):
        o = pts[label]
        row: dict[str, Any] = {"id": f"origin-{o['feature_id']}", "origin": label, "origin_id": o["feature_id"]}
        for _, r in grp.sort_values(["chain", "destination_id"]).iterrows():
            row[time_column(r["chain"], r["destination_id"])] = rounded(r["time_min"], 1)
        rows.append(row)
        geoms.append(shapely.Point(o["lon"], o["lat"]))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms, crs=WGS84))


def run_analyses(
    layers: Mapping[str, gpd.GeoDataFrame],
    extraction: Any = None,
    *,
    as_of: _dt.date | None = None,
    tables_dir: str | Path | None = "layers",
    resolution: int | None = None,
    scenarios: tuple[Scenario, ...] | None = None,
    study: Study | None = None,
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
    resolution : int, optional
        H3 resolution of the grid (default the study's, 8: cells of about 0.74 km²).
    scenarios : tuple of geo.config.Scenario, optional
        Default the study's (see :func:`geo.analysis.scenarios.run_scenarios`).
    study : geo.config.Study, optional
        Default :func:`geo.config.default_study`.

    Returns
    -------
    (dict of str to GeoDataFrame, list of Path)
        The ``access_*`` layers and the table files written.
    """
    study = study or default_study()
    if as_of is None and extraction is not None:
        as_of = extraction.latest_date()
    progress.stage("network")
    G = build_network(layers, as_of=as_of)
    progress.stage("accessibility")
    report = acc.accessibility_report(G, area=focus_area(layers, study=study), resolution=resolution, study=study)
    claims = extraction.claims_json() if extraction is not None else []
    progress.stage("cross-border links")
    cross = crossborder_report(layers, claims, as_of=as_of)

    hexes = report["hexes"]
    out: dict[str, gpd.GeoDataFrame] = {
        "access_origins": _origin_layer(report["od"], G, study),
        "access_hexes": _with_ids(
            hexes.drop(columns=["lon", "lat"], errors="ignore"), [f"h3-{h}" for h in hexes["h3"]]
        ),
    }
    iso = report["isochrones"]
    iso = iso[~iso.geometry.is_empty].reset_index(drop=True)
    out["access_isochrones"] = _with_ids(
        iso, [f"iso-{r.chain}-{r.destination_id}-{int(r.threshold_min)}" for r in iso.itertuples()]
    )
    links = cross["links"].drop(columns=["parent"], errors="ignore")
    out["access_crossborder"] = _with_ids(links, [f"cross-{f}" for f in links["feature_id"]])

    progress.stage("scenarios")
    scen = run_scenarios(layers, latest=as_of or _dt.date.today(), scenarios=scenarios, study=study)
    origins = out["access_origins"].set_index("origin")
    spts = [
        {"id": f"scenario-{origins.loc[v['origin'], 'origin_id']}", **v}
        for v in scen["deltas"]
        if v["origin"] in origins.index
    ]
    out["access_scenarios"] = gpd.GeoDataFrame(
        pd.DataFrame(spts), geometry=[origins.loc[p["origin"], "geometry"] for p in spts], crs=WGS84
    )

    written: list[Path] = []
    if tables_dir is not None:
        progress.stage("tables")
        tdir = Path(tables_dir) / "tables"
        summary = {
            "as_of": str(as_of) if as_of else None,
            "network": {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()},
            "accessibility": report["summary"],
            "crossborder": cross["summary"],
            "scenarios": scen["summary"],
            "assumptions": load_assumptions(None),
        }
        od = (
            report["od"].drop(columns=["time_s"], errors="ignore").sort_values(["origin_id", "destination_id", "chain"])
        )
        written += [
            atomic_write_text(tdir / "od_travel_times.csv", _csv(od)),
            atomic_write_text(tdir / "hex_shares.csv", _csv(report["shares"])),
            atomic_write_text(tdir / "crossborder_claims.csv", _csv(cross["comparison"])),
            atomic_write_text(tdir / "scenarios.csv", _csv(scen["table"])),
            atomic_write_text(
                tdir / "summary.json",
                json.dumps(rounded(summary, 3), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            ),
        ]
    return out, written
