"""A preprocessed routing index reused across queries on one network: a customizable contraction hierarchy.

:class:`RoutingIndex` wraps RoutingKit's customizable contraction hierarchies (CCH, through the
``pyroutingkit`` package, optional extra ``routing``). A CCH has three phases:

1. **preprocessing** (:class:`RoutingIndex`): a nested-dissection order of the nodes
   (inertial flow on the node coordinates) and the contraction of the *topology*; it does not
   depend on the weights;
2. **customization** (:meth:`RoutingIndex.customize`, :meth:`RoutingIndex.metric`): the
   weights of one metric — a mode chain, an as-of date or a scenario — are set in a fraction of
   the preprocessing time. Edges absent from a metric (another mode, a feature left out, not
   yet open) get an infinite weight: the topology is the same;
3. **queries** (:meth:`Metric.travel_times`): many-to-many matrices, each pair answered by two
   small upward searches instead of one Dijkstra over the whole graph.

So the second and later matrices on one network cost only the customization and the queries.
This is what the scenarios, isochrone sets and hexagon layers repeat.

Resolution: RoutingKit works on unsigned 32-bit integers. Weights (seconds) are rounded to
:data:`RESOLUTION_S` (1 ms) per edge, so a path of ``k`` edges differs from scipy's exact sum
by at most ``k x 0.5 ms`` (tests check the matrices against
:func:`geo.network.routing.shortest_travel_times`).

Where it pays (``benchmarks/bench_network.py``): matrices between many sources and many
targets that are a small part of a big graph with a road hierarchy (1,000 x 1,000 on 100k
edges: a later matrix 3-5x faster than scipy; its cost is the query, about 0.6 us a pair, the
customization a few hundredths of a second). Not for the analyses' shapes — every node to a few
destinations (:func:`geo.network.routing.destination_field`), or searches cut off at a time
limit — where one Dijkstra per destination is as fast as a CCH sweep and much faster than
pair queries; so the analyses use the exact scipy path.

Node positions index the arrays (``nodes[i]`` is the node id at position ``i``), as in
:mod:`geo.network.routing`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np

from geo.errors import AnalysisError
from geo.network.routing import EdgeArrays, edge_arrays

logger = logging.getLogger(__name__)

__all__ = ["RESOLUTION_S", "Metric", "RoutingIndex", "routing_available"]

#: Weight resolution of the index (seconds per integer unit): 1 ms.
RESOLUTION_S = 1e-3
# Largest finite weight (units) accepted: sums of a few thousand such edges stay below
# RoutingKit's infinity (2**31 - 1) only if single weights are far smaller.
_MAX_UNITS = 2**30


def routing_available() -> bool:
    """Whether the CCH library (``pyroutingkit``, extra ``routing``) is installed."""
    try:
        import pyroutingkit  # noqa: F401
    except ImportError:
        return False
    return True


def _rk() -> Any:
    try:
        import pyroutingkit
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise AnalysisError("the routing index needs pyroutingkit: pip install 'jjj-atlas[routing]'") from exc
    return pyroutingkit


def to_units(weights_s: np.ndarray) -> np.ndarray:
    """Seconds -> the index's integer units (uint32); NaN/inf -> RoutingKit's infinity."""
    rk = _rk()
    w = np.asarray(weights_s, float)
    fin = np.isfinite(w)
    if np.any(w[fin] < 0):
        raise AnalysisError("negative edge weights cannot be indexed")
    units = np.full(len(w), rk.INF_WEIGHT, dtype=np.uint32)
    scaled = np.rint(w[fin] / RESOLUTION_S)
    if len(scaled) and scaled.max() >= _MAX_UNITS:
        raise AnalysisError(f"an edge weight of {w[fin].max():.0f} s is too large for the index")
    units[fin] = scaled.astype(np.uint32)
    return units


class Metric:
    """One customization of a :class:`RoutingIndex` (one set of weights).

    Create it with :meth:`RoutingIndex.customize` or :meth:`RoutingIndex.metric`; reuse it for
    every query on those weights.
    """

    def __init__(self, index: RoutingIndex, units: np.ndarray, *, threads: int) -> None:
        rk = _rk()
        self.index = index
        self._inf = int(rk.INF_WEIGHT)
        t0 = time.perf_counter()
        self._m = rk.CCHMetric(index._topology)
        self._m.customize(np.ascontiguousarray(units, dtype=np.uint32), int(threads))
        #: Seconds the customization took.
        self.customize_s = time.perf_counter() - t0

    def travel_times(
        self,
        sources: Sequence[int] | np.ndarray,
        targets: Sequence[int] | np.ndarray,
        *,
        cutoff: float | None = None,
        max_bytes: float = 256e6,
        dtype: Any = np.float64,
    ) -> np.ndarray:
        """Many-to-many travel times (seconds) between node positions.

        Parameters
        ----------
        sources, targets : array-like of int
            Node positions.
        cutoff : float, optional
            Seconds; longer times are ``inf`` (as with scipy's ``limit``).
        max_bytes : float
            Memory bound of one block of the integer result (``block x len(targets) x 4``).
        dtype : numpy dtype
            Of the result (``float64`` or ``float32``).

        Returns
        -------
        numpy.ndarray
            ``len(sources) x len(targets)`` seconds, ``inf`` where unreachable.
        """
        src = np.asarray(sources, np.int64)
        tgt = np.asarray(targets, np.int64)
        n = self.index.n
        for name, arr in (("source", src), ("target", tgt)):
            if len(arr) and (arr.min() < 0 or arr.max() >= n):
                raise AnalysisError(f"{name} position out of range 0..{n - 1}")
        out = np.full((len(src), len(tgt)), np.inf, dtype=dtype)
        if len(src) == 0 or len(tgt) == 0:
            return out
        block = int(max(1, min(len(src), max_bytes // (4 * len(tgt)))))
        t32 = tgt.astype(np.uint32)
        for s in range(0, len(src), block):
            d = np.asarray(self._m.distances_many_to_many(src[s : s + block].astype(np.uint32), t32))
            res = d.astype(np.float64) * RESOLUTION_S
            res[d >= self._inf] = np.inf
            if cutoff is not None:
                res[res > float(cutoff)] = np.inf
            out[s : s + block] = res
        return out


class RoutingIndex:
    """Preprocessed CCH topology of a directed graph, customizable with new weights.

    Parameters
    ----------
    u, v : array-like of int
        Tail and head positions of every arc (``0 <= u, v < n``); parallel arcs are allowed
        (the smallest weight counts).
    n : int
        Number of nodes.
    lon, lat : array-like of float
        Node coordinates (degrees WGS84, or any planar coordinates) for the nested-dissection
        order; a better order gives faster customization and queries.
    arrays : EdgeArrays, optional
        The graph's edges (:func:`geo.network.routing.edge_arrays`) when ``u, v`` are theirs:
        then :meth:`metric` derives weights by mode and feature.
    threads : int
        Threads for customization (0: all; 1 for comparisons with single-threaded peers).

    Attributes
    ----------
    preprocess_s : float
        Seconds the preprocessing took.
    """

    def __init__(
        self,
        u: Sequence[int] | np.ndarray,
        v: Sequence[int] | np.ndarray,
        n: int,
        *,
        lon: Sequence[float] | np.ndarray,
        lat: Sequence[float] | np.ndarray,
        arrays: EdgeArrays | None = None,
        threads: int = 1,
    ) -> None:
        rk = _rk()
        self.u = np.asarray(u, np.int64)
        self.v = np.asarray(v, np.int64)
        self.n = int(n)
        if len(self.u) != len(self.v):
            raise AnalysisError("u and v differ in length")
        if len(self.u) and (min(self.u.min(), self.v.min()) < 0 or max(self.u.max(), self.v.max()) >= self.n):
            raise AnalysisError(f"arc end out of range 0..{self.n - 1}")
        lon_a = np.asarray(lon, np.float32)
        lat_a = np.asarray(lat, np.float32)
        if len(lon_a) != self.n or len(lat_a) != self.n:
            raise AnalysisError("lon and lat need one value per node")
        self.arrays = arrays
        self.threads = int(threads)
        self._metrics: dict[tuple[Any, ...], Metric] = {}
        t0 = time.perf_counter()
        self._topology = rk.CCHTopology()
        self._topology.build(self.u.astype(np.uint32), self.v.astype(np.uint32), lat_a, lon_a, self.n)
        self.preprocess_s = time.perf_counter() - t0
        logger.info("routing index: %d nodes, %d arcs preprocessed in %.2f s", self.n, len(self.u), self.preprocess_s)

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph, *, weight: str = "travel_time", threads: int = 1) -> RoutingIndex:
        """Index every edge of a network (nodes with ``x``/``y``, as built by
        :func:`geo.network.build_network`); :meth:`metric` then selects modes and features."""
        arrays = edge_arrays(G, weight=weight)
        xs = np.array([float(G.nodes[n].get("x", 0.0)) for n in arrays.nodes.tolist()])
        ys = np.array([float(G.nodes[n].get("y", 0.0)) for n in arrays.nodes.tolist()])
        return cls(arrays.u, arrays.v, len(arrays.nodes), lon=xs, lat=ys, arrays=arrays, threads=threads)

    @property
    def nodes(self) -> np.ndarray:
        """Node id at each position (positions themselves when built from arrays)."""
        return self.arrays.nodes if self.arrays is not None else np.arange(self.n)

    def customize(self, weights_s: Sequence[float] | np.ndarray) -> Metric:
        """A metric with these arc weights (seconds, one per arc; NaN/inf = closed)."""
        w = np.asarray(weights_s, float)
        if len(w) != len(self.u):
            raise AnalysisError(f"{len(w)} weights for {len(self.u)} arcs")
        return Metric(self, to_units(w), threads=self.threads)

    def metric(self, *, modes: Iterable[str] | None = None, exclude_features: Iterable[str] = ()) -> Metric:
        """The metric of a mode chain without some features (cached per selection).

        Edges of other modes and of the excluded features get an infinite weight; the topology
        is unchanged.
        """
        if self.arrays is None:
            raise AnalysisError("metric() needs an index built with RoutingIndex.from_graph")
        key = (None if modes is None else tuple(sorted(set(modes))), tuple(sorted(set(exclude_features))))
        if key not in self._metrics:
            keep = self.arrays.mask(modes=modes, exclude_features=exclude_features)
            w = np.where(keep, np.maximum(self.arrays.weight, 0.0), np.inf)
            self._metrics[key] = self.customize(w)
        return self._metrics[key]
