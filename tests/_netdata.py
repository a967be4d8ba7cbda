"""The toy network of the network and analysis tests: layers and hand-computed travel times.

The toy world is laid out in EPSG:4548 metres around an origin near Tongzhou and converted to
WGS84 for the layers, so straight-line lengths are exact round numbers (or simple hypotenuses).

Layout (metres, x east / y north, relative to the base point)::

    T (trunk, no timeline)      x=1000 from y=3000 to y=-1000
    E (expressway, open 2015)   y=2000 from x=20000 to x=1000   (crosses nothing, meets T)
    M (metro, open 2010)        S1 (0,0) - S2 (3000,0) - S3 (6000,0)
    R (rail, open 2022-12-30)   R1 (6000,300) - R2 (21000,300)
    B (bus, open 2020-06-01)    BS1 (21000,1300) - BS2 (0,700)
    X (metro ext, expected 2025-12-31)  S3 - S4 (9000,0)
    origin town O (21000,1000)  destination D (0,400)  unreachable destination F (60000,60000)

Test modules import these plain builders and constants from here (never from each other or
from conftest); ``conftest.py`` builds the shared toy network fixture from them.
"""

from __future__ import annotations

import math

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
TO_W = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)
X0, Y0 = TO_M.transform(116.75, 39.90)


def W(x: float, y: float) -> tuple[float, float]:  # noqa: N802 - short helper name used throughout the tests
    """Toy metres -> WGS84 lon/lat."""
    lon, lat = TO_W.transform(X0 + x, Y0 + y)
    return (lon, lat)


def ev(date: str, status: str = "opened", modality: str = "actual") -> dict:
    """A timeline event on ``date`` (ISO)."""
    return {"date": date, "precision": "day", "status": status, "modality": modality, "doc_id": "t", "quote": "q"}


def toy_layers() -> dict[str, gpd.GeoDataFrame]:
    """Fresh toy layers (WGS84), see the module docstring; callers may modify them."""

    def gdf(rows):
        return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")

    st = {
        "S1": (0, 0),
        "S2": (3000, 0),
        "S3": (6000, 0),
        "S4": (9000, 0),
        "R1": (6000, 300),
        "R2": (21000, 300),
        "BS1": (21000, 1300),
        "BS2": (0, 700),
    }
    admin = {
        "S1": [110105],
        "S2": [110105],
        "S3": [110112],
        "S4": [110112],
        "R1": [110112],
        "R2": [131082],
        "BS1": [131082],
        "BS2": [110105],
    }
    stations = gdf(
        [
            {
                "id": f"station-{k.lower()}",
                "kind": "station",
                "theme": "rail",
                "name_zh": k,
                "admin": admin[k],
                "parent": None,
                "timeline": [],
                "geometry": Point(W(*v)),
            }
            for k, v in st.items()
        ]
    )

    def line(*keys):
        return LineString([W(*st[k]) for k in keys])

    rail = gdf(
        [
            {
                "id": "metro-m",
                "kind": "metro_line",
                "theme": "rail",
                "stops": ["station-s1", "station-s2", "station-s3"],
                "timeline": [ev("2010-01-01")],
                "cross_border": False,
                "geometry": line("S1", "S2", "S3"),
            },
            {
                "id": "rail-r",
                "kind": "rail_line",
                "theme": "rail",
                "stops": ["station-r1", "station-r2"],
                "timeline": [ev("2019-01-01", "construction_started"), ev("2022-12-30")],
                "cross_border": True,
                "geometry": line("R1", "R2"),
            },
            {
                "id": "metro-x",
                "kind": "metro_line",
                "theme": "rail",
                "stops": ["station-s3", "station-s4"],
                "timeline": [ev("2021-06-01", "construction_started"), ev("2025-12-31", "opened", "expected")],
                "cross_border": False,
                "geometry": line("S3", "S4"),
            },
        ]
    )
    bus = gdf(
        [
            {
                "id": "bus-b",
                "kind": "bus_line",
                "theme": "bus",
                "stops": ["station-bs1", "station-bs2"],
                "timeline": [ev("2020-06-01")],
                "cross_border": True,
                "geometry": line("BS1", "BS2"),
            }
        ]
    )
    roads = gdf(
        [
            {
                "id": "expressway-e",
                "kind": "expressway",
                "theme": "road",
                "road_class": "expressway",
                "timeline": [ev("2015-01-01")],
                "cross_border": True,
                "geometry": LineString([W(20000, 2000), W(1000, 2000)]),
            },
            {
                "id": "road-t",
                "kind": "road",
                "theme": "road",
                "road_class": "trunk",
                "timeline": [],
                "cross_border": False,
                "geometry": LineString([W(1000, 3000), W(1000, -1000)]),
            },
        ]
    )
    admin_l = gdf(
        [
            {
                "id": "town-o",
                "kind": "admin",
                "theme": "admin",
                "name_zh": "O镇",
                "centre": list(W(21000, 1000)),
                "geometry": Polygon([W(19000, -1000), W(23000, -1000), W(23000, 3000), W(19000, 3000)]),
            },
        ]
    )
    fac = gdf(
        [
            {"id": "dest-d", "kind": "destination", "theme": "facility", "name_zh": "D", "geometry": Point(W(0, 400))},
            {
                "id": "dest-f",
                "kind": "destination",
                "theme": "facility",
                "name_zh": "F",
                "geometry": Point(W(60000, 60000)),
            },
        ]
    )
    return {"stations": stations, "rail": rail, "bus": bus, "roads": roads, "admin": admin_l, "facilities": fac}


