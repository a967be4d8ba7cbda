"""The preprocessed routing index (CCH, pyroutingkit): matrices equal to scipy's, reused across metrics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from geo import network as gn
from geo.errors import AnalysisError
from geo.network.index import RESOLUTION_S, RoutingIndex
from geo.network.routing import edge_arrays, graph_to_csr, shortest_travel_times


def _grid(s: int, seed: int = 0) -> dict:
    """Directed ``s x s`` grid with random speeds, 5 % of links removed, some parallel arcs."""
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(s), np.arange(s), indexing="ij")
    x, y = ii.ravel() * 100.0, jj.ravel() * 100.0
    idx = np.arange(s * s).reshape(s, s)
    a = np.concatenate([idx[:-1, :].ravel(), idx[:, :-1].ravel()])
    b = np.concatenate([idx[1:, :].ravel(), idx[:, 1:].ravel()])
    keep = rng.random(len(a)) > 0.05
    a, b = a[keep], b[keep]
    u, v = np.concatenate([a, b, a[:20]]), np.concatenate([b, a, b[:20]])
    w = 100.0 / rng.uniform(5, 20, len(u))
    return {"u": u, "v": v, "w": w, "n": s * s, "x": x, "y": y}


@pytest.fixture(scope="module")
def grid():
    return _grid(40)


def test_matrix_equals_scipy_on_a_grid(grid):
    g = grid
    csr = gn.csr_from_arrays(g["u"], g["v"], g["w"], g["n"])
    rng = np.random.default_rng(1)
    src, tgt = rng.choice(g["n"], 60, replace=False), rng.choice(g["n"], 70, replace=False)
    ref = dijkstra(csr, indices=src)[:, tgt]
    index = RoutingIndex(g["u"], g["v"], g["n"], lon=g["x"], lat=g["y"])
    got = index.customize(g["w"]).travel_times(src, tgt)
    assert np.array_equal(np.isinf(got), np.isinf(ref))
    fin = np.isfinite(ref)
    # each edge weight is rounded to 1 ms: a path of k edges differs by at most k x 0.5 ms
    assert np.max(np.abs(got[fin] - ref[fin])) <= 0.5 * RESOLUTION_S * 2 * 40


def test_one_topology_many_metrics(grid):
    """New weights (another date, a closed link) re-customize the same topology."""
    g = grid
    index = RoutingIndex(g["u"], g["v"], g["n"], lon=g["x"], lat=g["y"])
    src, tgt = np.arange(0, g["n"], 97), np.arange(5, g["n"], 89)
    for k in range(3):
        w = g["w"] * (1 + k)
        w = w.copy()
        w[:: 7 + k] = np.inf  # closed arcs: no longer in the metric
        keep = np.isfinite(w)
        csr = gn.csr_from_arrays(g["u"][keep], g["v"][keep], w[keep], g["n"])
        ref = dijkstra(csr, indices=src)[:, tgt]
        got = index.customize(w).travel_times(src, tgt)
        assert np.array_equal(np.isinf(got), np.isinf(ref))
        assert np.allclose(got[np.isfinite(ref)], ref[np.isfinite(ref)], atol=0.05)


def test_cutoff_and_blocks(grid):
    g = grid
    index = RoutingIndex(g["u"], g["v"], g["n"], lon=g["x"], lat=g["y"])
    m = index.customize(g["w"])
    src, tgt = np.arange(0, 200, 3), np.arange(100, 900, 7)
    full = m.travel_times(src, tgt)
    assert np.array_equal(m.travel_times(src, tgt, max_bytes=4 * len(tgt) * 5), full)  # blocks of 5 sources
    cut = m.travel_times(src, tgt, cutoff=60.0)
    assert np.array_equal(np.isfinite(cut), full <= 60.0)
    assert m.travel_times(src, tgt, dtype=np.float32).dtype == np.float32


def test_project_like_network_per_mode_chain(toy_network):
    """On the toy multimodal network, every chain's metric equals scipy on that chain's CSR."""
    G = toy_network
    index = RoutingIndex.from_graph(G)
    arrays = edge_arrays(G)
    n = len(arrays.nodes)
    for modes in (("metro", "rail", "walk"), ("road", "expressway", "drive_access"), ("bus", "walk"), None):
        csr, nodes = graph_to_csr(arrays, modes=modes)
        assert np.array_equal(nodes, index.nodes)
        ref = shortest_travel_times(csr, np.arange(n), np.arange(n))
        got = index.metric(modes=modes).travel_times(np.arange(n), np.arange(n))
        assert np.array_equal(np.isinf(got), np.isinf(ref))
        assert np.allclose(got[np.isfinite(ref)], ref[np.isfinite(ref)], atol=0.05)
    assert index.metric(modes=("bus", "walk")) is index.metric(modes=["walk", "bus"])  # cached per selection
    fid = next(d["feature_id"] for _, _, d in G.edges(data=True) if d.get("mode") == "metro")
    without = index.metric(modes=("metro", "rail", "walk"), exclude_features=[fid]).travel_times(
        np.arange(n), np.arange(n)
    )
    csr, _ = graph_to_csr(arrays, modes=("metro", "rail", "walk"), exclude_features=[fid])
    ref = shortest_travel_times(csr, np.arange(n), np.arange(n))
    assert np.array_equal(np.isinf(without), np.isinf(ref))


def test_bad_input_is_refused(grid):
    g = grid
    with pytest.raises(AnalysisError, match="out of range"):
        RoutingIndex([0, 5], [1, 2], 3, lon=[0, 1, 2], lat=[0, 0, 0])
    index = RoutingIndex(g["u"], g["v"], g["n"], lon=g["x"], lat=g["y"])
    with pytest.raises(AnalysisError, match="weights for"):
        index.customize([1.0, 2.0])
    with pytest.raises(AnalysisError, match="negative"):
        index.customize(-g["w"])
    with pytest.raises(AnalysisError, match="out of range"):
        index.customize(g["w"]).travel_times([g["n"]], [0])


def test_edge_arrays_equal_the_graph(toy_network):
    """The vectorised CSR equals an edge-by-edge construction (minimum of parallel edges)."""
    G = toy_network
    csr, nodes = graph_to_csr(G, modes=("road", "drive_access"))
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    best: dict[tuple[int, int], float] = {}
    for u, v, d in G.edges(data=True):
        if d.get("mode") in ("road", "drive_access"):
            k = (pos[u], pos[v])
            best[k] = min(best.get(k, np.inf), max(float(d["travel_time"]), gn.graph.MIN_WEIGHT_S))
    coo = csr.tocoo()
    assert dict(zip(zip(coo.row.tolist(), coo.col.tolist(), strict=True), coo.data.tolist(), strict=True)) == best
