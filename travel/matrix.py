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


def max_speed(matrix: sp.csr_matrix, lengths: sp.csr_matrix) -> float:
    """Fastest edge speed (metres / second) of a graph whose time and length matrices share their structure."""
    ok = matrix.data > 0
    return float((lengths.data[ok] / matrix.data[ok]).max()) if ok.any() else np.inf


def times_to(matrix: sp.csr_matrix, sources: np.ndarray, targets: np.ndarray, limit: float = np.inf,
             lengths: sp.csr_matrix | None = None, chunk: int = 128, xy: tuple | None = None,
             vmax: float | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Only the needed pairs: cost of the fastest route from each source node to each target node
    (``len(sources) × len(targets)``, inf when unreachable or beyond ``limit``), by csgraph Dijkstra from the
    unique sources in chunks (the full per-source rows are never kept). With ``lengths`` (a CSR matrix of edge
    metres on the same edges), also the metres of that fastest route, summed along the predecessor tree for the
    target nodes only.

    With a finite ``limit``, node coordinates ``xy`` (EPSG:27700 metres) and the graph's fastest edge speed
    ``vmax`` (m/s), the search runs on the subgraph of nodes within ``limit × vmax`` metres (box) of the sources:
    every route of cost ≤ limit stays inside it, so the results are exactly those of the whole graph, but the
    per-source set-up no longer scales with the whole graph."""
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    if xy is not None and vmax is not None and np.isfinite(limit) and len(sources):
        x, y = xy
        r = limit * vmax
        sx, sy = x[sources], y[sources]
        sel = np.flatnonzero((x >= sx.min() - r) & (x <= sx.max() + r) & (y >= sy.min() - r) & (y <= sy.max() + r))
        if len(sel) < 0.6 * matrix.shape[0]:
            sub = matrix[sel][:, sel]
            loc = np.full(matrix.shape[0], -1, dtype=np.int64)
            loc[sel] = np.arange(len(sel))
            inside = loc[targets] >= 0
            T = np.full((len(sources), len(targets)), np.inf)
            M = np.full((len(sources), len(targets)), np.inf) if lengths is not None else None
            if inside.any():
                Ts, Ms = _times_to(sub, loc[sources], loc[targets[inside]], limit,
                                   lengths, chunk, glob=sel if lengths is not None else None)
                T[:, inside] = Ts
                if M is not None:
                    M[:, inside] = Ms
            return T, M
    return _times_to(matrix, sources, targets, limit, lengths, chunk)


def _times_to(matrix, sources, targets, limit, lengths, chunk, glob=None):
    """``times_to`` on one matrix; ``glob`` maps its node indices to those of ``lengths`` (a subgraph)."""
    us, sinv = np.unique(sources, return_inverse=True)
    T = np.full((len(us), len(targets)), np.inf)
    M = np.full((len(us), len(targets)), np.inf) if lengths is not None else None
    elen = edge_lookup(lengths) if lengths is not None else None
    g = glob if glob is not None else None
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
            acc[active] += elen(g[p], g[cur[active]]) if g is not None else elen(p, cur[active])
            cur[active] = p
            active &= cur != src[:, None]
        T[s:s + chunk] = t
        M[s:s + chunk] = np.where(np.isfinite(t), acc, np.inf)
    return T[sinv], (M[sinv] if M is not None else None)
