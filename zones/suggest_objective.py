"""The zone suggester's objective: travel inside zones, scored for a whole plan or changed by one move.

Pure domain (numpy/scipy only). Units are indexed 0..n-1; ``hours`` (n,) are hours per week, ``cost`` (n, n)
symmetric travel minutes between units (``cost[i, i]`` = a typical trip inside unit i); labels are zone ints 0..k-1.

The cost of a zone with unit hours ``h_z`` is ``S_z / H_z`` with ``S_z = h_z' D h_z`` (hours² x minutes) and
``H_z = sum h_z`` (hours); the score of a plan is the sum over zones (hours x minutes = total hours x the
hours-weighted mean drive between two visits of a zone). Lower is better; an empty zone scores 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


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


def score_of_sums(S: np.ndarray, H: np.ndarray) -> float:
    """The score (hours x minutes) from per-zone ``S`` and ``H``: sum of S_z / H_z over non-empty zones."""
    return float(np.where(H > 0, S / np.where(H > 0, H, 1), 0.0).sum())


def is_contiguous(members: np.ndarray, adj_matrix: sp.csr_matrix) -> bool:
    """True when the units ``members`` form one connected piece of the adjacency (rook + bridges)."""
    if len(members) <= 1:
        return True
    sub = adj_matrix[members][:, members]
    return bool(connected_components(sub, directed=False)[0] == 1)


def balance_penalty(H: np.ndarray, lo: float, hi: float, target: float) -> float:
    """How far the zones' hours ``H`` lie outside [lo, hi], summed, as a fraction of the ``target`` hours."""
    return float((np.maximum(0, lo - H) + np.maximum(0, H - hi)).sum() / target)


class ZoneSums:
    """Labels 0..k-1 with the per-zone sums a one-unit-at-a-time search needs, updated in O(n) per move:
    ``R[u, z] = sum_{j in z} D[u, j] h_j``, ``H`` hours and ``S`` = h_z' D h_z per zone."""

    def __init__(self, labels: np.ndarray, hours: np.ndarray, cost: np.ndarray, k: int) -> None:
        self.labels = labels.copy()
        self.h = hours
        self.D = cost
        self.k = k
        onehot = np.zeros((len(labels), k))
        onehot[np.arange(len(labels)), labels] = hours
        self.R = cost @ onehot
        self.H = onehot.sum(axis=0)
        self.S = np.einsum("uz,uz->z", onehot, self.R)

    def delta(self, u: int, a: int, b: int) -> tuple[float, float, float]:
        """Change of score if unit ``u`` moved from zone ``a`` to zone ``b``, with the new S_a and S_b."""
        h, D = self.h[u], self.D
        Sa = self.S[a] - 2 * h * self.R[u, a] + h * h * D[u, u]
        Sb = self.S[b] + 2 * h * self.R[u, b] + h * h * D[u, u]
        Ha, Hb = self.H[a] - h, self.H[b] + h
        new = (Sa / Ha if Ha > 0 else 0.0) + Sb / Hb
        old = self.S[a] / self.H[a] + (self.S[b] / self.H[b] if self.H[b] > 0 else 0.0)
        return new - old, Sa, Sb

    def move(self, u: int, a: int, b: int, Sa: float, Sb: float) -> None:
        """Apply the move of ``u`` from ``a`` to ``b`` (``Sa``, ``Sb`` from ``delta``)."""
        h = self.h[u]
        self.S[a], self.S[b] = Sa, Sb
        self.H[a] -= h
        self.H[b] += h
        col = self.D[:, u] * h
        self.R[:, a] -= col
        self.R[:, b] += col
        self.labels[u] = b

    def total(self) -> float:
        """The score of the current labels."""
        return score_of_sums(self.S, self.H)


class TravelObjective:
    """The suggester's objective in the shape of spopt's ``ObjectiveFunction``: ``objective(labels)`` is the score
    of a plan, ``objective.update(unit, zone, labels)`` the change of score if ``unit`` moved to ``zone``
    (negative = better). ``sums`` gives the incremental state a search keeps between moves."""

    def __init__(self, hours: np.ndarray, cost: np.ndarray) -> None:
        self.hours = np.asarray(hours, dtype=float)
        self.cost = np.asarray(cost, dtype=float)

    def __call__(self, labels: np.ndarray) -> float:
        labels = np.asarray(labels, dtype=np.int64)
        return score_of_sums(*zone_costs(labels, self.hours, self.cost, int(labels.max()) + 1))

    def update(self, unit: int, zone: int, labels: np.ndarray) -> float:
        labels = np.asarray(labels, dtype=np.int64)
        if int(labels[unit]) == zone:
            return 0.0
        return self.sums(labels, max(int(labels.max()), zone) + 1).delta(unit, int(labels[unit]), zone)[0]

    def sums(self, labels: np.ndarray, k: int) -> ZoneSums:
        """Per-zone sums of ``labels`` (ints 0..k-1) that follow single-unit moves."""
        return ZoneSums(labels, self.hours, self.cost, k)

    def zone(self, units: np.ndarray) -> tuple[float, float]:
        """(S_z, H_z) of one zone made of ``units`` (int indices)."""
        hz = self.hours[units]
        return float(hz @ self.cost[np.ix_(units, units)] @ hz), float(hz.sum())


def flip_search(
    state: ZoneSums,
    adjm: sp.csr_matrix,
    nbrs: Sequence[np.ndarray],
    free_mask: np.ndarray,
    free_zone: np.ndarray,
    bounds: tuple[float, float],
    max_passes: int = 200,
) -> int:
    """Steepest descent by single-unit moves between neighbouring free zones, keeping every zone's hours within
    ``bounds`` (lo, hi) and the zone a unit leaves in one piece; returns the number of moves made."""
    moves = 0
    for _ in range(max_passes):
        best = _best_move(state, adjm, nbrs, free_mask, free_zone, bounds)
        if best is None:
            break
        _, u, a, b, Sa, Sb = best
        state.move(u, a, b, Sa, Sb)
        moves += 1
    return moves


def _best_move(
    state: ZoneSums,
    adjm: sp.csr_matrix,
    nbrs: Sequence[np.ndarray],
    free_mask: np.ndarray,
    free_zone: np.ndarray,
    bounds: tuple[float, float],
) -> tuple | None:
    """The improving move with the largest fall of score, as (delta, u, a, b, Sa, Sb), or None."""
    lo, hi = bounds
    best = None
    for u in map(int, np.flatnonzero(free_mask)):
        a = int(state.labels[u])
        if state.H[a] - state.h[u] < lo:
            continue
        for b in sorted({int(state.labels[v]) for v in nbrs[u]} - {a}):
            if not free_zone[b] or state.H[b] + state.h[u] > hi:
                continue
            d, Sa, Sb = state.delta(u, a, b)
            if d < -1e-9 and (best is None or d < best[0]) and _leaves_one_piece(state.labels, u, a, adjm):
                best = (d, u, a, b, Sa, Sb)
    return best


def _leaves_one_piece(labels: np.ndarray, u: int, a: int, adjm: sp.csr_matrix) -> bool:
    """True when zone ``a`` without unit ``u`` is non-empty and connected."""
    rest = np.flatnonzero(labels == a)
    rest = rest[rest != u]
    return bool(len(rest)) and is_contiguous(rest, adjm)
