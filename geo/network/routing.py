"""Many-to-many travel times on a CSR matrix (scipy's Dijkstra): what the analyses call.

This module owns

* the graph -> CSR conversion (:func:`graph_to_csr`, :func:`csr_from_arrays`);
* chunked many-to-many shortest travel times (:func:`shortest_travel_times`), searched from
  the smaller side (one-to-many from the destinations on the transposed matrix);
* travel-time fields to destinations, with feeder egress as a last leg
  (:func:`destination_field`), and from arbitrary points through their access links
  (:func:`point_travel_times`).

Weights are edge ``travel_time`` in seconds unless said otherwise; unreachable is ``inf``.
Positions index the matrix (``nodes[i]`` is the node id at position ``i``), not node ids.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geo.network.access import access_links, feeder_egress_links
from geo.network.graph import MIN_WEIGHT_S

__all__ = [
    "EdgeArrays",
    "csr_from_arrays",
    "destination_field",
    "edge_arrays",
    "graph_to_csr",
    "point_travel_times",
    "shortest_travel_times",
]


def csr_from_arrays(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sparse.csr_matrix:
    """CSR adjacency matrix keeping the minimum weight of parallel edges.

    Parameters
    ----------
    u, v : array-like of int
        From / to positions (``0 <= u, v < n``).
    w : array-like of float
        Weights (seconds for travel times). Zero weights are raised to :data:`MIN_WEIGHT_S`
        so scipy keeps them as edges.
    n : int
        Matrix size.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n x n``.
    """
    u = np.asarray(u, np.int64)
    v = np.asarray(v, np.int64)
    w = np.maximum(np.asarray(w, float), MIN_WEIGHT_S)
    if len(u):
        order = np.lexsort((w, v, u))
        u, v, w = u[order], v[order], w[order]
        keep = np.ones(len(u), bool)
        keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, w = u[keep], v[keep], w[keep]
    return sparse.csr_matrix((w, (u, v)), shape=(n, n))


@dataclass(frozen=True)
class EdgeArrays:
    """The edges of a graph as arrays, extracted once and reused for every CSR built from it.

    Attributes
    ----------
    nodes : numpy.ndarray
        Node id at each position (``nodes[i]``; int64 when every id is an integer).
    u, v : numpy.ndarray of int64
        From / to positions of each edge.
    weight : numpy.ndarray of float64
        The weight attribute (seconds for ``travel_time``); NaN where an edge has none.
    mode, feature_id : numpy.ndarray of int64
        Codes of the edge ``mode`` and ``feature_id`` into :attr:`modes` and
        :attr:`feature_ids` (-1 where missing).
    modes, feature_ids : tuple of str
        The distinct values the codes refer to.
    """

    nodes: np.ndarray
    u: np.ndarray
    v: np.ndarray
    weight: np.ndarray
    mode: np.ndarray
    feature_id: np.ndarray
    modes: tuple[str, ...]
    feature_ids: tuple[str, ...]

    def mask(self, *, modes: Iterable[str] | None = None, exclude_features: Iterable[str] = ()) -> np.ndarray:
        """Boolean mask of the edges kept: a weight, a mode in ``modes`` (all if None), a
        feature id not in ``exclude_features``."""
        keep = ~np.isnan(self.weight)
        if modes is not None:
            wanted = set(modes)
            keep &= np.isin(self.mode, [i for i, m in enumerate(self.modes) if m in wanted])
        excl = set(exclude_features)
        if excl:
            keep &= ~np.isin(self.feature_id, [i for i, f in enumerate(self.feature_ids) if f in excl])
        return keep

    def csr(self, *, modes: Iterable[str] | None = None, exclude_features: Iterable[str] = ()) -> sparse.csr_matrix:
        """CSR matrix of the kept edges (:func:`csr_from_arrays`)."""
        keep = self.mask(modes=modes, exclude_features=exclude_features)
        return csr_from_arrays(self.u[keep], self.v[keep], self.weight[keep], len(self.nodes))


def edge_arrays(G: nx.MultiDiGraph, *, weight: str = "travel_time") -> EdgeArrays:
    """Extract the edges of ``G`` once, as arrays (:class:`EdgeArrays`).

    One pass over the edges; everything after it (filtering by mode or feature, building
    the CSR matrix) is vectorised.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    weight : str
        Edge attribute used as weight (seconds for ``travel_time``).

    Returns
    -------
    EdgeArrays
    """
    nodes = np.array(list(G.nodes), dtype=object)
    with contextlib.suppress(TypeError, ValueError):  # integer node ids (all of ours) as int64
        nodes = nodes.astype(np.int64)
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    m = G.number_of_edges()
    us = np.empty(m, np.int64)
    vs = np.empty(m, np.int64)
    w = np.empty(m, float)
    mode_codes = np.empty(m, np.int64)
    fid_codes = np.empty(m, np.int64)
    mode_index: dict[Any, int] = {}  # raw attribute value -> code (first appearance order)
    fid_index: dict[Any, int] = {}
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        us[i] = pos[u]
        vs[i] = pos[v]
        x = d.get(weight)
        w[i] = np.nan if x is None else x
        mode_codes[i] = mode_index.setdefault(d.get("mode"), len(mode_index))
        fid_codes[i] = fid_index.setdefault(d.get("feature_id"), len(fid_index))
    return EdgeArrays(
        nodes=nodes,
        u=us,
        v=vs,
        weight=w,
        mode=_recode(mode_codes, mode_index),
        feature_id=_recode(fid_codes, fid_index),
        modes=_names(mode_index),
        feature_ids=_names(fid_index),
    )


def _names(index: dict[Any, int]) -> tuple[str, ...]:
    """The distinct texts of an attribute's raw values, in first-appearance order."""
    seen: dict[str, None] = {}
    for value in index:
        text = _text(value)
        if text is not None:
            seen.setdefault(text, None)
    return tuple(seen)


