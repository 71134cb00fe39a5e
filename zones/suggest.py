"""Zone suggestion: contiguous, balanced zones with as little travel inside each zone as can be found.

Pure domain: everything arrives as arguments (hours per unit, a travel-minutes matrix between units, the rook
adjacency of the units); nothing here reads files, imports streamlit or the service layer.

Problem. Cut ``n`` units into ``k`` zones such that
- every zone is one piece: its units are connected through shared EDGES (rook contiguity; units meeting only
  at a corner are not neighbours). A unit made of several polygons (an exclave) is one node and moves whole.
  A unit with no edge neighbour at all (an island, or a sliver the sources left apart) is joined to its
  nearest unit by a *bridge*; bridges are listed in ``Adjacency.bridges`` and in every result;
- every zone's weekly hours lie within +/- ``balance_pct`` % of the mean hours of the zones being drawn
  (locked zones keep their hours and are exempt);
- the travel inside zones is as low as can be found. The cost of a zone with unit hours ``h`` and travel
  matrix ``D`` (minutes, ``D[i, i]`` = a typical trip inside unit i) is ``h_z' D h_z / H_z``; its
  ``mean_drive_min = h_z' D h_z / H_z**2`` is the expected drive between two visits drawn at random from
  the zone's hours. The search minimises the sum of zone costs = total hours x hours-weighted mean drive.

Method (see BENCHMARKS.md "Suggest" for what was compared): GerryChain's ``recursive_tree_part`` draws a
balanced contiguous start from random spanning trees; a ReCom chain (GerryChain ``recom``: merge two
neighbouring zones, re-split them along a random spanning tree within the balance bound) is run as simulated
annealing on the travel cost; a steepest-descent pass of single-unit moves between neighbouring zones
(keeping contiguity, balance and locks) finishes. Best of ``restarts`` runs. All randomness comes from
``random.Random`` objects seeded from ``seed``, and the number of steps is fixed, so a seed always gives the
same zones.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

Progress = Callable[[str, float], None]


def _noop(step: str, frac: float) -> None:
    pass


# ---------------------------------------------------------------- adjacency

@dataclass(frozen=True)
class Adjacency:
    """Undirected unit graph: ``edges`` (m, 2) int pairs i < j sharing an edge (rook), ``bridges`` the
    extra (i, j, gap_m) links that join islands to their nearest unit, ``n`` units."""

    n: int
    edges: np.ndarray
    bridges: tuple[tuple[int, int, float], ...] = ()

    def all_edges(self) -> np.ndarray:
        extra = np.array([(a, b) for a, b, _ in self.bridges], dtype=np.int64).reshape(-1, 2)
        return np.vstack([self.edges.reshape(-1, 2).astype(np.int64), extra])

    def matrix(self) -> sp.csr_matrix:
        e = self.all_edges()
        m = sp.coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(self.n, self.n))
        return (m + m.T).tocsr()

    def neighbours(self) -> list[np.ndarray]:
        m = self.matrix()
        return [m.indices[m.indptr[i]:m.indptr[i + 1]] for i in range(self.n)]


def grid_adjacency(rows: int, cols: int) -> Adjacency:
    """Rook adjacency of a rows x cols grid of squares, unit index = r * cols + c (for tests and benches)."""
    edges = []
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if c + 1 < cols:
                edges.append((i, i + 1))
            if r + 1 < rows:
                edges.append((i, i + cols))
    return Adjacency(rows * cols, np.array(edges, dtype=np.int64))


def rook_adjacency(units, bridge_islands: bool = True, tol_m: float = 2.0, min_edge_m: float = 25.0) -> Adjacency:
    """Rook (shared-edge) adjacency of a GeoDataFrame of polygons (EPSG:27700 metres).

    Two units are neighbours when they share at least ``min_edge_m`` of boundary, measured within ``tol_m``
    (boundaries published separately, e.g. generalised LSOAs, rarely share exact vertices, so libpysal's exact
    ``Rook`` finds no edge between them; candidates come from libpysal's fuzzy contiguity with a ``tol_m``
    buffer). Units meeting at a corner share only a few metres and are not neighbours. Components of the graph
    other than the largest (islands, or units touching the rest only at a corner) are bridged to the nearest unit
    outside them (shapely distance, metres); the bridges are returned so that every output can list them."""
    import warnings

    import shapely
    from libpysal import graph as lgraph

    geoms = units.reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = lgraph.Graph.build_fuzzy_contiguity(geoms[[geoms.geometry.name]], buffer=tol_m)
    adjs = g.adjacency.reset_index()
    foc, nb = adjs.iloc[:, 0].to_numpy(), adjs.iloc[:, 1].to_numpy()
    gs = np.asarray(geoms.geometry.values, dtype=object)
    edges = []
    for a, b in sorted({(int(min(x, y)), int(max(x, y))) for x, y in zip(foc, nb) if x != y}):
        shared = shapely.intersection(shapely.boundary(gs[a]), shapely.buffer(gs[b], tol_m)).length
        if shared >= min_edge_m:
            edges.append((a, b))
    adj = Adjacency(len(geoms), np.array(edges, dtype=np.int64).reshape(-1, 2))
    if not bridge_islands or len(geoms) < 2:
        return adj
    bridges: list[tuple[int, int, float]] = []
    gs = geoms.geometry.values
    while True:
        cur = Adjacency(adj.n, adj.edges, tuple(bridges))
        ncomp, lab = connected_components(cur.matrix(), directed=False)
        if ncomp <= 1:
            return cur
        sizes = np.bincount(lab)
        small = int(np.argmin(sizes))  # join the smallest component first
        inside = np.flatnonzero(lab == small)
        outside = np.flatnonzero(lab != small)
        best = (math.inf, -1, -1)
        for i in inside:
            d = gs[outside].distance(gs[i]) if hasattr(gs, "distance") else np.array([gs[i].distance(gs[j]) for j in outside])
            d = np.asarray(d, dtype=float)
            j = int(np.argmin(d))
            if d[j] < best[0]:
                best = (float(d[j]), int(i), int(outside[j]))
        a, b = sorted(best[1:])
        bridges.append((a, b, round(best[0], 1)))


# ---------------------------------------------------------------- evaluation

def zone_costs(labels: np.ndarray, hours: np.ndarray, cost: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per zone: S_z = h_z' D h_z (hours² x minutes) and H_z (hours). ``labels`` are ints 0..k-1."""
    S = np.zeros(k)
    H = np.bincount(labels, weights=hours, minlength=k)
    for z in range(k):
        idx = np.flatnonzero(labels == z)
        if len(idx):
            h = hours[idx]
            S[z] = float(h @ cost[np.ix_(idx, idx)] @ h)
    return S, H


