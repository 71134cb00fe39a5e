"""Travel-time matrices on the CSR arrays (EPSG:27700 road graphs; costs in seconds, or metres).

The searches run in ``travel._dijkstra`` (numba-compiled binary-heap Dijkstra on the CSR arrays);
``nearest_source_times`` uses scipy.sparse.csgraph. networkx (``nx_travel_times``) is kept as the reference
implementation the tests and benches compare against: the costs are identical (max abs diff 0.0 s).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


def travel_times(matrix: sp.csr_matrix, origins: np.ndarray, limit: float = np.inf) -> np.ndarray:
    """Shortest travel cost (the matrix's unit: seconds, or metres) from each origin node index to every node
    (rows = origins; inf = unreachable or beyond ``limit``).

    Engine (``travel._dijkstra``): the nodes of dead-end trees (cul-de-sacs: nodes left with one neighbour when
    such nodes are removed repeatedly) are not searched; each is filled in afterwards from the node it hangs off
    (``cost(o, v) = cost(o, parent) + edge``, the same sum a search makes, as no route passes through a dead end).
    Origins inside such trees keep their tree path to the rest of the graph. One binary-heap Dijkstra per origin
    on the rest. Identical to networkx (tests and bench/travel.py)."""
    from . import _dijkstra

    origins = np.asarray(origins, dtype=np.int64)
    n = matrix.shape[0]
    if len(origins) == 0:
        return np.zeros((0, n))
    P = _prepared(matrix)
    order, parent, w = P.trees()
    skip = np.zeros(n, dtype=bool)
    skip[order] = True
    for o in origins[skip[origins]]:  # an origin in a tree: keep it and the path to its root searched
        while o >= 0 and skip[o]:
            skip[o] = False
            o = parent[o]
    tcol = np.where(skip, -1, np.arange(n, dtype=np.int64))
    T, _, _ = _dijkstra.many(
        P.indptr,
        P.indices,
        P.data,
        _NOF,
        origins,
        tcol,
        n,
        int(n - skip.sum()),
        float(limit),
        _NOF,
        0.0,
        skip if skip.any() else _NOB,
    )
    fill = order[::-1][skip[order[::-1]]]  # parents before children
    if len(fill):
        _dijkstra.fill_trees(T, fill, parent, w, float(limit))
    return T


def nearest_source_times(matrix: sp.csr_matrix, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cost from the nearest of ``sources`` to every node (one multi-source Dijkstra) and which source."""
    d, _, src = dijkstra(
        matrix, directed=True, indices=np.asarray(sources, dtype=np.int64), min_only=True, return_predecessors=True
    )
    return d, src


def nx_travel_times(G, origins, weight: str = "travel_time") -> dict:
    """Reference: networkx single-source Dijkstra per origin → {origin: {node: cost}}."""
    import networkx as nx

    return {o: nx.single_source_dijkstra_path_length(G, o, weight=weight) for o in origins}


class EdgeLookup:
    """Value of edge (u, v) of a CSR matrix for arrays of u and v (NaN where there is no edge), vectorised over
    sorted ``u * n + v`` keys."""

    def __init__(self, m: sp.csr_matrix):
        n = m.shape[0]
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(m.indptr))
        keys = rows * n + m.indices.astype(np.int64)
        order = np.argsort(keys)
        self.n, self.keys, self.vals = n, keys[order], np.asarray(m.data)[order]

    def __call__(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        k = np.asarray(u, dtype=np.int64) * self.n + np.asarray(v, dtype=np.int64)
        i = np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)
        return np.where(self.keys[i] == k, self.vals[i], np.nan)


_LOOKUPS: list = []


def edge_lookup(m: sp.csr_matrix) -> EdgeLookup:
    """``EdgeLookup`` of a matrix, built once per matrix object (the last four are kept)."""
    for mat, lk in _LOOKUPS:
        if mat is m:
            return lk
    lk = EdgeLookup(m)
    _LOOKUPS.append((m, lk))
    del _LOOKUPS[:-4]
    return lk


def max_speed(matrix: sp.csr_matrix, lengths: sp.csr_matrix) -> float:
    """Fastest edge speed (metres / second) of a graph whose time and length matrices share their structure."""
    ok = matrix.data > 0
    return float((lengths.data[ok] / matrix.data[ok]).max()) if ok.any() else np.inf


