"""The suggester as an objective (score of a plan, change of score for a move) and a search (Suggester.solve):
small synthetic grids (unit = 1 km square, travel minutes = 2 x km between centres)."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.errors import DataError, InputError
from zones.suggest import Suggester, evaluate, grid_adjacency, suggest
from zones.suggest_objective import TravelObjective, flip_search, is_contiguous


def grid_cost(rows: int, cols: int) -> np.ndarray:
    xy = np.array([(c, r) for r in range(rows) for c in range(cols)], float)
    D = 2.0 * np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(D, 1.0)
    return D


def test_objective_score_is_hours_times_mean_drive_of_evaluate():
    rng = np.random.default_rng(0)
    h, D = rng.uniform(1, 10, 20), grid_cost(4, 5)
    labels = rng.integers(0, 3, 20)
    per_zone = evaluate([f"Z{z}" for z in labels], h, D, grid_adjacency(4, 5))
    by_hand = sum(z["hours_per_week"] * z["mean_drive_min"] for z in per_zone)  # evaluate rounds to 0.01
    assert TravelObjective(h, D)(labels) == pytest.approx(by_hand, rel=1e-3)


def test_objective_update_equals_change_of_score_for_every_move():
    rng = np.random.default_rng(1)
    h, D = rng.uniform(1, 10, 12), grid_cost(3, 4)
    objective = TravelObjective(h, D)
    labels = rng.integers(0, 3, 12)
    for unit in range(12):
        for zone in range(3):
            moved = labels.copy()
            moved[unit] = zone
            assert objective.update(unit, zone, labels) == pytest.approx(objective(moved) - objective(labels))
    assert objective.update(0, int(labels[0]), labels) == 0.0


def test_flip_search_only_improves_and_keeps_zones_whole_and_within_bounds():
    rng = np.random.default_rng(2)
    h, D, adj = rng.uniform(5, 15, 36), grid_cost(6, 6), grid_adjacency(6, 6)
    labels = np.array([0 if c < 2 or r == 0 else 1 for r in range(6) for c in range(6)])  # an L and a block
    objective = TravelObjective(h, D)
    state = objective.sums(labels, 2)
    lo, hi = 0.8 * h.sum() / 2, 1.2 * h.sum() / 2
    before = objective(labels)
    moves = flip_search(state, adj.matrix(), adj.neighbours(), np.ones(36, bool), np.ones(2, bool), (lo, hi))
    assert state.total() <= before + 1e-9
    assert state.total() == pytest.approx(objective(state.labels))  # incremental sums match a full recount
    assert moves >= int((state.labels != labels).sum()) > 0  # the L is not compact: units moved
    for z in (0, 1):
        members = np.flatnonzero(state.labels == z)
        assert is_contiguous(members, adj.matrix())
        assert lo <= h[members].sum() <= hi


def test_suggester_solve_is_suggest_and_deterministic():
    h, D, adj = np.random.default_rng(3).uniform(5, 15, 30), grid_cost(5, 6), grid_adjacency(5, 6)
    a = Suggester(h, D, adj, 3, seed=4, steps=120, restarts=2).solve()
    b = suggest(h, D, adj, 3, seed=4, steps=120, restarts=2)
    assert a.zones == b.zones and a.objective == b.objective and a.info == b.info
    assert a.objective == pytest.approx(
        TravelObjective(h, (D + D.T) / 2)(np.array([sorted(set(a.zones)).index(z) for z in a.zones])), abs=1e-3
    )
    assert [r["objective"] for r in a.info["restarts"]] and min(
        r["objective"] for r in a.info["restarts"]
    ) == a.objective


def test_a_failing_recom_step_is_skipped_but_other_errors_surface(monkeypatch):
    """GerryChain's own 'no balanced cut' errors are caught by name; anything else is a bug and propagates
    (the search used to swallow every exception with ``except Exception: continue``)."""
    import gerrychain.proposals as proposals

    h, D, adj = np.ones(16), grid_cost(4, 4), grid_adjacency(4, 4)

    def no_cut(*args, **kwargs):
        raise RuntimeError("Could not find a possible cut after 2 attempts.")

    monkeypatch.setattr(proposals, "recom", no_cut)
    res = suggest(h, D, adj, 2, seed=1, steps=30, restarts=1)
    assert res.info["restarts"][0]["accepted"] == 0 and len(set(res.zones)) == 2

    def broken(*args, **kwargs):
        raise KeyError("a bug, not a failed cut")

    monkeypatch.setattr(proposals, "recom", broken)
    with pytest.raises(KeyError):
        suggest(h, D, adj, 2, seed=1, steps=30, restarts=1)


def test_bad_requests_raise_input_errors_before_searching():
    h, D, adj = np.ones(9), grid_cost(3, 3), grid_adjacency(3, 3)
    cur = ["A"] * 4 + ["B"] * 5
    with pytest.raises(InputError, match="locked unit 99 is not one of the 9 units"):
        suggest(h, D, adj, 2, current=cur, lock_units={99: "A"}, from_plan=True)  # was an IndexError
    with pytest.raises(InputError, match="3 names for 2 zones"):
        Suggester(h, D, adj, 2, names=["X", "Y", "Z"])  # checked in the constructor, not after the search
    with pytest.raises(DataError):  # the base still catches it (CLI and pages map it)
        suggest(h, D, adj, 0)
    with pytest.raises(ValueError):  # and older ``except ValueError`` callers keep working
        suggest(h, D, adj, 2, balance_pct=0)
