"""Issue 21: one money path. For the four seed councils, the figures the Finance page shows (``compare`` and
``Plan.totals``, as pages/finance.py calls them), the CLI JSON (``zoneplan classify``/``impact --json``), the XLSX,
the CSV and the PDF report (read back with pdftotext) agree to the penny, for the base plan and for a changed plan
(band moves written as a moves file), at non-default settings (53 weeks, 5 years, 2.5 % uplift). Real data."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from geodata.units import load_units
from zones.impact import compare
from zones.money import money
from zones.moves import apply_moves, parse_moves
from zones.outputs.export import impact_csv, impact_totals_csv, impact_xlsx
from zones.outputs.report import report_context, report_pdf
from zones.plan import base_plan
from zones.rates import rate_card_from_pack

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
COUNCILS = ["leicestershire", "coventry", "merton", "bradford"]
WEEKS, TERM, UPLIFT = 53, 5, "2.5"
N_MOVES = 7


def zoneplan(*args) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=1200
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def gbp(text: str) -> Decimal:
    """£ text as shown (£1,234.56, −£5.00, +£7.10) → Decimal."""
    t = text.strip().replace(",", "").replace("£", "").replace("−", "-").replace("+", "")
    return Decimal(t)


def pdf_figures(pdf: bytes) -> dict[str, Decimal]:
    """The report's money rows, read back from the PDF's text."""
    txt = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=120
    ).stdout.decode()
    money_re = r"([+−]?£[\d,]+\.\d\d)"
    out = {}
    for label in ("Cost per week", "Cost per year", "Change per week", "Change per year", f"Change over {TERM} years"):
        m = re.search(re.escape(label) + r"\s+" + money_re, txt)
        assert m, f"{label} not found in the PDF text"
        out[label] = gbp(m.group(1))
    return out


def moves_file(plan, tmp_path: Path) -> Path:
    """A council moves file moving N_MOVES units spread over the council to the next band, with their plan hours."""
    t = plan.table()
    t = t[t["hours_per_week"] > 0].reset_index(drop=True)
    step = max(1, len(t) // N_MOVES)
    bands = list(plan.band_names)
    rows = ["subzone,unit,from_band,to_band,hours_per_week"]
    for _, r in t.iloc[::step].head(N_MOVES).iterrows():
        to = bands[(bands.index(r["band"]) + 1) % len(bands)]
        rows.append(f",{r['unit_code']},{r['band']},{to},{r['hours_per_week']:.2f}")
    path = tmp_path / "moves.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def check_outputs(layer, plan, imp) -> None:
    """XLSX, CSV and PDF against the Finance page's figures (``imp`` and ``plan.totals``)."""
    t = plan.totals(WEEKS)
    # the one rule, recomputed independently: per-unit hours × rate, exact, summed, rounded once
    table = plan.table()
    exact = sum((Decimal(str(h)) * r for h, r in zip(table["hours_per_week"], table["rate_gbp_per_hour"])), Decimal(0))
    assert t["gbp_per_week"] == money(exact) and t["gbp_per_year"] == money(exact * WEEKS)
    wb = openpyxl.load_workbook(io.BytesIO(impact_xlsx(plan, imp, [], "agreement test")))
    cells = {r[0]: r[1] for r in wb["Impact"].iter_rows(values_only=True) if r and isinstance(r[0], str)}
    assert Decimal(str(cells["£ per week"])) == imp.gbp_per_week
    assert Decimal(str(cells["£ per year"])) == imp.gbp_per_year
    assert Decimal(str(cells[f"£ over {TERM} years"])) == imp.gbp_per_term
    assert Decimal(str(cells["Plan £ per week"])) == t["gbp_per_week"]
    assert Decimal(str(cells[f"Plan £ per year ({WEEKS} weeks)"])) == t["gbp_per_year"]
    sheet = list(wb["Plan"].iter_rows(values_only=True))
    col = sheet[0].index("gbp_per_week_exact")
    assert money(sum((Decimal(str(r[col])) for r in sheet[1:]), Decimal(0))) == t["gbp_per_week"]  # a SUM, rounded
    a = {r[0]: r[1] for r in wb["Assumptions"].iter_rows(values_only=True)}
    assert (a["Weeks per year"], a["Framework term (years)"], a["Rate source"]) == (
        str(WEEKS),
        str(TERM),
        plan.rates.source,
    )
    table = list(csv.reader(io.StringIO(impact_csv(imp, "agreement test", plan))))
    assert len(table) == len(imp.rows) + 1 and {len(r) for r in table} == {len(table[0])}, "one rectangular table"
    head = table[0]
    assert (
        money(sum((Decimal(r[head.index("gbp_per_week_exact")]) for r in table[1:]), Decimal(0))) == imp.gbp_per_week
    )  # a SUM of the exact column, rounded once
    trailing = dict(csv.reader(io.StringIO(impact_totals_csv(imp, "agreement test", plan))))
    assert [Decimal(trailing[k]) for k in ("gbp_per_week", "gbp_per_year", "gbp_per_term")] == [
        imp.gbp_per_week,
        imp.gbp_per_year,
        imp.gbp_per_term,
    ]
    assert (Decimal(trailing["plan_gbp_per_week"]), Decimal(trailing["plan_gbp_per_year"])) == (
        t["gbp_per_week"],
        t["gbp_per_year"],
    )
    pdf = pdf_figures(report_pdf(report_context(layer.units, plan, imp, "agreement test", [], [])))
    assert (pdf["Cost per week"], pdf["Cost per year"]) == (t["gbp_per_week"], t["gbp_per_year"])
    assert (pdf["Change per week"], pdf["Change per year"], pdf[f"Change over {TERM} years"]) == (
        imp.gbp_per_week,
        imp.gbp_per_year,
        imp.gbp_per_term,
    )


@pytest.mark.parametrize("council", COUNCILS)
def test_app_cli_xlsx_csv_and_pdf_agree_to_the_penny(council, tmp_path):
    layer = load_units(council)
    base, _ = base_plan(layer, rates=rate_card_from_pack(layer.pack))
    path = moves_file(base, tmp_path)
    changed, _ = apply_moves(base, parse_moves(path, layer.resolve, tuple(layer.pack.bands)))
    for plan in (base, changed):
        imp = compare(base, plan, weeks_per_year=WEEKS, term_years=TERM, uplift_pct=UPLIFT)  # as Finance does
        check_outputs(layer, plan, imp)
    # the base plan's cost from the CLI (52 weeks a year) is the app's
    c = zoneplan("classify", council, "--json", "--no-validate")
    t52 = base.totals(52)
    assert (Decimal(c["gbp_per_week"]), Decimal(c["gbp_per_year"])) == (t52["gbp_per_week"], t52["gbp_per_year"])
    # the changed plan's cost change from the CLI is the app's, week, year and term
    imp = compare(base, changed, weeks_per_year=WEEKS, term_years=TERM, uplift_pct=UPLIFT)
    assert imp.rows and imp.gbp_per_week != 0
    j = zoneplan(
        "impact",
        council,
        "--moves",
        str(path),
        "--weeks-per-year",
        str(WEEKS),
        "--term-years",
        str(TERM),
        "--uplift-pct",
        UPLIFT,
        "--json",
    )
    assert [Decimal(j[k]) for k in ("gbp_per_week", "gbp_per_year", "gbp_per_term")] == [
        imp.gbp_per_week,
        imp.gbp_per_year,
        imp.gbp_per_term,
    ]
    assert [Decimal(x) for x in j["gbp_by_year"]] == imp.gbp_by_year
