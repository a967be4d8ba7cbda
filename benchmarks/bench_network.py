"""Benchmark: many-to-many travel times, the project's CSR + scipy path against its peers, in one run.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_network.py --out /tmp/bench_network.json      # ~40 min on 2 cores
    .venv/bin/python benchmarks/bench_network.py --sizes 100000 --repeat 1 --od 0    # quick
    .venv/bin/python benchmarks/bench_network.py --only csr                          # graph_to_csr only

Every method uses **one thread** (``--threads``, default 1): ``OMP_NUM_THREADS`` is set before
any library is imported and OpenMP pools are limited with threadpoolctl, so the CCH library,
pandana and igraph run with the thread count of scipy's single-threaded Dijkstra.

Graphs (``--kinds``):

* ``uniform``: perturbed ``s x s`` grid, nodes ~100 m apart, 4-neighbour links both ways, 5 %
  removed, each link a random 20-80 km/h: no hierarchy, the worst case for contraction
  hierarchies.
* ``road``: the same grid with a road hierarchy, as real networks have: local streets at
  15-30 km/h, every 10th row and column an arterial at 50-60 km/h, every 50th a motorway at
  100-110 km/h.

Task per graph: the travel-time matrix from 1,000 random origins to 1,000 random destinations
(medians of ``--repeat`` runs):

* ``project``  ``geo.network.routing.csr_from_arrays`` + ``shortest_travel_times``;
* ``scipy``    ``scipy.sparse.csgraph.dijkstra(csr, indices=origins)[:, destinations]`` called
  directly (the CPU limit of one Dijkstra per origin);
* ``cch``      ``geo.network.index.RoutingIndex`` (RoutingKit's customizable contraction
  hierarchy through pyroutingkit): preprocessing, customization and query reported apart; the
  "second matrix" is a new customization (other weights, same topology) + a query, what a
  scenario or another date costs once the index exists;
* ``rkcch``    ``routingkit_cch`` (another binding of RoutingKit's CCH): its one-to-many query
  with the 1,000 destinations pinned, one call per origin;
* ``field``    the shape the analyses run (``destination_field``): every node to 4
  destinations, scipy's reverse Dijkstra against the CCH (pyroutingkit many-to-many on the
  same customization, routingkit_cch's many-to-one sweep);
* ``igraph``   ``Graph.distances(source, target, weights)``;
* ``pandana``  ``pandana.Network`` (its own contraction hierarchy) + ``shortest_path_lengths``
  on the 10^6 pairs, and its strength, the **aggregation query**: for every node, how many
  destinations are within 120 s (``precompute`` + ``aggregate(type="count")``), against the
  project's reverse searches from the destinations with a 120 s cutoff;
* ``networkx`` ``single_source_dijkstra_path_length`` per origin (OSMnx-style code), timed on a
  sample of origins and extrapolated.

Every matrix is checked against scipy's (``max_rel_diff``; the CCH rounds each edge to 1 ms,
pandana stores scaled integers). ``graph_to_csr`` — what the analyses call on a networkx graph
— is timed on a MultiDiGraph with the edge attributes of the project network.

Separately: a 10,000 x 10,000 OD matrix on the 100k-edge uniform graph in a child process,
float64 and float32, with its peak RSS and tracemalloc peak.

Results are printed as JSON (and written with ``--out``).
"""

from __future__ import annotations

import argparse
import os
import sys

if __name__ == "__main__":  # thread counts must be set before numpy / the libraries load
    _t = "1"
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            _t = sys.argv[i + 1]
        elif a.startswith("--threads="):
            _t = a.split("=", 1)[1]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, _t)

import gc
import json
import logging
import resource
import statistics
import subprocess
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from geo.network.routing import csr_from_arrays, shortest_travel_times

logger = logging.getLogger("bench_network")


