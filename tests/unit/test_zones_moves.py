"""Moves CSV parsing: every bad row listed, nothing applied; multi-unit rows; impact from the file's hours."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zones.moves import MovesError, apply_moves, impact_of_moves, parse_moves
from zones.plan import Plan
from zones.rates import RateCard

BANDS = ("urban", "fringe", "rural", "isolated")
CARD = RateCard(
    year="t",
    rates={
        "urban": Decimal("25.27"),
        "fringe": Decimal("26.36"),
        "rural": Decimal("29.39"),
        "isolated": Decimal("32.71"),
    },
)
NAMES = {"alpha": ["A"], "bravo": ["B"], "charlie": ["C"], "a": ["A"], "b": ["B"], "c": ["C"]}


def resolve(name):
    return NAMES.get(name.strip().lower(), [])


def plan():
    return Plan.build(
        "t",
        ["A", "B", "C"],
        ["Alpha", "Bravo", "Charlie"],
        [10, 20, 30],
        ["Z", "Z", "Z"],
        ["urban", "rural", "rural"],
        CARD,
        band_names=BANDS,
    )


def write(tmp_path, text):
    p = tmp_path / "moves.csv"
    p.write_text(text)
    return p


def test_good_file_multi_unit_row_and_impact(tmp_path):
    f = write(
        tmp_path,
        "subzone,unit,from_band,to_band,hours_per_week\n"
        "North,Alpha,URBAN,fringe,236.75\n"
        ",Bravo; Charlie,rural,Fringe,1070.1\n",
    )
    moves = parse_moves(f, resolve, BANDS)
    assert moves[1].unit_codes == ("B", "C") and moves[1].to_band == "fringe"
    imp = impact_of_moves(moves, CARD, plan=plan(), weeks_per_year=52, term_years=8)
    # 236.75 × 1.09 = 258.0575 → 258.06 ; 1070.1 × (26.36 − 29.39) = −3242.403 → −3242.40
    assert [r["gbp_per_week"] for r in imp.rows] == [Decimal("258.06"), Decimal("-3242.40")]
    # totals from the exact rows (issue 11 §6): 258.0575 − 3242.403 = −2984.3455 → −2984.35 (not −2984.34, the
    # sum of the rounded rows); a year = −2984.3455 × 52 = −155185.966 → −155185.97; 8 years → −1241487.73
    assert [r["gbp_per_week_exact"] for r in imp.rows] == [Decimal("258.0575"), Decimal("-3242.403")]
    assert imp.gbp_per_week == Decimal("-2984.35")
    assert imp.gbp_per_year == Decimal("-155185.97")
    assert imp.gbp_per_term == Decimal("-1241487.73")
    assert imp.rows[1]["hours_per_week_estimate"] == 50.0
    new, warnings = apply_moves(plan(), moves)
    assert new.band_of("C") == "fringe" and warnings == []


def test_every_bad_row_is_listed_and_nothing_applied(tmp_path):
    f = write(
        tmp_path,
        "subzone,unit,from_band,to_band,hours_per_week\n"
        "x,Nowhere,urban,fringe,1\n"
        "x,Alpha,urban,suburban,1\n"
        "x,Bravo,rural,rural,1\n"
        "x,Charlie,rural,fringe,-4\n"
        "x,Alpha,urban,fringe,abc\n"
        "=cmd|' /C calc'!A0,Alpha,urban,fringe,1\n"
        "x,Charlie,rural,fringe,\n",
    )
    with pytest.raises(MovesError) as e:
        parse_moves(f, resolve, BANDS)
    msgs = e.value.problems
    assert len(msgs) == 7
    assert "line 2" in msgs[0] and "unknown" in msgs[0]
    assert "line 3" in msgs[1] and "suburban" in msgs[1]
    assert "line 4" in msgs[2] and "both 'rural'" in msgs[2]
    assert "line 5" in msgs[3] and "negative" in msgs[3]
    assert "line 6" in msgs[4] and "not a number" in msgs[4]
    assert "line 7" in msgs[5] and "formula" in msgs[5]
    assert "line 8" in msgs[6] and "missing" in msgs[6]
    assert str(f) in str(e.value)  # the message names the file


def test_wrong_header_and_duplicate_unit(tmp_path):
    with pytest.raises(MovesError, match="header must be"):
        parse_moves(write(tmp_path, "unit,band\nAlpha,urban\n"), resolve, BANDS)
    f = write(tmp_path, "subzone,unit,from_band,to_band,hours_per_week\n,Alpha,urban,fringe,1\n,A,urban,rural,2\n")
    with pytest.raises(MovesError, match="already moved on line 2"):
        parse_moves(f, resolve, BANDS)


def test_plan_band_disagreeing_with_file_is_a_warning(tmp_path):
    f = write(tmp_path, "subzone,unit,from_band,to_band,hours_per_week\n,Alpha,fringe,urban,5\n")
    moves = parse_moves(f, resolve, BANDS)
    imp = impact_of_moves(moves, CARD, plan=plan())
    assert imp.rows[0]["gbp_per_week"] == Decimal("-5.45")  # 5 × (25.27 − 26.36)
    assert len(imp.warnings) == 1 and "the file says fringe" in imp.warnings[0]
