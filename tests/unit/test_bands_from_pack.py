"""Bands from the pack everywhere (issue 21): a synthetic THREE-band and a FIVE-band council work end to end.

Each council is the shared synthetic data directory (tests/conftest.py: two 2 km wards, EPSG:27700) with its units
re-cut into five 800 m strips (Ash, Birch, Cedar, Damson, Elm, west to east), two postcodes in each, and a pack
naming its own bands, rates and thresholds. The travel engine is replaced by a fixed table of minutes between
visits (the test's synthetic evidence, with a hand-made estimator for the minutes from the town): the town cuts
are set beyond reach and the density cut below every unit, so the minutes between visits alone decide each band,
and every expected band, sentence and £ below is worked out here by hand from those minutes, hours and rates.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import pickle
import shutil
import subprocess
from decimal import Decimal

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from geodata.datadir import DataError
from tests.conftest import X0, Y0, make_synthetic_data

UNITS = ["Ash", "Birch", "Cedar", "Damson", "Elm"]
CODES = [f"E0490000{i + 1}" for i in range(5)]
COUNCILS = {
    # bands (least remote first), £ per hour, minutes between visits at which each band after the first starts,
    # each unit's minutes between visits, and the band that gives each unit
    3: {
        "bands": ("town", "country", "remote"),
        "rates": ("21.50", "27.25", "33.05"),
        "visit_cuts": (2.0, 4.0),
        "visits": (1.0, 3.0, 5.0, 1.5, 4.5),
        "expect": ("town", "country", "remote", "town", "remote"),
    },
    5: {
        "bands": ("urban", "suburban", "fringe", "rural", "remote"),
        "rates": ("20.10", "22.35", "25.60", "29.05", "34.99"),
        "visit_cuts": (2.0, 4.0, 6.0, 8.0),
        "visits": (1.0, 3.0, 5.0, 7.0, 9.0),
        "expect": ("urban", "suburban", "fringe", "rural", "remote"),
    },
}
BELOW_HOURS_PER_KM2 = 0.5  # every unit holds more care hours a week per km² than this: the density rule never fires


def _pack_text(n: int, pid: str) -> str:
    c = COUNCILS[n]
    bands = c["bands"]
    lines = [
        f'[council]\nid = "{pid}"\nname = "{pid.capitalize()}"\nlad_codes = ["E07900001"]\n'
        'unit_type = "polygons"\nbands = [' + ", ".join(f'"{b}"' for b in bands) + "]\n"
        "weekly_hours_total = 100\nsliver_max_m2 = 50000\n",
        '[layers]\nwards = "wards/{lad}.geojson"\nward_code_field = "WD13CD"\nward_name_field = "WD13NM"\n'
        'parishes = "parishes.geojson"\nparish_code_field = "ref_gss"\nparish_name_field = "name"\n'
        'parish_lookup = "parish_lookup.csv"\nlsoa = "lsoa/{lad}.geojson"\n'
        'lsoa_ward_lookup = "lsoa_ward.csv"\n'
        'population = "population.csv"\npostcodes = "postcodes.csv"\nplaces = "places.csv"\n'
        'towns = "towns.csv"\nstrips = "strips.geojson"\n',
        '[units]\nlayer = "strips"\ncode_field = "code"\nname_field = "name"\ndistrict_field = "lad"\n'
        'kind = "parish"\noutline = "lsoa"\noutline_code_field = "LSOA11CD"\n'
        'edge_source = "test strips"\n',
        '[zones]\nmethod = "nearest_town"\n[[zones.zone]]\nname = "Westzone"\ntowns = ["Alpha"]\n'
        '[[zones.zone]]\nname = "Eastzone"\ntowns = ["Eastville"]\n',
        '[hubs]\ntowns = "towns"\nmin_population = 5000\ndensity_per_km2 = 4000\n',
        '[rates."2025/26"]\n' + "".join(f'{b} = "{r}"\n' for b, r in zip(bands, c["rates"])),
        "[classify]\n"
        + "".join(
            f"{b}_town_min = {50 + 10 * i}\n{b}_visit_min = {c['visit_cuts'][i - 1]}\n"
            for i, b in enumerate(bands[1:], start=1)
        )
        + f"{bands[1]}_below_hours_per_km2 = {BELOW_HOURS_PER_KM2}\n",
    ]
    lines.append(lines[-1].replace("[classify]", "# the plausible values: the thresholds themselves\n[classify.prior]"))
    return "\n".join(lines)


def _metrics(layer, n: int) -> pd.DataFrame:
    """The travel engine's table, made here: each unit's minutes between visits, and an estimator of 10 m/s."""
    visits = dict(zip(CODES, COUNCILS[n]["visits"]))
    codes = layer.units["unit_code"]
    df = pd.DataFrame(
        {
            "unit_code": codes,
            "visit_to_visit_min": [visits[c] for c in codes],
            "road_data": False,
            "town_min": 1.0,
            "nearest_hub": "Westtown",
            "clients_per_km2": 5.0,
            "circuity": 1.3,
            "estimated": True,
            "method": "test table",
        }
    )
    df.attrs["estimator"] = {"bands": [{"from_m": 0, "circuity": 1.0, "speed_m_per_s": 10.0}]}
    return df


def make_council(root, n: int, pid: str | None = None):
    """The synthetic data directory under ``root`` with the ``n``-band pack; returns the pack path."""
    pid = pid or {3: "threeshire", 5: "fiveshire"}[n]
    make_synthetic_data(root)
    strips = gpd.GeoDataFrame(
        {"code": CODES, "name": UNITS, "lad": "E07900001"},
        geometry=[box(X0 + 800 * i, Y0, X0 + 800 * (i + 1), Y0 + 2000) for i in range(5)],
        crs="EPSG:27700",
    )
    strips.to_file(root / "strips.geojson", driver="GeoJSON", engine="pyogrio")
    xs = [X0 + 300, X0 + 500, X0 + 1100, X0 + 1300, X0 + 1700, X0 + 1900, X0 + 2500, X0 + 2700, X0 + 3500, X0 + 3700]
    pd.DataFrame(
        {"pcds": [f"ZZ1 {i}AA" for i in range(len(xs))], "lad25cd": "E07900001", "east1m": xs, "north1m": Y0 + 500}
    ).to_csv(root / "postcodes.csv", index=False)
    pd.DataFrame({"name": ["Westtown"], "easting": [X0 - 1500], "northing": [Y0 + 1000], "population": [5000]}).to_csv(
        root / "towns.csv", index=False
    )
    path = root / f"{pid}.toml"
    path.write_text(_pack_text(n, pid))
    return path


@pytest.fixture
def council(tmp_path, monkeypatch):
    """``council(n)``: (pack path, layer) of the synthetic ``n``-band council, its travel table patched in."""
    import travel.metrics as tm
    from geodata.units import load_units

    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("ZONEPLAN_DATA", str(data))
    monkeypatch.setenv("ZONEPLAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path / "s.sqlite"))
    monkeypatch.delenv("ZONEPLAN_DB_URL", raising=False)

    def make(n: int):
        path = make_council(data, n)
        monkeypatch.setattr(tm, "unit_metrics", lambda layer, *a, **k: _metrics(layer, n))
        return path, load_units(path)

    return make


def _rates(n: int) -> dict[str, Decimal]:
    return {b: Decimal(r) for b, r in zip(COUNCILS[n]["bands"], COUNCILS[n]["rates"])}


def _hours(layer) -> dict[str, Decimal]:
    """Each unit's hours a week as a plan holds them (to the centi-hour), exact."""
    u = layer.units
    return {c: Decimal(str(round(float(h), 2))) for c, h in zip(u["unit_code"], u["hours_per_week"])}