def is_contiguous(members: np.ndarray, adj_matrix: sp.csr_matrix) -> bool:
    """True when the units ``members`` form one connected piece of the adjacency (rook + bridges)."""
    if len(members) <= 1:
        return True
    sub = adj_matrix[members][:, members]
    return connected_components(sub, directed=False)[0] == 1


def evaluate(zones: Sequence[str], hours: np.ndarray, cost: np.ndarray, adjacency: Adjacency,
             order: Sequence[str] | None = None) -> list[dict]:
    """Figures per zone for any plan: name, units, hours_per_week, mean_drive_min (hours-weighted mean travel
    minutes between two visits drawn from the zone's hours, trips inside a unit included), contiguous."""
    zones = np.asarray(zones, dtype=object)
    names = list(order) if order is not None else sorted(set(zones))
    names = [z for z in names if (zones == z).any()]
    pos = {z: i for i, z in enumerate(names)}
    labels = np.array([pos[z] for z in zones], dtype=np.int64)
    S, H = zone_costs(labels, np.asarray(hours, float), cost, len(names))
    m = adjacency.matrix()
    out = []
    for i, z in enumerate(names):
        idx = np.flatnonzero(labels == i)
        out.append({"name": str(z), "units": int(len(idx)), "hours_per_week": round(float(H[i]), 2),
                    "mean_drive_min": round(float(S[i] / H[i] ** 2), 2) if H[i] > 0 else None,
                    "contiguous": bool(is_contiguous(idx, m))})
    return out


