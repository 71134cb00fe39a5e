"""Issue 21: one money module (exact lines, one rounding) used by classify, plan and impact; Plan's named totals
computed lazily and derived from the parent's after a move (GerryChain's updaters). Tiny synthetic data."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from zones import money as m
from zones.classify import Thresholds, threshold_preview
from zones.impact import compare
from zones.plan import UPDATERS, Plan
from zones.rates import RateCard, buildup_defaults_text

CARD = RateCard(
    year="t",
    rates={
        "urban": Decimal("20.00"),
        "fringe": Decimal("20.01"),
        "rural": Decimal("30.50"),
        "isolated": Decimal("31.00"),
    },
)
BANDS = ("urban", "fringe", "rural", "isolated")


def test_a_total_rounds_once_not_each_line():
    lines = [m.change("0.5", "20.00", "20.01")] * 3  # 0.005 each, exact
    assert lines[0] == Decimal("0.005")
    assert m.rounded_total(lines) == Decimal("0.02")  # 0.015 → 0.02 half-up
    assert sum(m.money(x) for x in lines) == Decimal("0.03")  # what rounding each line first would give
    assert m.per_year(Decimal("378.625"), 52) == Decimal("19688.50")
    assert m.years(Decimal("10"), 52, 2, Decimal("10")) == [Decimal("520"), Decimal("572.0")]
    assert m.centi_hours(0.285) == 28 and m.cp_to_gbp(5) == Decimal("0.00") and m.cp_to_gbp(50) == Decimal("0.01")


def test_threshold_preview_sums_exact_lines_and_rounds_once():
    """Three units priced 0.005 each: the preview's change is £0.02 (classify rounded each unit: £0.03)."""
    cur = dict(
        isolated_town_min=40,
        isolated_visit_min=30,
        rural_town_min=25,
        rural_visit_min=20,
        fringe_below_hours_per_km2=10,
        fringe_visit_min=10,
        fringe_town_min=10,
    )
    ev = pd.DataFrame(
        {
            "unit_code": ["a", "b", "c"],
            "hours_per_week": [0.5, 0.5, 0.5],
            "town_min": [1.0] * 3,
            "visit_to_visit_min": [1.0] * 3,
            "hours_per_km2": [50.0] * 3,
        }
    )
    res = threshold_preview(
        ev, Thresholds(**cur), Thresholds(**{**cur, "fringe_below_hours_per_km2": 100}), rates=dict(CARD.rates)
    )
    assert res["n_changed"] == 3 and set(res["changes"]["to_band"]) == {"fringe"}
    assert res["gbp_per_week_change"] == Decimal("0.02")
    assert list(res["changes"]["gbp_per_week"]) == [Decimal("0.01")] * 3  # each line shown to the penny


def plan() -> Plan:
    return Plan.build(
        "t",
        ["A", "B", "C", "D"],
        ["Alpha", "Bravo", "Charlie", "Delta"],
        [10, 5.5, 2.25, 0.01],
        ["Z1", "Z1", "Z2", "Z2"],
        ["urban", "urban", "rural", "isolated"],
        CARD,
        band_names=BANDS,
    )


def test_named_totals_are_lazy_cached_and_derived_from_the_parent_after_a_move():
    p = plan()
    assert not p._cache, "nothing is computed before it is asked for"
    zb = p["hours_cents_by_zone_band"]
    assert p["hours_cents_by_zone_band"] is zb  # cached
    q = p.move(["B", "D"], zone="Z3", band="rural")
    assert set(q._cache) == {"_flip"}, "a move remembers what moved and computes nothing yet"
    full = q.full_totals()
    assert np.array_equal(q["hours_cents_by_zone_band"], full["hours_cents_by_zone_band"])
    assert "_flip" not in q._cache and q.weekly_cost_centipence == full["weekly_cost_centipence"]
    r = plan().move("A", band="fringe")  # from a plan that never computed its totals: recomputed in full
    assert not r._cache and r.gbp_per_week() == compare(plan(), r).gbp_per_week + plan().gbp_per_week()
    cheaper = q.with_rates(CARD.with_rates(rural="1.00"))
    assert "hours_cents_by_zone_band" in cheaper._cache and "weekly_cost_centipence" not in cheaper._cache
    assert cheaper.gbp_per_week() < q.gbp_per_week()
    with pytest.raises(KeyError, match="no total named"):
        p["nonsense"]
    assert set(UPDATERS) >= {"hours_cents_by_band", "centipence_by_zone", "weekly_cost_centipence"}


def test_plan_answers_totals_by_band_zone_and_selection_by_one_rule():
    p = plan()
    # exact: 10×20 + 5.5×20 + 2.25×30.50 + 0.01×31 = 200 + 110 + 68.625 + 0.31 = 378.935
    assert p.gbp_per_week_exact() == Decimal("378.935") and p.gbp_per_week() == Decimal("378.94")
    assert p.gbp_per_year(53) == Decimal("20083.56")  # 378.935 × 53 = 20,083.555 → once
    assert p.gbp_per_week_by_zone() == {"Z1": Decimal("310.00"), "Z2": Decimal("68.94")}  # 68.935 → 68.94
    assert [r["gbp_per_week_exact"] for r in p.by_band()] == [
        Decimal("310"),
        Decimal("0"),
        Decimal("68.625"),
        Decimal("0.31"),
    ]
    s = p.selection(["C", "D", "C"])
    assert s["units"] == 2 and s["gbp_per_week_exact"] == Decimal("68.935") and s["gbp_per_week"] == Decimal("68.94")
    assert s["by_zone"] == {"Z2": {"units": 2, "hours_per_week": 2.26}}
    assert list(p.unit_hours_per_week(["B"])) == [5.5] and p.zone_per_unit() == ["Z1", "Z1", "Z2", "Z2"]


def test_rate_card_methods_replace_dataclass_surgery_in_pages():
    c = CARD.with_range(
        floor={"urban": "19", "fringe": "0"},
        ceiling={"urban": "25"},
        sessional_rate_gbp_per_hour="18",
        sessional_share_pct="10",
    )
    assert c.floor == {"urban": Decimal("19.00")} and c.ceiling == {"urban": Decimal("25.00")}
    assert c.effective_rate("urban") == Decimal("19.80")
    plain = CARD.with_range(sessional_rate_gbp_per_hour=None, sessional_share_pct="10")
    assert plain.sessional_rate_gbp_per_hour is None and plain.sessional_share_pct == 0
    with_providers = CARD.with_providers("Z1", 3).priced_like(c)
    assert with_providers.providers("Z1") == 3 and with_providers.effective_rate("urban") == Decimal("19.80")
    text = buildup_defaults_text()
    assert "National Living Wage" in text and "HMRC" in text


PLAN_INTERNALS = {
    "hours_cents",
    "zone_idx",
    "band_idx",
    "computed_band_idx",
    "rate_pence",
    "_pos",
    "_cache",
    "hours_cents_by_zone_band",
    "hours_cents_by_band",
    "hours_cents_by_zone",
    "units_by_zone",
}


def test_nothing_outside_the_plan_reads_its_arrays():
    """Pages, the service, outputs and the CLI read a plan through its methods (issue 21), never its arrays."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    hits = []
    for top in ("pages", "zones/service", "zones/outputs", "zones/cli"):
        for path in (root / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in PLAN_INTERNALS:
                    hits.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
    assert not hits, hits