def _recode(codes: np.ndarray, index: dict[Any, int]) -> np.ndarray:
    """Raw-value codes to codes into :func:`_names` (-1 for a missing value)."""
    names = {t: i for i, t in enumerate(_names(index))}
    texts = [_text(value) for value in index]
    table = np.array([-1 if s is None else names[s] for s in texts], np.int64)
    return table[codes] if len(codes) else codes


def _text(value: Any) -> str | None:
    """An attribute as text for its code; ``None`` (missing) for None and empty strings."""
    return None if value is None or value == "" else str(value)


def graph_to_csr(
    G: nx.MultiDiGraph | EdgeArrays,
    *,
    modes: Iterable[str] | None = None,
    weight: str = "travel_time",
    exclude_features: Iterable[str] = (),
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Convert the graph to a CSR matrix for :func:`shortest_travel_times`.

    Parameters
    ----------
    G : networkx.MultiDiGraph or EdgeArrays
        The graph, or its edges already extracted with :func:`edge_arrays` (then ``weight``
        is the one they were extracted with).
    modes : iterable of str, optional
        Keep only edges of these modes (all if None).
    weight : str
        Edge attribute used as weight (seconds for ``travel_time``).
    exclude_features : iterable of str
        Drop edges whose ``feature_id`` is in this set (scenario "without feature").

    Returns
    -------
    csr : scipy.sparse.csr_matrix
        ``n x n`` weights; row = from node position, column = to node position. Parallel
        edges keep their minimum weight.
    nodes : numpy.ndarray
        Node id at each position (``nodes[i]``).
    """
    arrays = G if isinstance(G, EdgeArrays) else edge_arrays(G, weight=weight)
    return arrays.csr(modes=modes, exclude_features=exclude_features), arrays.nodes


def shortest_travel_times(
    csr: sparse.csr_matrix,
    sources: Sequence[int] | np.ndarray,
    targets: Sequence[int] | np.ndarray | None = None,
    *,
    cutoff: float | None = None,
    max_bytes: float = 256e6,
    reverse: bool | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Many-to-many shortest travel times with :func:`scipy.sparse.csgraph.dijkstra`.

    Parameters
    ----------
    csr : scipy.sparse.csr_matrix
        Weights from :func:`graph_to_csr` or :func:`csr_from_arrays`.
    sources, targets : array-like of int
        Matrix positions (not node ids). ``targets=None`` means all positions.
    cutoff : float, optional
        Search limit (same unit as the weights); longer paths are ``inf``.
    max_bytes : float
        Memory bound of one chunk's full distance block (``chunk x n x 8`` bytes).
    reverse : bool, optional
        Search from the targets on the transposed graph (one-to-many from destinations). By
        default chosen when there are fewer targets than sources.
    dtype : numpy dtype
        Of the result: ``float64`` (default, exact) or ``float32`` (half the memory; about 7
        significant digits, i.e. better than 0.01 s below 10^5 s).

    Returns
    -------
    numpy.ndarray
        ``len(sources) x len(targets)`` travel times; ``inf`` where unreachable.

    Notes
    -----
    Each chunk's distance block (``chunk x n``) is gathered into the result with
    :func:`numpy.ix_`, so only the target columns are copied.
    """
    n = csr.shape[0]
    src = np.asarray(sources, np.int64)
    tgt = np.arange(n) if targets is None else np.asarray(targets, np.int64)
    if reverse is None:
        reverse = targets is not None and len(tgt) < len(src)
    if reverse:
        return shortest_travel_times(
            csr.T.tocsr(), tgt, src, cutoff=cutoff, max_bytes=max_bytes, reverse=False, dtype=dtype
        ).T
    out = np.full((len(src), len(tgt)), np.inf, dtype=dtype)
    if len(src) == 0 or len(tgt) == 0:
        return out
    chunk = int(max(1, min(len(src), max_bytes // (8 * max(n, 1)))))
    uniq, inv = np.unique(src, return_inverse=True)
    inv = inv.ravel()
    order = np.argsort(inv, kind="stable")  # output rows grouped by unique source
    bounds = np.searchsorted(inv[order], np.arange(0, len(uniq) + chunk, chunk))
    for c, s in enumerate(range(0, len(uniq), chunk)):
        idx = uniq[s : s + chunk]
        dist = dijkstra(csr, directed=True, indices=idx, limit=np.inf if cutoff is None else float(cutoff))
        block = np.asarray(dist).reshape(len(idx), n)
        rows = order[bounds[c] : bounds[c + 1]]
        out[rows] = block[np.ix_(inv[rows] - s, tgt)]
        del dist, block
    return out


def destination_field(
    G: nx.MultiDiGraph,
    modes: Sequence[str],
    dest_nodes: Sequence[int],
    *,
    cutoff_s: float | None = None,
    exclude_features: Iterable[str] = (),
    egress: bool = True,
    assumptions: Mapping[str, Any] | None = None,
    arrays: EdgeArrays | None = None,
) -> tuple[np.ndarray, dict[int, int]]:
    """Travel time from every node to each destination over the edges of ``modes``.

    With ``egress`` and ``feeder`` in ``modes``, the last leg may be a feeder (taxi / local
    bus) from a station or stop to the destination
    (:func:`geo.network.access.feeder_egress_links`): each destination gets a virtual sink
    fed by the destination node (0 s) and by those links; sinks have no out-edges, so a
    feeder can never be used mid-trip.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Network from :func:`geo.network.build_network`.
    modes : sequence of str
        Modes of a chain (:func:`geo.network.policy.chain_modes`).
    dest_nodes : sequence of int
        Destination node ids.
    cutoff_s : float, optional
        Search limit (seconds); longer trips are ``inf``.
    exclude_features : iterable of str
        Feature ids whose edges (and feeder egress from their platforms) are left out.
    egress : bool
        Allow feeder egress (when ``feeder`` is in ``modes``).
    assumptions : mapping, optional
        Overrides (the feeder rules).
    arrays : EdgeArrays, optional
        ``edge_arrays(G)`` when the caller already has them (reused across chains).

    Returns
    -------
    field : numpy.ndarray
        ``(n_nodes, n_destinations)`` seconds; ``inf`` where unreachable.
    pos : dict of int to int
        Node id -> row of ``field``.
    """
    csr, nodes = graph_to_csr(arrays if arrays is not None else G, modes=modes, exclude_features=exclude_features)
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    tgt = np.array([pos[d] for d in dest_nodes], np.int64)
    if egress and "feeder" in modes and len(tgt):
        n = len(nodes)
        lon = [G.nodes[d]["x"] for d in dest_nodes]
        lat = [G.nodes[d]["y"] for d in dest_nodes]
        di, enode, et = feeder_egress_links(G, lon, lat, modes=modes, assumptions=assumptions)
        excl = set(exclude_features)
        keep = [
            k
            for k in range(len(di))
            if not excl or not any(d.get("feature_id") in excl for _, _, d in G.out_edges(int(enode[k]), data=True))
        ]
        coo = csr.tocoo()
        u = np.concatenate([coo.row, tgt, np.array([pos[int(enode[k])] for k in keep], np.int64)])
        v = np.concatenate([coo.col, n + np.arange(len(tgt)), n + di[keep].astype(np.int64)])
        w = np.concatenate([coo.data, np.zeros(len(tgt)), et[keep]])
        big = csr_from_arrays(u, v, w, n + len(tgt))
        field = shortest_travel_times(big, np.arange(n), n + np.arange(len(tgt)), cutoff=cutoff_s, reverse=True)
        return field, pos
    field = shortest_travel_times(csr, np.arange(len(nodes)), tgt, cutoff=cutoff_s, reverse=True)
    return field, pos


def point_travel_times(
    G: nx.MultiDiGraph,
    lon: np.ndarray,
    lat: np.ndarray,
    modes: Sequence[str],
    field: np.ndarray,
    pos: Mapping[int, int],
    *,
    assumptions: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """Travel times from points to the destinations of a :func:`destination_field`.

    Each point joins the network by its access links
    (:func:`geo.network.access.access_links` with ``modes``); its time is the best access
    time plus the field at the node reached.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    lon, lat : numpy.ndarray
        WGS84 coordinates of the points (degrees).
    modes : sequence of str
        Access modes (``walk``, ``drive_access``, ``feeder`` ...) and the chain's modes.
    field, pos
        From :func:`destination_field`.
    assumptions : mapping, optional
        Overrides (the access rules).

    Returns
    -------
    numpy.ndarray
        ``(n_points, n_destinations)`` seconds; ``inf`` where unreachable.
    """
    out = np.full((len(lon), field.shape[1]), np.inf)
    if len(lon) == 0:
        return out
    pi, node, t = access_links(G, lon, lat, modes=modes, assumptions=assumptions)
    if len(pi):
        rows = np.array([pos[int(n)] for n in node], np.int64)
        np.minimum.at(out, pi, t[:, None] + field[rows])
    return out