# ---- hand-computed times (seconds) from assumptions.yaml defaults -----------------------------
WALK = 1.25 / 1.3  # straight metres per second of walking (4.5 km/h, detour 1.3)
# drive access runs on local roads: 30 km/h (assumptions local_roads.speed_kmh, was 20), detour 1.3
DRIVE_ACC = (30 / 3.6) / 1.3  # straight metres per second of drive access
RAIL_O_D = (
    700 / WALK  # O -> R2 walk (700 m)          728 s
    + 1800
    + 600  # rail wait + overhead         2400 s
    + 15000 / (120 / 3.6)
    + 120  # R2 -> R1 ride + dwell         570 s
    + max(300 / WALK, 120)  # R1 -> S3 transfer walk        312 s
    + 150
    + 120  # metro wait + overhead         270 s
    + 2 * (3000 / (45 / 3.6) + 30)  # S3 -> S2 -> S1                540 s
    + 400 / WALK  # S1 -> D walk                  416 s
)
BUS_LEN = math.hypot(21000, 600)
BUS_O_D = 300 / WALK + 450 + 0 + BUS_LEN / (25 / 3.6) + 20 + 300 / WALK
# drive access joins a point to its 3 nearest road nodes within 10 km: O reaches only E's east
# end; D reaches T's south end (1720 m), E/T junction (1887 m) and T's north end (2828 m)
CAR_O_D = min(
    math.hypot(1000, 1000) / DRIVE_ACC + 19000 / (80 / 3.6) + 3000 / (40 / 3.6) + math.hypot(1000, 1400) / DRIVE_ACC,
    math.hypot(1000, 1000) / DRIVE_ACC + 19000 / (80 / 3.6) + math.hypot(1000, 1600) / DRIVE_ACC,
)
# the local-road links (Delaunay neighbours of the 4 road nodes, 30 km/h x 1.3) are all slower than
# the mapped trunk/expressway between the same nodes, so they do not change CAR_O_D.
# As of 2024 the trunk road T has no timeline: status_policy.roads_without_timeline = open keeps it
# (pre-existing arterial), so the as-of car time equals CAR_O_D.
CAR_O_D_2024 = CAR_O_D