def grid_graph(n_edges: int, *, kind: str = "uniform", seed: int = 0) -> dict[str, np.ndarray]:
    """Perturbed grid with about ``n_edges`` directed edges (see the module docstring).

    Returns
    -------
    dict
        ``x, y`` (metres), ``u, v`` (int64 node positions), ``w`` (travel time, s), ``n``.
    """
    rng = np.random.default_rng(seed)
    s = int(np.rint(np.sqrt(n_edges / (4 * 0.95))))
    ii, jj = np.meshgrid(np.arange(s), np.arange(s), indexing="ij")
    x = ii.ravel() * 100.0 + rng.uniform(-30, 30, s * s)
    y = jj.ravel() * 100.0 + rng.uniform(-30, 30, s * s)
    idx = np.arange(s * s).reshape(s, s)
    a = np.concatenate([idx[:-1, :].ravel(), idx[:, :-1].ravel()])
    b = np.concatenate([idx[1:, :].ravel(), idx[:, 1:].ravel()])
    # the row (for links along a row) or column index of each undirected link
    line = np.concatenate([jj[:-1, :].ravel(), ii[:, :-1].ravel()])
    if kind == "road":
        keep = rng.random(len(a)) > 0.05
        keep |= line % 10 == 0  # arterials and motorways are never cut
        speed = rng.uniform(15, 30, len(a))
        speed = np.where(line % 10 == 0, rng.uniform(50, 60, len(a)), speed)
        speed = np.where(line % 50 == 0, rng.uniform(100, 110, len(a)), speed)
    elif kind == "uniform":
        keep = rng.random(len(a)) > 0.05
        speed = rng.uniform(20, 80, len(a))
    else:
        raise ValueError(f"unknown graph kind {kind!r}")
    a, b, speed = a[keep], b[keep], speed[keep]
    u = np.concatenate([a, b]).astype(np.int64)
    v = np.concatenate([b, a]).astype(np.int64)
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    w = length / (np.concatenate([speed, speed]) / 3.6)
    return {"x": x, "y": y, "u": u, "v": v, "w": w, "n": s * s}


perturbed_grid = grid_graph  # the former name


def _median(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _rel(a: np.ndarray, ref: np.ndarray) -> dict:
    fin = np.isfinite(ref)
    same = bool(np.array_equal(fin, np.isfinite(a)))
    d = np.abs(a[fin] - ref[fin]) / np.maximum(ref[fin], 1e-9)
    return {"same_reachability": same, "max_rel_diff": float(d.max()) if d.size else 0.0}


def bench_graph(g: dict, orig: np.ndarray, dest: np.ndarray, *, repeat: int, nx_sample: int, peers: set) -> dict:
    row: dict = {"edges": len(g["u"]), "nodes": int(g["n"])}
    from scipy.sparse.csgraph import dijkstra

    def project():
        csr = csr_from_arrays(g["u"], g["v"], g["w"], g["n"])
        return shortest_travel_times(csr, orig, dest, reverse=False)

    t, T = _median(project, repeat)
    row["project_s"] = round(t, 3)
    logger.info("  project %.2f s", t)
    csr = csr_from_arrays(g["u"], g["v"], g["w"], g["n"])
    t, ref = _median(lambda: dijkstra(csr, directed=True, indices=orig)[:, dest], repeat)
    row["scipy_s"] = round(t, 3)
    row["project_equals_scipy"] = bool(np.array_equal(T, ref))
    logger.info("  scipy %.2f s", t)
    if "cch" in peers:
        from geo.network.index import RoutingIndex

        pre, cus, qry, sec = [], [], [], []
        for k in range(repeat):
            gc.collect()
            t0 = time.perf_counter()
            index = RoutingIndex(g["u"], g["v"], g["n"], lon=g["x"], lat=g["y"], threads=1)
            t1 = time.perf_counter()
            m = index.customize(g["w"])
            t2 = time.perf_counter()
            Tc = m.travel_times(orig, dest)
            t3 = time.perf_counter()
            m2 = index.customize(g["w"] * (1.0 + 0.1 * (k + 1)))  # other weights, same topology
            Tc2 = m2.travel_times(orig, dest)
            t4 = time.perf_counter()
            pre.append(t1 - t0)
            cus.append(t2 - t1)
            qry.append(t3 - t2)
            sec.append(t4 - t3)
        row.update(
            cch_preprocess_s=round(statistics.median(pre), 3),
            cch_customize_s=round(statistics.median(cus), 3),
            cch_query_s=round(statistics.median(qry), 3),
            cch_total_s=round(statistics.median(np.add(np.add(pre, cus), qry)), 3),
            cch_second_matrix_s=round(statistics.median(sec), 3),
            cch_vs_scipy=_rel(Tc, ref),
            cch_second_vs_scaled=_rel(Tc2 / (1.0 + 0.1 * repeat), ref),
        )
        t0 = time.perf_counter()
        m2.travel_times(orig, dest)
        row["cch_second_query_only_s"] = round(time.perf_counter() - t0, 3)  # where a later matrix goes
        row["cch_second_customize_s"] = round(m2.customize_s, 3)
        logger.info("  cch %s", {k: v for k, v in row.items() if k.startswith("cch")})
        if "field" in peers:
            row.update(_bench_field(g, index, m, repeat))
    if "rkcch" in peers:
        row.update(_bench_rkcch(g, orig, dest, ref, repeat))
    if "igraph" in peers:
        import igraph as ig

        t0 = time.perf_counter()
        G = ig.Graph(n=int(g["n"]), edges=np.column_stack([g["u"], g["v"]]).tolist(), directed=True)
        G.es["w"] = g["w"].tolist()
        build = time.perf_counter() - t0
        t, Ti = _median(lambda: np.array(G.distances(source=orig.tolist(), target=dest.tolist(), weights="w")), repeat)
        row.update(igraph_build_s=round(build, 3), igraph_s=round(t, 3), igraph_vs_scipy=_rel(Ti, ref))
        logger.info("  igraph %.2f s", t)
        del G
    if "pandana" in peers:
        row.update(_bench_pandana(g, orig, dest, ref, repeat))
    if "networkx" in peers:
        import networkx as nx

        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(g["u"].tolist(), g["v"].tolist(), g["w"].tolist(), strict=True), weight="w")
        k = min(nx_sample, len(orig))
        t0 = time.perf_counter()
        rows = []
        for o in orig[:k].tolist():
            d = nx.single_source_dijkstra_path_length(G, o, weight="w")
            rows.append([d.get(t, np.inf) for t in dest.tolist()])
        el = time.perf_counter() - t0
        row.update(
            networkx_s_extrapolated=round(el * len(orig) / k, 1),
            networkx_sampled_origins=k,
            networkx_vs_scipy=_rel(np.array(rows), ref[:k]),
        )
        logger.info("  networkx %.1f s (extrapolated from %d)", el * len(orig) / k, k)
        del G
    return row


