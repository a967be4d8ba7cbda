"""Benchmark: CSR + scipy dijkstra (geo.network.routing) vs a networkx loop vs pandana (contraction hierarchies).

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_network.py                # 10k, 100k, 1M edges + 10k x 10k OD
    .venv/bin/python benchmarks/bench_network.py --sizes 10000 --od 0   # quick

Graphs are perturbed grids ("road-like"): ``s x s`` nodes ~100 m apart with jittered positions,
4-neighbour links in both directions, 5 % of links removed, travel time = length / speed with a
random speed of 20-80 km/h. The directed edge count is ~4 s².

Task per graph: travel-time matrix from 1,000 random origins to 1,000 random destinations.

* ``csr``      geo.network.routing.csr_from_arrays + shortest_travel_times (scipy dijkstra, chunked).
* ``networkx`` loop of :func:`networkx.single_source_dijkstra_path_length` per origin (what
  OSMnx-style code does). Timed on a sample of origins and extrapolated linearly to 1,000.
* ``pandana``  pandana.Network (contraction hierarchies) preprocessing + shortest_path_lengths
  over the 1,000,000 OD pairs; reported with and without preprocessing.

Separately: a 10,000 x 10,000 OD matrix on the 100k-edge graph, computed in chunks, in a child
process whose peak RSS (resource.getrusage ru_maxrss) and tracemalloc peak are reported.

Results are printed as JSON (and written with ``--out``).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from geo.network.routing import csr_from_arrays, shortest_travel_times

logger = logging.getLogger("bench_network")


def perturbed_grid(n_edges: int, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Road-like directed graph with about ``n_edges`` edges.

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
    keep = rng.random(len(a)) > 0.05
    a, b = a[keep], b[keep]
    u = np.concatenate([a, b]).astype(np.int64)
    v = np.concatenate([b, a]).astype(np.int64)
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    speed = np.repeat(rng.uniform(20, 80, len(a)), 2)[np.argsort(np.argsort(np.concatenate([np.arange(len(a))] * 2)))]
    w = length / (speed / 3.6)
    return {"x": x, "y": y, "u": u, "v": v, "w": w, "n": s * s}


def bench_csr(g: dict, orig: np.ndarray, dest: np.ndarray) -> tuple[float, float, np.ndarray]:
    t0 = time.perf_counter()
    csr = csr_from_arrays(g["u"], g["v"], g["w"], g["n"])
    t1 = time.perf_counter()
    T = shortest_travel_times(csr, orig, dest, reverse=False)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, T


def bench_networkx(g: dict, orig: np.ndarray, dest: np.ndarray, sample: int) -> tuple[float, int, np.ndarray]:
    import networkx as nx

    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(g["u"].tolist(), g["v"].tolist(), g["w"].tolist(), strict=True), weight="travel_time")
    k = min(sample, len(orig))
    rows = []
    t0 = time.perf_counter()
    for o in orig[:k].tolist():
        d = nx.single_source_dijkstra_path_length(G, o, weight="travel_time")
        rows.append([d.get(t, np.inf) for t in dest.tolist()])
    el = time.perf_counter() - t0
    return el * len(orig) / k, k, np.array(rows)


def bench_pandana(g: dict, orig: np.ndarray, dest: np.ndarray) -> tuple[float, float, np.ndarray]:
    import pandana
    import pandas as pd

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
    t1 = time.perf_counter()
    oo = np.repeat(orig, len(dest))
    dd = np.tile(dest, len(orig))
    lengths = np.asarray(net.shortest_path_lengths(oo, dd, imp_name="tt"), float)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, lengths.reshape(len(orig), len(dest))


def od_child(n_edges: int, n_od: int, max_bytes: float) -> dict:
    """Run in a child process: n_od x n_od matrix in chunks; report time and peak memory."""
    g = perturbed_grid(n_edges, seed=1)
    rng = np.random.default_rng(2)
    orig = rng.choice(g["n"], n_od, replace=n_od > g["n"])
    dest = rng.choice(g["n"], n_od, replace=n_od > g["n"])
    csr = csr_from_arrays(g["u"], g["v"], g["w"], g["n"])
    del g
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    T = shortest_travel_times(csr, orig, dest, max_bytes=max_bytes, reverse=False)
    el = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n_edges": int(csr.nnz),
        "n_nodes": int(csr.shape[0]),
        "od": n_od,
        "seconds": round(el, 2),
        "chunk_max_bytes": max_bytes,
        "result_bytes": int(T.nbytes),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "finite_share": round(float(np.isfinite(T).mean()), 4),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--origins", type=int, default=1000)
    ap.add_argument("--destinations", type=int, default=1000)
    ap.add_argument("--nx-sample", type=int, default=50, help="origins timed for the networkx loop")
    ap.add_argument("--od", type=int, default=10000, help="OD matrix size for the memory test (0: skip)")
    ap.add_argument("--od-edges", type=int, default=100000)
    ap.add_argument("--max-bytes", type=float, default=256e6)
    ap.add_argument("--no-pandana", action="store_true")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--_child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        sys.stdout.write(json.dumps(od_child(int(args._child[0]), int(args._child[1]), float(args._child[2]))) + "\n")
        return {}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    results: dict = {"graphs": [], "python": sys.version.split()[0]}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        g = perturbed_grid(size)
        rng = np.random.default_rng(42)
        orig = rng.choice(g["n"], args.origins, replace=False)
        dest = rng.choice(g["n"], args.destinations, replace=False)
        row: dict = {
            "target_edges": size,
            "edges": len(g["u"]),
            "nodes": int(g["n"]),
            "origins": args.origins,
            "destinations": args.destinations,
        }
        build, run, T = bench_csr(g, orig, dest)
        row.update(csr_build_s=round(build, 3), csr_s=round(run, 3), csr_total_s=round(build + run, 3))
        logger.info("%d edges: csr %.2f s", size, build + run)
        sample = args.nx_sample if size < 1_000_000 else max(5, args.nx_sample // 5)
        nx_s, k, Tn = bench_networkx(g, orig, dest, sample)
        assert np.allclose(Tn, T[:k]), "networkx and CSR disagree"
        row.update(
            networkx_s_extrapolated=round(nx_s, 2),
            networkx_sampled_origins=k,
            speedup_vs_networkx=round(nx_s / (build + run), 1),
        )
        logger.info("%d edges: networkx %.1f s (extrapolated from %d origins)", size, nx_s, k)
        if not args.no_pandana:
            try:
                prep, q, Tp = bench_pandana(g, orig, dest)
                fin = np.isfinite(T)
                ok = bool(np.allclose(Tp[fin], T[fin], rtol=1e-3, atol=0.01))
                row.update(
                    pandana_prep_s=round(prep, 3),
                    pandana_query_s=round(q, 3),
                    pandana_total_s=round(prep + q, 3),
                    pandana_agrees=ok,
                    csr_over_pandana_total=round((build + run) / (prep + q), 2),
                    csr_over_pandana_query=round((build + run) / q, 2),
                )
                logger.info("%d edges: pandana prep %.2f s + query %.2f s (agrees: %s)", size, prep, q, ok)
            except Exception as exc:  # pragma: no cover - optional dependency
                row["pandana_error"] = repr(exc)
        results["graphs"].append(row)
        del g, T
        gc.collect()
    if args.od:
        proc = subprocess.run(
            [sys.executable, __file__, "--_child", str(args.od_edges), str(args.od), str(args.max_bytes)],
            capture_output=True,
            text=True,
            check=True,
        )
        results["od_matrix"] = json.loads(proc.stdout.strip().splitlines()[-1])
        logger.info("OD %dx%d: %s", args.od, args.od, results["od_matrix"])
    text = json.dumps(results, indent=2)
    sys.stdout.write(text + "\n")  # the results are the script's output (JSON on stdout)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
