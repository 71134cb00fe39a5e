"""Issue 19 §11: a draft keeps the undo/redo stacks, bounded in steps and bytes (oldest undo steps go first)."""

from __future__ import annotations

import json

import pytest

from geodata.datadir import DataError
from tests.unit.test_zones_plan import tiny
from zones.service.drafts import MAX_UNDO_STEPS, stacks_from_payload, stacks_payload


def test_stacks_round_trip_and_bounds():
    plan = tiny()
    codes = list(plan.unit_codes)
    steps = [plan]
    for i in range(MAX_UNDO_STEPS + 5):
        steps.append(
            steps[-1].move([codes[i % len(codes)]], band=plan.band_names[i % len(plan.band_names)], reason=f"step {i}")
        )
    undo, redo = steps[:-3], steps[-2:]
    payload = stacks_payload(plan, undo, redo)
    assert len(payload["undo"]) == MAX_UNDO_STEPS and len(payload["redo"]) == 2
    u, r = stacks_from_payload(plan, json.loads(json.dumps(payload)))
    assert [p.assignments().equals(q.assignments()) for p, q in zip(u, undo[-MAX_UNDO_STEPS:])] == [
        True
    ] * MAX_UNDO_STEPS
    assert all(p.assignments().equals(q.assignments()) for p, q in zip(r, redo))
    small = stacks_payload(plan, undo, redo, max_bytes=1_000)
    assert len(json.dumps(small).encode()) <= 1_000 and len(small["undo"]) < MAX_UNDO_STEPS
    if small["undo"]:  # the newest steps are the ones kept
        assert small["undo"][-1] == payload["undo"][-1]
    assert stacks_from_payload(plan, {"rows": []}) == ([], [])  # a draft written before the stacks were kept
    with pytest.raises(DataError):
        stacks_from_payload(plan, {"undo": [[["x"]]] * (MAX_UNDO_STEPS + 1)})