def _rk_matrix(rows: list) -> np.ndarray:
    """routingkit_cch's lists (None = unreachable) -> seconds."""
    D = np.array([[np.inf if x is None else x for x in r] for r in rows], float)
    return D * 1e-3


def _bench_rkcch(g: dict, orig: np.ndarray, dest: np.ndarray, ref: np.ndarray, repeat: int) -> dict:
    """``routingkit_cch`` (another RoutingKit CCH binding): its one-to-many query with pinned
    targets, one call per origin, against scipy's matrix."""
    import routingkit_cch as rc

    from geo.network.index import to_units

    u32, v32 = g["u"].astype(np.uint32), g["v"].astype(np.uint32)
    t0 = time.perf_counter()
    order = rc.compute_order_inertial(int(g["n"]), u32, v32, g["y"].astype(np.float32), g["x"].astype(np.float32))
    cch = rc.CCH(order, u32, v32, False)
    t1 = time.perf_counter()
    metric = rc.CCHMetric(cch, to_units(g["w"]))
    t2 = time.perf_counter()
    one = rc.CCHOneToMany(metric, dest.astype(np.uint32))
    t, D = _median(lambda: _rk_matrix([one.distances_from(int(s)) for s in orig]), repeat)
    logger.info("  routingkit_cch %.2f + %.3f + %.2f s", t1 - t0, t2 - t1, t)
    return {
        "rkcch_preprocess_s": round(t1 - t0, 3),
        "rkcch_customize_s": round(t2 - t1, 3),
        "rkcch_query_s": round(t, 3),
        "rkcch_vs_scipy": _rel(D, ref),
    }