def summary(per_zone: list[dict], hours_total: float | None = None) -> dict:
    """Plan-level figures from ``evaluate``: hours-weighted mean drive, max balance deviation, contiguity."""
    H = np.array([z["hours_per_week"] for z in per_zone], float)
    md = np.array([z["mean_drive_min"] or 0.0 for z in per_zone], float)
    mean_h = H.mean() if len(H) else 0.0
    return {"n_zones": len(per_zone),
            "mean_drive_min": round(float((H * md).sum() / H.sum()), 2) if H.sum() else None,
            "max_balance_dev_pct": round(float(np.max(np.abs(H / mean_h - 1)) * 100), 1) if mean_h else None,
            "all_contiguous": all(z["contiguous"] for z in per_zone)}


# ---------------------------------------------------------------- the search

@dataclass
class SuggestResult:
    """A proposal: zone name per unit (input order), figures per zone, and how it was found."""

    zones: list[str]
    per_zone: list[dict]
    balanced: bool
    objective: float
    seed: int
    info: dict = field(default_factory=dict)


class _State:
    """Labels 0..k-1 with the per-zone sums the flip search needs, updated in O(n) per move."""

    def __init__(self, labels, hours, cost, k):
        self.labels = labels.copy()
        self.h = hours
        self.D = cost
        self.k = k
        onehot = np.zeros((len(labels), k))
        onehot[np.arange(len(labels)), labels] = hours
        self.R = cost @ onehot                     # R[u, z] = sum_{j in z} D[u, j] h_j
        self.H = onehot.sum(axis=0)
        self.S = np.einsum("uz,uz->z", onehot, self.R)

    def zone_cost(self, S, H):
        return np.where(H > 0, S / np.where(H > 0, H, 1), 0.0)

    def delta(self, u, a, b):
        h, D = self.h[u], self.D
        Sa = self.S[a] - 2 * h * self.R[u, a] + h * h * D[u, u]
        Sb = self.S[b] + 2 * h * self.R[u, b] + h * h * D[u, u]
        Ha, Hb = self.H[a] - h, self.H[b] + h
        new = (Sa / Ha if Ha > 0 else 0.0) + Sb / Hb
        old = self.S[a] / self.H[a] + (self.S[b] / self.H[b] if self.H[b] > 0 else 0.0)
        return new - old, Sa, Sb

    def move(self, u, a, b, Sa, Sb):
        h = self.h[u]
        self.S[a], self.S[b] = Sa, Sb
        self.H[a] -= h
        self.H[b] += h
        col = self.D[:, u] * h
        self.R[:, a] -= col
        self.R[:, b] += col
        self.labels[u] = b

    def total(self):
        return float(self.zone_cost(self.S, self.H).sum())


def _flip_search(state: _State, adjm: sp.csr_matrix, nbrs, free_mask, free_zone, lo, hi, max_passes=200) -> int:
    """Steepest-descent single-unit moves between neighbouring free zones; returns the number of moves."""
    moves = 0
    for _ in range(max_passes):
        best = None
        for u in np.flatnonzero(free_mask):
            a = state.labels[u]
            if state.H[a] - state.h[u] < lo:
                continue
            for b in sorted({int(state.labels[v]) for v in nbrs[u]} - {a}):
                if not free_zone[b] or state.H[b] + state.h[u] > hi:
                    continue
                d, Sa, Sb = state.delta(u, a, b)
                if d < -1e-9 and (best is None or d < best[0]):
                    rest = np.flatnonzero(state.labels == a)
                    rest = rest[rest != u]
                    if len(rest) and is_contiguous(rest, adjm):
                        best = (d, u, a, b, Sa, Sb)
        if best is None:
            break
        _, u, a, b, Sa, Sb = best
        state.move(u, a, b, Sa, Sb)
        moves += 1
    return moves


def _penalty(H: np.ndarray, free: np.ndarray, lo: float, hi: float, target: float) -> float:
    h = H[free]
    return float((np.maximum(0, lo - h) + np.maximum(0, h - hi)).sum() / target)


