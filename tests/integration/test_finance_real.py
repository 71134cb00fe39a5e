"""Cities' money on the real packs: derived cards reproduce the reports' £ a year; the London Living Wage pay floor
scenario for Merton (report para 6.2) and bad pay floor input."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def zoneplan(*args):
    return subprocess.run([sys.executable, "-m", "zones.cli", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("council,report_gbp", [("coventry", 15_500_000), ("merton", 8_300_000)])
def test_classify_prints_base_cost_near_the_report(council, report_gbp):
    out = zoneplan("classify", council, "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    year = Decimal(d["gbp_per_year"])
    # one rounding (zones.money): the week and the year each round the same exact weekly sum once
    exact = Decimal(d["gbp_per_week_exact"])
    assert Decimal(d["gbp_per_week"]) == exact.quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert year == (exact * 52).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert abs(year / report_gbp - 1) < Decimal("0.001")  # derived from the report: within rounding of the rate
    assert "DERIVED" in d["rates_source"]


def test_payfloor_merton_llw():
    out = zoneplan("payfloor", "merton", "--from", "9.50", "--to", "11.05", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert set(d["bands"]) == {"urban", "fringe", "rural", "isolated"}
    for b in d["bands"].values():
        assert Decimal(b["rate_after_gbp_per_hour"]) > Decimal(b["rate_before_gbp_per_hour"])
    exact = Decimal(d["gbp_per_week_exact"])  # one rounding (zones.money): week and year each round the exact once
    assert Decimal(d["gbp_per_week"]) == exact.quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert Decimal(d["gbp_per_year"]) == (exact * 52).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert Decimal(d["gbp_per_year"]) > 0
    f = d["report_forecast"]
    assert (f["low_gbp_per_year"], f["high_gbp_per_year"]) == ("1100000", "1500000")
    assert {a["name"] for a in d["assumptions"]} >= {
        "pay_gbp_per_hour",
        "employer_ni_pct",
        "holiday_pct",
        "pension_pct",
    }
    assert all(a["source"] for a in d["assumptions"])
    assert len(d["sensitivity"]) >= 4


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "abc", "--to", "11"],
        ["--from", "9.5", "--to", "1e9"],
        ["--from", "-1", "--to", "11"],
        ["--from", "NaN", "--to", "11"],
    ],
)
def test_payfloor_rejects_bad_amounts(args):
    out = zoneplan("payfloor", "merton", *args, "--json")
    assert out.returncode == 2 and out.stdout == ""