def _bench_field(g: dict, index, metric, repeat: int, n_dest: int = 4) -> dict:
    """The shape the analyses compute (:func:`geo.network.routing.destination_field`): the time
    from every node to a few destinations. scipy: one reverse Dijkstra per destination;
    CCH: pyroutingkit's many-to-many (all nodes x destinations) and routingkit_cch's
    many-to-one sweep with every node pinned, on the same customization."""
    from scipy.sparse.csgraph import dijkstra

    rng = np.random.default_rng(7)
    dest = rng.choice(g["n"], n_dest, replace=False)
    rev = csr_from_arrays(g["v"], g["u"], g["w"], g["n"])
    t_sc, ref = _median(lambda: np.asarray(dijkstra(rev, directed=True, indices=dest)).T, repeat)
    allnodes = np.arange(g["n"])
    t_m2m, F = _median(lambda: metric.travel_times(allnodes, dest), repeat)
    out = {
        "field_destinations": n_dest,
        "field_scipy_s": round(t_sc, 3),
        "field_cch_m2m_s": round(t_m2m, 3),
        "field_cch_vs_scipy": _rel(F, ref),
    }
    try:
        import routingkit_cch as rc
    except ImportError:  # pragma: no cover
        return out
    from geo.network.index import to_units

    u32, v32 = g["u"].astype(np.uint32), g["v"].astype(np.uint32)
    order = rc.compute_order_inertial(int(g["n"]), u32, v32, g["y"].astype(np.float32), g["x"].astype(np.float32))
    m = rc.CCHMetric(rc.CCH(order, u32, v32, False), to_units(g["w"]))
    many = rc.CCHManyToOne(m, allnodes.astype(np.uint32))
    t_sw, S = _median(lambda: _rk_matrix([many.distances_to(int(d)) for d in dest]).T, repeat)
    out.update(field_rkcch_sweep_s=round(t_sw, 3), field_rkcch_vs_scipy=_rel(S, ref))
    logger.info("  field %s", out)
    return out


def _bench_pandana(g: dict, orig: np.ndarray, dest: np.ndarray, ref: np.ndarray, repeat: int) -> dict:
    import pandana
    import pandas as pd

    out: dict = {}
    nodes = pd.RangeIndex(g["n"])
    t0 = time.perf_counter()
    net = pandana.Network(
        pd.Series(g["x"], index=nodes),
        pd.Series(g["y"], index=nodes),
        pd.Series(g["u"]),
        pd.Series(g["v"]),
        pd.DataFrame({"tt": g["w"]}),
        twoway=False,
    )
    out["pandana_prep_s"] = round(time.perf_counter() - t0, 3)
    oo, dd = np.repeat(orig, len(dest)), np.tile(dest, len(orig))
    t, Tp = _median(lambda: np.asarray(net.shortest_path_lengths(oo, dd, imp_name="tt"), float), repeat)
    Tp = Tp.reshape(len(orig), len(dest))
    Tp[Tp > 4e6] = np.inf  # pandana's unreachable marker
    out.update(pandana_query_s=round(t, 3), pandana_vs_scipy=_rel(Tp, ref))
    # the aggregation query: destinations within 120 s of every node
    radius = 120.0
    t0 = time.perf_counter()
    net.set(pd.Series(dest), variable=pd.Series(np.ones(len(dest))), name="dest")
    net.precompute(radius)
    t1 = time.perf_counter()
    counts_p = np.asarray(net.aggregate(radius, type="count", imp_name="tt", name="dest"))
    t2 = time.perf_counter()
    csr = csr_from_arrays(g["u"], g["v"], g["w"], g["n"])
    t3 = time.perf_counter()
    T = shortest_travel_times(csr, np.arange(g["n"]), dest, cutoff=radius, reverse=True)
    counts = np.sum(radius >= T, axis=1)
    t4 = time.perf_counter()
    out.update(
        aggregate_radius_s=radius,
        pandana_aggregate_precompute_s=round(t1 - t0, 3),
        pandana_aggregate_query_s=round(t2 - t1, 3),
        project_aggregate_s=round(t4 - t3, 3),
        aggregate_counts_agree=float(np.mean(counts_p == counts)),
    )
    logger.info("  pandana %s", out)
    return out


def bench_graph_to_csr(n_edges: int) -> dict:
    """graph_to_csr on a MultiDiGraph with the project's edge attributes (mode, feature_id, travel_time)."""
    import networkx as nx

    from geo.network.routing import graph_to_csr

    g = grid_graph(n_edges)
    modes = np.array(["road", "local", "walk", "bus"], dtype=object)[
        np.random.default_rng(3).integers(0, 4, len(g["u"]))
    ]
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(g["n"]))
    G.add_edges_from(
        (int(u), int(v), {"travel_time": float(w), "mode": m, "feature_id": f"f-{int(u) % 97}", "length": 1.0})
        for u, v, w, m in zip(g["u"], g["v"], g["w"], modes, strict=True)
    )
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        csr, _ = graph_to_csr(G, modes=("road", "local"), exclude_features=["f-1"])
        times.append(time.perf_counter() - t0)
    return {"edges": len(g["u"]), "graph_to_csr_s": round(statistics.median(times), 3), "nnz": int(csr.nnz)}