def suggest(hours_per_week, cost_min, adjacency: Adjacency, k: int, *, balance_pct: float = 15.0,
            current: Sequence[str] | None = None, lock_zones: Sequence[str] = (),
            lock_units: dict[int, str] | None = None, from_plan: bool = False, seed: int = 0,
            steps: int | None = None, restarts: int = 3, names: Sequence[str] | None = None,
            progress: Progress | None = None) -> SuggestResult:
    """Propose ``k`` zones. See the module docstring for the problem and the method.

    - ``hours_per_week`` (n,), ``cost_min`` (n, n) travel minutes between units (symmetrised here; the
      diagonal is the typical trip inside a unit), ``adjacency`` from ``rook_adjacency``;
    - ``current``: the current zone name per unit; needed for ``lock_zones`` (these zones keep their units and
      names and count among the ``k``), ``lock_units`` ({unit index: zone name}, which must equal the
      current zone) and ``from_plan`` (start the search from the current zones instead of random trees;
      required with ``lock_units``);
    - ``names``: names for the zones drawn (default: matched to the current zone they overlap most by hours,
      else "Zone N"); ``seed``, ``steps`` (ReCom steps per restart, default 8 per unit, at least 500)
      and ``restarts`` fix the search, so the same arguments give the same result.
    Raises ValueError for impossible requests (k too small or too large, locks without ``current``, ...)."""
    from functools import partial

    from gerrychain import Graph, Partition
    from gerrychain.partition.initial_partition_generators import recursive_tree_part
    from gerrychain.proposals import recom
    from gerrychain.tree import bipartition_tree
    import networkx as nx

    progress = progress or _noop
    h = np.asarray(hours_per_week, dtype=float)
    n = len(h)
    D = np.asarray(cost_min, dtype=float)
    if D.shape != (n, n) or adjacency.n != n:
        raise ValueError(f"suggest: {n} units but a {D.shape} travel matrix and an adjacency of {adjacency.n}")
    if not np.isfinite(D).all() or (D < 0).any() or not np.isfinite(h).all() or (h < 0).any():
        raise ValueError("suggest: hours and travel minutes must be finite and non-negative")
    D = (D + D.T) / 2
    if not 0 < balance_pct < 100:
        raise ValueError("suggest: balance_pct must lie between 0 and 100")
    eps = balance_pct / 100
    lock_units = dict(lock_units or {})
    cur = np.asarray(current, dtype=object) if current is not None else None
    if (lock_zones or lock_units or from_plan) and cur is None:
        raise ValueError("suggest: locks and --from-plan need the current zones")
    unknown = sorted(set(lock_zones) - set(cur)) if lock_zones else []
    if unknown:
        raise ValueError(f"suggest: locked zone(s) {', '.join(map(str, unknown))} not in the current plan")
    for u, z in lock_units.items():
        if cur[u] != z:
            raise ValueError(f"suggest: locked unit {u} is in {cur[u]}, not {z}")
    if lock_units and not from_plan:
        raise ValueError("suggest: locked units need from_plan=True (the search starts from the current zones)")
    locked_zone_list = [z for z in dict.fromkeys(cur) if z in set(lock_zones)] if lock_zones else []
    k_free = k - len(locked_zone_list)
    in_locked_zone = np.isin(cur, locked_zone_list) if locked_zone_list else np.zeros(n, bool)
    free_units = np.flatnonzero(~in_locked_zone)
    if k_free < 1 or k_free > len(free_units):
        raise ValueError(f"suggest: {k} zones with {len(locked_zone_list)} locked leaves {k_free} zones "
                         f"for {len(free_units)} free units")
    adjm = adjacency.matrix()
    nbrs = adjacency.neighbours()
    target = float(h[free_units].sum() / k_free)
    lo, hi = target * (1 - eps), target * (1 + eps)

    # graph of the free units (networkx node = unit index), its components share the free zones
    G = nx.Graph()
    for u in free_units:
        G.add_node(int(u), hours=float(h[u]))
    freeset = set(int(u) for u in free_units)
    for a, b in adjacency.all_edges():
        if int(a) in freeset and int(b) in freeset:
            G.add_edge(int(a), int(b))
    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: c[0])
    if from_plan:
        free_names = [z for z in dict.fromkeys(cur[free_units])]
        if len(free_names) != k_free:
            raise ValueError(f"suggest: --from-plan keeps the current {len(free_names)} unlocked zones; "
                             f"asked for {k_free}")
    kc = _zones_per_component([float(h[c].sum()) for c in comps], k_free)
    steps = steps if steps is not None else max(500, 8 * len(free_units))
    master = random.Random(seed)
    best_run = None
    log = []
    for r in range(max(1, restarts)):
        rng = random.Random(master.randrange(2**31))
        # start
        lab = {}
        chain_eps = eps
        if from_plan:
            zi = {z: i for i, z in enumerate(free_names)}
            lab = {int(u): zi[cur[u]] for u in free_units}
        else:
            base = 0
            for c, kk in zip(comps, kc):
                sub = Graph.from_networkx(G.subgraph(c).copy())
                if kk == 1:
                    a = {u: 0 for u in c}
                else:
                    ct = float(h[c].sum()) / kk
                    a = None
                    for e in _relaxed(eps):  # widen the start's bound only when no tree cut meets it
                        try:
                            a = recursive_tree_part(sub, list(range(kk)), ct, "hours", e,
                                                    bipartition_tree_fn=partial(bipartition_tree, max_attempts=2000),
                                                    rng=rng)
                            chain_eps = max(chain_eps, e / 0.9)
                            break
                        except RuntimeError:
                            continue
                    if a is None:
                        raise ValueError(f"suggest: no spanning-tree cut of a piece of {len(c)} units into {kk} zones")
                lab.update({int(u): base + int(z) for u, z in a.items()})
                base += kk
        # polish the start with single-unit moves (cheap), then let ReCom search around it
        st0 = np.full(n, -1, np.int64)
        for uu, z in lab.items():
            st0[uu] = z
        start_moves = 0
        tree_obj = None
        if not lock_units and len(free_units) == n:
            s0 = _State(st0, h, D, k_free)
            tree_obj = s0.total()
            start_moves = _flip_search(s0, adjm, nbrs, np.ones(n, bool), np.ones(k_free, bool), lo, hi)
            lab = {int(uu): int(s0.labels[uu]) for uu in free_units}
        part = Partition(Graph.from_networkx(G), lab, updaters={})

        def labels_of(p) -> np.ndarray:
            arr = np.zeros(n, np.int64)
            for z, nodes in p.parts.items():
                arr[np.fromiter((int(u) for u in nodes), np.int64)] = int(z)
            return arr

        def zone_sums(p, zs, S, H):
            S, H = S.copy(), H.copy()
            for z in zs:
                idx = np.fromiter((int(u) for u in p.parts[z]), np.int64)
                hz = h[idx]
                S[z] = float(hz @ D[np.ix_(idx, idx)] @ hz)
                H[z] = float(hz.sum())
            return S, H

        def score(S, H, p, zs):
            cost = float(np.where(H > 0, S / np.where(H > 0, H, 1), 0).sum())
            pen = _penalty(H, np.arange(k_free), lo, hi, target)
            bad = sum(free_names[int(p.assignment[u])] != z for u, z in lock_units.items())
            return pen + bad, cost

        cS, cH = zone_sums(part, range(k_free), np.zeros(k_free), np.zeros(k_free))
        cur_score = score(cS, cH, part, None)
        start_score = cur_score
        best = (cur_score, part)
        T0 = 0.005 * max(cur_score[1], 1e-9) / k_free
        accepted = 0
        for step in range(steps):
            if step % 250 == 0:
                progress(f"search {r + 1}/{restarts}: step {step:,}/{steps:,}",
                         (r + step / steps) / max(1, restarts) * 0.9)
            try:
                prop = recom(part, pop_col="hours", pop_target=target, epsilon=chain_eps, rng=rng)
            except Exception:  # no neighbouring pair can be re-split within the bound: try another step
                continue
            zs = {int(z) for z in prop.flips.values()} | {int(part.assignment[u]) for u in prop.flips}
            pS, pH = zone_sums(prop, zs, cS, cH)
            s = score(pS, pH, prop, zs)
            if lock_units and s[0] > cur_score[0]:
                continue
            T = T0 * (0.001 ** (step / steps))
            if s[0] < cur_score[0] - 1e-12 or (abs(s[0] - cur_score[0]) <= 1e-12 and (
                    s[1] <= cur_score[1] or rng.random() < math.exp(-(s[1] - cur_score[1]) / T))):
                part, cur_score, cS, cH = prop, s, pS, pH
                accepted += 1
                if cur_score < best[0]:
                    best = (cur_score, part)
        L = labels_of(best[1])
        # full labels: free zones 0..k_free-1, locked zones after
        full = np.zeros(n, np.int64)
        full[free_units] = L[free_units]
        for i, z in enumerate(locked_zone_list):
            full[cur == z] = k_free + i
        st = _State(full, h, D, k)
        free_mask = ~in_locked_zone
        for u in lock_units:
            free_mask[u] = False
        free_zone = np.array([i < k_free for i in range(k)])
        moves = _flip_search(st, adjm, nbrs, free_mask, free_zone, lo, hi)
        obj = st.total()
        pen = _penalty(st.H, np.arange(k_free), lo, hi, target)
        log.append({"restart": r + 1, "start_epsilon_pct": round(chain_eps * 100, 1), "start_objective": round(start_score[1], 3),
                    "start_balance_penalty": round(start_score[0], 4), "start_flip_moves": start_moves,
                    "tree_start_objective": None if tree_obj is None else round(tree_obj, 3), "recom_steps": steps, "accepted": accepted, "flip_moves": moves,
                    "objective": round(obj, 3), "balance_penalty": round(pen, 4)})
        if best_run is None or (pen, obj) < best_run[0]:
            best_run = ((pen, obj), st.labels.copy())
    progress("naming zones", 0.95)
    labels = best_run[1]
    zone_names = _name_zones(labels, h, cur, k_free, locked_zone_list, names, from_plan,
                             free_names if from_plan else None)
    zones = [zone_names[i] for i in labels]
    per_zone = evaluate(zones, h, D, adjacency, order=zone_names)
    Hs = np.array([z["hours_per_week"] for z in per_zone if z["name"] not in locked_zone_list])
    balanced = bool(((Hs >= lo - 0.005) & (Hs <= hi + 0.005)).all())
    for z in per_zone:
        z["locked"] = z["name"] in locked_zone_list
        z["balance_dev_pct"] = round((z["hours_per_week"] / target - 1) * 100, 1)
    progress("done", 1.0)
    return SuggestResult(zones=zones, per_zone=per_zone, balanced=balanced, objective=round(best_run[0][1], 3),
                         seed=seed, info={"method": "GerryChain recursive_tree_part start (or the current plan), ReCom "
                                                    "simulated annealing on travel, then steepest single-unit moves",
                                          "k": k, "k_free": k_free, "locked_zones": locked_zone_list,
                                          "locked_units": len(lock_units), "balance_pct": balance_pct,
                                          "target_hours_per_week": round(target, 2),
                                          "bounds_hours_per_week": [round(lo, 2), round(hi, 2)],
                                          "components": len(comps), "zones_per_component": kc,
                                          "bridges": [list(b) for b in adjacency.bridges],
                                          "restarts": log, "from_plan": from_plan})


