"""Unit map (issue 14 §2-3): search matching on tiny synthetic data, selection/zone/band summaries in Decimal
money, and the band palette under simulated colour blindness."""

from __future__ import annotations

from decimal import Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geodata.names import norm_name
from zones.money import fmt_gbp_change
from zones.plan import Plan
from zones.rates import RateCard
from zones.service.search import search, units_at_points
from zones.service.summary import band_summary, selection_summary, zone_summary

X0, Y0 = 450_000.0, 300_000.0


@pytest.fixture
def units():
    """Three 1 km squares in a row: A (parish Alpha, holds Alpha Hill), B (holds Bravo and Bravo End), C."""
    return gpd.GeoDataFrame(
        {
            "unit_code": ["E04000001", "E04000002", "E04000003"],
            "unit_name": ["Alpha", "Bravo", "Charlie Town"],
            "parishes": ["Alpha", "Bravo;Bravo End", ""],
        },
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(3)],
        crs="EPSG:27700",
    )


@pytest.fixture
def postcodes():
    return pd.DataFrame(
        {
            "key": ["AB11AA", "AB12BB", "AB13CC", "AB21AA", "ZZ99ZZ"],
            "x": [X0 + 500, X0 + 1500, X0 + 1600, X0 + 2500, X0 + 9000],
            "y": [Y0 + 500, Y0 + 500, Y0 + 600, Y0 + 500, Y0 + 500],
        }
    )


@pytest.fixture
def places():
    df = pd.DataFrame(
        {
            "name": ["Alpha Hill", "Delta", "Far Away"],
            "x": [X0 + 900, X0 + 2100, X0 + 50_000],
            "y": [Y0 + 900, Y0 + 100, Y0],
        }
    )
    df["key"] = df["name"].map(norm_name)
    return df


def test_units_at_points_inside_outside_and_edges(units):
    idx = units_at_points(units, [X0 + 10, X0 + 1999, X0 - 5, X0 + 1000], [Y0 + 10, Y0 + 10, Y0 + 10, Y0 + 500])
    assert idx.tolist() == [0, 1, -1, 0]  # a point on the shared edge goes to the first unit


def test_search_parish_name_and_code(units, postcodes, places):
    r = search(units, "bravo end", postcodes=postcodes, places=places)
    assert (r.kind, r.codes) == ("name", ["E04000002"])
    assert search(units, "E04000003", postcodes=postcodes).codes == ["E04000003"]
    # exact resolutions first, then substring hits
    r = search(units, "alpha", resolve=lambda t: ["E04000001"] if t == "alpha" else [])
    assert r.codes == ["E04000001"]


def test_search_place_gives_the_unit_holding_it(units, postcodes, places):
    r = search(units, "Alpha Hill", postcodes=postcodes, places=places)
    assert (r.kind, r.codes) == ("place", ["E04000001"])
    r = search(units, "Delta", postcodes=postcodes, places=places)
    assert (r.kind, r.codes) == ("place", ["E04000003"]) and "Delta" in r.label
    assert search(units, "Far Away", postcodes=postcodes, places=places).codes == []


def test_search_postcode_and_district(units, postcodes, places):
    r = search(units, "ab1 2bb", postcodes=postcodes, places=places)
    assert (r.kind, r.codes) == ("postcode", ["E04000002"]) and "AB1 2BB" in r.label
    r = search(units, "AB1", postcodes=postcodes, places=places)
    assert r.kind == "district" and r.codes == ["E04000001", "E04000002"]  # both units holding AB1 postcodes
    assert search(units, "AB2", postcodes=postcodes).codes == ["E04000003"]
    assert search(units, "ZZ9 9ZZ", postcodes=postcodes).codes == []  # 6 km outside every unit
    near = pd.concat([postcodes, pd.DataFrame({"key": ["AB33DD"], "x": [X0 + 4000], "y": [Y0 + 500]})])
    r = search(units, "AB3 3DD", postcodes=near)  # 1 km outside: the nearest unit, said so
    assert r.codes == ["E04000003"] and "1.0 km outside" in r.label
    assert search(units, "AB9 9XX", postcodes=postcodes).kind == "none"  # not in the file


def test_search_nothing_and_hostile_text(units, postcodes, places):
    assert search(units, "", postcodes=postcodes).codes == []
    r = search(units, "<img src=x onerror=alert(1)>" * 20, postcodes=postcodes, places=places)
    assert r.codes == [] and len(r.query) <= 120


def _plan() -> Plan:
    rates = RateCard(
        year="2025/26",
        rates={
            "urban": Decimal("25.27"),
            "fringe": Decimal("26.36"),
            "rural": Decimal("29.39"),
            "isolated": Decimal("32.71"),
        },
        source="test",
    )
    return Plan.build(
        "t",
        ["a", "b", "c", "d"],
        ["A", "B", "C", "D"],
        [10.0, 20.5, 0.25, 100.0],
        ["Z1", "Z1", "Z2", "Z2"],
        ["urban", "fringe", "rural", "urban"],
        rates,
    )


