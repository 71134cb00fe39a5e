"""Derived rate cards (from a report's £ and hours), cost build-up from a pack, and pay floor scenarios by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from geodata.datadir import DataError
from zones.rates import (
    CostBuildUp,
    RateCard,
    buildup_from_pack,
    derived_rate_card,
    pay_linked_per_contact_hour,
    payfloor,
    rate_card_from_pack,
)

BANDS = ("urban", "fringe", "rural", "isolated")


def fake_pack(raw: dict) -> SimpleNamespace:
    return SimpleNamespace(raw=raw, rates=raw.get("rates", {}), bands=BANDS, path=Path("test.toml"), id="test")


def derived_raw(gbp="15500000", hours=14370) -> dict:
    return {
        "finance": {
            "report_hours_per_week": hours,
            "report_gbp_per_year": gbp,
            "weeks_per_year": 52,
            "report_source": "report para 5.1.1",
        },
        "rates": {
            "2025/26": {
                "derived": True,
                "base_band": "urban",
                "shape": {"urban": "20", "fringe": "22", "rural": "25", "isolated": "30"},
            }
        },
    }


def test_derived_card_is_report_pounds_over_hours_and_keeps_the_shape():
    card = rate_card_from_pack(fake_pack(derived_raw()))
    # 15,500,000 / 52 / 14,370 = 20.7430... -> £20.74
    assert card.rates["urban"] == Decimal("20.74")
    assert card.rates["fringe"] == Decimal("22.82")  # 20.7430 x 22/20 = 22.817
    assert card.rates["isolated"] == Decimal("31.11")  # x 1.5 = 31.114
    assert "DERIVED" in card.source and "para 5.1.1" in card.source and card.mode == "derived"
    # the all-urban base plan then costs the report's figure to within the rounding of the rate
    assert abs(14370 * card.rates["urban"] * 52 - Decimal("15500000")) < Decimal("0.005") * 14370 * 52


def test_derived_card_needs_the_report_figures_and_a_full_shape():
    raw = derived_raw()
    raw["finance"].pop("report_gbp_per_year")
    with pytest.raises(DataError):
        derived_rate_card(fake_pack(raw), "2025/26")
    raw = derived_raw()
    del raw["rates"]["2025/26"]["shape"]["rural"]
    with pytest.raises(DataError):
        derived_rate_card(fake_pack(raw), "2025/26")


def test_buildup_from_pack_overrides_and_sources():
    raw = {
        "finance": {
            "buildup": {
                "pay_gbp_per_hour": "9.50",
                "pay_gbp_per_hour_source": "NLW 2022/23",
                "employer_ni_pct": "13.8",
                "year": "2022/23",
            }
        }
    }
    cb, rows = buildup_from_pack(fake_pack(raw))
    assert cb.pay_gbp_per_hour == Decimal("9.50") and cb.employer_ni_pct == Decimal("13.8") and cb.year == "2022/23"
    src = {r["name"]: r["source"] for r in rows}
    assert src["pay_gbp_per_hour"] == "NLW 2022/23"
    assert src["employer_ni_pct"] == "pack test.toml"
    assert "HMRC" in src["gbp_per_mile"]  # a default keeps its documented source
    with pytest.raises(DataError):
        buildup_from_pack(fake_pack({"finance": {"buildup": {"surplus_pct": "-5"}}}))


def test_payfloor_by_hand():
    cb = CostBuildUp(
        visit_min=Decimal("45"),
        holiday_pct=Decimal("12"),
        employer_ni_pct=Decimal("13"),
        pension_pct=Decimal("3"),
        other_oncost_pct=Decimal("2"),
        surplus_pct=Decimal("5"),
    )
    # 9 travel minutes per 45-minute visit: paid hours 1.2; on-costs 30 %; surplus 5 %: 1.2 x 1.3 x 1.05 = 1.638
    assert pay_linked_per_contact_hour(cb, 9) == Decimal("1.638")
    card = RateCard(year="2022/23", rates={"urban": Decimal("19.00"), "fringe": Decimal("20.00")})
    res = payfloor(card, cb, {"urban": 9.0, "fringe": 0.0}, {"urban": 100.0, "fringe": 10.0}, "9.50", "11.05")
    # urban: 1.55 x 1.638 = 2.5389 -> £2.54; fringe: 1.55 x 1.3 x 1.05 = 2.11575 -> £2.12
    assert res["bands"]["urban"]["change_gbp_per_hour"] == Decimal("2.54")
    assert res["bands"]["urban"]["rate_after_gbp_per_hour"] == Decimal("21.54")
    assert res["bands"]["fringe"]["change_gbp_per_hour"] == Decimal("2.12")
    # week: 100 x 2.54 + 10 x 2.12 = 275.20; year x 52 = 14,310.40
    assert res["gbp_per_week"] == Decimal("275.20")
    assert res["gbp_per_year"] == Decimal("14310.40")
    assert res["rates_after"].rates["urban"] == Decimal("21.54")
    lower = payfloor(card, cb, {"urban": 9.0, "fringe": 0.0}, {"urban": 100.0}, "11.05", "9.50")
    assert lower["gbp_per_week"] == Decimal("-254.00")
    with pytest.raises(DataError):
        payfloor(card, cb, {}, {}, "0", "11")
