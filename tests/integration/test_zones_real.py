"""The Leicestershire report's para 47 table through the CLI, checked against figures computed here."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
MOVES = ROOT / "examples" / "leicestershire_para47_moves.csv"
PARA42 = {
    "urban": Decimal("25.27"),
    "fringe": Decimal("26.36"),
    "rural": Decimal("29.39"),
    "isolated": Decimal("32.71"),
}


def cli(*args):
    out = subprocess.run([sys.executable, "-m", "zones.cli", *args], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_para47_impact_matches_hand_computation():
    rows = list(csv.DictReader(MOVES.open()))
    assert len(rows) == 9
    names = [n for r in rows for n in r["unit"].split(";")]
    assert len(names) == 12  # 9 rows naming 12 parishes
    exact = [Decimal(r["hours_per_week"]) * (PARA42[r["to_band"]] - PARA42[r["from_band"]]) for r in rows]
    hand = [x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for x in exact]
    week = sum(exact)  # issue 11 §6: totals from the exact rows, rounded once
    out = cli("impact", "leicestershire", "--moves", str(MOVES), "--json")
    assert [Decimal(r["gbp_per_week"]) for r in out["rows"]] == hand
    assert [Decimal(r["gbp_per_week_exact"]) for r in out["rows"]] == exact
    pen = Decimal("0.01")
    assert Decimal(out["gbp_per_week"]) == week.quantize(pen, rounding=ROUND_HALF_UP) == Decimal("-5479.70")
    assert Decimal(out["gbp_per_year"]) == (week * 52).quantize(pen, rounding=ROUND_HALF_UP) == Decimal("-284944.29")
    assert Decimal(out["gbp_per_term"]) == (week * 52 * 8).quantize(pen, rounding=ROUND_HALF_UP)
    assert out["hours_per_week_moved"] == pytest.approx(2593.12)  # the report's total: 2,593.1
    for r in out["rows"]:
        for key in ("unit", "from_band", "to_band", "hours_per_week", "gbp_per_week"):
            assert key in r


def test_para47_with_uplift_and_weeks():
    out = cli(
        "impact", "leicestershire", "--moves", str(MOVES), "--weeks-per-year", "52", "--uplift-pct", "3", "--json"
    )
    year_exact = sum(Decimal(r["gbp_per_week_exact"]) for r in out["rows"]) * 52  # §6: from the exact rows
    assert Decimal(out["gbp_per_year"]) == year_exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(out["gbp_by_year"][1]) == (year_exact * Decimal("1.03")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def test_classify_json_and_csv(tmp_path):
    csv_path = tmp_path / "c.csv"
    out = cli("classify", "leicestershire", "--json", "--out", str(csv_path))
    assert out["n_units"] > 100
    share = out["hours_share_by_band"]
    assert set(share) == {"urban", "fringe", "rural", "isolated"}
    assert abs(sum(share.values()) - 100) < 0.05
    rows = list(csv.DictReader(csv_path.open()))
    assert len(rows) == out["n_units"]
    for col in ("unit_code", "unit_name", "parishes", "zone", "band", "band_source", "evidence", "town_min"):
        assert col in rows[0]


def test_bad_moves_file_exits_2_and_lists_rows(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("subzone,unit,from_band,to_band,hours_per_week\n,Atlantis,urban,fringe,1\n,Asfordby,urban,posh,2\n")
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "impact", "leicestershire", "--moves", str(bad), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 2 and out.stdout == ""
    assert "line 2" in out.stderr and "Atlantis" in out.stderr and "line 3" in out.stderr and "posh" in out.stderr


def test_report_cli_pdf_and_html(tmp_path):
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    for out in (pdf, html):
        r = subprocess.run(
            [sys.executable, "-m", "zones.cli", "report", "leicestershire", "--moves", str(MOVES), "--out", str(out)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert r.returncode == 0, r.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    import pypdf

    reader = pypdf.PdfReader(str(pdf))  # tagged (issue 14 §3): structure tree, language, title naming the plan
    assert "/StructTreeRoot" in reader.trailer["/Root"] and reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Leicestershire home-care zones and price bands: base plan + moves file")
    text = html.read_text()
    assert "Asfordby" in text and "OpenStreetMap" in text and "ESTIMATED" in text
