"""Tests for geo.network on a tiny hand-built network with hand-computed travel times.

The toy world and its hand-computed times are in ``tests/_netdata.py`` (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from _netdata import BUS_LEN, BUS_O_D, CAR_O_D, CAR_O_D_2024, RAIL_O_D, W, toy_layers
from shapely.geometry import LineString

from geo import network as gn

DATA = Path(__file__).parent / "data"


def test_hand_computed_constants():
    assert pytest.approx(728 + 2400 + 570 + 312 + 270 + 540 + 416) == RAIL_O_D
    assert pytest.approx(312 + 450 + 3025.23 + 20 + 312, abs=0.01) == BUS_O_D


def _route_time(G, o, d, modes):
    H = G.edge_subgraph([(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m in modes])
    return nx.shortest_path_length(H, o, d, weight="travel_time")


@pytest.fixture(scope="module")
def G(toy_network):  # noqa: N802 - networkx's name for a graph, as in every test here
    return toy_network


def test_graph_attributes(G):
    assert G.graph["crs"] == "EPSG:4326"
    for _, d in G.nodes(data=True):
        assert {"x", "y", "key", "kind", "street_count"} <= set(d)
    modes = set()
    for _, _, d in G.edges(data=True):
        assert {"length", "travel_time", "mode", "feature_id", "geometry"} <= set(d)
        assert d["travel_time"] > 0
        assert d["length"] >= 0
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
    assert "rail-r" not in fids
    assert "metro-m" in fids
    assert "bus-b" in fids
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
        expected, abs=0.01
    )
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
    assert len(nodes) == G.number_of_nodes()
    assert len(edges) == G.number_of_edges()
    assert nodes.crs.to_epsg() == 4326
    lon, lat = W(0, 400)
    n = ox.distance.nearest_nodes(G, lon, lat)
    assert G.nodes[n]["key"] == "place:dest-d"
    lk = gn.node_lookup(G)
    route = ox.routing.shortest_path(G, lk["place:town-o"], lk["place:dest-d"], weight="travel_time")
    assert route[0] == lk["place:town-o"]
    assert route[-1] == lk["place:dest-d"]
    assert ox.routing.shortest_path(G, lk["place:town-o"], lk["place:dest-f"], weight="travel_time") is None
    stats = ox.stats.basic_stats(G)
    assert stats["n"] == G.number_of_nodes()
    assert stats["m"] == G.number_of_edges()
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
        assert d["travel_time"] > 0
        assert d["feature_id"].startswith("osm-way-")
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
    assert np.isfinite(t)
    assert t > 0
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
        RAIL_O_D, abs=0.01
    )


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
    f32 = gn.shortest_travel_times(csr, src, tgt, max_bytes=8 * n * 7, reverse=False, dtype=np.float32)
    assert f32.dtype == np.float32
    assert np.array_equal(f32, ref.astype(np.float32))
    rev = gn.shortest_travel_times(csr, src, tgt, reverse=True)
    assert np.array_equal(np.isinf(rev), np.isinf(ref))
    assert np.allclose(rev[np.isfinite(ref)], ref[np.isfinite(ref)])
