"""Dijkstra kernels compiled with numba (binary heap, lazy deletion) on CSR arrays; used by ``travel.matrix``.

Costs are whatever the CSR data hold (travel seconds, or metres). Every kernel relaxes an edge exactly as
networkx's Dijkstra does (``d[v] = d[u] + w`` when strictly smaller, kept only when ``<= limit``), so the costs it
returns are the same floating-point sums along the same fastest routes.

Compiled on first use and cached on disk next to this file (numba ``cache=True``), so only the first process
after a code change pays the compilation (a few seconds).
"""

from __future__ import annotations

import numba as nb
import numpy as np

INF = np.inf


@nb.njit(cache=True, nogil=True)
def _push(hk, hv, n, k, v):
    i = n
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= k:
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        i = p
    hk[i] = k
    hv[i] = v
    return n + 1


@nb.njit(cache=True, nogil=True)
def _pop(hk, hv, n):
    n -= 1
    k = hk[n]
    v = hv[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and hk[c + 1] < hk[c]:
            c += 1
        if hk[c] >= k:
            break
        hk[i] = hk[c]
        hv[i] = hv[c]
        i = c
    hk[i] = k
    hv[i] = v
    return n


@nb.njit(cache=True, nogil=True)
def nearest(indptr, indices, data, sources, limit):
    """Cost from the nearest of ``sources`` to every node (inf beyond ``limit`` or unreachable)."""
    N = len(indptr) - 1
    dist = np.full(N, INF)
    done = np.zeros(N, np.bool_)
    hk = np.empty(len(indices) + len(sources) + 1)
    hv = np.empty(len(indices) + len(sources) + 1, np.int64)
    n = 0
    for s in sources:
        if dist[s] > 0.0:
            dist[s] = 0.0
            n = _push(hk, hv, n, 0.0, s)
    while n > 0:
        d = hk[0]
        u = hv[0]
        n = _pop(hk, hv, n)
        if done[u]:
            continue
        done[u] = True
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            nd = d + data[e]
            if nd < dist[v] and nd <= limit:
                dist[v] = nd
                n = _push(hk, hv, n, nd, v)
    return dist


@nb.njit(cache=True, nogil=True)
def many(indptr, indices, data, lens, sources, tcol, ncol, ntarget, limit, h, slack, skip):
    """One search per source; returns (times, metres, settled): ``times[r, tcol[v]]`` = cost from
    ``sources[r]`` to target node v (inf when unreachable or beyond ``limit``), ``metres`` the same for the
    ``lens`` edge values summed along that fastest route (empty when ``lens`` is empty), ``settled`` the number
    of nodes settled in all (work done).

    - ``tcol[v]``: output column of node v, -1 if v is not a target; ``ntarget``: distinct target nodes. A
      search stops once all of them are settled (or nothing within ``limit`` is left).
    - ``h`` (optional, else empty): a lower bound of the cost from each node to its nearest target; a node with
      ``d + h > limit + slack`` is not entered (no target within ``limit`` lies beyond it). Exact.
    - ``skip`` (optional, else empty): nodes never entered (dead-end trees, filled in afterwards by the caller).
    Per-source set-up touches only the nodes that search reached (no O(N) reset)."""
    N = len(indptr) - 1
    want_m = len(lens) > 0
    useh = len(h) > 0
    useskip = len(skip) > 0
    T = np.full((len(sources), ncol), INF)
    M = np.full((len(sources), ncol if want_m else 0), INF)
    dist = np.full(N, INF)
    lm = np.zeros(N if want_m else 0)
    done = np.zeros(N, np.bool_)
    touched = np.empty(N, np.int64)
    hk = np.empty(len(indices) + 2)
    hv = np.empty(len(indices) + 2, np.int64)
    settled = 0
    for r in range(len(sources)):
        s = sources[r]
        dist[s] = 0.0
        if want_m:
            lm[s] = 0.0
        touched[0] = s
        nt = 1
        n = _push(hk, hv, 0, 0.0, s)
        left = ntarget
        while n > 0:
            d = hk[0]
            u = hv[0]
            n = _pop(hk, hv, n)
            if done[u]:
                continue
            done[u] = True
            settled += 1
            c = tcol[u]
            if c >= 0:
                T[r, c] = d
                if want_m:
                    M[r, c] = lm[u]
                left -= 1
                if left == 0:
                    break
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                nd = d + data[e]
                if nd < dist[v] and nd <= limit:
                    if useskip and skip[v]:
                        continue
                    if useh and nd + h[v] > limit + slack:
                        continue
                    if dist[v] == INF:
                        touched[nt] = v
                        nt += 1
                    dist[v] = nd
                    if want_m:
                        lm[v] = lm[u] + lens[e]
                    n = _push(hk, hv, n, nd, v)
        for i in range(nt):
            dist[touched[i]] = INF
            done[touched[i]] = False
    return T, M, settled


@nb.njit(cache=True, nogil=True)
def fill_trees(T, order, parent, w, limit):
    """Costs to the nodes of dead-end trees, in place: ``T[:, v] = T[:, parent[v]] + w[v]`` (inf beyond
    ``limit``) for v in ``order`` (parents before children). Columns of ``T`` are node indices."""
    for r in range(T.shape[0]):
        for i in range(len(order)):
            v = order[i]
            p = parent[v]
            nd = T[r, p] + w[v] if p >= 0 else INF
            T[r, v] = nd if nd <= limit else INF


@nb.njit(cache=True, nogil=True)
def peel(adj_ptr, adj_idx, N):
    """Dead-end trees of an undirected adjacency (no self-loops): repeatedly remove nodes with at most one
    remaining neighbour. Returns (order of removal, parent = the one neighbour left at removal or -1)."""
    deg = np.diff(adj_ptr).astype(np.int64)
    removed = np.zeros(N, np.bool_)
    queued = np.zeros(N, np.bool_)
    queue = np.empty(N, np.int64)
    parent = np.full(N, -1, np.int64)
    qn = 0
    for v in range(N):
        if deg[v] <= 1:
            queue[qn] = v
            queued[v] = True
            qn += 1
    qi = 0
    while qi < qn:
        v = queue[qi]
        qi += 1
        removed[v] = True
        for e in range(adj_ptr[v], adj_ptr[v + 1]):
            p = adj_idx[e]
            if not removed[p]:
                parent[v] = p
                deg[p] -= 1
                if deg[p] <= 1 and not queued[p]:
                    queue[qn] = p
                    queued[p] = True
                    qn += 1
                break
    return queue[:qn].copy(), parent
