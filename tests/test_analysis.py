"""Tests for geo.analysis (accessibility, crossborder, structure, scenarios) on the toy network.

The toy layers and hand-computed times come from tests/_netdata.py (see its docstring).
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import h3
import networkx as nx
import numpy as np
import pytest
from _netdata import BUS_O_D, CAR_O_D, CAR_O_D_2024, RAIL_O_D, TO_M, WALK, X0, Y0, W, ev, toy_layers
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box

from geo import network as gn
from geo.analysis import accessibility as acc
from geo.analysis import crossborder as cb
from geo.analysis import scenarios as sc
from geo.analysis import structure as st

OD = {"origins": {"O": "town-o"}, "destinations": {"D": "dest-d", "F": "dest-f"}}
# The hand-computed toy values below are for walk-only access to stations (the pre-feeder model);
# the feeder access of the default rail / bus / transit chains is tested separately
# (test_feeder_access_hand_computed).
WALK_ONLY = {
    "mode_chains": {
        "rail": ["metro", "rail", "walk"],
        "bus": ["bus", "walk"],
        "transit": ["metro", "rail", "bus", "walk"],
    }
}
FEEDER = lambda d: 300 + d * 1.3 / (22 / 3.6)  # noqa: E731  feeder.penalty_s + straight x 1.3 at 22 km/h
HOP = 3000 / (45 / 3.6) + 30  # metro hop incl. dwell
AREA = box(*W(-1000, -1500), *W(22000, 3500))


@pytest.fixture(scope="module")
def G(toy_network):  # noqa: N802 - networkx's name for a graph, as in every test here
    return toy_network


def _t(df, chain, dest="dest-d"):
    return df[(df["chain"] == chain) & (df["destination_id"] == dest)].iloc[0]


# ---- accessibility ------------------------------------------------------------------------------
def test_travel_times_hand_computed(G):
    df = acc.travel_times(G, chains=("rail", "bus", "car", "transit"), assumptions=WALK_ONLY, **OD)
    assert _t(df, "rail")["time_s"] == pytest.approx(RAIL_O_D, abs=0.01)
    assert _t(df, "bus")["time_s"] == pytest.approx(BUS_O_D, abs=0.01)
    assert _t(df, "car")["time_s"] == pytest.approx(CAR_O_D, abs=0.01)
    assert _t(df, "transit")["time_s"] == pytest.approx(min(RAIL_O_D, BUS_O_D), abs=0.01)
    assert _t(df, "rail")["time_min"] == pytest.approx(RAIL_O_D / 60, abs=1e-4)


def test_feeder_access_hand_computed(G):
    """Default rail chain: feeder (bus/taxi) access to a station beyond walking distance.

    O -> feeder to S4 (hypot(12000, 1000) m) -> metro-x wait 270 + hop S4-S3 -> metro-m wait 270 +
    two hops -> walk 400 m to D. R2 (700 m) is within walking distance, so no feeder to it.
    """
    exp = FEEDER(math.hypot(12000, 1000)) + 270 + HOP + 270 + 2 * HOP + 400 / WALK
    df = acc.travel_times(G, chains=("rail", "rail_walk"), **OD)
    assert _t(df, "rail")["time_s"] == pytest.approx(exp, abs=0.01)
    assert _t(df, "rail_walk")["time_s"] == pytest.approx(RAIL_O_D, abs=0.01)
    # a point origin gets the same feeder links
    pt = acc.travel_times(G, origins={"pt": W(21000, 1000)}, destinations={"D": "dest-d"}, chains=("rail",))
    assert _t(pt, "rail")["time_s"] == pytest.approx(exp, abs=0.01)
    # the feeder is access only: the feeder rows end on a platform after one ride hop
    _, node, _ = gn.access_links(G, *W(21000, 1000), modes=["feeder", "metro", "rail"])
    assert len(node)
    assert all(G.nodes[int(n)]["kind"] == "platform" for n in node)
    # a destination next to a station is never reached by feeder alone (no ride): S4 -> D by feeder
    # would be 300 + ... < rail time; the route must ride
    circ = acc.half_hour_rail_circle(G, origins={"O": "town-o"})
    r = circ["rows"][0]
    assert r["access"] == "feeder"
    assert r["lines"]
    assert r["in_vehicle_min"] > 0


def test_unreachable_reported(G):
    df = acc.travel_times(G, **OD)
    f = df[df["destination_id"] == "dest-f"]
    assert len(f) == 3
    assert not f["reachable"].any()
    assert np.isinf(f["time_s"]).all()
    assert f["time_min"].isna().all()
    # cutoff turns long trips into unreachable, never 0
    cut = acc.travel_times(G, chains=("rail",), cutoff_min=30, **OD)
    assert not cut["reachable"].any()
    assert cut["time_min"].isna().all()


def test_point_origin_matches_place(G):
    df = acc.travel_times(G, origins={"pt": W(21000, 1000)}, destinations={"D": "dest-d"}, assumptions=WALK_ONLY)
    assert _t(df, "rail")["time_s"] == pytest.approx(RAIL_O_D, abs=0.01)
    assert _t(df, "car")["time_s"] == pytest.approx(CAR_O_D, abs=0.01)


def test_name_errors(G):
    with pytest.raises(ValueError, match=r"unknown origin 'Nowhere'.*town-o"):
        acc.travel_times(G, origins=["Nowhere"], destinations=["dest-d"])
    with pytest.raises(ValueError, match=r"unknown destination 'Atlantis'.*dest-d"):
        acc.travel_times(G, origins=["town-o"], destinations=["Atlantis"])
    with pytest.raises(ValueError, match="outside the study area"):
        acc.travel_times(G, origins={"far": (120.0, 45.0)}, destinations=["dest-d"])
    with pytest.raises(ValueError, match="unknown mode chain"):
        acc.travel_times(G, chains=("boat",), **OD)
    # default origins (燕郊 ...) are absent from the toy network
    with pytest.raises(ValueError, match="default origins"):
        acc.travel_times(G, destinations=["dest-d"])


def _independent_hex_time(G, lon, lat, dest_node):
    """Shortest rail-chain time from a point, via networkx on a copy with explicit walk links."""
    H = nx.MultiDiGraph(
        G.edge_subgraph([(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m in ("metro", "rail", "walk")])
    )
    px, py = TO_M.transform(lon, lat)
    H.add_node("p")
    stations = [(n, d) for n, d in G.nodes(data=True) if d["kind"] in ("station", "stop")]
    dists = []
    for n, d in stations:
        sx, sy = TO_M.transform(d["x"], d["y"])
        dists.append((math.hypot(sx - px, sy - py), n))
    near = [x for x in dists if x[0] <= 1500] or [min(dists)] if min(dists)[0] <= 3000 else []
    for dist, n in near:
        H.add_edge("p", n, travel_time=dist / WALK)
    try:
        return nx.shortest_path_length(H, "p", dest_node, weight="travel_time")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return math.inf


def test_hex_travel_times(G):
    hexes = acc.hex_travel_times(
        G, destinations={"D": "dest-d"}, chains=("rail", "car"), area=AREA, resolution=8, assumptions=WALK_ONLY
    )
    assert hexes.crs.to_epsg() == 4326
    assert list(hexes["h3"]) == sorted(hexes["h3"])
    assert {"t_rail_dest-d", "t_car_dest-d"} <= set(hexes.columns)
    col = hexes["t_rail_dest-d"]
    assert col.notna().any()
    assert col.isna().any()
    assert (col.dropna() > 0).all()
    d = gn.place_node(G, "dest-d")
    for i in np.linspace(0, len(hexes) - 1, 12).astype(int):
        r = hexes.iloc[i]
        exp = _independent_hex_time(G, r["lon"], r["lat"], d)
        got = r["t_rail_dest-d"] * 60 if not np.isnan(r["t_rail_dest-d"]) else math.inf
        assert got == pytest.approx(exp, abs=0.01)


def test_shares_and_isochrones(G):
    hexes = acc.hex_travel_times(G, destinations={"D": "dest-d"}, chains=("rail", "car"), area=AREA)
    shares = acc.share_within(hexes, thresholds_min=(30, 45, 60, 90))
    rail = shares[shares["chain"] == "rail"].sort_values("threshold_min")
    assert (np.diff(rail["share"].to_numpy()) >= 0).all()
    for _, r in shares.iterrows():
        t = hexes[f"t_{r['chain']}_{r['destination_id']}"]
        assert r["n_within"] == int((t <= r["threshold_min"]).sum())
        assert r["share"] == pytest.approx(r["n_within"] / len(hexes))
    iso = acc.isochrones(hexes, thresholds_min=(30, 90))
    assert len(iso) == 4
    for _, r in iso.iterrows():
        t = hexes[f"t_{r['chain']}_{r['destination_id']}"]
        sel = hexes[t <= r["threshold_min"]]
        assert r["n_hex"] == len(sel)
        if len(sel):
            assert r["geometry"].buffer(1e-9).contains(Point(sel.iloc[0]["lon"], sel.iloc[0]["lat"]))
            exp = sum(h3.cell_area(c, "km^2") for c in sel["h3"])  # H3's own (spherical) cell areas
            assert r["area_km2"] == pytest.approx(exp, rel=0.01)
        else:
            assert r["geometry"].is_empty
            assert r["area_km2"] == 0


def test_half_hour_rail_circle(G):
    res = acc.half_hour_rail_circle(G, origins={"O": "town-o", "nearS1": W(0, -100)}, assumptions=WALK_ONLY)
    rows = {r["origin"]: r for r in res["rows"]}
    # O: walk 728 + rail wait 2400 + ride 570 + transfer walk 312 -> S3 (metro station in 110112)
    assert rows["O"]["time_min"] == pytest.approx((728 + 2400 + 570 + 312) / 60, abs=0.01)
    assert rows["O"]["via"] == "station:station-s3"
    assert rows["O"]["holds"] is False
    assert rows["nearS1"]["time_min"] == pytest.approx(100 / WALK / 60, abs=0.01)
    assert rows["nearS1"]["holds"]
    assert res["holds_for"] == ["nearS1"]
    assert res["fails_for"] == ["O"]
    res70 = acc.half_hour_rail_circle(G, origins={"O": "town-o"}, threshold_min=70, assumptions=WALK_ONLY)
    assert res70["holds_for"] == ["O"]
    json.dumps(res, allow_nan=False)


def test_accessibility_report_json(G):
    rep = acc.accessibility_report(G, area=AREA, chains=("rail", "car"), **OD)
    text = json.dumps(rep["summary"], allow_nan=False, ensure_ascii=False)
    assert '"time_min": null' in text  # unreachable F
    assert set(rep) == {"od", "hexes", "shares", "isochrones", "rail_circle", "summary"}


# ---- cross-border ------------------------------------------------------------------------------
def _rect(x0, y0, x1, y1):
    return Polygon([W(x0, y0), W(x1, y0), W(x1, y1), W(x0, y1)])


def cb_layers():
    L = toy_layers()
    admin = gpd.GeoDataFrame(
        [
            {"id": "admin-tongzhou", "kind": "admin", "theme": "admin", "geometry": _rect(-5000, -5000, 10000, 5000)},
            {"id": "admin-sanhe", "kind": "admin", "theme": "admin", "geometry": _rect(10000, 0, 25000, 5000)},
            {"id": "admin-dachang", "kind": "admin", "theme": "admin", "geometry": _rect(10000, -5000, 25000, 0)},
            {"id": "admin-xianghe", "kind": "admin", "theme": "admin", "geometry": _rect(10000, -10000, 25000, -5000)},
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    L["admin"] = gpd.GeoDataFrame(
        [*L["admin"].to_dict("records"), *admin.to_dict("records")], geometry="geometry", crs="EPSG:4326"
    )
    extra = gpd.GeoDataFrame(
        [
            {
                "id": "road-dead",
                "kind": "road",
                "theme": "road",
                "road_class": "trunk",
                "timeline": [ev("2018-01-01")],
                "geometry": LineString([W(2000, -2000), W(9800, -2000)]),
            },
            {
                "id": "road-cont-a",
                "kind": "road",
                "theme": "road",
                "road_class": "secondary",
                "timeline": [ev("2018-01-01")],
                "geometry": LineString([W(3000, -3000), W(9900, -3000)]),
            },
            {
                "id": "road-cont-b",
                "kind": "road",
                "theme": "road",
                "road_class": "secondary",
                "timeline": [ev("2018-01-01")],
                "geometry": LineString([W(10100, -3000), W(15000, -3000)]),
            },
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    L["roads"] = gpd.GeoDataFrame(
        [*L["roads"].to_dict("records"), *extra.to_dict("records")], geometry="geometry", crs="EPSG:4326"
    )
    L["bridges"] = gpd.GeoDataFrame(
        [
            {
                "id": "bridge-e-chaobai",
                "kind": "bridge",
                "theme": "road",
                "road_class": "bridge",
                "parent": ["expressway-e", "river-chaobai"],
                "timeline": [ev("2015-01-01")],
                "geometry": LineString([W(8900, 2000), W(9100, 2000)]),
            },
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    L["water"] = gpd.GeoDataFrame(
        [
            {
                "id": "river-chaobai",
                "kind": "river",
                "theme": "water",
                "geometry": LineString([W(9000, -10000), W(9000, 10000)]),
            },
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    return L


CLAIMS = [
    {"value": 3, "unit": "条", "counted": "高速公路", "quote": "高速公路3条", "doc_id": "001"},
    {"value": 7, "unit": "条", "counted": "主干路", "quote": "主干路7条", "doc_id": "001"},
    {"value": 5, "unit": "座", "counted": "跨潮白河桥梁", "quote": "跨潮白河桥梁5座", "doc_id": "001"},
    {"value": 22, "unit": "条", "counted": "跨界公交线路", "quote": "开通跨界公交线路22条", "doc_id": "001"},
    {"value": 11, "unit": "条", "counted": "通勤定制快巴线路", "quote": "通勤定制快巴线路11条", "doc_id": "001"},
    {"value": 453, "unit": "项", "counted": "高频便民事项", "quote": "453项高频便民事项", "doc_id": "000"},
]


def test_shared_boundary():
    line = cb.shared_boundary(cb_layers())
    xs, ys = TO_M.transform(
        *np.asarray(line.coords if line.geom_type == "LineString" else [c for g in line.geoms for c in g.coords]).T
    )
    assert np.allclose(np.asarray(xs) - X0, 10000, atol=150)
    assert (np.asarray(ys) - Y0).min() == pytest.approx(-5000, abs=150)
    assert (np.asarray(ys) - Y0).max() == pytest.approx(5000, abs=150)


def test_crossing_counts_and_claims():
    L = cb_layers()
    rep = cb.crossborder_report(L, CLAIMS)
    c = rep["counts"]
    assert c["expressway"] == {"count": 1, "feature_ids": ["expressway-e"]}
    assert c["trunk"]["count"] == 0
    assert c["rail"]["feature_ids"] == ["rail-r"]
    assert c["bus"]["feature_ids"] == ["bus-b"]
    assert c["road_all"]["count"] == 1
    # only bridge features count as bridges (its parent road E is not double counted); the two
    # roads drawn across the river with no bridge record are reported apart, not counted
    assert c["chaobai_bridge"] == {"count": 1, "feature_ids": ["bridge-e-chaobai"]}
    assert c["chaobai_road_without_bridge"] == {"count": 2, "feature_ids": ["road-cont-a", "road-dead"]}
    comp = rep["comparison"].set_index("counted")
    assert comp.loc["高速公路", ["class", "claimed", "mapped", "difference"]].tolist() == ["expressway", 3, 1, -2]
    assert comp.loc["主干路", "mapped"] == 0
    assert comp.loc["跨潮白河桥梁", ["class", "mapped"]].tolist() == ["chaobai_bridge", 1]
    assert comp.loc["跨界公交线路", ["class", "mapped"]].tolist() == ["bus", 1]
    assert comp.loc["通勤定制快巴线路", "class"] == "commuter_bus"
    assert comp.loc["高频便民事项", "class"] is None
    assert comp.loc["高频便民事项", "mapped"] is None
    assert comp.loc["高速公路", "quote"] == "高速公路3条"
    json.dumps(rep["summary"], allow_nan=False, ensure_ascii=False)


def test_crossings_as_of():
    L = cb_layers()
    c = cb.count_crossings(cb.crossing_links(L, as_of="2022-01-01"))
    assert c["rail"]["count"] == 0
    assert c["expressway"]["count"] == 1
    assert c["bus"]["count"] == 1
    c = cb.count_crossings(cb.crossing_links(L, as_of="2014-01-01"))
    assert c["expressway"]["count"] == 0
    assert c["chaobai_bridge"]["count"] == 0


def test_classify_claim():
    assert cb.classify_claim("跨潮白河桥梁") == "chaobai_bridge"
    assert cb.classify_claim("高速公路") == "expressway"
    assert cb.classify_claim("跨界公路") == "road_all"
    assert cb.classify_claim("日客运量") is None


# ---- structure ---------------------------------------------------------------------------------
def test_components(G):
    comp = st.components(G)
    assert comp["metro"]["n_weak"] == 1  # metro-m and metro-x share station S3
    assert comp["rail"]["n_weak"] == 1
    assert comp["expressway"]["n_nodes"] == 2
    json.dumps(comp)


def test_critical_links(G):
    cl = st.critical_links(G, modes=("metro", "rail", "bus", "walk"))
    fids = {f for fs in cl["bridges"]["feature_ids"] for f in fs}
    assert "metro-x" in fids  # S4 hangs off S3 only
    assert "bus-b" not in fids  # part of the O-D cycle (bus vs rail)
    allm = st.critical_links(G)  # with roads, S4's drive-access links close the cycle
    assert "metro-x" not in {f for fs in allm["bridges"]["feature_ids"] for f in fs}
    assert "station:station-s3" in set(cl["articulation_points"]["key"])


def test_removal_impact(G):
    df = st.removal_impact(
        G, origins={"O": "town-o"}, destinations={"D": "dest-d"}, chain="transit", top=None, assumptions=WALK_ONLY
    )
    top = df.iloc[0]
    assert top["feature_id"] == "bus-b"
    assert top["added_min"] == pytest.approx((RAIL_O_D - BUS_O_D) / 60, abs=0.01)
    assert df.set_index("feature_id").loc["metro-x", "added_min"] == 0
    df2 = st.removal_impact(
        G, origins={"O": "town-o"}, destinations={"D": "dest-d"}, chain="rail", top=2, assumptions=WALK_ONLY
    )
    assert set(df2["feature_id"]) == {"metro-m", "rail-r"}
    assert (df2["newly_unreachable"] == 1).all()


def test_bottlenecks(G):
    b = st.bottlenecks(G, top=5)
    assert len(b) == 5
    assert (np.diff(b["betweenness"]) <= 0).all()
    sampled = st.bottlenecks(G, top=5, sample_above=10, seed=1)
    assert len(sampled) == 5


def test_crossborder_dead_ends():
    de = st.crossborder_dead_ends(cb_layers())
    assert list(de["feature_id"]) == ["road-dead"]
    r = de.iloc[0]
    assert r["side"] == "beijing"
    assert r["distance_to_boundary_m"] == pytest.approx(200, abs=1)


# ---- scenarios ---------------------------------------------------------------------------------
def test_compare_dates():
    res = sc.compare_dates(
        toy_layers(),
        "2022-12-29",
        "2024-01-01",
        origins={"O": "town-o"},
        destinations={"D": "dest-d"},
        chains=("rail", "car"),
        assumptions=WALK_ONLY,
    )
    t = res["table"].set_index("chain")
    assert np.isnan(t.loc["rail", "before_min"])
    assert t.loc["rail", "newly_reachable"]
    assert t.loc["rail", "after_min"] == pytest.approx(RAIL_O_D / 60, abs=1e-3)
    assert np.isnan(t.loc["rail", "delta_min"])
    assert t.loc["car", "before_min"] == pytest.approx(CAR_O_D_2024 / 60, abs=1e-3)
    assert t.loc["car", "delta_min"] == pytest.approx(0.0, abs=1e-9)
    pts = res["points"]
    assert len(pts) == 1
    assert pts.crs.to_epsg() == 4326
    assert pts.iloc[0]["delta_rail_dest-d"] is None
    assert pts.iloc[0]["newly_reachable"] == 1
    assert pts.geometry.iloc[0].distance(Point(W(21000, 1000))) < 1e-6  # node x/y rounded to 1e-7 deg
    json.dumps(res["summary"], allow_nan=False)


def test_compare_without(G):
    res = sc.compare_without(
        G, "bus-b", origins={"O": "town-o"}, destinations={"D": "dest-d"}, chains=("transit",), assumptions=WALK_ONLY
    )
    r = res["table"].iloc[0]
    assert r["delta_min"] == pytest.approx((RAIL_O_D - BUS_O_D) / 60, abs=1e-3)
    assert res["points"].iloc[0]["delta_transit_dest-d"] == pytest.approx((RAIL_O_D - BUS_O_D) / 60, abs=1e-3)
    with pytest.raises(ValueError, match="no edges"):
        sc.compare_without(G, "no-such-feature", origins={"O": "town-o"}, destinations={"D": "dest-d"})


def test_transformer_sanity():
    # guards the toy geometry: the W() helper round-trips within a millimetre
    back = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True).transform(*W(1234, 5678))
    assert back[0] - X0 == pytest.approx(1234, abs=1e-3)
    assert back[1] - Y0 == pytest.approx(5678, abs=1e-3)


def test_without_a_track_removes_the_services_on_it():
    """A second service on the rail-r track (as the 京滨 trains on the 京唐 track): removing the
    track removes it too, or it keeps running with a warning when asked; the output says which."""
    import pandas as pd

    layers = toy_layers()
    rail = layers["rail"]
    service = rail[rail["id"] == "rail-r"].copy()
    service["id"] = "rail-r-service"
    layers["rail"] = gpd.GeoDataFrame(pd.concat([rail, service], ignore_index=True), crs=rail.crs)
    G = gn.build_network(layers, as_of="2024-01-01")
    assert sc.services_on_track(G, "rail-r") == {"rail-r-service": [("station:station-r1", "station:station-r2")]}
    kw = {"origins": {"O": "town-o"}, "destinations": {"D": "dest-d"}, "chains": ("rail",), "assumptions": WALK_ONLY}
    res = sc.compare_without(G, "rail-r", **kw)
    assert res["summary"]["removed"] == ["rail-r", "rail-r-service"]
    assert "rail-r-service" in res["summary"]["note"]
    assert bool(res["table"].iloc[0]["newly_unreachable"])  # O reaches D by rail only over that track
    kept = sc.compare_without(G, "rail-r", keep_services=True, **kw)
    assert kept["summary"]["removed"] == ["rail-r"]
    assert set(kept["summary"]["services_kept"]) == {"rail-r-service"}
    assert "still running" in kept["summary"]["note"]
    assert kept["table"].iloc[0]["delta_min"] == pytest.approx(0.0, abs=1e-9)  # the twin service runs the same


def test_cumulative_opportunities_against_a_networkx_search(G):
    """Counts equal an independent search: per cell a virtual source (access links) and a
    virtual sink per destination cell (egress links), networkx Dijkstra over the chain's edges."""
    from geo.schema import opportunity_column

    res = acc.cumulative_opportunities(
        G, chains=["car", "transit"], thresholds_min=[20, 40], resolution=8, area=AREA, assumptions=WALK_ONLY
    )
    assert res[opportunity_column("car", 40)].max() > res[opportunity_column("car", 20)].min() >= 1
    assert res[opportunity_column("car", 40)].max() > 1
    lon, lat = res["lon"].to_numpy(), res["lat"].to_numpy()
    for chain in ("car", "transit"):
        modes = gn.policy.chain_modes(chain, gn.load_assumptions(WALK_ONLY))
        (a_pi, a_node, a_t), (e_pi, e_node, e_t) = acc.hex_links(
            G, lon, lat, modes, assumptions=gn.load_assumptions(WALK_ONLY)
        )
        D = nx.DiGraph()
        for u, v, d in G.edges(data=True):
            if d.get("mode") in modes:
                w = max(float(d["travel_time"]), gn.graph.MIN_WEIGHT_S)
                if not D.has_edge(u, v) or D.edges[u, v]["w"] > w:
                    D.add_edge(u, v, w=w)
        for k, n, t in zip(e_pi.tolist(), e_node.tolist(), e_t.tolist(), strict=True):
            if not D.has_edge(n, ("sink", k)) or D.edges[n, ("sink", k)]["w"] > t:
                D.add_edge(n, ("sink", k), w=t)
        for cell in np.linspace(0, len(res) - 1, 12).astype(int).tolist():
            D.add_node(("src", cell))
            for k, n, t in zip(a_pi.tolist(), a_node.tolist(), a_t.tolist(), strict=True):
                if k == cell:
                    D.add_edge(("src", cell), n, w=t)
            dist = nx.single_source_dijkstra_path_length(D, ("src", cell), weight="w")
            for th in (20, 40):
                reached = {k for k in range(len(res)) if dist.get(("sink", k), np.inf) <= th * 60} | {cell}
                assert res[opportunity_column(chain, th)].iloc[cell] == len(reached), (chain, th, cell)
            D.remove_node(("src", cell))