def times_to(
    matrix: sp.csr_matrix,
    sources: np.ndarray,
    targets: np.ndarray,
    limit: float = np.inf,
    lengths: sp.csr_matrix | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Only the needed pairs: cost of the fastest route (the matrix's unit, e.g. seconds) from each source node to
    each target node (``len(sources) × len(targets)``, inf when unreachable or beyond ``limit``). With
    ``lengths`` (a CSR matrix of edge metres on the same edges), also the metres of that fastest route (summed
    along it as the search goes).

    Engine (``travel._dijkstra.many``): one binary-heap Dijkstra per unique source on the whole graph, each
    touching only the nodes it reaches (no per-source O(nodes) set-up, so no subgraph is cut out), stopping
    once every target is settled. With a finite ``limit`` the searches are also pruned, exactly: one
    multi-source search backwards from all targets, up to ``limit / 3``, gives each node a lower bound ``h`` of
    its cost to the nearest target (``limit / 3`` where that search did not reach); a node reached at cost
    ``d`` with ``d + h > limit`` cannot lie on a route to any target within ``limit`` and is not entered.
    Costs are the same floating-point sums as networkx's (tests; bench/county.py)."""
    from . import _dijkstra

    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    n = matrix.shape[0]
    if len(sources) == 0 or len(targets) == 0:
        z = np.full((len(sources), len(targets)), np.inf)
        return z, (z.copy() if lengths is not None else None)
    P = _prepared(matrix)
    us, sinv = np.unique(sources, return_inverse=True)
    ut, tinv = np.unique(targets, return_inverse=True)
    tcol = np.full(n, -1, dtype=np.int64)
    tcol[ut] = np.arange(len(ut))
    limit = float(limit)
    h = _NOF
    if np.isfinite(limit):
        radius = limit / 3
        ip, ix, dt = P.reverse()
        h = np.minimum(_dijkstra.nearest(ip, ix, dt, ut, radius), radius)
    lens = P.aligned(lengths) if lengths is not None else _NOF
    T, M, _ = _dijkstra.many(
        P.indptr,
        P.indices,
        P.data,
        lens,
        us,
        tcol,
        len(ut),
        len(ut),
        limit,
        h,
        1e-9 * max(1.0, limit if np.isfinite(limit) else 1.0),
        _NOB,
    )
    T = T[sinv][:, tinv]
    return T, (M[sinv][:, tinv] if lengths is not None else None)


_NOF = np.zeros(0)
_NOB = np.zeros(0, dtype=bool)


class _Prepared:
    """A CSR matrix's arrays as the kernels take them (int64 indices, float64 costs), with its reverse graph,
    dead-end trees and edge values of other matrices aligned to its edges, each built once when first asked."""

    def __init__(self, m: sp.csr_matrix):
        m = m if m.has_sorted_indices else m.sorted_indices()
        self.m = m
        self.indptr = m.indptr.astype(np.int64)
        self.indices = m.indices.astype(np.int64)
        self.data = np.asarray(m.data, dtype=np.float64)
        self._rev = self._trees = None
        self._aligned: list = []

    def reverse(self):
        if self._rev is None:
            r = self.m.T.tocsr()
            r.sort_indices()
            self._rev = (r.indptr.astype(np.int64), r.indices.astype(np.int64), np.asarray(r.data, dtype=np.float64))
        return self._rev

    def trees(self):
        """(removal order, parent, cost parent → node) of the dead-end trees (``_dijkstra.peel``)."""
        if self._trees is None:
            from . import _dijkstra

            n = self.m.shape[0]
            c = self.m.tocoo()
            off = c.row != c.col  # self-loops do not connect anything
            r, k = c.row[off].astype(np.int64), c.col[off].astype(np.int64)
            a = sp.csr_matrix((np.ones(2 * len(r)), (np.concatenate([r, k]), np.concatenate([k, r]))), shape=(n, n))
            a.sum_duplicates()
            order, parent = _dijkstra.peel(a.indptr.astype(np.int64), a.indices.astype(np.int64), n)
            w = np.full(n, np.inf)
            has = parent[order] >= 0
            v, p = order[has], parent[order[has]]
            w[v] = edge_lookup(self.m)(p, v)  # NaN where only v -> p exists: v unreachable from elsewhere
            w[np.isnan(w)] = np.inf
            self._trees = (order, parent, w)
        return self._trees

    def aligned(self, other: sp.csr_matrix) -> np.ndarray:
        """``other``'s value on each edge of this matrix, in this matrix's edge order."""
        for mat, vals in self._aligned:
            if mat is other:
                return vals
        if (
            other.shape == self.m.shape
            and len(other.indices) == len(self.indices)
            and np.array_equal(other.indptr, self.indptr)
            and np.array_equal(other.indices, self.indices)
        ):
            vals = np.asarray(other.data, dtype=np.float64)
        else:
            rows = np.repeat(np.arange(self.m.shape[0], dtype=np.int64), np.diff(self.indptr))
            vals = edge_lookup(other)(rows, self.indices)
        self._aligned = ([(other, vals)] + self._aligned)[:2]
        return vals


_PREPARED: list = []


def _prepared(m: sp.csr_matrix) -> _Prepared:
    """``_Prepared`` of a matrix, built once per matrix object (the last four are kept)."""
    for mat, p in _PREPARED:
        if mat is m:
            return p
    p = _Prepared(m)
    _PREPARED.append((m, p))
    del _PREPARED[:-4]
    return p