def zone_costs_subset(labels, hours, cost, k, units):
    """``zone_costs`` over a subset of units (the free ones)."""
    S = np.zeros(k)
    H = np.zeros(k)
    lab = labels[units]
    for z in range(k):
        idx = units[lab == z]
        if len(idx):
            hz = hours[idx]
            S[z] = float(hz @ cost[np.ix_(idx, idx)] @ hz)
            H[z] = float(hz.sum())
    return S, H


def _relaxed(eps: float) -> list[float]:
    """Balance bounds to try for a start, tightest first: 0.9 x the asked bound, then wider (up to 95 %)."""
    return [e for e in (eps * 0.9, eps * 1.5, eps * 2, eps * 3, 0.6, 0.95) if e <= 0.95] or [0.95]


def _zones_per_component(hours: list[float], k: int) -> list[int]:
    """Zones per connected component in proportion to its hours (largest remainder, at least one each)."""
    if len(hours) > k:
        raise ValueError(f"suggest: the free units form {len(hours)} separate pieces but only {k} zones are free")
    tot = sum(hours)
    raw = [k * x / tot if tot else k / len(hours) for x in hours]
    out = [max(1, int(math.floor(x))) for x in raw]
    while sum(out) > k:
        i = max(range(len(out)), key=lambda j: (out[j] - raw[j], out[j]))
        out[i] -= 1
    while sum(out) < k:
        i = max(range(len(out)), key=lambda j: raw[j] - out[j])
        out[i] += 1
    return out


