"""Plans, rates and impact on tiny hand-computed plans, plus property tests against full re-aggregation."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.datadir import DataError
from zones.impact import compare
from zones.plan import Plan
from zones.rates import CostBuildUp, RateCard, money

BANDS = ("urban", "rural")
CARD = RateCard(year="test", rates={"urban": Decimal("20.00"), "rural": Decimal("30.50")})


def tiny() -> Plan:
    # three units, two bands: A 10 h urban, B 5.5 h urban, C 2.25 h rural
    return Plan.build(
        "t",
        ["A", "B", "C"],
        ["Alpha", "Bravo", "Charlie"],
        [10, 5.5, 2.25],
        ["Z1", "Z1", "Z2"],
        ["urban", "urban", "rural"],
        CARD,
        band_names=BANDS,
        computed_bands=["urban", "urban", "rural"],
    )


def test_tiny_plan_totals_by_hand():
    t = tiny().totals()
    assert t["hours_per_week_by_band"] == {"urban": 15.5, "rural": 2.25}
    assert t["hours_per_week_by_zone"] == {"Z1": 15.5, "Z2": 2.25}
    # 15.5 × 20.00 + 2.25 × 30.50 = 310.00 + 68.625 = 378.625 → £378.63 (half-up)
    assert t["gbp_per_week"] == Decimal("378.63")
    # one rounding (zones.money): 378.625 × 52 = 19,688.50 exactly (was 19,688.76 = the rounded week × 52)
    assert t["gbp_per_year"] == Decimal("19688.50")
    assert t["gbp_per_week_exact"] == Decimal("378.625")
    assert t["blended_rate_gbp_per_hour"] == Decimal("21.33")  # 378.625 / 17.75 = 21.3309…


def test_move_band_and_impact_by_hand():
    base = tiny()
    new = base.move("B", band="rural", reason="longer rounds")
    assert new.totals()["hours_per_week_by_band"] == {"urban": 10.0, "rural": 7.75}
    a = new.assignments().set_index("unit_code")
    assert a.loc["B", "band"] == "rural" and a.loc["B", "computed_band"] == "urban"
    assert a.loc["B", "band_source"] == "override" and a.loc["B", "reason"] == "longer rounds"
    imp = compare(base, new, weeks_per_year=52, term_years=2, uplift_pct=10)
    # 5.5 h × (30.50 − 20.00) = 57.75 / week; 3003.00 / year; year 2 = 3303.30; term 6306.30
    assert [r["unit_code"] for r in imp.rows] == ["B"]
    assert imp.gbp_per_week == Decimal("57.75")
    assert imp.gbp_per_year == Decimal("3003.00")
    assert imp.gbp_by_year == [Decimal("3003.00"), Decimal("3303.30")]
    assert imp.gbp_per_term == Decimal("6306.30")
    assert imp.hours_per_week_moved == 5.5
    # base plan is unchanged (immutability)
    assert base.band_of("B") == "urban"
    with pytest.raises(ValueError):
        base.band_idx[0] = 1


def test_move_zone_adds_new_zone_and_counts():
    p = tiny().move(["A", "C"], zone="Z3")
    t = p.totals()
    assert t["units_by_zone"] == {"Z1": 1, "Z2": 0, "Z3": 2}
    assert t["hours_per_week_by_zone"] == {"Z1": 5.5, "Z2": 0.0, "Z3": 12.25}


def test_bad_moves_raise():
    with pytest.raises(DataError, match="unknown unit code"):
        tiny().move("Nope", band="rural")
    with pytest.raises(DataError, match="unknown band"):
        tiny().move("A", band="suburban")


def test_money_is_exact_and_half_up():
    assert money("2.675") == Decimal("2.68")
    assert money(0.1 + 0.2) == Decimal("0.30")


def test_cost_build_up_components_add_up_and_rise_with_travel():
    cb = CostBuildUp()
    c10, c20 = cb.components(Decimal("10")), cb.components(Decimal("20"))
    assert c20["rate_gbp_per_hour"] > c10["rate_gbp_per_hour"]
    parts = ["contact_pay", "travel_time_pay", "on_costs", "mileage", "running_the_business", "surplus"]
    assert abs(sum(c10[p] for p in parts) - c10["rate_gbp_per_hour"]) <= Decimal("0.03")  # rounding of parts
    card = cb.rate_card({"urban": 5, "rural": 15})
    assert card.rate("rural") > card.rate("urban") and card.mode == "cost_build_up"


def test_sessional_share_blends_rate():
    card = RateCard(
        year="t",
        rates={"urban": Decimal("25.00")},
        sessional_rate_gbp_per_hour=Decimal("20.00"),
        sessional_share_pct=Decimal("10"),
    )
    assert card.effective_rate("urban") == Decimal("24.50")


def test_floor_ceiling_check():
    card = RateCard(
        year="t", rates={"urban": money("26")}, floor={"urban": money("24")}, ceiling={"urban": money("25.27")}
    )
    assert card.check_range() == ["urban: £26.00 is above the ceiling £25.27"]
    assert card.with_rates(urban="23.5").check_range() == ["urban: £23.50 is below the floor £24.00"]


moves_strategy = st.lists(
    st.tuples(
        st.lists(st.integers(0, 29), min_size=1, max_size=5, unique=True),
        st.sampled_from(["Z0", "Z1", "Z2", "Z3"]),
        st.sampled_from(["urban", "fringe", "rural", "isolated"]),
        st.booleans(),
    ),
    max_size=12,
)


def random_plan(seed: int) -> Plan:
    rng = np.random.default_rng(seed)
    n = 30
    bands = ("urban", "fringe", "rural", "isolated")
    card = RateCard(
        year="t",
        rates={
            "urban": Decimal("25.27"),
            "fringe": Decimal("26.36"),
            "rural": Decimal("29.39"),
            "isolated": Decimal("32.71"),
        },
    )
    return Plan.build(
        "r",
        [f"U{i}" for i in range(n)],
        [f"Unit {i}" for i in range(n)],
        np.round(rng.uniform(0, 400, n), 2),
        [f"Z{i % 3}" for i in range(n)],
        [bands[i % 4] for i in range(n)],
        card,
        band_names=bands,
        zone_names=("Z0", "Z1", "Z2"),
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 1000), moves=moves_strategy)
def test_incremental_totals_equal_full_reaggregation(seed, moves):
    p = random_plan(seed)
    for units, zone, band, zone_too in moves:
        p = p.move([f"U{i}" for i in units], zone=zone if zone_too else None, band=band)
    full = p.full_totals()
    assert np.array_equal(p.hours_cents_by_zone_band, full["hours_cents_by_zone_band"])
    assert np.array_equal(p.hours_cents_by_band, full["hours_cents_by_band"])
    assert np.array_equal(p.units_by_zone, full["units_by_zone"])
    assert p.weekly_cost_centipence == full["weekly_cost_centipence"]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 1000),
    units=st.lists(st.integers(0, 29), min_size=1, max_size=8, unique=True),
    band=st.sampled_from(["urban", "fringe", "rural", "isolated"]),
)
def test_change_then_reverse_has_zero_impact(seed, units, band):
    base = random_plan(seed)
    codes = [f"U{i}" for i in units]
    moved = base.move(codes, band=band)
    back = moved
    for c in codes:
        back = back.move(c, band=base.band_of(c))
    assert compare(base, back).gbp_per_week == 0
    assert back.weekly_cost_centipence == base.weekly_cost_centipence
    fwd, rev = compare(base, moved), compare(moved, base)
    assert fwd.gbp_per_week == -rev.gbp_per_week


def test_zones_short_of_providers():
    p = tiny().move("C", zone="Z3")
    short = p.zones_short_of_providers({"Z1": 3, "Z3": 1}, minimum=2)
    assert short == [{"zone": "Z3", "providers": 1, "minimum": 2, "hours_per_week": 2.25}]  # Z2 is now empty


def test_zone_only_moves_are_not_band_moves_in_the_hours_moved():
    """Issue 14 §3: hours that changed band and hours that changed zone only are told apart (both exposed;
    ``hours_per_week_moved`` keeps its meaning: every changed row)."""
    base = tiny()
    new = base.move("B", band="rural").move("A", zone="Z2")  # B: band (5.5 h); A: zone only (10 h), same band
    imp = compare(base, new)
    assert sorted(r["unit_code"] for r in imp.rows) == ["A", "B"]
    assert imp.hours_per_week_moved == 15.5
    assert imp.hours_per_week_band_changed == 5.5 and imp.n_band_changed == 1
    assert imp.hours_per_week_zone_only == 10.0 and imp.n_zone_only == 1
    j = imp.to_json()
    for key in ("hours_per_week_moved", "gbp_per_week", "n_rows", "rows"):  # existing keys stay
        assert key in j
    assert j["hours_per_week_band_changed"] == 5.5 and j["hours_per_week_zone_only"] == 10.0
