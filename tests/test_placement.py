"""Honest placement: the geo check rule placement-admin, the re-placed Jing-Tang line, the car
model on mapped roads and the individual bus lines boarding at every stop."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
import yaml

import geo
from geo.crs import to_metric
from geo.gazetteer import load_gazetteer
from geo.network import node_lookup
from geo.validate import check_gazetteer

# the Jing-Tang drawing before 2026-12: 8 straight segments through its former station points
FORMER_JINGTANG = [
    [116.701809, 39.902119],
    [116.8235, 39.9295],
    [116.96, 39.905],
    [117.045, 39.785],
    [117.275, 39.745],
    [117.735, 39.86],
    [118.06, 39.67],
    [118.142, 39.618],
]


def _records(line_coords, station_xy, station_admin):
    base = {"theme": "rail", "accuracy": "schematic", "geometry_source": "test"}
    return [
        {
            **base,
            "id": "test-line",
            "name_zh": "测试城际",
            "kind": "rail_line",
            "admin": [110112, 131024],
            "stops": ["test-station"],
            "geometry": {"type": "LineString", "coordinates": line_coords},
        },
        {
            **base,
            "id": "test-station",
            "name_zh": "测试站",
            "kind": "station",
            "parent": ["test-line"],
            "admin": [station_admin],
            "geometry": {"type": "Point", "coordinates": station_xy},
        },
    ]


def _rules(tmp_path, records):
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    return [(p.feature_id, p.rule, p.message) for p in check_gazetteer(load_gazetteer(path))]


def test_rule_flags_a_line_through_a_county_it_does_not_name(tmp_path):
    probs = _rules(tmp_path, _records(FORMER_JINGTANG, [117.0261694, 39.7189167], 131024))
    flagged = [m for fid, rule, m in probs if fid == "test-line" and rule == "placement-admin"]
    assert any("蓟州区 (120119)" in m for m in flagged)
    assert any("14." in m for m in flagged if "蓟州区" in m)  # 14.5 km, as the issue measured
    # the line's own counties (and its station's) are fine
    assert not any("香河县" in m or "通州区" in m for m in flagged)


def test_rule_flags_a_station_outside_its_counties(tmp_path):
    probs = _rules(tmp_path, _records([[116.70, 39.90], [117.03, 39.72]], [117.0261694, 39.7189167], 131028))
    assert ("test-station", "placement-admin") in {(f, r) for f, r, _ in probs}


def test_the_package_gazetteer_passes_the_rule():
    assert not [p for p in check_gazetteer(load_gazetteer()) if p.rule == "placement-admin"]


def test_jingtang_replaced():
    gaz = load_gazetteer()
    line = gaz["jingtang-intercity"].geometry
    jizhou = gaz["admin-jizhou"].geometry
    assert to_metric(line.intersection(jizhou)).length == 0
    assert (gaz["station-jt-xianghe"].geometry.x, gaz["station-jt-xianghe"].geometry.y) == (117.0261694, 39.7189167)
    assert gaz["station-jt-xianghe"].accuracy == "located"
    assert gaz["station-tangshan"].accuracy == "located"
    for sid in ("station-jt-yanjiao", "station-jt-dachang", "station-jt-baodi", "station-jt-yutian-nan"):
        assert gaz[sid].accuracy == "approximate"
        assert "re-placed" in gaz[sid].geometry_source


@pytest.fixture(scope="module")
def net():
    return geo.network_as_of("2026-01-01")


def test_car_trip_to_guomao_runs_on_mapped_roads(net):
    car = {"road", "expressway", "drive_access"}
    H = net.edge_subgraph([(u, v, k) for u, v, k, m in net.edges(keys=True, data="mode") if m in car])
    lk = node_lookup(net)
    path = nx.shortest_path(H, lk["place:town-yanjiao"], lk["place:dest-guomao"], weight="travel_time")
    mapped = straight = 0.0
    used = set()
    for u, v in itertools.pairwise(path):
        e = min(H[u][v].values(), key=lambda d: d["travel_time"])
        if e["mode"] == "drive_access" or e["kind"] == "local":
            straight += e["length"]
        else:
            mapped += e["length"]
            used.add(e["feature_id"])
    assert straight / (straight + mapped) <= 0.30
    assert {"expressway-tongyan", "expressway-jingtong"} <= used


def test_bus_930_boards_at_every_listed_stop(net):
    gaz = load_gazetteer()
    stops = {n for n, d in net.nodes(data=True) if d.get("feature_id") == "bus-930" and d.get("kind") == "stop"}
    assert len(stops) == len(gaz["bus-930"].geometry.coords) == 35
    rides = [d for _, _, d in net.edges(data=True) if d.get("line") == "bus-930" and d["kind"] == "ride"]
    assert len(rides) == 2 * 34
    # 燕郊 now has many boarding points (the collective line had one per town)
    yj = gaz["town-yanjiao"].centre if gaz["town-yanjiao"].centre else None
    assert yj is not None
    near = [n for n in stops if abs(net.nodes[n]["x"] - yj[0]) < 0.03 and abs(net.nodes[n]["y"] - yj[1]) < 0.02]
    assert len(near) >= 5


def test_chaobai_says_it_is_boundary_derived_and_its_bridges_cross_it():
    """No public channel geometry was found: the river says its line is the county boundary
    (the popup shows geometry_source), and every bridge over it intersects that line."""
    gaz = load_gazetteer()
    river = gaz.resolve("潮白河")
    assert river.geometry_source.startswith("boundary-derived, not a surveyed river channel")
    bridges = [f for f in gaz.features.values() if f.kind == "bridge" and "river-chaobai" in (f.parent or [])]
    assert len(bridges) >= 5
    line = river.geometry
    for b in bridges:
        assert b.geometry.intersects(line), b.id


def test_mizhuo_north_ends_at_the_boundary_where_chengping_starts():
    """密涿高速北延 runs 5.9 km in 三河 to the 京冀界 (not 1.4 km into 平谷); 承平高速 (北京段) starts
    there, so the two meet at one point (a junction in the network)."""
    gaz = load_gazetteer()
    north, chengping = gaz.resolve("密涿高速北延"), gaz.resolve("承平高速")
    in_pinggu_m = to_metric(north.geometry.intersection(gaz.resolve("平谷区").geometry)).length
    assert 0 < in_pinggu_m < 200  # it crosses the boundary (cross_border), by 100 m
    assert north.geometry.intersection(chengping.geometry).geom_type == "Point"
