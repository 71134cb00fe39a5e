"""Issue 19 §15: the impact CSV is one rectangular table (a CSV reader, pandas or a spreadsheet import sees a header
and one row per changed unit, nothing under it); the totals are a CSV of their own (figure, value)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pandas as pd

from tests.unit.test_zones_plan import tiny
from zones.impact import compare
from zones.outputs.export import impact_csv, impact_totals_csv


def _impact():
    base = tiny()
    new = base.move("B", band="rural", reason="longer rounds").move("C", zone="Z1", reason="=cmd|' /C calc'!A0")
    return new, compare(base, new, weeks_per_year=52, term_years=2, uplift_pct=10)


def test_impact_csv_is_one_rectangular_table():
    plan, imp = _impact()
    text = impact_csv(imp, "S v1", plan)
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + len(imp.rows) == 3
    assert {len(r) for r in rows} == {len(rows[0])}, rows
    df = pd.read_csv(io.StringIO(text), dtype=str)
    assert list(df["unit_code"]) == ["B", "C"] and df.notna().all().all()
    assert sum(Decimal(v) for v in df["gbp_per_week_exact"]) == Decimal("57.75")
    assert df.loc[df["unit_code"] == "C", "reason"].iloc[0].startswith("'=")  # still formula-escaped


def test_totals_csv_is_a_table_of_its_own():
    plan, imp = _impact()
    rows = list(csv.reader(io.StringIO(impact_totals_csv(imp, "S v1", plan))))
    assert rows[0] == ["figure", "value"] and {len(r) for r in rows} == {2}
    d = dict(rows[1:])
    assert (d["gbp_per_week"], d["gbp_per_year"], d["gbp_per_term"]) == ("57.75", "3003.00", "6306.30")
    assert (d["weeks_per_year"], d["term_years"], d["scenario"]) == ("52", "2", "S v1")
    assert d["plan_gbp_per_week"] == str(plan.gbp_per_week())
