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

Code: the objective is ``zones.suggest_objective.TravelObjective`` (score of a plan, change of score for one move,
as spopt's ``ObjectiveFunction``); the search is ``Suggester(...)`` (settings in the constructor, checked there)
and its ``solve()``; ``suggest(...)`` is ``Suggester(...).solve()``.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

from geodata.errors import InputError
from zones.suggest_objective import (
    TravelObjective,
    balance_penalty,
    flip_search,
    is_contiguous,
    score_of_sums,
    zone_costs,
)

if TYPE_CHECKING:
    from gerrychain import Partition

__all__ = [
    "Adjacency",
    "Request",
    "SuggestResult",
    "Suggester",
    "TravelObjective",
    "axis_cost",
    "evaluate",
    "grid_adjacency",
    "is_contiguous",
    "order_by_axis",
    "proposal_plan",
    "rook_adjacency",
    "suggest",
    "summary",
    "zone_costs",
]

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
        return [m.indices[m.indptr[i] : m.indptr[i + 1]] for i in range(self.n)]


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
    for a, b in sorted({(int(min(x, y)), int(max(x, y))) for x, y in zip(foc, nb, strict=True) if x != y}):
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
            d = np.asarray(gs[outside].distance(gs[i]), dtype=float)
            j = int(np.argmin(d))
            if d[j] < best[0]:
                best = (float(d[j]), int(i), int(outside[j]))
        a, b = sorted(best[1:])
        bridges.append((a, b, round(best[0], 1)))


# ---------------------------------------------------------------- evaluation


def evaluate(
    zones: Sequence[str] | np.ndarray,
    hours: np.ndarray,
    cost: np.ndarray,
    adjacency: Adjacency,
    order: Sequence[str] | None = None,
) -> list[dict]:
    """Figures per zone for any plan: name, units, hours_per_week, mean_drive_min (hours-weighted mean travel
    minutes between two visits drawn from the zone's hours, trips inside a unit included), contiguous."""
    zone_of = np.asarray(zones, dtype=object)
    names = list(order) if order is not None else sorted(set(zone_of))
    names = [z for z in names if (zone_of == z).any()]
    pos = {z: i for i, z in enumerate(names)}
    labels = np.array([pos[z] for z in zone_of], dtype=np.int64)
    S, H = zone_costs(labels, np.asarray(hours, float), cost, len(names))
    m = adjacency.matrix()
    out = []
    for i, z in enumerate(names):
        idx = np.flatnonzero(labels == i)
        out.append(
            {
                "name": str(z),
                "units": int(len(idx)),
                "hours_per_week": round(float(H[i]), 2),
                "mean_drive_min": round(float(S[i] / H[i] ** 2), 2) if H[i] > 0 else None,
                "contiguous": bool(is_contiguous(idx, m)),
            }
        )
    return out


def summary(per_zone: list[dict], hours_total: float | None = None) -> dict:
    """Plan-level figures from ``evaluate``: hours-weighted mean drive, max balance deviation, contiguity."""
    H = np.array([z["hours_per_week"] for z in per_zone], float)
    md = np.array([z["mean_drive_min"] or 0.0 for z in per_zone], float)
    mean_h = H.mean() if len(H) else 0.0
    return {
        "n_zones": len(per_zone),
        "mean_drive_min": round(float((H * md).sum() / H.sum()), 2) if H.sum() else None,
        "max_balance_dev_pct": round(float(np.max(np.abs(H / mean_h - 1)) * 100), 1) if mean_h else None,
        "all_contiguous": all(z["contiguous"] for z in per_zone),
    }


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


@dataclass(frozen=True)
class Request:
    """A checked ``suggest`` request and what follows from it: hours ``h`` (n,), symmetrised minutes ``D`` (n, n),
    the balance bound ``eps`` (fraction), the current zone per unit ``cur`` (or None), the ``locked`` zones (in
    plan order, labelled k_free.. after the free zones 0..k_free-1), the ``free_units`` (outside locked zones),
    the current names of the free zones with ``from_plan``, and the hours ``target`` with its bounds ``lo``-``hi``."""

    h: np.ndarray
    D: np.ndarray
    adjacency: Adjacency
    k: int
    eps: float
    cur: np.ndarray | None
    lock_units: dict[int, str]
    from_plan: bool
    locked: list[str]
    free_units: np.ndarray
    free_names: list[str] | None
    target: float
    lo: float
    hi: float

    @property
    def n(self) -> int:
        return len(self.h)

    @property
    def k_free(self) -> int:
        return self.k - len(self.locked)

    @property
    def in_locked_zone(self) -> np.ndarray:
        return np.isin(self.cur, self.locked) if self.cur is not None and self.locked else np.zeros(self.n, bool)

    @classmethod
    def check(
        cls,
        hours_per_week,
        cost_min,
        adjacency: Adjacency,
        k: int,
        *,
        balance_pct: float,
        current: Sequence[str] | None,
        lock_zones: Sequence[str],
        lock_units: dict[int, str] | None,
        from_plan: bool,
        names: Sequence[str] | None,
    ) -> Request:
        """Check a request (raising ``InputError`` with a sentence for people) and derive its figures."""
        h, D = _checked_arrays(hours_per_week, cost_min, adjacency)
        if not 0 < balance_pct < 100:
            raise InputError("suggest: balance_pct must lie between 0 and 100")
        eps = balance_pct / 100
        units = dict(lock_units or {})
        cur = np.asarray(current, dtype=object) if current is not None else None
        locked = _checked_locks(cur, lock_zones, units, from_plan, len(h))
        in_locked = np.isin(cur, locked) if cur is not None and locked else np.zeros(len(h), bool)
        free_units = np.flatnonzero(~in_locked)
        k_free = k - len(locked)
        if k_free < 1 or k_free > len(free_units):
            raise InputError(
                f"suggest: {k} zones with {len(locked)} locked leaves {k_free} zones for {len(free_units)} free units"
            )
        free_names = _current_free_names(cur, free_units, k_free) if from_plan else None
        if names is not None and not from_plan and len(list(names)) != k_free:
            raise InputError(f"suggest: {len(list(names))} names for {k_free} zones")
        target = float(h[free_units].sum() / k_free)
        return cls(
            h,
            D,
            adjacency,
            k,
            eps,
            cur,
            units,
            from_plan,
            locked,
            free_units,
            free_names,
            target,
            target * (1 - eps),
            target * (1 + eps),
        )


def _checked_arrays(hours_per_week, cost_min, adjacency: Adjacency) -> tuple[np.ndarray, np.ndarray]:
    """Hours (n,) and the symmetrised travel minutes (n, n), checked for shape, finiteness and sign."""
    h = np.asarray(hours_per_week, dtype=float)
    n = len(h)
    D = np.asarray(cost_min, dtype=float)
    if D.shape != (n, n) or adjacency.n != n:
        raise InputError(f"suggest: {n} units but a {D.shape} travel matrix and an adjacency of {adjacency.n}")
    if not np.isfinite(D).all() or (D < 0).any() or not np.isfinite(h).all() or (h < 0).any():
        raise InputError("suggest: hours and travel minutes must be finite and non-negative")
    return h, (D + D.T) / 2


def _checked_locks(
    cur: np.ndarray | None, lock_zones: Sequence[str], lock_units: dict[int, str], from_plan: bool, n: int
) -> list[str]:
    """The locked zones in plan order, after checking that locks and ``from_plan`` have the current zones."""
    if (lock_zones or lock_units or from_plan) and cur is None:
        raise InputError("suggest: locks and --from-plan need the current zones")
    if cur is None:
        return []
    unknown = sorted(set(lock_zones) - set(cur))
    if unknown:
        raise InputError(f"suggest: locked zone(s) {', '.join(map(str, unknown))} not in the current plan")
    for u, z in lock_units.items():
        if not 0 <= int(u) < n:
            raise InputError(f"suggest: locked unit {u} is not one of the {n} units")
        if cur[u] != z:
            raise InputError(f"suggest: locked unit {u} is in {cur[u]}, not {z}")
    if lock_units and not from_plan:
        raise InputError("suggest: locked units need from_plan=True (the search starts from the current zones)")
    return [z for z in dict.fromkeys(cur) if z in set(lock_zones)]


def _current_free_names(cur: np.ndarray | None, free_units: np.ndarray, k_free: int) -> list[str]:
    """With ``from_plan``: the current names of the unlocked zones, which must number ``k_free``."""
    assert cur is not None  # _checked_locks refuses from_plan without the current zones
    free_names = list(dict.fromkeys(cur[free_units]))
    if len(free_names) != k_free:
        raise InputError(f"suggest: --from-plan keeps the current {len(free_names)} unlocked zones; asked for {k_free}")
    return free_names


@dataclass
class _Restart:
    """One run of the search: its (balance penalty, objective), final labels 0..k-1 and its log entry."""

    key: tuple[float, float]
    labels: np.ndarray
    log: dict


class Suggester:
    """The search for ``k`` zones (see the module docstring): settings in the constructor, ``solve()`` runs it.

    Arguments as ``suggest``; the constructor checks them (``InputError``) and builds the graph of the free units,
    its connected pieces and the zones each piece gets. ``objective`` is the ``TravelObjective`` minimised."""

    def __init__(
        self,
        hours_per_week,
        cost_min,
        adjacency: Adjacency,
        k: int,
        *,
        balance_pct: float = 15.0,
        current: Sequence[str] | None = None,
        lock_zones: Sequence[str] = (),
        lock_units: dict[int, str] | None = None,
        from_plan: bool = False,
        seed: int = 0,
        steps: int | None = None,
        restarts: int = 3,
        names: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.request = Request.check(
            hours_per_week,
            cost_min,
            adjacency,
            k,
            balance_pct=balance_pct,
            current=current,
            lock_zones=lock_zones,
            lock_units=lock_units,
            from_plan=from_plan,
            names=names,
        )
        req = self.request
        self.balance_pct = balance_pct
        self.seed, self.restarts, self.names = seed, restarts, names
        self.progress: Progress = progress or _noop
        self.steps = steps if steps is not None else max(500, 8 * len(req.free_units))
        self.objective = TravelObjective(req.h, req.D)
        self.adjm = adjacency.matrix()
        self.nbrs = adjacency.neighbours()
        self.graph = _free_graph(req)
        self.components = sorted((sorted(c) for c in nx.connected_components(self.graph)), key=lambda c: c[0])
        self.zones_per_component = _zones_per_component([float(req.h[c].sum()) for c in self.components], req.k_free)

    def solve(self) -> SuggestResult:
        """Best of ``restarts`` runs (least balance penalty, then least travel); the same settings give the same
        result."""
        master = random.Random(self.seed)
        best: _Restart | None = None
        log = []
        for r in range(max(1, self.restarts)):
            run = self._restart(r, random.Random(master.randrange(2**31)))
            log.append(run.log)
            if best is None or run.key < best.key:
                best = run
        assert best is not None
        self.progress("naming zones", 0.95)
        return self._result(best, log)

    # -- one restart: a start, polished, annealed with ReCom, finished by single-unit moves

    def _restart(self, r: int, rng: random.Random) -> _Restart:
        req = self.request
        lab, chain_eps = self._start(rng)
        lab, tree_obj, start_moves = self._polish(lab)
        start_score, best_part, accepted = self._anneal(r, lab, chain_eps, rng)
        state = self.objective.sums(self._full_labels(best_part), req.k)
        free_mask = ~req.in_locked_zone
        free_mask[list(req.lock_units)] = False
        free_zone = np.arange(req.k) < req.k_free
        moves = flip_search(state, self.adjm, self.nbrs, free_mask, free_zone, (req.lo, req.hi))
        obj = state.total()
        pen = balance_penalty(state.H[: req.k_free], req.lo, req.hi, req.target)
        log = {
            "restart": r + 1,
            "start_epsilon_pct": round(chain_eps * 100, 1),
            "start_objective": round(start_score[1], 3),
            "start_balance_penalty": round(start_score[0], 4),
            "start_flip_moves": start_moves,
            "tree_start_objective": None if tree_obj is None else round(tree_obj, 3),
            "recom_steps": self.steps,
            "accepted": accepted,
            "flip_moves": moves,
            "objective": round(obj, 3),
            "balance_penalty": round(pen, 4),
        }
        return _Restart((pen, obj), state.labels.copy(), log)

    def _start(self, rng: random.Random) -> tuple[dict[int, int], float]:
        """Zone label per free unit to start from, and the balance bound the chain keeps (the start's, if wider)."""
        req = self.request
        if req.from_plan:
            assert req.cur is not None and req.free_names is not None
            zi = {z: i for i, z in enumerate(req.free_names)}
            return {int(u): zi[req.cur[u]] for u in req.free_units}, req.eps
        lab: dict[int, int] = {}
        chain_eps = req.eps
        base = 0
        for c, kk in zip(self.components, self.zones_per_component, strict=True):
            part, e = self._tree_part(c, kk, rng)
            if e is not None:
                chain_eps = max(chain_eps, e / 0.9)
            lab.update({int(u): base + int(z) for u, z in part.items()})
            base += kk
        return lab, chain_eps

    def _tree_part(self, piece: list[int], kk: int, rng: random.Random) -> tuple[dict, float | None]:
        """``kk`` balanced zones of one connected piece from random spanning trees (GerryChain
        ``recursive_tree_part``), widening the bound only when no tree cut meets it; returns the bound used."""
        if kk == 1:
            return {u: 0 for u in piece}, None
        from gerrychain import Graph
        from gerrychain.partition.initial_partition_generators import recursive_tree_part
        from gerrychain.tree import bipartition_tree

        sub = Graph.from_networkx(self.graph.subgraph(piece).copy())
        piece_target = float(self.request.h[piece].sum()) / kk
        cut = functools.partial(bipartition_tree, max_attempts=2000)
        for e in _relaxed(self.request.eps):
            try:
                return recursive_tree_part(
                    sub, list(range(kk)), piece_target, "hours", e, bipartition_tree_fn=cut, rng=rng
                ), e
            except RuntimeError:  # GerryChain: "Could not find a possible cut after N attempts"
                continue
        raise InputError(f"suggest: no spanning-tree cut of a piece of {len(piece)} units into {kk} zones")

    def _polish(self, lab: dict[int, int]) -> tuple[dict[int, int], float | None, int]:
        """Single-unit moves on a tree start (cheap) when nothing is locked; returns the labels, the tree start's
        objective and the number of moves (None, 0 when skipped)."""
        req = self.request
        if req.lock_units or len(req.free_units) != req.n:
            return lab, None, 0
        labels = np.full(req.n, -1, np.int64)
        for u, z in lab.items():
            labels[u] = z
        state = self.objective.sums(labels, req.k_free)
        tree_obj = state.total()
        moves = flip_search(
            state, self.adjm, self.nbrs, np.ones(req.n, bool), np.ones(req.k_free, bool), (req.lo, req.hi)
        )
        return {int(u): int(state.labels[u]) for u in req.free_units}, tree_obj, moves

    def _full_labels(self, part: Partition) -> np.ndarray:
        """Labels 0..k-1 of all units: the free zones of ``part`` 0..k_free-1, the locked zones after them."""
        req = self.request
        chain = np.zeros(req.n, np.int64)
        for z, nodes in part.parts.items():
            chain[np.fromiter((cast(int, u) for u in nodes), np.int64)] = cast(int, z)
        full = np.zeros(req.n, np.int64)
        full[req.free_units] = chain[req.free_units]
        for i, z in enumerate(req.locked):
            full[req.cur == z] = req.k_free + i
        return full

    # -- the ReCom chain, run as simulated annealing on the travel objective

    def _anneal(
        self, r: int, lab: dict[int, int], chain_eps: float, rng: random.Random
    ) -> tuple[tuple[float, float], Partition, int]:
        """ReCom steps from ``lab``; returns the start's (penalty, objective), the best partition, steps accepted."""
        from gerrychain import Graph, Partition

        k_free = self.request.k_free
        part = Partition(Graph.from_networkx(self.graph), lab, updaters={})
        sums = self._part_sums(part, range(k_free), np.zeros(k_free), np.zeros(k_free))
        score = self._score(*sums, part)
        start, best = score, (score, part)
        t0 = 0.005 * max(score[1], 1e-9) / k_free
        accepted = 0
        for step in range(self.steps):
            if step % 250 == 0:
                self.progress(
                    f"search {r + 1}/{self.restarts}: step {step:,}/{self.steps:,}",
                    (r + step / self.steps) / max(1, self.restarts) * 0.9,
                )
            prop = self._propose(part, chain_eps, rng)
            if prop is None:
                continue
            flips = prop.flips or {}
            changed = {cast(int, z) for z in flips.values()} | {cast(int, part.assignment[u]) for u in flips}
            prop_sums = self._part_sums(prop, changed, *sums)
            prop_score = self._score(*prop_sums, prop)
            if self._accept(prop_score, score, t0 * (0.001 ** (step / self.steps)), rng):
                part, score, sums = prop, prop_score, prop_sums
                accepted += 1
                if score < best[0]:
                    best = (score, part)
        return start, best[1], accepted

    def _propose(self, part: Partition, chain_eps: float, rng: random.Random) -> Partition | None:
        """One ReCom proposal, or None when no neighbouring pair can be re-split within the bound."""
        from gerrychain.proposals import recom

        try:
            return recom(part, pop_col="hours", pop_target=self.request.target, epsilon=chain_eps, rng=rng)
        except _recom_failures():
            return None

    def _accept(
        self, new: tuple[float, float], cur: tuple[float, float], temperature: float, rng: random.Random
    ) -> bool:
        """Metropolis on (penalty, objective): a lower penalty always wins; at equal penalty a lower objective
        wins, a higher one with probability exp(-increase / temperature). With locked units the penalty (which
        counts units out of their zone) never rises."""
        if self.request.lock_units and new[0] > cur[0]:
            return False
        if new[0] < cur[0] - 1e-12:
            return True
        if abs(new[0] - cur[0]) > 1e-12:
            return False
        return new[1] <= cur[1] or rng.random() < math.exp(-(new[1] - cur[1]) / temperature)

    def _part_sums(self, part: Partition, zones, S: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Copies of per-zone ``S``, ``H`` with ``zones`` recomputed from ``part``."""
        S, H = S.copy(), H.copy()
        for z in zones:
            S[z], H[z] = self.objective.zone(np.fromiter((cast(int, u) for u in part.parts[z]), np.int64))
        return S, H

    def _score(self, S: np.ndarray, H: np.ndarray, part: Partition) -> tuple[float, float]:
        """(balance penalty + units out of their locked zone, travel objective) of a chain state."""
        req = self.request
        pen = balance_penalty(H, req.lo, req.hi, req.target)
        bad = 0
        if req.lock_units:
            assert req.free_names is not None
            bad = sum(req.free_names[cast(int, part.assignment[u])] != z for u, z in req.lock_units.items())
        return pen + bad, score_of_sums(S, H)

    # -- the result

    def _result(self, best: _Restart, log: list[dict]) -> SuggestResult:
        req = self.request
        zone_names = _name_zones(best.labels, req, self.names)
        zones = [zone_names[i] for i in best.labels]
        per_zone = evaluate(zones, req.h, req.D, req.adjacency, order=zone_names)
        hours_free = np.array([z["hours_per_week"] for z in per_zone if z["name"] not in req.locked])
        balanced = bool(((hours_free >= req.lo - 0.005) & (hours_free <= req.hi + 0.005)).all())
        for z in per_zone:
            z["locked"] = z["name"] in req.locked
            z["balance_dev_pct"] = round((z["hours_per_week"] / req.target - 1) * 100, 1)
        self.progress("done", 1.0)
        info = {
            "method": "GerryChain recursive_tree_part start (or the current plan), ReCom simulated annealing on "
            "travel, then steepest single-unit moves",
            "k": req.k,
            "k_free": req.k_free,
            "locked_zones": req.locked,
            "locked_units": len(req.lock_units),
            "balance_pct": self.balance_pct,
            "target_hours_per_week": round(req.target, 2),
            "bounds_hours_per_week": [round(req.lo, 2), round(req.hi, 2)],
            "components": len(self.components),
            "zones_per_component": self.zones_per_component,
            "bridges": [list(b) for b in req.adjacency.bridges],
            "restarts": log,
            "from_plan": req.from_plan,
        }
        return SuggestResult(
            zones=zones,
            per_zone=per_zone,
            balanced=balanced,
            objective=round(best.key[1], 3),
            seed=self.seed,
            info=info,
        )


@functools.cache
def _recom_failures() -> tuple[type[Exception], ...]:
    """GerryChain's errors when a ReCom step finds no balanced re-split: no cut after ``max_attempts``
    (RuntimeError), no neighbouring pair left to try (MetagraphError), a cut outside the bound
    (PopulationBalanceError), a pair to reselect (ReselectException). Imported late: GerryChain is slow to load."""
    from gerrychain.proposals.tree_proposals import MetagraphError
    from gerrychain.tree import PopulationBalanceError, ReselectException

    return (RuntimeError, MetagraphError, PopulationBalanceError, ReselectException)


def _free_graph(req: Request) -> nx.Graph:
    """networkx graph of the free units (node = unit index, attribute ``hours``), edges rook + bridges."""
    G = nx.Graph()
    for u in req.free_units:
        G.add_node(int(u), hours=float(req.h[u]))
    free = {int(u) for u in req.free_units}
    for a, b in req.adjacency.all_edges():
        if int(a) in free and int(b) in free:
            G.add_edge(int(a), int(b))
    return G


def suggest(
    hours_per_week,
    cost_min,
    adjacency: Adjacency,
    k: int,
    *,
    balance_pct: float = 15.0,
    current: Sequence[str] | None = None,
    lock_zones: Sequence[str] = (),
    lock_units: dict[int, str] | None = None,
    from_plan: bool = False,
    seed: int = 0,
    steps: int | None = None,
    restarts: int = 3,
    names: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> SuggestResult:
    """Propose ``k`` zones: ``Suggester(...).solve()``. See the module docstring for the problem and the method.

    - ``hours_per_week`` (n,), ``cost_min`` (n, n) travel minutes between units (symmetrised here; the
      diagonal is the typical trip inside a unit), ``adjacency`` from ``rook_adjacency``;
    - ``current``: the current zone name per unit; needed for ``lock_zones`` (these zones keep their units and
      names and count among the ``k``), ``lock_units`` ({unit index: zone name}, which must equal the
      current zone) and ``from_plan`` (start the search from the current zones instead of random trees;
      required with ``lock_units``);
    - ``names``: names for the zones drawn (default: matched to the current zone they overlap most by hours,
      else "Zone N"); ``seed``, ``steps`` (ReCom steps per restart, default 8 per unit, at least 500)
      and ``restarts`` fix the search, so the same arguments give the same result.
    Raises ``InputError`` (a ``ValueError``) for impossible requests (k too small or too large, locks without
    ``current``, ...)."""
    return Suggester(
        hours_per_week,
        cost_min,
        adjacency,
        k,
        balance_pct=balance_pct,
        current=current,
        lock_zones=lock_zones,
        lock_units=lock_units,
        from_plan=from_plan,
        seed=seed,
        steps=steps,
        restarts=restarts,
        names=names,
        progress=progress,
    ).solve()


def _relaxed(eps: float) -> list[float]:
    """Balance bounds to try for a start, tightest first: 0.9 x the asked bound, then wider (up to 95 %)."""
    return [e for e in (eps * 0.9, eps * 1.5, eps * 2, eps * 3, 0.6, 0.95) if e <= 0.95] or [0.95]


def _zones_per_component(hours: list[float], k: int) -> list[int]:
    """Zones per connected component in proportion to its hours (largest remainder, at least one each)."""
    if len(hours) > k:
        raise InputError(f"suggest: the free units form {len(hours)} separate pieces but only {k} zones are free")
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


def _name_zones(labels: np.ndarray, req: Request, names: Sequence[str] | None) -> list[str]:
    """Names for labels 0..k-1: locked zones keep theirs; from_plan keeps the current names; otherwise the
    given ``names`` or the current zone each overlaps most by hours (Hungarian matching), else "Zone N"."""
    if req.from_plan:
        assert req.free_names is not None
        return list(req.free_names) + list(req.locked)
    if names is not None:
        return list(names) + list(req.locked)
    out = [f"Zone {i + 1}" for i in range(req.k_free)]
    if req.cur is not None:
        out = _names_by_overlap(labels, req, out)
    return out + list(req.locked)


def _names_by_overlap(labels: np.ndarray, req: Request, out: list[str]) -> list[str]:
    """Each drawn zone takes the name of the current (unlocked) zone it shares most hours with (one each)."""
    assert req.cur is not None
    cands = [z for z in dict.fromkeys(req.cur) if z not in set(req.locked)]
    if not cands:
        return out
    M = np.zeros((req.k_free, len(cands)))
    ci = {z: j for j, z in enumerate(cands)}
    for u in range(len(labels)):
        if labels[u] < req.k_free and req.cur[u] in ci:
            M[labels[u], ci[req.cur[u]]] += req.h[u]
    r, c = linear_sum_assignment(-M)
    for i, j in zip(r, c, strict=True):
        if M[i, j] > 0:
            out[i] = str(cands[j])
    return _renumber_unmatched(out, cands)


def _renumber_unmatched(out: list[str], cands: list[str]) -> list[str]:
    """ "Zone N" for the zones left without a current name, numbered from 1 past the names already used."""
    taken = set(out)
    nxt = 1
    for i in range(len(out)):
        if out[i].startswith("Zone ") and out[i] not in cands:
            while f"Zone {nxt}" in taken or f"Zone {nxt}" in cands:
                nxt += 1
            out[i] = f"Zone {nxt}"
            taken.add(out[i])
    return out


def order_by_axis(
    result: SuggestResult, centres_xy: np.ndarray, hours, axis: str = "ns", labels: Sequence[str] | None = None
) -> SuggestResult:
    """Rename the zones of a result by the hours-weighted mean northing ("ns": north first) or easting
    ("we": west first) of their units, e.g. North / Centre / South."""
    zones = np.asarray(result.zones, dtype=object)
    names = [z["name"] for z in result.per_zone if not z.get("locked")]
    col = 1 if axis == "ns" else 0
    w = np.asarray(hours)
    key = {z: float(np.average(centres_xy[zones == z, col], weights=w[zones == z] + 1e-9)) for z in names}
    ordered = sorted(names, key=lambda z: -key[z] if axis == "ns" else key[z])
    if labels is None:
        labels = {3: ["North", "Centre", "South"] if axis == "ns" else ["West", "Centre", "East"]}.get(
            len(ordered), [f"{'N' if axis == 'ns' else 'W'}{i + 1}" for i in range(len(ordered))]
        )
    ren = dict(zip(ordered, labels, strict=False))  # fewer labels than zones: the rest keep their names
    new = [ren.get(z, z) for z in zones]
    per = []
    for z in result.per_zone:
        d = dict(z)
        d["name"] = ren.get(z["name"], z["name"])
        per.append(d)
    order = {n: i for i, n in enumerate(labels)}
    per.sort(key=lambda d: order.get(d["name"], len(order)))
    return SuggestResult(
        zones=new,
        per_zone=per,
        balanced=result.balanced,
        objective=result.objective,
        seed=result.seed,
        info=dict(result.info, named_by_axis=axis),
    )


def proposal_plan(base, zones: Sequence[str], reason: str = "suggested zones"):
    """``base`` (a zones.plan.Plan) with every unit moved to its zone in ``zones`` (unit order of the plan);
    bands are kept. Units already in their zone are not touched."""
    zone_of = np.asarray(zones, dtype=object)
    cur = np.array([base.zone_names[i] for i in base.zone_idx], dtype=object)
    plan = base
    for z in dict.fromkeys(zone_of):
        sel = np.flatnonzero((zone_of == z) & (cur != z))
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
