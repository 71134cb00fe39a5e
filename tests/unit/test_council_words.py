"""Words that belong to the council shown (docs/walkthrough-findings.md "Words that belong to another council" and
"Figures", issue 19 §15): no Leicestershire citation or place on another council's pages, the pack's word for a zone
on Suggest, Finance and the Report, "Unzoned" never counted as a zone, one format for percentages and points, and
the map's title box naming the plan as the page does. Shipped packs (TOML in the repo) and tiny synthetic plans."""

from __future__ import annotations

from decimal import Decimal

import geopandas as gpd
import pytest
from shapely.geometry import box

from geodata.packs import load_pack, shipped_packs
from pages.unitmap import map_title
from zones.impact import compare
from zones.money import fmt_pct
from zones.outputs.people import drive_placeholder, fmt_points, rate_limits_title
from zones.outputs.report import report_context, report_html, zone_words
from zones.plan import DEFAULT_ZONE_COUNT, Plan, default_zone_count, real_zones
from zones.rates import RateCard

OTHERS = [c for c in shipped_packs() if c != "leicestershire"]


def test_leicestershire_keeps_its_own_citation_and_places():
    p = load_pack("leicestershire")
    assert rate_limits_title(p) == "Floor, ceiling and sessional rate (report paras 61, 73–76)"
    assert "LE11 3TU" in drive_placeholder(p)


@pytest.mark.parametrize("council", OTHERS)
def test_other_councils_cite_no_leicestershire_paragraphs_or_places(council):
    p = load_pack(council)
    assert "paras" not in rate_limits_title(p) and "61" not in rate_limits_title(p)
    ph = drive_placeholder(p)
    assert "Atherstone" not in ph and "LE11" not in ph and "postcode" in ph


def test_zone_words_are_the_packs():
    assert zone_words("merton") == ("lot", "lots")
    assert zone_words("coventry") == ("cluster", "clusters")
    assert zone_words("bradford") == ("locality", "localities")
    assert zone_words("not-a-pack") == ("zone", "zones")


def test_report_says_lots_for_merton():
    card = RateCard(year="t", rates={"urban": Decimal("20.00"), "rural": Decimal("30.50")})
    plan = Plan.build(
        "merton",
        ["A", "B"],
        ["Alpha", "Bravo"],
        [10, 5.5],
        ["L1", "L2"],
        ["urban", "rural"],
        card,
        band_names=("urban", "rural"),
    )
    units = gpd.GeoDataFrame(
        {"unit_code": ["A", "B"]},
        geometry=[box(520_000 + i * 1000, 170_000, 521_000 + i * 1000, 171_000) for i in range(2)],
        crs="EPSG:27700",
    )
    new = plan.move("B", zone="L1")
    ctx = report_context(units, new, compare(plan, new), "x", [], [])
    assert ctx["title"].startswith("Merton home-care lots and price bands")
    assert ctx["impact_rows"][0][2] == "lot only (rural)"
    assert ["Hours a week that changed lot only", "5.50"] in ctx["impact_totals"]
    html = report_html(ctx)
    assert "<h2>Lots</h2>" in html and "<h2>Zones</h2>" not in html and "Price bands and lots." in html
    assert "uplift 0% a year" in ctx["settings"] and any("(uplift 0% a year)" in r[1] for r in ctx["impact_totals"])


def test_unzoned_is_no_zone_and_suggest_does_not_offer_one():
    assert real_zones(["Unzoned", "Unzoned"]) == []
    assert real_zones(["B", "Unzoned", "A", "B"]) == ["A", "B"]
    assert default_zone_count(["Unzoned"], 30) == DEFAULT_ZONE_COUNT  # Bradford: every ward unzoned
    assert default_zone_count(["Unzoned"], 3) == 3
    assert default_zone_count(["A", "B", "C", "Unzoned"], 30) == 3
    assert default_zone_count([], 1) == 1


def test_one_format_for_percentages_and_points():
    assert fmt_pct(Decimal("0.0")) == fmt_pct(0) == fmt_pct(0.0) == "0"
    assert fmt_pct(Decimal("2.50")) == fmt_pct(2.5) == "2.5"
    assert fmt_pct(3) == "3"
    assert fmt_points(-0.04) == "0.0" and fmt_points(0.04) == "0.0"  # never "-0.0"
    assert fmt_points(1.26) == "+1.3" and fmt_points(-0.46) == "−0.5"


def test_map_title_names_the_plan_as_the_page_does():
    t = map_title("leicestershire", None, "base plan")
    assert t.splitlines()[0] == "Leicestershire: base plan" and "not saved" not in t


def test_balance_chart_rows_leave_out_unzoned():
    from zones.service.summary import balance_rows, zone_summary

    card = RateCard(year="t", rates={"urban": Decimal("20.00"), "rural": Decimal("30.50")})
    p = Plan.build(
        "t",
        ["A", "B", "C"],
        ["a", "b", "c"],
        [1, 2, 3],
        ["Unzoned", "N", "Unzoned"],
        ["urban", "rural", "urban"],
        card,
        band_names=("urban", "rural"),
    )
    assert list(balance_rows(zone_summary(p))["zone"]) == ["N"]
    allu = Plan.build("t", ["A"], ["a"], [1], ["Unzoned"], ["urban"], card, band_names=("urban", "rural"))
    assert balance_rows(zone_summary(allu)).empty  # Bradford: no bar for "Unzoned"