# --------------------------------------------------------------------------- CLI on the seed corpus


def test_cli_scenario_without_jingtang_removes_the_services_on_its_track(capsys):
    from pathlib import Path

    from geo.cli import main

    seeds = str(Path(__file__).resolve().parents[1] / "seeds")
    assert main(["analyze", "scenario", "--without", "京唐城际", "--corpus", seeds, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["services_removed"], "the 京滨 trains share the 京唐 track and must go with it"
    assert not summary["services_kept"]
    assert "services on its track" in summary["note"]
    assert main(["analyze", "scenario", "--without", "京唐城际", "--keep-services", "--corpus", seeds]) == 0
    out = capsys.readouterr().out
    for service in summary["services_removed"]:
        assert service in out.splitlines()[0], "the first line names the services kept on the track"


def test_cli_access_opportunities(capsys):
    from pathlib import Path

    from geo.cli import main

    seeds = str(Path(__file__).resolve().parents[1] / "seeds")
    args = ["analyze", "access", "--opportunities", "--resolution", "6", "--chains", "car", "--corpus", seeds]
    assert main([*args, "--thresholds", "30", "60", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    car = summary["by_chain"]["car"]
    assert summary["cells"] > 50
    assert summary["resolution"] == 6
    assert 1 <= car["30"]["mean"] <= car["60"]["mean"] <= summary["cells"]  # a cell reaches itself; more in more time
    assert car["60"]["max"] <= summary["cells"]


def test_cli_access_and_scenario_use_the_dated_network_merged_with_osm(capsys):
    """``analyze access|scenario --osm FILE`` route on the network merged with the extract
    (tests/data/region.osm replaces the gazetteer roads), dated on each side of a scenario."""
    from pathlib import Path

    from geo.cli import main

    root = Path(__file__).resolve().parents[1]
    seeds, region = str(root / "seeds"), str(root / "tests" / "data" / "region.osm")

    def car_times(*args: str) -> dict[tuple[str, str], float]:
        assert main(["analyze", *args, "--chains", "car", "--corpus", seeds, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        if "od" in out:
            return {(r["origin"], r["destination"]): r["time_min"] for r in out["od"]}
        rows = [r for r in out["rows"] if r["chain"] == "car"]  # a scenario compares every chain of the study
        return {(r["origin"], r["destination"]): (r["before_min"], r["after_min"]) for r in rows}

    gaz_24 = car_times("access", "--as-of", "2024-10-01")
    osm_23 = car_times("access", "--as-of", "2023-06-30", "--osm", region)
    osm_24 = car_times("access", "--as-of", "2024-10-01", "--osm", region)
    assert osm_24.keys() == gaz_24.keys()
    assert osm_24 != gaz_24, "the extract's roads replace the gazetteer's"
    scen = car_times("scenario", "--before", "2023-06-30", "--after", "2024-10-01", "--osm", region)
    assert scen.keys() == osm_24.keys()
    for pair, (before, after) in scen.items():
        assert before == pytest.approx(osm_23[pair], abs=1e-3)
        assert after == pytest.approx(osm_24[pair], abs=1e-3)
    assert main(["analyze", "access", "--osm", "nowhere.osm.pbf", "--corpus", seeds]) == 2
    assert "--osm nowhere.osm.pbf: no such file" in capsys.readouterr().err
