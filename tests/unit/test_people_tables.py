"""Tables as pages show them (issue 19 §15; docs/walkthrough-findings.md "raw names and formats"): columns headed in
words, £ with its sign, care hours with thousands separators, empty columns left out. Tiny synthetic data."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from zones.impact import compare
from zones.outputs import people
from zones.plan import Plan
from zones.rates import RateCard

RAW = {
    "from_band",
    "to_band",
    "hours_per_week",
    "gbp_per_week",
    "latest_version",
    "n_versions",
    "n_units",
    "unit_code",
    "from_zone",
    "to_zone",
    "zone",
    "unit",
    "floor",
}


def card() -> RateCard:
    return RateCard("2025/26", {"urban": Decimal("20.00"), "rural": Decimal("22.50")})


def plan(bands=("urban", "rural"), hours=(4444.75, 5.5)) -> Plan:
    return Plan.build(
        "t",
        ["A", "B"],
        ["Asfordby", "Bravo"],
        list(hours),
        ["North", "South"],
        list(bands),
        card(),
        band_names=("urban", "rural"),
    )


def test_changed_units_headed_in_words_with_signed_pounds_and_thousands():
    imp = compare(plan(), plan(bands=("rural", "rural")))
    t = people.changed_units(imp.rows, "lot")
    assert not RAW & set(t.columns)
    assert list(t.columns)[:2] == ["Lot", "Unit"]
    row = t.iloc[0]
    assert row["Band before"] == "urban" and row["Band after"] == "rural"
    assert row["Care hours a week"] == "4,444.75"
    assert row["Change in £ a week"] == "+£11,111.88"  # 4444.75 h x £2.50, rounded once
    down = people.changed_units(compare(plan(bands=("rural", "rural")), plan()).rows, "zone")
    assert down.iloc[0]["Change in £ a week"] == "−£11,111.88"


def test_rate_table_leaves_out_an_empty_floor_column_and_shows_pounds():
    t = people.rate_table(card(), ["urban", "rural"])
    assert "Floor £ an hour" not in t.columns and not RAW & set(t.columns)
    assert list(t["Rate £ an hour"]) == ["£20.00", "£22.50"]
    floored = RateCard(
        "2025/26", {"urban": Decimal("20.00"), "rural": Decimal("22.50")}, floor={"urban": Decimal("19.00")}
    )
    assert list(people.rate_table(floored, ["urban", "rural"])["Floor £ an hour"]) == ["£19.00", ""]


def test_scenario_and_version_lists_headed_in_words():
    scen = pd.DataFrame(
        {
            "id": [1],
            "council": ["t"],
            "name": ["West"],
            "author": ["ann"],
            "updated": ["x"],
            "latest_version": [2],
            "n_versions": [2],
        }
    )
    vers = pd.DataFrame(
        {"version": [1], "author": ["ann"], "created": ["x"], "note": [""], "published": [False], "n_units": [2]}
    )
    for df in (scen, vers):
        shown = people.scenario_table(df)
        assert not RAW & set(shown.columns) and len(shown.columns) == len(df.columns)
    assert "Latest version" in people.scenario_table(scen).columns


def test_audit_table_names_the_unit_and_uses_the_zone_label():
    log = pd.DataFrame(
        {
            "version": [1, 1],
            "who": ["ann"] * 2,
            "at": ["x"] * 2,
            "action": ["create", "change"],
            "unit_code": [None, "E04005516"],
            "from_zone": [None, "North"],
            "to_zone": [None, "South"],
            "from_band": [None, "urban"],
            "to_band": [None, "rural"],
            "reason": ["", "closer"],
        }
    )
    t = people.audit_table(log, {"E04005516": "Asfordby"}, "cluster")
    assert not RAW & set(t.columns)
    assert list(t["Unit"]) == ["", "Asfordby"] and t.iloc[1]["Unit code"] == "E04005516"
    assert t.iloc[1]["Cluster before"] == "North" and t.iloc[1]["Cluster after"] == "South"


def test_hours_by_zone_band_says_its_unit():
    t = people.hours_by_zone_band(plan(), "locality")
    assert t.index.name == "Locality"
    assert all("hours a week" in c for c in t.columns)
    assert t.loc["North", "urban (hours a week)"] == 4444.75


def test_fmt_hours():
    assert people.fmt_hours(4444.75) == "4,444.75" and people.fmt_hours(float("nan")) == ""


def test_moves_file_rows_headed_in_words():
    rows = [
        {
            "subzone": "",
            "unit": "Alpha",
            "unit_codes": "A",
            "from_band": "urban",
            "to_band": "rural",
            "hours_per_week": 1234.5,
            "from_rate_gbp_per_hour": Decimal("20.00"),
            "to_rate_gbp_per_hour": Decimal("22.50"),
            "gbp_per_week": Decimal("3086.25"),
            "hours_per_week_estimate": 1000.0,
        }
    ]
    t = people.moves_rows(rows, "zone")
    assert not RAW & set(t.columns) and "Sub-zone" in t.columns
    r = t.iloc[0]
    assert r["Care hours a week (file)"] == "1,234.50" and r["Care hours a week (plan's estimate)"] == "1,000.00"
    assert r["Rate after £ an hour"] == "£22.50" and r["Change in £ a week"] == "+£3,086.25"


def test_payfloor_what_ifs_headed_in_words():
    t = people.payfloor_what_ifs([{"what_if": "as above", "gbp_per_year": Decimal("123456.785")}])
    assert list(t.columns) == ["What if", "Change in £ a year"] and t.iloc[0, 1] == "+£123,456.79"


def test_zone_pairs_headed_with_the_zone_label():
    t = people.zone_pairs(
        [{"from_zone": "North", "to_zone": "South", "n_units": 2, "hours_per_week": 1234.5, "clients_est": 98.76}],
        "lot",
    )
    assert list(t.columns) == [
        "Lot before",
        "Lot after",
        "Units",
        "Care hours a week (est.)",
        "People supported (est.)",
    ]
    assert t.iloc[0]["Care hours a week (est.)"] == "1,234.50" and t.iloc[0]["People supported (est.)"] == "98.8"


def test_bands_trial_changes_headed_in_words_with_signed_pounds():
    ch = pd.DataFrame(
        {
            "unit_code": ["A", "B"],
            "unit_name": ["Asfordby", "Bravo"],
            "from_band": ["urban", "rural"],
            "to_band": ["rural", "urban"],
            "hours_per_week": [4444.75, 5.5],
            "gbp_per_week": [Decimal("11111.875"), Decimal("-13.75")],
        }
    )
    t = people.band_trial_changes(ch)
    assert not RAW & set(t.columns)
    assert list(t["Unit"]) == ["Asfordby", "Bravo"]
    assert list(t["Care hours a week"]) == ["4,444.75", "5.50"]
    assert list(t["Change in £ a week"]) == ["+£11,111.88", "−£13.75"]
    no_rates = people.band_trial_changes(ch.drop(columns="gbp_per_week"))
    assert "Change in £ a week" not in no_rates.columns


def test_manual_bands_name_the_unit_and_use_the_zone_label():
    over = plan(bands=("rural", "rural")).assignments().iloc[[0]]
    t = people.manual_bands(over, {"A": "Asfordby"}, "cluster")
    assert list(t.columns) == ["Unit", "Cluster", "Band set by hand", "Classifier suggests", "Reason"]
    assert t.iloc[0]["Unit"] == "Asfordby"


def test_suggest_tables_headed_in_words_with_the_zone_label():
    zones = [
        {
            "name": "North",
            "units": 3,
            "hours_per_week": 1234.5,
            "mean_drive_min": 6.25,
            "contiguous": True,
            "balance_dev_pct": -2.0,
            "providers": 2,
        }
    ]
    t = people.suggest_zones(zones, "lot", "walk")
    assert list(t.columns) == [
        "Lot",
        "Units",
        "Care hours a week",
        "Mean walk inside (min)",
        "One piece",
        "Hours vs mean (%)",
        "Providers",
    ]
    assert t.iloc[0]["Care hours a week"] == "1,234.50"
    ch = people.suggest_changes(
        [{"unit_code": "A", "unit_name": "Asfordby", "from": "North", "to": "South", "hours_per_week": 12.0}], "lot"
    )
    assert list(ch.columns) == ["Unit", "Unit code", "Lot now", "Lot proposed", "Care hours a week"]
    assert not RAW & set(ch.columns)


def test_edit_zones_totals_headed_in_words():
    bs = pd.DataFrame(
        {"band": ["urban"], "units": [2], "hours_per_week": [4450.25], "gbp_per_week": [Decimal("89005")]}
    )
    t = people.band_totals(bs)
    assert list(t.columns) == ["Band", "Units", "Care hours a week", "£ a week"]
    assert (t.iloc[0]["Care hours a week"], t.iloc[0]["£ a week"]) == ("4,450.25", "£89,005.00")
    zs = bs.rename(columns={"band": "zone"}).assign(share_pct=[100.0])
    z = people.zone_totals(zs, "locality")
    assert list(z.columns)[0] == "Locality" and "Share of care hours (%)" in z.columns