def _pennies(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def _cli(*args) -> str:
    from zones.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(list(args)) == 0
    return buf.getvalue()


# ---------------------------------------------------------------- the pack's bands


def test_a_pack_names_two_to_nine_distinct_plain_band_names(tmp_path):
    from geodata.packs import load_pack

    path = make_council(tmp_path, 5)
    assert load_pack(path).bands == COUNCILS[5]["bands"]
    text = path.read_text()
    for bad, why in (
        ('["urban"]', "1 band"),
        ('["a", "b", "a"]', "repeat"),
        ('["urban", "Rural <b>"]', "lower-case"),
        ('"urban"', "a list"),
        (str([f"b{i}" for i in range(10)]).replace("'", '"'), "10 band"),
    ):
        path.write_text(text.replace('bands = ["urban", "suburban", "fringe", "rural", "remote"]', f"bands = {bad}"))
        with pytest.raises(DataError, match=why):
            load_pack(path)


@pytest.mark.parametrize("n", [3, 5])
def test_thresholds_are_the_packs_cuts_in_minutes(council, n):
    from zones.classify import Thresholds, threshold_keys

    path, layer = council(n)
    bands = COUNCILS[n]["bands"]
    th = Thresholds.from_pack(layer.pack)
    assert th.bands == bands and len(bands) - 1 == len(COUNCILS[n]["visit_cuts"])  # N bands, N - 1 cuts
    keys = [f"{b}_{w}_min" for b in reversed(bands[2:]) for w in ("town", "visit")]
    assert (
        th.keys
        == threshold_keys(bands)
        == tuple(keys + [f"{bands[1]}_below_hours_per_km2", f"{bands[1]}_visit_min", f"{bands[1]}_town_min"])
    )
    assert [th.visit_min(b) for b in bands[1:]] == list(COUNCILS[n]["visit_cuts"])
    assert pickle.loads(pickle.dumps(th)) == th and copy.deepcopy(th) == th and hash(th) == hash(copy.copy(th))
    with pytest.raises(AttributeError):
        th.bands = ("a", "b")  # immutable, as the frozen dataclass it replaces
    with pytest.raises(DataError, match=f"visit-to-visit thresholds must rise {' ≤ '.join(bands[1:])}"):
        Thresholds.from_dict(dict(th.as_dict(), **{f"{bands[-1]}_visit_min": 1.0}), "x", bands)
    with pytest.raises(DataError, match=f"lacks {bands[1]}_town_min"):
        Thresholds.from_dict({k: v for k, v in th.as_dict().items() if k != f"{bands[1]}_town_min"}, "x", bands)


# ---------------------------------------------------------------- classify: bands and evidence


@pytest.mark.parametrize("n", [3, 5])
def test_classify_gives_the_packs_bands_with_next_band_up_and_down(council, n):
    from zones.plan import base_plan

    path, layer = council(n)
    bands, c = COUNCILS[n]["bands"], COUNCILS[n]
    plan, cls = base_plan(layer)
    got = cls.set_index("unit_code")
    assert [got.loc[code, "band"] for code in CODES] == list(c["expect"])
    for code, visit, band in zip(CODES, c["visits"], c["expect"]):
        i = bands.index(band)
        row = got.loc[code]
        assert row["next_band_up"] == (bands[i + 1] if i < len(bands) - 1 else "")
        assert row["next_band_down"] == (bands[i - 1] if i else "")
        if i < len(bands) - 1:  # the visit cut into the next band is the nearest trigger (town cuts are far)
            nxt, cut = bands[i + 1], c["visit_cuts"][i]
            more = f"{cut - visit:g} minute" + ("" if cut - visit == 1 else "s")
            assert row["margin_up"] == f"visits {more} further apart (the {nxt} band starts at {cut:g} minutes)"
            assert f"It would become {nxt} with visits {more} further apart" in row["evidence"]
        else:
            assert row["margin_up"] == "" and "It would become" not in row["evidence"]
        if i:
            cut = c["visit_cuts"][i - 1]
            assert row["rule"] == (
                f"visits are about {visit:g} minutes apart (the {band} band starts at {cut:g} minutes)"
            )
            assert row["evidence"].startswith(f"{band.upper()} because visits are about {visit:g} minutes apart")
            assert (
                f"It would be {bands[i - 1]} if visits were under {cut:g} minutes apart (they are about {visit:g})"
                in row["evidence"]
            )
        else:
            others = ", ".join(bands[1:-1]) + " or " if n > 2 else ""
            assert row["rule"] == f"no {others}{bands[-1]} rule applies"
            assert row["evidence"].startswith(f"{band.upper()} because it is close to a town")
            assert row["margin_down"] == "" and "It would be " not in row["evidence"]


def test_a_band_name_of_another_pack_never_appears(council):
    """The three-band council's evidence names only its own bands (no urban/fringe/rural/isolated of the default)."""
    from zones.plan import base_plan

    _, layer = council(3)
    _, cls = base_plan(layer)
    text = " ".join(
        cls[["rule", "evidence", "margin_up", "margin_down", "next_band_up", "next_band_down"]]
        .astype(str)
        .to_numpy()
        .ravel()
    )
    for default in ("urban", "fringe", "rural", "isolated"):
        assert default not in text.lower()


# ---------------------------------------------------------------- plan, impact, preview: exact money


@pytest.mark.parametrize("n", [3, 5])
def test_plan_totals_by_band_and_zone_to_the_penny(council, n):
    from zones.plan import base_plan

    _, layer = council(n)
    bands, rates, hours = COUNCILS[n]["bands"], _rates(n), _hours(layer)
    plan, _ = base_plan(layer)
    band_of = dict(zip(CODES, COUNCILS[n]["expect"]))
    zone_of = dict(zip(layer.units["unit_code"], layer.units["zone"]))
    assert plan.band_names == bands and [r["band"] for r in plan.by_band()] == list(bands)
    for r in plan.by_band():
        exact = sum((hours[u] * rates[r["band"]] for u in CODES if band_of[u] == r["band"]), Decimal(0))
        assert (r["gbp_per_week_exact"], r["gbp_per_week"]) == (exact, _pennies(exact))
        assert r["rate_gbp_per_hour"] == rates[r["band"]]
        in_band = [u for u in CODES if band_of[u] == r["band"]]
        assert Decimal(str(r["hours_per_week"])) == sum((hours[u] for u in in_band), Decimal(0))
    for z in plan.by_zone():
        exact = sum((hours[u] * rates[band_of[u]] for u in CODES if zone_of[u] == z["zone"]), Decimal(0))
        assert z["gbp_per_week"] == _pennies(exact)
    assert {z["zone"] for z in plan.by_zone()} == {"Westzone", "Eastzone"}
    total = sum((hours[u] * rates[band_of[u]] for u in CODES), Decimal(0))
    t = plan.totals(52)
    assert list(t["hours_per_week_by_band"]) == list(t["hours_share_by_band"]) == list(bands)
    assert (t["gbp_per_week"], t["gbp_per_year"]) == (_pennies(total), _pennies(total * 52))


@pytest.mark.parametrize("n", [3, 5])
def test_a_move_between_bands_costs_hours_times_the_rate_difference(council, n):
    from zones.impact import compare
    from zones.plan import base_plan

    _, layer = council(n)
    bands, rates, hours = COUNCILS[n]["bands"], _rates(n), _hours(layer)
    plan, _ = base_plan(layer)
    new = plan.move("E04900002", band=bands[-1], reason="longer rounds").move("E04900005", band=bands[0])
    imp = compare(plan, new, weeks_per_year=52)
    b_from, e_from = COUNCILS[n]["expect"][1], COUNCILS[n]["expect"][4]
    exact = hours["E04900002"] * (rates[bands[-1]] - rates[b_from]) + hours["E04900005"] * (
        rates[bands[0]] - rates[e_from]
    )
    assert imp.gbp_per_week_exact == exact and imp.gbp_per_week == _pennies(exact)
    assert imp.gbp_per_year == _pennies(exact * 52)
    assert sorted((r["unit"], r["from_band"], r["to_band"]) for r in imp.rows) == [
        ("Birch", b_from, bands[-1]),
        ("Elm", e_from, bands[0]),
    ]
    assert new.gbp_per_week_exact() - plan.gbp_per_week_exact() == exact


def test_threshold_preview_moves_units_between_the_packs_bands(council):
    from zones.classify import Thresholds, threshold_preview

    _, layer = council(5)
    bands, rates = COUNCILS[5]["bands"], _rates(5)
    from zones.plan import base_plan

    plan, cls = base_plan(layer)
    ev = cls.merge(layer.units[["unit_code", "unit_name", "hours_per_week"]], on="unit_code")
    cur = Thresholds.from_pack(layer.pack)
    trial = cur.with_values(rural_visit_min=7.5)  # Damson (7 min) falls from rural to fringe (6 min)
    res = threshold_preview(ev, cur, trial, None, rates)
    assert list(res["shares_trial"]) == list(bands) and res["n_changed"] == 1
    row = res["changes"].iloc[0]
    assert (row["unit_name"], row["from_band"], row["to_band"]) == ("Damson", "rural", "fringe")
    h = _hours(layer)["E04900004"]
    assert res["gbp_per_week_change"] == _pennies(h * (rates["fringe"] - rates["rural"]))
    assert list(res["rule_counts"]) == [
        "remote_town_min",
        "remote_visit_min",
        "rural_town_min",
        "rural_visit_min",
        "fringe_town_min",
        "fringe_visit_min",
        "suburban_town_min",
        "suburban_visit_min",
        "suburban_below_hours_per_km2",
    ]


def test_calibration_fits_five_bands_to_their_target_shares(council):
    """From a prior that puts Damson (7 minutes between visits) in fringe, the fit to the pack's own shares moves
    the rural cut back below 7 minutes; the fit speaks of the five bands."""
    from zones.classify import Thresholds, band_index, calibrate, default_prior, hours_share
    from zones.plan import base_plan

    _, layer = council(5)
    bands = COUNCILS[5]["bands"]
    _, cls = base_plan(layer)
    hours = layer.units.set_index("unit_code").loc[cls["unit_code"], "hours_per_week"].to_numpy()
    target = hours_share(cls["band"].to_numpy(), hours, bands)
    prior = dict(Thresholds.from_pack(layer.pack).as_dict(), rural_visit_min=7.5)
    start = band_index(cls["town_min"], cls["visit_to_visit_min"], cls["hours_per_km2"], Thresholds(bands, **prior))
    assert [bands[i] for i in start][3] == "fringe"
    th, fit = calibrate(cls, hours, target, prior=prior, bands=bands)
    assert th.bands == bands and list(fit["achieved_pct"]) == list(bands) and list(fit["target_pct"]) == list(bands)
    assert fit["within_tolerance"] and fit["max_gap_pct_points"] == 0
    assert 6.0 <= th.rural_visit_min <= 7.0 and set(fit["threshold_moves"]) == set(th.keys)
    d = default_prior(bands)  # the plausible start for a pack of five bands: the default span over four cuts
    assert [d[f"{b}_town_min"] for b in bands[1:]] == [5.0, 8.3, 11.7, 15.0]
    assert [d[f"{b}_visit_min"] for b in bands[1:]] == [1.5, 2.1, 2.9, 4.0]


# ---------------------------------------------------------------- the CLI on a pack path


@pytest.mark.parametrize("n", [3, 5])
def test_cli_classify_json_names_the_packs_bands_and_cuts(council, n):
    path, layer = council(n)
    bands, rates, hours = COUNCILS[n]["bands"], _rates(n), _hours(layer)
    out = json.loads(_cli("classify", str(path), "--json", "--no-validate"))
    assert list(out["hours_share_by_band"]) == list(out["n_units_by_band"]) == list(bands)
    assert out["n_units_by_band"] == {b: COUNCILS[n]["expect"].count(b) for b in bands}
    assert list(out["rule_counts"])[-1] == f"{bands[1]}_below_hours_per_km2"
    for i, b in enumerate(bands[1:], start=1):
        cut = COUNCILS[n]["visit_cuts"][i - 1]
        assert out["thresholds"][f"{b}_visit_min"] == cut
        assert f"{cut:g} minutes" in out["threshold_meaning"][f"{b}_visit_min"]
        assert out["threshold_meaning"][f"{b}_visit_min"].startswith(b if i > 1 else f"{b} (not {bands[0]})")
    assert out["threshold_meaning"][f"{bands[1]}_below_hours_per_km2"].endswith(f"{bands[0]} round)")
    total = sum((hours[u] * rates[b] for u, b in zip(CODES, COUNCILS[n]["expect"])), Decimal(0))
    assert Decimal(out["gbp_per_week"]) == _pennies(total) and Decimal(out["gbp_per_week_exact"]) == total


def _moves_file(tmp_path, n: int):
    """Birch moves to the most remote band at the council's own 12.34 hours a week."""
    bands = COUNCILS[n]["bands"]
    f = tmp_path / "moves.csv"
    f.write_text(f"subzone,unit,from_band,to_band,hours_per_week\nWest,Birch,{bands[1]},{bands[-1]},12.34\n")
    return f, Decimal("12.34") * (_rates(n)[bands[-1]] - _rates(n)[bands[1]])


@pytest.mark.parametrize("n", [3, 5])
def test_cli_impact_json_prices_a_move_between_the_packs_bands(council, tmp_path, n):
    path, _ = council(n)
    moves, exact = _moves_file(tmp_path, n)
    out = json.loads(_cli("impact", str(path), "--moves", str(moves), "--weeks-per-year", "52", "--json"))
    bands = COUNCILS[n]["bands"]
    assert [(r["from_band"], r["to_band"]) for r in out["rows"]] == [(bands[1], bands[-1])]
    assert Decimal(out["gbp_per_week_exact"]) == exact
    assert Decimal(out["gbp_per_week"]) == _pennies(exact) and Decimal(out["gbp_per_year"]) == _pennies(exact * 52)


# ---------------------------------------------------------------- outputs: XLSX, CSV, PDF


def test_xlsx_and_csv_carry_the_five_bands_and_the_exact_money(council):
    from zones.impact import compare
    from zones.outputs.export import impact_csv, impact_totals_csv, impact_xlsx
    from zones.plan import base_plan

    _, layer = council(5)
    bands, rates, hours = COUNCILS[5]["bands"], _rates(5), _hours(layer)
    plan, _ = base_plan(layer)
    new = plan.move("E04900002", band="remote")
    imp = compare(plan, new, weeks_per_year=52)
    exact = hours["E04900002"] * (rates["remote"] - rates["suburban"])
    wb = openpyxl.load_workbook(io.BytesIO(impact_xlsx(new, imp, ["test"], "five-band test")))
    head = [c.value for c in wb["Impact"][1]]
    row = dict(zip(head, [c.value for c in wb["Impact"][2]]))
    assert (row["from_band"], row["to_band"]) == ("suburban", "remote")
    assert Decimal(str(row["gbp_per_week_exact"])) == exact
    sums = {r[0].value: r[1].value for r in wb["Impact"].iter_rows(min_row=3) if r[0].value}
    assert Decimal(str(sums["£ per week"])) == _pennies(exact)
    assert Decimal(str(sums["£ per year"])) == _pennies(exact * 52)
    rate_rows = [
        (k, v)
        for k, v in ((r[0].value, r[1].value) for r in wb["Assumptions"].iter_rows(min_row=2))
        if str(k).startswith("Rate ") and "(£/hour)" in str(k)
    ]
    assert rate_rows == [(f"Rate {b} (£/hour)", str(rates[b])) for b in bands]  # every band, in the pack's order
    plan_sheet = list(wb["Plan"].iter_rows(values_only=True))
    cols = plan_sheet[0]
    by_code = {r[cols.index("unit_code")]: r for r in plan_sheet[1:]}
    assert [by_code[c][cols.index("band")] for c in CODES] == ["urban", "remote", "fringe", "rural", "remote"]
    new_total = sum((Decimal(str(r[cols.index("gbp_per_week_exact")])) for r in plan_sheet[1:]), Decimal(0))
    assert _pennies(new_total) == new.gbp_per_week()
    assert new_total == sum(
        (hours[u] * rates[b] for u, b in zip(CODES, ["urban", "remote", "fringe", "rural", "remote"])), Decimal(0)
    )
    text = impact_csv(imp, "five-band test", new)
    rows = list(csv.reader(io.StringIO(text)))
    d = dict(zip(rows[0], rows[1]))
    assert (d["from_band"], d["to_band"], Decimal(d["gbp_per_week_exact"])) == ("suburban", "remote", exact)
    assert {len(r) for r in rows} == {len(rows[0])}  # one rectangular table; the totals are a CSV of their own
    tail = dict(list(csv.reader(io.StringIO(impact_totals_csv(imp, "five-band test", new))))[1:])
    assert Decimal(tail["gbp_per_week"]) == _pennies(exact) and Decimal(tail["gbp_per_year"]) == _pennies(exact * 52)
    assert Decimal(tail["plan_gbp_per_week"]) == _pennies(new_total)


def test_report_colours_every_band_of_a_pack_apart():
    from zones.outputs.report import BAND_COLOURS, band_colours

    five = band_colours(COUNCILS[5]["bands"])
    assert list(five) == list(COUNCILS[5]["bands"]) and len(set(five.values())) == 5
    assert five["urban"] == BAND_COLOURS["urban"] and five["rural"] == BAND_COLOURS["rural"]
    nine = band_colours([f"b{i}" for i in range(9)])
    assert len(set(nine.values())) == 9 and "#cccccc" not in nine.values()
    assert band_colours(BAND_COLOURS) == BAND_COLOURS


@pytest.mark.parametrize("n", [3, 5])
def test_cli_report_pdf_lists_the_packs_bands_in_order_with_the_change(council, tmp_path, n):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    path, layer = council(n)
    bands, rates = COUNCILS[n]["bands"], _rates(n)
    moves, exact = _moves_file(tmp_path, n)
    pdf = tmp_path / "r.pdf"
    _cli("report", str(path), "--moves", str(moves), "--out", str(pdf))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pos = [text.find(f"£{rates[b]}") for b in bands]  # the legend/bands table: each band with its rate, in order
    assert all(p >= 0 for p in pos) and pos == sorted(pos), pos
    assert f"{bands[1]} → {bands[-1]}" in text
    assert f"+£{_pennies(exact)}" in text


# ---------------------------------------------------------------- generated packs with their own bands


def test_a_generated_pack_takes_its_bands_from_the_rates_card(tmp_path, monkeypatch):
    from geodata import national
    from geodata.packs import load_pack
    from tests.unit.test_national import make_national
    from zones.classify import Thresholds, default_prior
    from zones.rates import rate_card_from_pack

    root = make_national(tmp_path / "data")
    monkeypatch.setenv("ZONEPLAN_DATA", str(root))
    monkeypatch.setenv("ZONEPLAN_PACKS", str(tmp_path / "packs"))
    monkeypatch.setenv("ZONEPLAN_CACHE", str(tmp_path / "cache"))
    for f in (national._councils, national._lookup, national._lsoa21_population):
        f.cache_clear()
    card = tmp_path / "rates.csv"
    card.write_text("band,rate_gbp_per_hour\ntown,21.50\ncountry,27.25\nremote,33.05\n")
    try:
        out = national.build_pack("Testborough", rates_file=str(card))
        card.write_text("band,rate_gbp_per_hour\ntown,21.50\ntown,22\n")
        with pytest.raises(DataError, match="band"):
            national.build_pack("Testborough", rates_file=str(card))
    finally:
        for f in (national._councils, national._lookup, national._lsoa21_population):
            f.cache_clear()
    pack = load_pack(out["pack"])
    assert pack.bands == ("town", "country", "remote") and out["bands"] == list(pack.bands)  # said in the summary
    assert rate_card_from_pack(pack).rates == _rates(3)
    th = Thresholds.from_pack(pack)
    assert th.bands == pack.bands and th.as_dict() == default_prior(pack.bands)
