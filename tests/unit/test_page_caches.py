"""Per-rerun work kept between reruns (issue 19 §17): the Scenarios comparison's pickers and plans
(pages/compare_box.py) and the map's table (pages/unit_table.py). Each cache must give what a fresh computation
gives, and must notice when its inputs change. Session state is a plain dict; the store is a small fake that counts
its queries."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from pages import compare_box, unit_table
from zones.plan import Plan
from zones.rates import RateCard


class FakeStore:
    def __init__(self, role="editor"):
        self.user = type("U", (), {"name": "ann", "role": role})()
        self.scen = {1: ("West", [1, 2]), 2: ("East", [1])}
        self.calls = {"list": 0, "versions": 0, "load": 0}

    def list(self, council):
        self.calls["list"] += 1
        return pd.DataFrame(
            {
                "id": list(self.scen),
                "name": [v[0] for v in self.scen.values()],
                "latest_version": [max(v[1]) for v in self.scen.values()],
                "n_versions": [len(v[1]) for v in self.scen.values()],
            }
        )

    def versions(self, sid):
        self.calls["versions"] += 1
        return pd.DataFrame({"version": self.scen[sid][1]})

    def load(self, sid, ver):
        self.calls["load"] += 1
        a = pd.DataFrame(
            {"unit_code": ["A", "B"], "zone": [f"Z{sid}", "Z2"], "band": ["urban", "rural"], "reason": ["", ""]}
        )
        return type("V", (), {"assignments": a})()


@pytest.fixture
def ss(monkeypatch):
    state: dict = {}
    monkeypatch.setattr(compare_box.st, "session_state", state)
    return state


def test_choices_query_versions_again_only_when_the_list_changes(ss):
    store = FakeStore()
    first = compare_box.choices(store, "merton")
    assert list(first) == [compare_box.BASE, (1, 2), (1, 1), (2, 1)]
    assert compare_box.choices(store, "merton") == first
    assert store.calls == {"list": 2, "versions": 2, "load": 0}  # the list every run, versions once
    store.scen[2] = ("East", [1, 2])  # a new version saved (in this tab or another)
    assert (2, 2) in compare_box.choices(store, "merton")
    assert store.calls["versions"] == 4


def plan(codes=("A", "B"), bands=("urban", "rural"), rate="20.00") -> Plan:
    rates = RateCard(
        "2025/26",
        {"urban": Decimal(rate), "fringe": Decimal("21.00"), "rural": Decimal("22.50"), "isolated": Decimal("24.00")},
    )
    return Plan.build("t", list(codes), ["Alpha", "Bravo"], [10.0, 5.5], ["Z1", "Z2"], list(bands), rates)


def test_plans_kept_per_session_and_dropped_when_the_list_changes(ss):
    store = FakeStore()
    ws = type("WS", (), {"base": plan(), "layer": type("L", (), {"pack": type("P", (), {"id": "t"})()})()})()
    compare_box.choices(store, "t")
    p1 = compare_box.plan_of(ws, store, (1, 2))
    assert compare_box.plan_of(ws, store, (1, 2)) is p1 and store.calls["load"] == 1
    assert p1.zone_of("A") == "Z1"
    assert compare_box.plan_of(ws, store, compare_box.BASE) is ws.base
    store.scen = {1: ("Other", [2])}  # deleted and an id reused: the list changed
    compare_box.choices(store, "t")
    compare_box.plan_of(ws, store, (1, 2))
    assert store.calls["load"] == 2


def test_unit_table_fingerprint_follows_what_the_table_shows():
    a = plan()
    assert unit_table.plan_fingerprint(a) == unit_table.plan_fingerprint(plan())
    assert unit_table.plan_fingerprint(a) != unit_table.plan_fingerprint(a.move("A", band="rural"))
    assert unit_table.plan_fingerprint(a) != unit_table.plan_fingerprint(a.move("A", zone="Z2"))
    assert unit_table.plan_fingerprint(a) != unit_table.plan_fingerprint(plan(rate="20.01"))
    assert unit_table.plan_fingerprint(a) != unit_table.plan_fingerprint(a.with_hours(["B"], [5.25]))
    # a move that keeps the band but records a reason changes the table's Reason column (the cache key held only
    # the arrays, so the table kept showing no reason)
    same_band = a.move("A", band="urban", reason="agreed at panel")
    assert unit_table.unit_rows(same_band, "zone", set())["Reason"].iloc[0] == "agreed at panel"
    assert unit_table.plan_fingerprint(a) != unit_table.plan_fingerprint(same_band)
    rows = unit_table._cached_rows(unit_table.plan_fingerprint(a), "zone", ("A",), a)
    pd.testing.assert_frame_equal(rows, unit_table.unit_rows(a, "zone", {"A"}))
