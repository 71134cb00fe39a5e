"""zones.service.plan_compare (issue 21: out of pages/): the three-way comparison of a refused save and two plans'
zones side by side. Tiny synthetic plans."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from zones.plan import Plan
from zones.rates import RateCard
from zones.service.plan_compare import changed_units, three_way, zones_side_by_side

CARD = RateCard(
    year="t",
    rates={
        "urban": Decimal("20.00"),
        "fringe": Decimal("20.01"),
        "rural": Decimal("30.50"),
        "isolated": Decimal("31.00"),
    },
)


def plan() -> Plan:
    return Plan.build(
        "t",
        ["A", "B", "C"],
        ["Alpha", "Bravo", "Charlie"],
        [10, 5.5, 2.25],
        ["Z1", "Z1", "Z2"],
        ["urban", "urban", "rural"],
        CARD,
        band_names=("urban", "fringe", "rural", "isolated"),
    )


def test_three_way_names_units_changed_here_there_and_by_both():
    opened = pd.DataFrame({"unit_code": ["a", "b", "c"], "zone": ["Z1"] * 3, "band": ["urban"] * 3, "reason": [""] * 3})
    latest = opened.assign(band=["rural", "urban", "urban"])
    mine = opened.assign(zone=["Z1", "Z2", "Z1"])
    tw = three_way(opened, latest, mine)
    assert (tw["here"], tw["there"], tw["both"]) == (["b"], ["a"], [])
    m = tw["merged"].set_index("unit_code")
    assert (m.loc["a", "band"], m.loc["b", "zone"], m.loc["c", "band"]) == ("rural", "Z2", "urban")
    assert list(tw["merged"].columns) == list(mine.columns)
    assert three_way(opened, latest, opened.assign(band=["fringe", "urban", "urban"]))["both"] == ["a"]
    assert three_way(opened, latest, opened)["here"] == []


def test_a_unit_in_one_table_only_counts_as_changed():
    a = pd.DataFrame({"unit_code": ["a", "b"], "zone": ["Z1", "Z1"], "band": ["urban", "urban"]})
    assert changed_units(a, a.iloc[:1]) == {"b"}
    assert changed_units(a, a) == set()


def test_zones_side_by_side_counts_hours_and_prices_each_zone_once():
    p = plan()
    q = p.move(["C"], zone="Z3", band="isolated")  # Z2 empties, Z3 appears
    m = zones_side_by_side(p, q).set_index("zone")
    assert list(m.index) == ["Z1", "Z2", "Z3"]
    assert (m.loc["Z1", "units A"], m.loc["Z1", "units B"]) == (2, 2)
    assert (m.loc["Z2", "units B"], m.loc["Z3", "units A"]) == (0, 0)
    assert m.loc["Z1", "hours_per_week A"] == 15.5 and m.loc["Z3", "hours_per_week B"] == 2.25
    assert m.loc["Z1", "gbp_per_week A"] == Decimal("310.00")  # 15.5 h × £20.00
    assert m.loc["Z2", "gbp_per_week A"] == Decimal("68.63")  # 2.25 h × £30.50 = 68.625, rounded once
    assert m.loc["Z3", "gbp_per_week B"] == Decimal("69.75")  # 2.25 h × £31.00
    assert pd.isna(m.loc["Z2", "gbp_per_week B"]) and pd.isna(m.loc["Z3", "gbp_per_week A"])