def od_child(n_edges: int, n_od: int, max_bytes: float, dtype: str) -> dict:
    """Run in a child process: n_od x n_od matrix in chunks; report time and peak memory."""
    g = grid_graph(n_edges, seed=1)
    rng = np.random.default_rng(2)
    orig = rng.choice(g["n"], n_od, replace=n_od > g["n"])
    dest = rng.choice(g["n"], n_od, replace=n_od > g["n"])
    csr = csr_from_arrays(g["u"], g["v"], g["w"], g["n"])
    del g
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    kw = {} if dtype == "float64" else {"dtype": np.dtype(dtype)}
    T = shortest_travel_times(csr, orig, dest, max_bytes=max_bytes, reverse=False, **kw)
    el = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n_edges": int(csr.nnz),
        "od": n_od,
        "dtype": dtype,
        "seconds": round(el, 2),
        "result_mb": round(T.nbytes / 2**20, 1),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--kinds", default="uniform,road")
    ap.add_argument("--origins", type=int, default=1000)
    ap.add_argument("--destinations", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per method (median); 1 above 500k edges")
    ap.add_argument("--nx-sample", type=int, default=50, help="origins timed for the networkx loop")
    ap.add_argument("--peers", default="cch,field,rkcch,igraph,pandana,networkx")
    ap.add_argument("--threads", type=int, default=1, help="threads of every library (set before import)")
    ap.add_argument("--od", type=int, default=10000, help="OD matrix size for the memory test (0: skip)")
    ap.add_argument("--od-edges", type=int, default=100000)
    ap.add_argument("--max-bytes", type=float, default=256e6)
    ap.add_argument("--csr-edges", default="100000,1000000", help="graph_to_csr sizes ('' to skip)")
    ap.add_argument("--only", choices=["csr", "od"], help="run only the graph_to_csr or the OD-memory part")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--_child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        a = args._child
        sys.stdout.write(json.dumps(od_child(int(a[0]), int(a[1]), float(a[2]), a[3])) + "\n")
        return {}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    except ImportError:  # pragma: no cover
        pass
    results: dict = {"python": sys.version.split()[0], "threads": args.threads, "graphs": []}
    peers = {p for p in args.peers.split(",") if p}
    if args.only in (None, "csr"):
        results["graph_to_csr"] = [bench_graph_to_csr(int(s)) for s in args.csr_edges.split(",") if s]
        logger.info("graph_to_csr %s", results["graph_to_csr"])
    if args.only is None:
        for kind in [k for k in args.kinds.split(",") if k]:
            for size in [int(s) for s in args.sizes.split(",") if s]:
                g = grid_graph(size, kind=kind)
                rng = np.random.default_rng(42)
                orig = rng.choice(g["n"], args.origins, replace=False)
                dest = rng.choice(g["n"], args.destinations, replace=False)
                logger.info("%s %d edges", kind, len(g["u"]))
                repeat = args.repeat if size < 500_000 else 1
                sample = args.nx_sample if size < 500_000 else max(5, args.nx_sample // 5)
                p = set(peers)
                if size >= 500_000:
                    p.discard("pandana")  # its 10^6 point-to-point queries take minutes here
                row = bench_graph(g, orig, dest, repeat=repeat, nx_sample=sample, peers=p)
                row.update(kind=kind, target_edges=size, repeat=repeat)
                results["graphs"].append(row)
                del g
                gc.collect()
    if args.od and args.only in (None, "od"):
        results["od_matrix"] = []
        for dtype in ("float64", "float32"):
            proc = subprocess.run(
                [sys.executable, __file__, "--_child", str(args.od_edges), str(args.od), str(args.max_bytes), dtype],
                capture_output=True,
                text=True,
                check=True,
            )
            results["od_matrix"].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            logger.info("OD %s", results["od_matrix"][-1])
    text = json.dumps(results, indent=2)
    sys.stdout.write(text + "\n")
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