def _name_zones(labels, hours, cur, k_free, locked, names, from_plan, free_names) -> list[str]:
    """Names for label 0..k-1: locked zones keep theirs; from_plan keeps the current names; otherwise the
    given ``names`` or the current zone each overlaps most by hours (Hungarian matching), else "Zone N"."""
    if from_plan:
        return list(free_names) + list(locked)
    if names is not None:
        names = list(names)
        if len(names) != k_free:
            raise ValueError(f"suggest: {len(names)} names for {k_free} zones")
        return names + list(locked)
    out = [f"Zone {i + 1}" for i in range(k_free)]
    if cur is not None:
        cands = [z for z in dict.fromkeys(cur) if z not in set(locked)]
        if cands:
            M = np.zeros((k_free, len(cands)))
            ci = {z: j for j, z in enumerate(cands)}
            for u in range(len(labels)):
                if labels[u] < k_free and cur[u] in ci:
                    M[labels[u], ci[cur[u]]] += hours[u]
            r, c = linear_sum_assignment(-M)
            for i, j in zip(r, c):
                if M[i, j] > 0:
                    out[i] = str(cands[j])
            taken = set(out)
            nxt = 1
            for i in range(k_free):
                if out[i].startswith("Zone ") and out[i] not in cands:
                    while f"Zone {nxt}" in taken or f"Zone {nxt}" in cands:
                        nxt += 1
                    out[i] = f"Zone {nxt}"
                    taken.add(out[i])
    return out + list(locked)


