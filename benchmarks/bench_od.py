"""Benchmark: hexagon-to-hexagon travel times (cumulative opportunities) in-process vs a dask LocalCluster.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_od.py --out /tmp/bench_od.json            # res 7 and 8, res 9 sampled
    .venv/bin/python benchmarks/bench_od.py --resolutions 7 --sample9 0          # quick

Task: the full cell-to-cell travel-time matrix of the H3 grid over the seven focus counties
(the study's ``focus_counties``) on the project network as of the corpus's latest date, for the
``car`` chain, counted within 30/45/60 min (:func:`geo.analysis.accessibility.cumulative_opportunities`),
and streamed to partitioned Parquet (pairs within 60 min).

* ``in_process``: no client;
* ``cluster``: a LocalCluster of 2 single-threaded worker processes (the graph scattered once,
  every block written by the worker that computed it); peak RSS per worker from
  ``resource.getrusage`` on the workers;
* ``scipy_direct``: :func:`scipy.sparse.csgraph.dijkstra` from every cell's virtual source
  node on the same augmented graph, limited to 60 min, with nothing gathered or written — the
  CPU limit of one search per origin.

Results agree exactly between in-process and cluster (checked). Resolution 9 (~10^5 cells,
~10^10 pairs) is timed on a sample of origin cells and extrapolated (``--sample9``).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

logger = logging.getLogger("bench_od")


def _setup():
    import geo
    from geo.analysis.pipeline import focus_area

    layers = geo.layers_as_of(None)
    G = geo.network_as_of(None)
    return G, focus_area(layers)


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _worker_rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(resolution: int, G, area, client, tmp: Path, *, chains: list[str]) -> dict:
    from geo.analysis import accessibility as acc

    out: dict = {"resolution": resolution}
    t0 = time.perf_counter()
    c0 = time.process_time()
    local = acc.cumulative_opportunities(
        G, chains=chains, resolution=resolution, area=area, od_dir=tmp / f"local{resolution}"
    )
    out["in_process_s"] = round(time.perf_counter() - t0, 2)
    out["in_process_cpu_s"] = round(time.process_time() - c0, 2)
    n = len(local)
    out["cells"] = n
    out["pairs"] = n * n * len(chains)
    out["parquet_mb"] = round(_dir_mb(tmp / f"local{resolution}"), 1)
    if client is not None:
        client.run(lambda: None)
        t0 = time.perf_counter()
        remote = acc.cumulative_opportunities(
            G, chains=chains, resolution=resolution, area=area, client=client, od_dir=tmp / f"remote{resolution}"
        )
        out["cluster_s"] = round(time.perf_counter() - t0, 2)
        cols = [c for c in local.columns if c.startswith("o_")]
        out["cluster_equals_in_process"] = bool(local[cols].equals(remote[cols]))
        rss = client.run(_worker_rss)
        out["worker_peak_rss_mb"] = round(max(rss.values()), 1)
    # scipy alone on the augmented graph of the first chain (as cumulative_opportunities builds it)
    out.update(_scipy_direct(G, area, resolution, chains[0]))
    out["in_process_pairs_per_s"] = round(out["pairs"] / out["in_process_s"])
    if "cluster_s" in out:
        out["cluster_pairs_per_s"] = round(out["pairs"] / out["cluster_s"])
    return out


def _augmented(G, area, resolution: int, chain: str):
    from geo.analysis import accessibility as acc
    from geo.network.policy import chain_modes, load_assumptions
    from geo.network.routing import csr_from_arrays, edge_arrays

    grid = acc.hex_grid(area, resolution=resolution)
    a = load_assumptions(None)
    modes = chain_modes(chain, a)
    arrays = edge_arrays(G)
    n = len(arrays.nodes)
    pos = {nd: i for i, nd in enumerate(arrays.nodes.tolist())}
    keep = arrays.mask(modes=modes)
    (a_pi, a_node, a_t), _ = acc.hex_links(G, grid["lon"].to_numpy(), grid["lat"].to_numpy(), modes, assumptions=a)
    csr = csr_from_arrays(
        np.concatenate([arrays.u[keep], n + np.asarray(a_pi, np.int64)]),
        np.concatenate([arrays.v[keep], np.array([pos[int(x)] for x in a_node], np.int64)]),
        np.concatenate([arrays.weight[keep], a_t]),
        n + len(grid),
    )
    return csr, n, len(grid)


def _scipy_direct(G, area, resolution: int, chain: str, sample: int | None = None) -> dict:
    from scipy.sparse.csgraph import dijkstra

    csr, n, H = _augmented(G, area, resolution, chain)
    cells = np.arange(H) if sample is None else np.linspace(0, H - 1, min(sample, H)).astype(np.int64)
    t0 = time.perf_counter()
    for s in range(0, len(cells), 256):
        dijkstra(csr, directed=True, indices=n + cells[s : s + 256], limit=3600.0)
    el = time.perf_counter() - t0
    return {
        "scipy_direct_s": round(el * H / len(cells), 2),
        "scipy_direct_sampled_cells": len(cells),
        "scipy_direct_pairs_per_s": round(H * H / (el * H / len(cells))),
    }


def sampled_resolution(resolution: int, G, area, sample: int, chain: str) -> dict:
    """Time a sample of origin blocks of a big grid (in-process) and extrapolate to all cells."""
    from geo.analysis import accessibility as acc

    grid = acc.hex_grid(area, resolution=resolution)
    H = len(grid)
    sub = grid.iloc[np.linspace(0, H - 1, min(sample, H)).astype(int)]
    # the cost per origin is one search plus a gather over every destination cell: time the
    # full kernel on `sample` origins against all H destinations
    t0 = time.perf_counter()
    res = _kernel_sample(acc, G, area, resolution, chain, sub.index.to_numpy())
    el = time.perf_counter() - t0
    return {
        "resolution": resolution,
        "cells": H,
        "sampled_origins": len(sub),
        "sample_s": round(el, 2),
        "extrapolated_in_process_s": round(el * H / len(sub), 1),
        "pairs": H * H,
        "checked_rows": int(res),
    }


def _kernel_sample(A, G, area, resolution, chain, origins) -> int:
    from geo.network.policy import chain_modes, load_assumptions
    from geo.network.routing import edge_arrays

    grid = A.hex_grid(area, resolution=resolution)
    a = load_assumptions(None)
    modes = chain_modes(chain, a)
    csr, n, _ = _augmented(G, area, resolution, chain)
    arrays = edge_arrays(G)
    pos = {nd: i for i, nd in enumerate(arrays.nodes.tolist())}
    _, (e_pi, e_node, e_t) = A.hex_links(G, grid["lon"].to_numpy(), grid["lat"].to_numpy(), modes, assumptions=a)
    ptr, cell, sec = A.egress_by_node(n, e_pi, np.array([pos[int(x)] for x in e_node], np.int64), e_t)
    rows = 0
    for s in range(0, len(origins), 128):
        r = A.opportunity_block(
            (0, origins[s : s + 128]),
            csr=csr,
            n_nodes=n,
            egress_ptr=ptr,
            egress_cell=cell,
            egress_s=sec,
            thresholds_s=np.array([1800.0, 2700.0, 3600.0]),
            weights=None,
            cell_ids=grid["h3"].to_numpy(dtype=object),
            od_dir=None,
        )
        rows += len(r)
    return rows


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resolutions", default="7,8")
    ap.add_argument("--chains", default="car")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample9", type=int, default=2000, help="origin cells timed at resolution 9 (0: skip)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from geo.distributed import scheduler_client

    G, area = _setup()
    chains = [c for c in args.chains.split(",") if c]
    results: dict = {"network": {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()}, "runs": []}
    tmp = Path(tempfile.mkdtemp(prefix="bench-od-"))
    try:
        with scheduler_client(f"local:{args.workers}") as client:
            for r in [int(x) for x in args.resolutions.split(",") if x]:
                row = run(r, G, area, client, tmp, chains=chains)
                logger.info("%s", row)
                results["runs"].append(row)
        if args.sample9:
            row = sampled_resolution(9, G, area, args.sample9, chains[0])
            logger.info("%s", row)
            results["resolution_9_sampled"] = row
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(results, indent=2)
    sys.stdout.write(text + "\n")
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
