"""Issue 19 §15: weeks per year can be 52.14 (365/7 = 52.1428…). A decimal with at most 2 places, 1 … 53, checked
by the ASCII number validator; annual = exact weekly × weeks, rounded once; "52.14 weeks" on every output; whole
weeks give exactly what they gave before; versions saved with whole weeks still load."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from geodata.datadir import DataError
from geodata.limits import weeks_per_year
from tests.unit.test_store import CARD as STORE_CARD
from tests.unit.test_store import VALID
from tests.unit.test_store import plan as store_plan
from tests.unit.test_zones_plan import tiny
from zones import money as m
from zones.impact import compare
from zones.outputs.export import assumptions, impact_totals_csv, plan_total_rows
from zones.outputs.report import settings_text
from zones.service.store import Store, check_settings


@pytest.mark.parametrize(
    "raw, want",
    [
        ("52.14", Decimal("52.14")),
        (52.14, Decimal("52.14")),
        ("52", 52),
        (53, 53),
        ("52.00", 52),
        ("1", 1),
        (" 52.5 ", Decimal("52.5")),
        (Decimal("52.10"), Decimal("52.1")),
    ],
)
def test_weeks_accepts_up_to_two_places(raw, want):
    got = weeks_per_year(raw)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize(
    "raw",
    [
        "52.143",
        "53.01",
        "0.99",
        "0",
        "-52",
        "1e2",
        "５２",
        "５２.14",
        "52,14",
        "NaN",
        "inf",
        "",
        "52.1.4",
        "1_0",
        True,
        52.142857,
    ],
)
def test_weeks_refuses_what_is_not_a_bounded_two_place_number(raw):
    with pytest.raises(DataError):
        weeks_per_year(raw)


def test_annual_is_exact_weekly_times_decimal_weeks_rounded_once():
    weekly = Decimal("378.625")
    # 378.625 × 52.14 = 19,741.5075 exactly → £19,741.51 (int(52.14) would give 52: £19,688.50)
    assert m.per_year(weekly, Decimal("52.14")) == Decimal("19741.51")
    assert m.years(weekly, Decimal("52.14"), 2, 10) == [Decimal("19741.50750"), Decimal("21715.658250")]
    assert tiny().gbp_per_year(Decimal("52.14")) == Decimal("19741.51")
    assert tiny().totals(Decimal("52.14"))["gbp_per_year"] == Decimal("19741.51")
    assert tiny().gbp_per_year(52) == Decimal("19688.50")  # whole weeks: as before


def test_impact_with_52_14_weeks_and_its_json_and_text():
    base = tiny()
    new = base.move("B", band="rural", reason="longer rounds")
    imp = compare(base, new, weeks_per_year="52.14", term_years=2, uplift_pct=10)
    # 5.5 h × (30.50 − 20.00) = 57.75 a week; × 52.14 = 3,011.085 → £3,011.09; year 2 × 1.1 = 3,312.1935
    assert imp.gbp_per_year == Decimal("3011.09")
    assert imp.gbp_by_year == [Decimal("3011.09"), Decimal("3312.19")]
    assert imp.gbp_per_term == Decimal("6323.28")  # 3,011.085 + 3,312.1935 = 6,323.2785
    j = json.loads(json.dumps(imp.to_json()))
    assert j["weeks_per_year"] == 52.14 and isinstance(j["weeks_per_year"], float)
    assert "52.14 weeks a year" in settings_text(imp)
    assert ("Weeks per year", "52.14") in assumptions(new, imp, [])
    assert plan_total_rows(new, imp.weeks_per_year)[1][0] == "Plan £ per year (52.14 weeks)"
    assert "weeks_per_year,52.14" in impact_totals_csv(imp, plan=new).replace("\r", "")


def test_whole_weeks_are_unchanged_everywhere():
    base = tiny()
    new = base.move("B", band="rural")
    imp = compare(base, new, weeks_per_year=52.0, term_years=2, uplift_pct=10)  # a float widget's 52.0
    assert imp.weeks_per_year == 52 and type(imp.weeks_per_year) is int
    assert imp.gbp_per_year == Decimal("3003.00") and imp.to_json()["weeks_per_year"] == 52
    assert "52 weeks a year" in settings_text(imp) and ("Weeks per year", "52") in assumptions(new, imp, [])
    assert plan_total_rows(new, 52)[1][0] == "Plan £ per year (52 weeks)"


def test_store_keeps_52_14_as_a_json_number_and_old_whole_weeks_still_load(tmp_path):
    assert check_settings({"weeks_per_year": "52.14"}) == {"weeks_per_year": 52.14}
    assert check_settings({"weeks_per_year": 53}) == {"weeks_per_year": 53}
    with pytest.raises(DataError):
        check_settings({"weeks_per_year": "52.143"})
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    s = {"weeks_per_year": Decimal("52.14"), "term_years": 5, "uplift_pct": "2.5"}
    v1 = store.create("t", "S", store_plan().assignments(), STORE_CARD.to_dict(), valid_units=VALID, settings=s)
    assert store.load(v1.scenario_id, 1).settings["weeks_per_year"] == 52.14
    v2 = store.save(
        v1.scenario_id,
        1,
        store_plan().assignments(),
        STORE_CARD.to_dict(),
        valid_units=VALID,
        settings={"weeks_per_year": 52, "term_years": 8, "uplift_pct": "0"},
    )
    assert store.load(v2.scenario_id, v2.number).settings["weeks_per_year"] == 52


def test_cli_weeks_argument_takes_decimals():
    import argparse

    from zones.cli.main import weeks_arg

    assert weeks_arg("52.14") == Decimal("52.14") and weeks_arg("52") == 52
    for bad in ("52.143", "54", "1e2", "５２"):
        with pytest.raises(argparse.ArgumentTypeError):
            weeks_arg(bad)


def test_totals_csv_reader_sees_the_decimal_weeks():
    base = tiny()
    imp = compare(base, base.move("C", band="urban"), weeks_per_year=Decimal("52.14"))
    rows = list(csv.reader(io.StringIO(impact_totals_csv(imp))))
    assert any("52.14" in r for r in rows)
