"""Issue 19 §15: reasons recorded for units whose band did not change are kept (the plan, a reopened scenario and
the map's table show them), not dropped because the band equals the classifier's."""

from __future__ import annotations

from pages.unit_table import unit_rows
from tests.unit.test_zones_plan import tiny
from zones.impact import compare
from zones.plan import Plan


def reasons(p: Plan) -> dict[str, str]:
    return dict(zip(p.assignments()["unit_code"], p.assignments()["reason"]))


def test_band_move_that_keeps_the_computed_band_keeps_its_reason():
    base = tiny()  # A urban (computed urban), C rural (computed rural)
    p = base.move(["A", "C"], band="urban", reason="reviewed with the provider")  # A keeps its band, C changes
    assert reasons(p)["A"] == "reviewed with the provider"  # was "": dropped because urban == computed urban
    assert reasons(p)["C"] == "reviewed with the provider"
    back = Plan.from_assignments(base, p.assignments())  # a reopened scenario shows it too
    assert reasons(back)["A"] == "reviewed with the provider"
    assert [r["unit_code"] for r in compare(base, p).rows] == ["C"]  # A is unchanged: not an impact row


def test_band_set_back_to_the_computed_one():
    base = tiny()
    p = base.move("C", band="urban", reason="next to town")
    assert reasons(p.move("C", band="rural"))["C"] == "", "no reason given: the old override's reason goes"
    assert reasons(p.move("C", band="rural", reason="back after review"))["C"] == "back after review"


def test_the_maps_table_shows_every_units_reason():
    p = tiny().move("A", band="urban", reason="reviewed").move("B", zone="Z2", reason="rounds run south")
    t = unit_rows(p, "zone", changed={"B"}).set_index("Unit")
    assert t.loc["Alpha", "Reason"] == "reviewed" and t.loc["Bravo", "Reason"] == "rounds run south"
    assert t.loc["Charlie", "Reason"] == ""
