"""Issue 11 §6: money exact to the penny. Totals come from unrounded line values and are rounded once."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from geodata.packs import load_pack
from tests.security.conftest import BANDS, plan
from zones.moves import impact_of_moves, parse_moves
from zones.outputs.export import impact_csv, impact_totals_csv, impact_xlsx
from zones.rates import rate_card_from_pack

ROOT = Path(__file__).resolve().parents[2]
PARA47 = ROOT / "examples" / "leicestershire_para47_moves.csv"


def para47():
    # keyed to the moves file only: its hours and the 2025/26 rate card decide the figures, not the unit layer
    moves = parse_moves(PARA47, lambda name: [f"X-{name}"], BANDS)
    return impact_of_moves(
        moves, rate_card_from_pack(load_pack("leicestershire"), "2025/26"), weeks_per_year=52, term_years=8
    )


def test_para47_gives_the_exact_weekly_and_yearly_figures():
    imp = para47()
    assert imp.gbp_per_week == Decimal("-5479.70")  # was −5,479.69: rows rounded, then summed
    assert imp.gbp_per_year == Decimal("-284944.29")  # was −284,943.88: rounded weekly × 52
    assert imp.gbp_per_term == Decimal("-2279554.28")  # 8 years, no uplift: exact −2,279,554.2848
    exact = sum(Decimal(r["gbp_per_week_exact"]) for r in imp.rows)
    assert exact == Decimal("-5479.6978")
    # weekly, yearly and term agree with one another: all from the same exact sum
    assert imp.gbp_per_year == (exact * 52).quantize(Decimal("0.01"))
    assert imp.gbp_per_term == (exact * 52 * 8).quantize(Decimal("0.01"))
    assert imp.gbp_by_year == [Decimal("-284944.29")] * 8  # each year shown to the penny; the term is not their sum
    # of rounded values (−2,279,554.32) but the exact term rounded once, as a spreadsheet SUM of exact cells


def test_exports_and_cli_json_carry_the_same_totals(tmp_path):
    imp = para47()
    wb = openpyxl.load_workbook(io.BytesIO(impact_xlsx(plan(), imp)))
    sheet = list(wb["Impact"].iter_rows(values_only=True))
    head = sheet[0]
    totals = {r[0]: r[1] for r in sheet if r and r[0] in ("£ per week", "£ per year")}
    assert Decimal(str(totals["£ per week"])) == Decimal("-5479.70")
    assert Decimal(str(totals["£ per year"])) == Decimal("-284944.29")
    col = head.index("gbp_per_week_exact")
    exact = sum(Decimal(str(r[col])) for r in sheet[1 : len(imp.rows) + 1])
    assert exact.quantize(Decimal("0.01")) == Decimal("-5479.70")  # a spreadsheet SUM of the exact column
    table = list(csv.reader(io.StringIO(impact_csv(imp))))
    assert len(table) == len(imp.rows) + 1 and {len(r) for r in table} == {len(table[0])}  # one table
    rows = list(csv.reader(io.StringIO(impact_totals_csv(imp))))
    assert ["gbp_per_week", "-5479.70"] in rows and ["gbp_per_year", "-284944.29"] in rows
    assert ["gbp_per_term", "-2279554.28"] in rows


@pytest.mark.integration
def test_cli_impact_json_para47(tmp_path):
    env = dict(os.environ, ZONEPLAN_STORE=str(tmp_path / "s.sqlite"))
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "impact", "leicestershire", "--moves", str(PARA47), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    assert (j["gbp_per_week"], j["gbp_per_year"]) == ("-5479.70", "-284944.29")
    assert j["gbp_per_term"] == "-2279554.28"