def test_selection_summary_money_and_move_delta():
    p = _plan()
    s = selection_summary(p, ["a", "b", "a"])
    assert s["units"] == 2 and s["hours_per_week"] == 30.5
    assert s["gbp_per_week"] == Decimal("10.0") * Decimal("25.27") + Decimal("20.5") * Decimal("26.36")
    assert "move_gbp_per_week" not in s
    m = selection_summary(p, ["a", "b"], band="isolated")
    exp = Decimal("10") * (Decimal("32.71") - Decimal("25.27")) + Decimal("20.5") * (
        Decimal("32.71") - Decimal("26.36")
    )
    assert m["move_gbp_per_week"] == exp.quantize(Decimal("0.01"))
    assert m["move_units_changed"] == 2 and m["move_hours_changing_band"] == 30.5
    z = selection_summary(p, ["a"], zone="Z2")  # a zone-only move: no £, no hours changing band
    assert z["move_gbp_per_week"] == 0 and z["move_units_changed"] == 1 and z["move_hours_changing_band"] == 0
    assert selection_summary(p, [])["gbp_per_week"] == 0


def test_zone_and_band_summaries_add_up_to_the_plan():
    p = _plan()
    zs, bs = zone_summary(p), band_summary(p)
    assert list(zs["zone"]) == ["Z1", "Z2"] and list(zs["units"]) == [2, 2]
    assert sum(zs["gbp_per_week"]) == p.totals()["gbp_per_week"] == sum(bs["gbp_per_week"])
    assert zs["hours_per_week"].sum() == pytest.approx(130.75)
    assert bs.set_index("band").loc["urban", "units"] == 2
    q = p.move(["c"], zone="Z1")
    assert list(zone_summary(q)["units"]) == [3, 1]


def test_signed_gbp_is_the_money_modules_change_format():
    assert fmt_gbp_change(Decimal("1071.555")) == "+£1,071.56"
    assert fmt_gbp_change(Decimal("-5")) == "−£5.00"
    assert fmt_gbp_change(0) == "£0.00"


# ---------------------------------------------------------------- palette under colour-blindness simulation

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
MACHADO = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
}


def _lin(hex_):
    c = np.array([int(hex_[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(lin):
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(lin, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_band_palette_keeps_bands_apart_and_coloured_under_cvd():
    from pages.unitmap import band_styles

    styles = band_styles(["urban", "fringe", "rural", "isolated"])
    colours = {s["name"]: s["colour"] for s in styles}
    patterns = [s["pattern"] for s in styles]
    assert len(set(patterns)) == len(patterns)  # a pattern per band: never colour alone
    for name, mat in [("normal", np.eye(3))] + list(MACHADO.items()):
        lab = {b: _lab(mat @ _lin(c)) for b, c in colours.items()}
        for b, v in lab.items():  # no band turns grey (chroma of a* b*)
            assert np.hypot(v[1], v[2]) > 20, (name, b, v)
        bands = list(lab)
        for i in range(len(bands)):
            for j in range(i + 1, len(bands)):
                de = np.linalg.norm(lab[bands[i]] - lab[bands[j]])
                assert de > 15, (name, bands[i], bands[j], de)


def test_the_map_colours_a_packs_bands_as_the_report_does_with_a_pattern_each():
    """A five-band pack: the unit map took extra bands' colours by position, so two bands had each other's colour
    compared with the PDF and Finance (``band_colours``); each band now has the report's colour and its own
    pattern."""
    from pages.unitmap import band_styles
    from zones.outputs.report import band_colours

    bands = ["urban", "suburban", "fringe", "rural", "remote"]
    styles = band_styles(bands)
    assert [s["name"] for s in styles] == bands
    assert {s["name"]: s["colour"] for s in styles} == band_colours(bands)
    assert len({s["pattern"] for s in styles}) == 5 and len({s["colour"] for s in styles}) == 5
    assert [s["pattern"] for s in band_styles(["urban", "fringe", "rural", "isolated"])] == [
        "none",
        "diagonal",
        "dots",
        "cross",
    ]


def test_search_matches_word_starts_never_inside_a_word():
    """Issue 19 §5: "Croft" found Croft and Newtown Linford (which holds Ulverscroft) and Enter selected both."""
    u = gpd.GeoDataFrame(
        {
            "unit_code": ["E04000011", "E04000012", "E04000013"],
            "unit_name": ["Croft", "Newtown Linford", "Market Harborough"],
            "parishes": ["Croft", "Newtown Linford;Ulverscroft", "Market Harborough (East)"],
        },
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(3)],
        crs="EPSG:27700",
    )
    assert search(u, "Croft").codes == ["E04000011"]
    assert search(u, "croft").codes == ["E04000011"]
    assert search(u, "linford").codes == ["E04000012"]  # a later word of the name
    assert search(u, "Ulvers").codes == ["E04000012"]  # the start of a parish held by the unit
    assert search(u, "east").codes == ["E04000013"]  # after a bracket
    assert search(u, "arborough").codes == []  # inside a word: no match
    assert search(u, "E040000").codes == ["E04000011", "E04000012", "E04000013"]  # code prefix
    assert search(u, "a.b*c(").codes == []  # regex characters are text, never a pattern
