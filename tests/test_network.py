"""Tests for geo.network on a tiny hand-built network with hand-computed travel times.

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
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import types
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

DATA = Path(__file__).parent / "data"


def _ensure_timeline() -> None:
    """Use geo.timeline if it exists; otherwise install a minimal test-only stand-in."""
    try:
        import geo.timeline  # noqa: F401
        return
    except ImportError:
        pass
    from collections import namedtuple

    StatusResult = namedtuple("StatusResult", "status date event")
    mapping = {"opened": "open", "construction_started": "under_construction", "under_construction":
               "under_construction", "milestone": "under_construction", "planned": "planned",
               "early_stage": "planned", "agreement": "planned", "suspended": "suspended"}

    def status_as_of(timeline, as_of, *, include_expected=False):
        if isinstance(as_of, str):
            as_of = dt.date.fromisoformat(as_of)
        best = None
        for ev in timeline or []:
            d = dt.date.fromisoformat(str(ev["date"])[:10])
            if d > as_of or (ev.get("modality", "actual") == "expected" and not include_expected):
                continue
            if best is None or d >= best[0]:
                best = (d, ev)
        if best is None:
            return StatusResult("unknown", None, None)
        return StatusResult(mapping.get(best[1]["status"], "unknown"), best[0], best[1])

    mod = types.ModuleType("geo.timeline")
    mod.status_as_of = status_as_of
    mod.StatusResult = StatusResult
    sys.modules["geo.timeline"] = mod


_ensure_timeline()

from geo import network as gn  # noqa: E402

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
TO_W = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)
X0, Y0 = TO_M.transform(116.75, 39.90)


def W(x: float, y: float) -> tuple[float, float]:
    """Toy metres -> WGS84 lon/lat."""
    lon, lat = TO_W.transform(X0 + x, Y0 + y)
    return (lon, lat)


def ev(date: str, status: str = "opened", modality: str = "actual") -> dict:
    return {"date": date, "precision": "day", "status": status, "modality": modality, "doc_id": "t", "quote": "q"}


def toy_layers() -> dict[str, gpd.GeoDataFrame]:
    def gdf(rows):
        return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")

    st = {"S1": (0, 0), "S2": (3000, 0), "S3": (6000, 0), "S4": (9000, 0), "R1": (6000, 300), "R2": (21000, 300),
          "BS1": (21000, 1300), "BS2": (0, 700)}
    admin = {"S1": [110105], "S2": [110105], "S3": [110112], "S4": [110112], "R1": [110112], "R2": [131082],
             "BS1": [131082], "BS2": [110105]}
    stations = gdf([{"id": f"station-{k.lower()}", "kind": "station", "theme": "rail", "name_zh": k,
                     "admin": admin[k], "parent": None, "timeline": [], "geometry": Point(W(*v))}
                    for k, v in st.items()])

    def line(*keys):
        return LineString([W(*st[k]) for k in keys])

    rail = gdf([
        {"id": "metro-m", "kind": "metro_line", "theme": "rail", "stops": ["station-s1", "station-s2", "station-s3"],
         "timeline": [ev("2010-01-01")], "cross_border": False, "geometry": line("S1", "S2", "S3")},
        {"id": "rail-r", "kind": "rail_line", "theme": "rail", "stops": ["station-r1", "station-r2"],
         "timeline": [ev("2019-01-01", "construction_started"), ev("2022-12-30")], "cross_border": True,
         "geometry": line("R1", "R2")},
        {"id": "metro-x", "kind": "metro_line", "theme": "rail", "stops": ["station-s3", "station-s4"],
         "timeline": [ev("2021-06-01", "construction_started"), ev("2025-12-31", "opened", "expected")],
         "cross_border": False, "geometry": line("S3", "S4")},
    ])
    bus = gdf([{"id": "bus-b", "kind": "bus_line", "theme": "bus", "stops": ["station-bs1", "station-bs2"],
                "timeline": [ev("2020-06-01")], "cross_border": True, "geometry": line("BS1", "BS2")}])
    roads = gdf([
        {"id": "expressway-e", "kind": "expressway", "theme": "road", "road_class": "expressway",
         "timeline": [ev("2015-01-01")], "cross_border": True,
         "geometry": LineString([W(20000, 2000), W(1000, 2000)])},
        {"id": "road-t", "kind": "road", "theme": "road", "road_class": "trunk", "timeline": [],
         "cross_border": False, "geometry": LineString([W(1000, 3000), W(1000, -1000)])},
    ])
    admin_l = gdf([
        {"id": "town-o", "kind": "admin", "theme": "admin", "name_zh": "O镇", "centre": list(W(21000, 1000)),
         "geometry": Polygon([W(19000, -1000), W(23000, -1000), W(23000, 3000), W(19000, 3000)])},
    ])
    fac = gdf([
        {"id": "dest-d", "kind": "destination", "theme": "facility", "name_zh": "D", "geometry": Point(W(0, 400))},
        {"id": "dest-f", "kind": "destination", "theme": "facility", "name_zh": "F",
         "geometry": Point(W(60000, 60000))},
    ])
    return {"stations": stations, "rail": rail, "bus": bus, "roads": roads, "admin": admin_l, "facilities": fac}


# ---- hand-computed times (seconds) from assumptions.yaml defaults -----------------------------
WALK = 1.25 / 1.3            # straight metres per second of walking (4.5 km/h, detour 1.3)
# drive access runs on local roads: 30 km/h (assumptions local_roads.speed_kmh, was 20), detour 1.3
DRIVE_ACC = (30 / 3.6) / 1.3  # straight metres per second of drive access
RAIL_O_D = (
    700 / WALK                       # O -> R2 walk (700 m)          728 s
    + 1800 + 600                     # rail wait + overhead         2400 s
    + 15000 / (120 / 3.6) + 120      # R2 -> R1 ride + dwell         570 s
    + max(300 / WALK, 120)           # R1 -> S3 transfer walk        312 s
    + 150 + 120                      # metro wait + overhead         270 s
    + 2 * (3000 / (45 / 3.6) + 30)   # S3 -> S2 -> S1                540 s
    + 400 / WALK                     # S1 -> D walk                  416 s
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


def test_hand_computed_constants():
    assert RAIL_O_D == pytest.approx(728 + 2400 + 570 + 312 + 270 + 540 + 416)
    assert BUS_O_D == pytest.approx(312 + 450 + 3025.23 + 20 + 312, abs=0.01)


def _route_time(G, o, d, modes):
    H = G.edge_subgraph([(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m in modes])
    return nx.shortest_path_length(H, o, d, weight="travel_time")


@pytest.fixture(scope="module")
def G():
    return gn.build_network(toy_layers())


def test_graph_attributes(G):
    assert G.graph["crs"] == "EPSG:4326"
    for _, d in G.nodes(data=True):
        assert {"x", "y", "key", "kind", "street_count"} <= set(d)
    modes = set()
    for _, _, d in G.edges(data=True):
        assert {"length", "travel_time", "mode", "feature_id", "geometry"} <= set(d)
        assert d["travel_time"] > 0 and d["length"] >= 0
        assert d["geometry"].geom_type == "LineString"
        modes.add(d["mode"])
    assert modes == {"metro", "rail", "bus", "expressway", "road", "walk", "drive_access"}


def test_lengths_are_metric(G):
    lk = gn.node_lookup(G)
    s1, s2 = lk["station:station-s1"], lk["station:station-s2"]
    ride = [d for u, v, d in G.edges(data=True) if d["kind"] == "ride" and d["feature_id"] == "metro-m"]
    assert sorted(round(d["length"], 3) for d in ride) == [3000.0] * 4
    assert s1 != s2


def test_road_split_at_intersection(G):
    lk = gn.node_lookup(G)
    road_nodes = [k for k in lk if k.startswith("road:")]
    assert len(road_nodes) == 4  # E ends (2) + T ends (2); E's west end is T's split point
    t_edges = [d["length"] for u, v, d in G.edges(data=True) if d["feature_id"] == "road-t"]
    assert sorted(round(x, 3) for x in t_edges) == [1000.0, 1000.0, 3000.0, 3000.0]


def test_hand_computed_times(G):
    lk = gn.node_lookup(G)
    o, d = lk["place:town-o"], lk["place:dest-d"]
    assert _route_time(G, o, d, {"metro", "rail", "walk"}) == pytest.approx(RAIL_O_D, abs=0.01)
    assert _route_time(G, o, d, {"bus", "walk"}) == pytest.approx(BUS_O_D, abs=0.01)
    assert _route_time(G, o, d, {"expressway", "road", "drive_access"}) == pytest.approx(CAR_O_D, abs=0.01)


def test_csr_matches_networkx(G):
    csr, nodes = gn.graph_to_csr(G, modes=["metro", "rail", "walk"])
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    lk = gn.node_lookup(G)
    t = gn.shortest_travel_times(csr, [pos[lk["place:town-o"]]], [pos[lk["place:dest-d"]]])
    assert t[0, 0] == pytest.approx(RAIL_O_D, abs=0.01)
    # reverse search and chunking give the same matrix
    src = np.arange(len(nodes))
    tgt = np.array([pos[lk["place:dest-d"]], pos[lk["station:station-s1"]]])
    fwd = gn.shortest_travel_times(csr, src, tgt, reverse=False, max_bytes=8 * len(nodes) * 3)
    rev = gn.shortest_travel_times(csr, src, tgt, reverse=True)
    assert np.array_equal(np.isinf(fwd), np.isinf(rev))
    assert np.allclose(fwd[np.isfinite(fwd)], rev[np.isfinite(rev)])
    # cutoff: beyond the limit is inf
    lim = gn.shortest_travel_times(csr, [pos[lk["place:town-o"]]], [pos[lk["place:dest-d"]]], cutoff=3000)
    assert np.isinf(lim[0, 0])


def test_unreachable_is_inf(G):
    csr, nodes = gn.graph_to_csr(G)
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    lk = gn.node_lookup(G)
    t = gn.shortest_travel_times(csr, [pos[lk["place:town-o"]]], [pos[lk["place:dest-f"]]])
    assert np.isinf(t[0, 0])


def test_as_of_filtering():
    layers = toy_layers()
    G0 = gn.build_network(layers, as_of="2022-12-29")
    fids = {d["feature_id"] for _, _, d in G0.edges(data=True)}
    assert "rail-r" not in fids and "metro-m" in fids and "bus-b" in fids
    assert "road-t" in fids  # road without any timeline: pre-existing arterial (status_policy)
    lk = gn.node_lookup(G0)
    with pytest.raises(nx.NetworkXNoPath):
        _route_time(G0, lk["place:town-o"], lk["place:dest-d"], {"metro", "rail", "walk"})
    G1 = gn.build_network(layers, as_of=dt.date(2024, 1, 1))
    lk = gn.node_lookup(G1)
    o, d = lk["place:town-o"], lk["place:dest-d"]
    assert _route_time(G1, o, d, {"metro", "rail", "walk"}) == pytest.approx(RAIL_O_D, abs=0.01)
    assert _route_time(G1, o, d, {"expressway", "road", "drive_access"}) == pytest.approx(CAR_O_D_2024, abs=0.01)
    assert G1.graph["as_of"] == "2024-01-01"


def test_include_expected():
    layers = toy_layers()
    fids = lambda G: {d["feature_id"] for _, _, d in G.edges(data=True)}  # noqa: E731
    assert "metro-x" not in fids(gn.build_network(layers, as_of="2026-01-01"))
    assert "metro-x" in fids(gn.build_network(layers, as_of="2026-01-01", include_expected=True))
    assert "metro-x" not in fids(gn.build_network(layers, as_of="2025-06-01", include_expected=True))
    assert "metro-x" in fids(gn.build_network(layers))  # as_of None: everything


def test_bad_date():
    with pytest.raises(ValueError, match="cannot parse"):
        gn.build_network(toy_layers(), as_of="end of 2025")


def test_assumption_override():
    G2 = gn.build_network(toy_layers(), assumptions={"speeds_kmh": {"metro": 90}, "half_headway_s": {"rail": 0}})
    lk = gn.node_lookup(G2)
    expected = RAIL_O_D - 1800 - 2 * (3000 / (45 / 3.6) - 3000 / (90 / 3.6))
    assert _route_time(G2, lk["place:town-o"], lk["place:dest-d"], {"metro", "rail", "walk"}) == pytest.approx(
        expected, abs=0.01)
    a = gn.load_assumptions()
    for table in ("speeds_kmh", "dwell_s", "half_headway_s", "boarding_overhead_s", "road_speeds_kmh"):
        for k, v in a[table].items():
            assert "source" in v, (table, k)


def test_line_hops_follow_geometry_or_fall_back():
    layers = toy_layers()
    # stops on a bent geometry: the hop follows the geometry
    layers["bus"].loc[0, "geometry"] = LineString([W(21000, 1300), W(10000, 9000), W(0, 700)])
    G2 = gn.build_network(layers)
    rides = [d["length"] for _, _, d in G2.edges(data=True) if d["kind"] == "ride" and d["feature_id"] == "bus-b"]
    assert rides[0] == pytest.approx(math.hypot(11000, 7700) + math.hypot(10000, 8300), abs=0.01)
    # stops > 1000 m from the geometry: straight hop x line_fallback detour (1.2)
    layers["bus"].loc[0, "geometry"] = LineString([W(21000, 5000), W(0, 5000)])
    G3 = gn.build_network(layers)
    rides = [d["length"] for _, _, d in G3.edges(data=True) if d["kind"] == "ride" and d["feature_id"] == "bus-b"]
    assert rides[0] == pytest.approx(BUS_LEN * 1.2, abs=0.01)


# ---- OSMnx interoperability --------------------------------------------------------------------
def test_osmnx_functions(G, tmp_path):
    nodes, edges = ox.graph_to_gdfs(G)
    assert len(nodes) == G.number_of_nodes() and len(edges) == G.number_of_edges()
    assert nodes.crs.to_epsg() == 4326
    lon, lat = W(0, 400)
    n = ox.distance.nearest_nodes(G, lon, lat)
    assert G.nodes[n]["key"] == "place:dest-d"
    lk = gn.node_lookup(G)
    route = ox.routing.shortest_path(G, lk["place:town-o"], lk["place:dest-d"], weight="travel_time")
    assert route[0] == lk["place:town-o"] and route[-1] == lk["place:dest-d"]
    assert ox.routing.shortest_path(G, lk["place:town-o"], lk["place:dest-f"], weight="travel_time") is None
    stats = ox.stats.basic_stats(G)
    assert stats["n"] == G.number_of_nodes() and stats["m"] == G.number_of_edges()
    path = tmp_path / "g.graphml"
    ox.save_graphml(G, path)
    G2 = ox.load_graphml(path)
    assert G2.number_of_edges() == G.number_of_edges()


# ---- OpenStreetMap -------------------------------------------------------------------------------
def test_load_osm_fixture():
    Go = gn.load_osm(DATA / "tiny.osm")
    assert Go.number_of_edges() > 0
    modes = {d["mode"] for _, _, d in Go.edges(data=True)}
    assert modes == {"expressway", "road", "walk"}
    for _, _, d in Go.edges(data=True):
        assert d["travel_time"] > 0 and d["feature_id"].startswith("osm-way-")
        if d["mode"] == "expressway":
            assert d["travel_time"] == pytest.approx(d["length"] / (80 / 3.6))


def test_merge_osm(G):
    Go = gn.load_osm(DATA / "tiny.osm")
    M = gn.merge_osm(G, Go)
    assert not any(k == "road" for _, k in M.nodes(data="kind"))
    assert any(k == "osm" for _, k in M.nodes(data="kind"))
    lk = gn.node_lookup(M)
    o = lk["place:town-o"]
    acc = [v for _, v, d in M.out_edges(o, data=True) if d["mode"] == "drive_access"]
    # OSM nodes 1 (1500 m) and 2 (6083 m) are within 10 km of O; node 3.. are not
    assert sorted(M.nodes[v]["osmid"] for v in acc) == [1, 2]
    # transit part untouched
    assert _route_time(M, o, lk["place:dest-d"], {"metro", "rail", "walk"}) == pytest.approx(RAIL_O_D, abs=0.01)
    # car trip now runs on the OSM roads
    t = _route_time(M, o, lk["place:dest-d"], {"expressway", "road", "drive_access"})
    assert np.isfinite(t) and t > 0
    assert ox.stats.basic_stats(M)["n"] == M.number_of_nodes()
    Gm = gn.build_network(toy_layers(), osm_graph=Go)
    assert Gm.number_of_nodes() == M.number_of_nodes()


def test_load_osm_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        gn.load_osm(tmp_path / "missing.osm")
    empty = tmp_path / "empty.osm"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty"):
        gn.load_osm(empty)
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm version='0.6'><node id='1' lat='39.9' lon='116.7'></osm")
    with pytest.raises(ValueError, match="malformed"):
        gn.load_osm(bad)
    noways = tmp_path / "noways.osm"
    noways.write_text("<?xml version='1.0'?><osm version='0.6'><node id='1' lat='39.9' lon='116.7'/></osm>")
    with pytest.raises(ValueError, match="no ways"):
        gn.load_osm(noways)
    other = tmp_path / "x.json"
    other.write_text("{}")
    with pytest.raises(ValueError, match="unsupported"):
        gn.load_osm(other)
    pbf = tmp_path / "x.osm.pbf"
    pbf.write_bytes(b"\x00\x01")
    try:
        import osmium  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pyosmium"):
            gn.load_osm(pbf)


def test_deterministic(tmp_path):
    a, b = tmp_path / "a.graphml", tmp_path / "b.graphml"
    ox.save_graphml(gn.build_network(toy_layers()), a)
    ox.save_graphml(gn.build_network(toy_layers()), b)
    assert a.read_bytes() == b.read_bytes()


def test_json_encoded_properties():
    """Layers read back from GeoJSON may carry list properties as JSON strings."""
    import json

    layers = toy_layers()
    for name in ("rail", "bus", "roads"):
        layers[name]["timeline"] = layers[name]["timeline"].map(json.dumps)
    layers["rail"]["stops"] = layers["rail"]["stops"].map(json.dumps)
    layers["admin"]["centre"] = layers["admin"]["centre"].map(json.dumps)
    G = gn.build_network(layers, as_of="2024-01-01")
    lk = gn.node_lookup(G)
    assert _route_time(G, lk["place:town-o"], lk["place:dest-d"], {"metro", "rail", "walk"}) == pytest.approx(
        RAIL_O_D, abs=0.01)


def test_shortest_travel_times_random_graph():
    """Chunked / reversed / duplicate-source CSR searches equal a plain scipy dijkstra."""
    from scipy.sparse.csgraph import dijkstra

    rng = np.random.default_rng(0)
    n = 300
    u, v, w = rng.integers(0, n, 2000), rng.integers(0, n, 2000), rng.random(2000)
    csr = gn.csr_from_arrays(u, v, w, n)
    src, tgt = rng.integers(0, n, 50), rng.integers(0, n, 40)
    ref = dijkstra(csr, indices=src)[:, tgt]
    assert np.array_equal(gn.shortest_travel_times(csr, src, tgt, max_bytes=8 * n * 3, reverse=False), ref)
    rev = gn.shortest_travel_times(csr, src, tgt, reverse=True)
    assert np.array_equal(np.isinf(rev), np.isinf(ref)) and np.allclose(rev[np.isfinite(ref)], ref[np.isfinite(ref)])