def order_by_axis(result: SuggestResult, centres_xy: np.ndarray, hours, axis: str = "ns",
                  labels: Sequence[str] | None = None) -> SuggestResult:
    """Rename the zones of a result by the hours-weighted mean northing ("ns": north first) or easting
    ("we": west first) of their units, e.g. North / Centre / South."""
    zones = np.asarray(result.zones, dtype=object)
    names = [z["name"] for z in result.per_zone if not z.get("locked")]
    col = 1 if axis == "ns" else 0
    key = {z: float(np.average(centres_xy[zones == z, col], weights=np.asarray(hours)[zones == z] + 1e-9)) for z in names}
    ordered = sorted(names, key=lambda z: -key[z] if axis == "ns" else key[z])
    if labels is None:
        labels = {3: ["North", "Centre", "South"] if axis == "ns" else ["West", "Centre", "East"]}.get(
            len(ordered), [f"{'N' if axis == 'ns' else 'W'}{i + 1}" for i in range(len(ordered))])
    ren = dict(zip(ordered, labels))
    new = [ren.get(z, z) for z in zones]
    per = []
    for z in result.per_zone:
        d = dict(z)
        d["name"] = ren.get(z["name"], z["name"])
        per.append(d)
    order = {n: i for i, n in enumerate(labels)}
    per.sort(key=lambda d: order.get(d["name"], len(order)))
    return SuggestResult(zones=new, per_zone=per, balanced=result.balanced, objective=result.objective,
                         seed=result.seed, info=dict(result.info, named_by_axis=axis))


def proposal_plan(base, zones: Sequence[str], reason: str = "suggested zones"):
    """``base`` (a zones.plan.Plan) with every unit moved to its zone in ``zones`` (unit order of the plan);
    bands are kept. Units already in their zone are not touched."""
    zones = np.asarray(zones, dtype=object)
    cur = np.array([base.zone_names[i] for i in base.zone_idx], dtype=object)
    plan = base
    for z in dict.fromkeys(zones):
        sel = np.flatnonzero((zones == z) & (cur != z))
        if len(sel):
            plan = plan.move(list(base.unit_codes[sel]), zone=str(z), reason=reason)
    return plan


def axis_cost(centres_xy: np.ndarray, cost: np.ndarray, axis: str = "ns") -> np.ndarray:
    """A search cost for strips along an axis: the north-south (``ns``) or west-east (``we``) separation of
    unit centres, in the same minutes-per-metre as ``cost`` on average (so balance and ties behave alike),
    plus 1 % of ``cost`` to break ties towards short trips."""
    col = 1 if axis == "ns" else 0
    sep = np.abs(centres_xy[:, None, col] - centres_xy[None, :, col])
    dist = np.hypot(centres_xy[:, None, 0] - centres_xy[None, :, 0], centres_xy[:, None, 1] - centres_xy[None, :, 1])
    off = ~np.eye(len(cost), dtype=bool)
    per_m = float(cost[off].sum() / max(dist[off].sum(), 1e-9)) if off.any() else 0.0
    out = sep * per_m + 0.01 * cost
    out[np.diag_indices_from(out)] = np.diag(cost)
    return out
