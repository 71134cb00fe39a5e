"""Travel-time matrices on the CSR arrays with scipy.sparse.csgraph (multi-source Dijkstra).

networkx (``nx_travel_times``) is kept as the reference implementation the tests compare against.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


def travel_times(matrix: sp.csr_matrix, origins: np.ndarray, limit: float = np.inf) -> np.ndarray:
    """Shortest travel cost from each origin node index to every node (rows = origins). inf = unreachable."""
    origins = np.asarray(origins, dtype=np.int64)
    if len(origins) == 0:
        return np.zeros((0, matrix.shape[0]))
    return dijkstra(matrix, directed=True, indices=origins, limit=limit)


def nearest_source_times(matrix: sp.csr_matrix, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cost from the nearest of ``sources`` to every node (one multi-source Dijkstra) and which source."""
    d, _, src = dijkstra(matrix, directed=True, indices=np.asarray(sources, dtype=np.int64), min_only=True,
                         return_predecessors=True)
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


def times_to(matrix: sp.csr_matrix, sources: np.ndarray, targets: np.ndarray, limit: float = np.inf,
             lengths: sp.csr_matrix | None = None, chunk: int = 128) -> tuple[np.ndarray, np.ndarray | None]:
    """Only the needed pairs: cost of the fastest route from each source node to each target node
    (``len(sources) × len(targets)``, inf when unreachable or beyond ``limit``), by csgraph Dijkstra from the
    unique sources in chunks (the full per-source rows are never kept). With ``lengths`` (a CSR matrix of edge
    metres on the same edges), also the metres of that fastest route, summed along the predecessor tree for the
    target nodes only."""
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    us, sinv = np.unique(sources, return_inverse=True)
    T = np.full((len(us), len(targets)), np.inf)
    M = np.full((len(us), len(targets)), np.inf) if lengths is not None else None
    elen = edge_lookup(lengths) if lengths is not None else None
    for s in range(0, len(us), chunk):
        src = us[s:s + chunk]
        if lengths is None:
            T[s:s + chunk] = dijkstra(matrix, directed=True, indices=src, limit=limit)[:, targets]
            continue
        dist, pred = dijkstra(matrix, directed=True, indices=src, limit=limit, return_predecessors=True)
        t = dist[:, targets]
        acc = np.zeros_like(t)
        cur = np.broadcast_to(targets[None, :], t.shape).copy()
        rows = np.broadcast_to(np.arange(len(src))[:, None], t.shape)
        active = np.isfinite(t) & (cur != src[:, None])
        while active.any():
            p = pred[rows[active], cur[active]]
            acc[active] += elen(p, cur[active])
            cur[active] = p
            active &= cur != src[:, None]
        T[s:s + chunk] = t
        M[s:s + chunk] = np.where(np.isfinite(t), acc, np.inf)
    return T[sinv], (M[sinv] if M is not None else None)
