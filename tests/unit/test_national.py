"""geodata.national and `zoneplan council` on tiny synthetic national layers built in the test (EPSG:27700 squares).

The synthetic England: county E10900001 "Testshire" = districts E07900001 (west) and E07900002 (east), unitary
E06900001 "Testborough" (one district). Six LSOAs 2021, 1 km squares in a row. The 2011 -> 2021 lookup holds every
change code: U (A1 -> L1), S (A2 -> L2 + L3), M (A3 + A4 -> L4), X (A5 -> L5 + L6, A6 -> L6)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geodata import national
from geodata.datadir import DataError

X0, Y0 = 450_000.0, 300_000.0
LSOA = [  # code, ward, district, census 2021 residents
    ("E01900001", "E05900001", "E07900001", 6000),
    ("E01900002", "E05900001", "E07900001", 3000),
    ("E01900003", "E05900002", "E07900001", 1000),
    ("E01900004", "E05900003", "E07900002", 200),
    ("E01900005", "E05900004", "E06900001", 2000),
    ("E01900006", "E05900004", "E06900001", 2000),
]
WARD_NAMES = {"E05900001": "Alpha", "E05900002": "Bravo", "E05900003": "Charlie", "E05900004": "Delta"}
LAD_NAMES = {"E07900001": "West Test", "E07900002": "East Test", "E06900001": "Testborough"}
POP11 = {  # LSOA11: (all ages, 65-74, 75-84, 85+)
    "E01800001": (1500, 100, 50, 10),
    "E01800002": (3000, 300, 90, 30),
    "E01800003": (800, 40, 20, 5),
    "E01800004": (700, 60, 30, 15),
    "E01800005": (1200, 120, 60, 20),
    "E01800006": (900, 90, 40, 10),
}
LOOKUP11 = [
    ("E01800001", "E01900001", "U"),
    ("E01800002", "E01900002", "S"),
    ("E01800002", "E01900003", "S"),
    ("E01800003", "E01900004", "M"),
    ("E01800004", "E01900004", "M"),
    ("E01800005", "E01900005", "X"),
    ("E01800005", "E01900006", "X"),
    ("E01800006", "E01900006", "X"),
]


def _squares():
    return [box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(len(LSOA))]


def make_national(root: Path, drop: str | None = None) -> Path:
    """Write the synthetic national layers under ``root`` (the data directory); ``drop`` leaves one file out."""
    ec = root / "england_current"
    for d in ("boundaries", "lookups", "population", "deprivation"):
        (ec / d).mkdir(parents=True, exist_ok=True)
    (root / "places").mkdir(exist_ok=True)
    files = {}
    files["councils"] = pd.DataFrame(
        {
            "ltla23_code": ["E07900001", "E07900002", "E06900001", "W06000001"],
            "ltla23_name": ["West Test", "East Test", "Testborough", "Wales Place"],
            "utla23_code": ["E10900001", "E10900001", "E06900001", "W06000001"],
            "utla23_name": ["Testshire", "Testshire", "Testborough", "Wales Place"],
        }
    )
    files["lsoa21_ward24"] = pd.DataFrame(
        {
            "LSOA21CD": [r[0] for r in LSOA],
            "LSOA21NM": [f"LSOA {r[0][-1]}" for r in LSOA],
            "WD24CD": [r[1] for r in LSOA],
            "WD24NM": [WARD_NAMES[r[1]] for r in LSOA],
            "LAD24CD": [r[2] for r in LSOA],
            "LAD24NM": [LAD_NAMES[r[2]] for r in LSOA],
        }
    )
    files["lsoa11_lsoa21"] = pd.DataFrame(
        {
            "LSOA11CD": [r[0] for r in LOOKUP11],
            "LSOA11NM": "x",
            "LSOA21CD": [r[1] for r in LOOKUP11],
            "LSOA21NM": "x",
            "CHGIND": [r[2] for r in LOOKUP11],
            "LAD22CD": "x",
            "LAD22NM": "x",
        }
    )
    files["population_2020"] = pd.DataFrame(
        {
            "LSOA11CD": list(POP11),
            "LSOA11NM": "x",
            "all_ages": [v[0] for v in POP11.values()],
            "age_0_15": 0,
            "age_16_64": 0,
            "age_65_74": [v[1] for v in POP11.values()],
            "age_75_84": [v[2] for v in POP11.values()],
            "age_85_plus": [v[3] for v in POP11.values()],
            "age_65_plus": 0,
        }
    )
    files["census2021"] = pd.DataFrame(
        {"LSOA21CD": [r[0] for r in LSOA], "LSOA21NM": "x", "all_usual_residents": [r[3] for r in LSOA]}
    )
    files["imd2025"] = pd.DataFrame(
        {"LSOA21CD": [r[0] for r in LSOA], "IMD_decile": [1, 2, 3, 4, 5, 6], "IMD_rank": [10, 20, 30, 40, 50, 60]}
    )
    # the towns file: far away from the synthetic councils (so hubs are derived from the LSOAs)
    files["towns"] = pd.DataFrame(
        {"name": ["Faraway"], "easting": [100_000], "northing": [100_000], "population": [50_000]}
    )
    for key, df in files.items():
        if key != drop:
            df.to_csv(root / national.FILES[key], index=False)
    sq = _squares()
    lsoa = gpd.GeoDataFrame(
        {
            "LSOA21CD": [r[0] for r in LSOA],
            "LSOA21NM": [f"LSOA {r[0][-1]}" for r in LSOA],
            "WD24CD": [r[1] for r in LSOA],
            "LAD24CD": [r[2] for r in LSOA],
        },
        geometry=sq,
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    if drop != "lsoa21_polygons":
        lsoa.to_file(root / national.FILES["lsoa21_polygons"], driver="GPKG", engine="pyogrio")
    lads = gpd.GeoDataFrame(
        {
            "LAD24CD": ["E07900001", "E07900002", "E06900001", "E06000016"],
            "LAD24NM": ["West Test", "East Test", "Testborough", "Leicester"],
        },
        geometry=[
            box(X0, Y0, X0 + 3000, Y0 + 1000),
            box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000),
            box(X0 + 4000, Y0, X0 + 6000, Y0 + 1000),
            box(0, 0, 1000, 1000),
        ],
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    lads.to_file(root / national.FILES["lad24_polygons"], driver="GPKG", engine="pyogrio")
    return root


@pytest.fixture
def nat(tmp_path, monkeypatch):
    root = make_national(tmp_path / "data")
    monkeypatch.setenv("ZONEPLAN_DATA", str(root))
    monkeypatch.setenv("ZONEPLAN_PACKS", str(tmp_path / "packs"))
    monkeypatch.setenv("ZONEPLAN_CACHE", str(tmp_path / "cache"))
    national._councils.cache_clear()
    national._lookup.cache_clear()
    national._lsoa21_population.cache_clear()
    yield root
    national._councils.cache_clear()
    national._lookup.cache_clear()
    national._lsoa21_population.cache_clear()


def test_resolve_by_code_and_name_and_nearest_names(nat):
    assert set(national.councils()) == {"E10900001", "E06900001"}  # Wales left out
    c = national.resolve_council("e10900001")
    assert (c.name, c.lad_codes, c.kind) == ("Testshire", ("E07900001", "E07900002"), "county")
    assert national.resolve_council("  testshire ").code == "E10900001"
    with pytest.raises(DataError, match=r"nearest names: Testshire \(E10900001\)"):
        national.resolve_council("Testshir")
    with pytest.raises(DataError, match="nearest names: none close"):
        national.resolve_council("\x1b[31mzzzz")


def test_population_moves_to_lsoa21_by_change_code(nat):
    p = national.lsoa21_population().set_index("LSOA21CD")
    # U: whole; S: 3000 shared 3000:1000 by Census 2021 residents of the pieces
    assert p.loc["E01900001", "all_ages"] == 1500
    assert p.loc["E01900002", "all_ages"] == pytest.approx(2250)
    assert p.loc["E01900003", "all_ages"] == pytest.approx(750)
    # M: summed
    assert p.loc["E01900004", "all_ages"] == 1500
    assert p.loc["E01900004", "age_85_plus"] == 20
    # X: A5 (1200) shared 2000:2000 between L5 and L6; A6 (900) wholly to L6
    assert p.loc["E01900005", "all_ages"] == pytest.approx(600)
    assert p.loc["E01900006", "all_ages"] == pytest.approx(1500)
    assert p.loc["E01900006", "change"] == "X"
    assert p["all_ages"].sum() == pytest.approx(sum(v[0] for v in POP11.values()))  # conserved


def test_split_without_census_residents_is_shared_by_area(tmp_path, monkeypatch):
    root = make_national(tmp_path / "data")
    c21 = pd.read_csv(root / national.FILES["census2021"])
    c21.loc[c21["LSOA21CD"].isin(["E01900002", "E01900003"]), "all_usual_residents"] = 0
    c21.to_csv(root / national.FILES["census2021"], index=False)
    monkeypatch.setenv("ZONEPLAN_DATA", str(root))
    national._lsoa21_population.cache_clear()
    try:
        p = national.lsoa21_population().set_index("LSOA21CD")
    finally:
        national._lsoa21_population.cache_clear()
    assert p.loc["E01900002", "all_ages"] == pytest.approx(1500)  # equal 1 km² squares: half each
    assert bool(p.loc["E01900002", "shared_by_area"]) and not bool(p.loc["E01900001", "shared_by_area"])


def test_derive_towns_keeps_touching_built_up_lsoas_of_5000(nat):
    g = national.read_lsoa21(lad_codes=["E07900001", "E07900002", "E06900001"])
    res = pd.Series({r[0]: r[3] for r in LSOA})
    g["WD24NM"] = g["WD24CD"].map(WARD_NAMES)
    t = national.derive_towns(g, res, per_km2=500, min_residents=5000)
    # L1-L3 (6000, 3000, 1000 per km²) touch: one town of 10,000; L4 (200/km²) is not built up;
    # L5+L6 (4,000 together) are built up but below 5,000
    assert sorted(t["LSOA21CD"]) == ["E01900001", "E01900002", "E01900003"]
    assert set(t["town_population"]) == {10000}
    assert t["name"].iloc[0] == "Alpha (built-up LSOAs)"  # the ward holding most residents
    assert national.derive_towns(g, res, per_km2=500, min_residents=20_000).empty


def _new(nat, *args) -> dict:
    import contextlib
    import io

    from zones.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["council", "new", *args, "--no-metrics", "--json"])
    assert rc == 0
    return json.loads(buf.getvalue())


def test_council_new_writes_a_pack_outside_the_package(nat, tmp_path):
    from geodata.packs import PACK_DIR, available_packs, load_pack, pack_vintage
    from geodata.units import load_units

    out = _new(nat, "Testshire")
    assert out["council"] == "testshire_lsoa21" and out["code"] == "E10900001" and out["n_units"] == 4
    pack_path = Path(out["pack"])
    assert pack_path.parent == tmp_path / "packs" and not (PACK_DIR / pack_path.name).exists()
    assert out["tiling"]["gap_km2"] == 0 and out["tiling"]["overlap_km2"] == 0
    assert out["population"]["mid2020_all_ages"] == (1500 + 2250 + 750 + 1500)
    weight = (100 + 3.5 * 50 + 10 * 10) + (300 + 3.5 * 90 + 10 * 30) + (100 + 3.5 * 50 + 10 * 20)  # L1, L2+L3, L4
    assert out["population"]["demand_weight"] == pytest.approx(weight)
    assert out["hours_per_week"] == round(weight / 1000 * national.HOURS_PER_1000_WEIGHT, 2)
    assert "weekly_hours_total" in out["estimated"] and "hubs" in out["estimated"]
    assert out["hubs"]["source"] == "derived from LSOAs"
    assert "testshire_lsoa21" in available_packs()
    pack = load_pack("testshire_lsoa21")
    assert pack_vintage(pack)["deprivation"].startswith("English Indices of Deprivation 2025")
    layer = load_units(pack)
    u = layer.units.set_index("unit_code")
    assert len(u) == 4 and float(u["hours_per_week"].sum()) == pytest.approx(out["hours_per_week"], abs=0.005)
    assert bool(u["hours_estimated"].all())
    # hours follow the demand weight: L1 has weight 375, L4 has 475
    assert u.loc["E01900004", "hours_per_week"] > u.loc["E01900001", "hours_per_week"]
    assert set(u["zone"]) == {"West Test", "East Test"}  # a county's seed zones: one per district
    assert layer.summary()["gap_km2"] == 0


def test_council_new_wards_stated_hours_and_membership(nat):
    from geodata.national import unit_lsoa21
    from geodata.packs import load_pack
    from geodata.units import load_units

    out = _new(nat, "E10900001", "--units", "ward", "--hours-per-week", "1234.5")
    assert out["council"] == "testshire_ward24" and out["n_units"] == 3
    assert out["hours_per_week"] == 1234.5 and "weekly_hours_total" not in out["estimated"]
    pack = load_pack("testshire_ward24")
    layer = load_units(pack)
    assert sorted(layer.units["unit_code"]) == ["E05900001", "E05900002", "E05900003"]
    assert float(layer.units["hours_per_week"].sum()) == pytest.approx(1234.5)
    m = unit_lsoa21(pack)
    assert sorted(m[m["unit_code"] == "E05900001"]["LSOA21CD"]) == ["E01900001", "E01900002"]
    assert len(m) == 4


def test_unitary_zones_by_ward_and_rates_card(nat, tmp_path):
    from geodata.packs import load_pack
    from zones.rates import rate_card_from_pack

    card = tmp_path / "rates.csv"
    card.write_text("band,rate_gbp_per_hour\nurban,24.10\nfringe,25.00\nrural,27.5\nisolated,30\n")
    out = _new(nat, "Testborough", "--rates", str(card))
    assert out["rates"]["stand_in"] is False and "rates" not in out["estimated"]
    pack = load_pack(out["council"])
    rc = rate_card_from_pack(pack)
    assert str(rc.rates["urban"]) == "24.10" and "STAND-IN" not in rc.source
    assert pack.zones["method"] == "field" and pack.zones["field"] == "ward_code"
    stand = _new(nat, "Testshire")
    assert "STAND-IN" in rate_card_from_pack(load_pack(stand["council"])).source


def test_bad_rates_card_is_refused(nat, tmp_path):
    card = tmp_path / "rates.csv"
    card.write_text("band,rate_gbp_per_hour\nurban,24.10\nfringe,abc\nrural,1\nisolated,2\n")
    with pytest.raises(DataError, match="not a number"):
        national.build_pack("Testshire", rates_file=str(card))
    card.write_text("band,rate_gbp_per_hour\nurban,24.10\n")
    with pytest.raises(DataError, match="no rate for band"):
        national.build_pack("Testshire", rates_file=str(card))


def test_missing_national_file_is_named(tmp_path, monkeypatch):
    root = make_national(tmp_path / "data", drop="lsoa21_polygons")
    monkeypatch.setenv("ZONEPLAN_DATA", str(root))
    monkeypatch.setenv("ZONEPLAN_PACKS", str(tmp_path / "packs"))
    for f in (national._councils, national._lookup, national._lsoa21_population):
        f.cache_clear()
    try:
        with pytest.raises(DataError, match="lsoa21_bsc_v4_england.gpkg"):
            national.build_pack("Testshire")
    finally:
        for f in (national._councils, national._lookup, national._lsoa21_population):
            f.cache_clear()


def test_unknown_council_on_the_cli_names_nearest(nat, capsys):
    from zones.cli import main

    assert main(["council", "new", "Testshyre", "--no-metrics", "--json"]) == 2
    assert "nearest names: Testshire (E10900001)" in capsys.readouterr().err


def test_council_list_shows_shipped_and_local(nat, capsys):
    from zones.cli import main

    _new(nat, "Testborough")
    capsys.readouterr()
    assert main(["council", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["packs"]
    src = {r["id"]: r["source"] for r in rows}
    assert src["leicestershire"] == "shipped" and src["testborough_lsoa21"] == "local"
    assert next(r for r in rows if r["id"] == "testborough_lsoa21")["generated"] is True


def test_council_arg_accepts_a_pack_path(nat, tmp_path):
    from geodata.packs import council_arg, load_pack

    out = _new(nat, "Testborough")
    assert council_arg(out["pack"]) == "testborough_lsoa21"  # a pack of the packs directory: its id
    elsewhere = tmp_path / "else" / "mine.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(Path(out["pack"]).read_text().replace('"./testborough_lsoa21/', '"./x/'))
    assert council_arg(str(elsewhere)) == str(elsewhere.resolve())
    assert load_pack(council_arg(str(elsewhere))).id == "testborough_lsoa21"
    assert council_arg(" Merton ") == "merton"
    from geodata.packs import PACK_DIR

    assert council_arg(str(PACK_DIR / "merton.toml")) == "merton"  # a shipped pack's path: its id
    with pytest.raises(DataError, match="pack file not found"):
        council_arg(str(tmp_path / "nope.toml"))


def test_pack_relative_layer_may_not_leave_its_folder(nat, tmp_path):
    from geodata.packs import load_pack

    out = _new(nat, "Testborough")
    p = Path(out["pack"])
    p.write_text(p.read_text().replace('lsoa = "./testborough_lsoa21/lsoa21.gpkg"', 'lsoa = "./../../etc/passwd"'))
    with pytest.raises(DataError, match="may not contain"):
        load_pack(p).layer_path("lsoa")


def test_local_pack_cannot_shadow_a_shipped_one(nat, tmp_path):
    from geodata.packs import load_pack, local_packs

    (tmp_path / "packs").mkdir(exist_ok=True)
    (tmp_path / "packs" / "merton.toml").write_text("not toml [[[")
    assert "merton" not in local_packs()
    assert load_pack("merton").name == "Merton"


def test_no_town_of_5000_falls_back_to_the_largest_group_of_lsoas(tmp_path, monkeypatch):
    root = make_national(tmp_path / "data")
    c21 = pd.read_csv(root / national.FILES["census2021"])
    c21["all_usual_residents"] = 100  # no town anywhere (the Isles of Scilly case)
    c21.to_csv(root / national.FILES["census2021"], index=False)
    monkeypatch.setenv("ZONEPLAN_DATA", str(root))
    monkeypatch.setenv("ZONEPLAN_PACKS", str(tmp_path / "packs"))
    for f in (national._councils, national._lookup, national._lsoa21_population):
        f.cache_clear()
    try:
        out = national.build_pack("Testborough")
    finally:
        for f in (national._councils, national._lookup, national._lsoa21_population):
            f.cache_clear()
    assert out["hubs"]["source"] == "derived from LSOAs (no town of 5,000+)" and "hubs" in out["estimated"]
    towns = pd.read_csv(Path(out["pack"]).parent / out["council"] / "towns.csv")
    assert sorted(towns["LSOA21CD"]) == ["E01900005", "E01900006"]  # the council's own LSOAs, one group


def test_a_broken_local_pack_stays_out_of_the_picker_but_is_listed_with_its_error(nat, tmp_path, capsys):
    from geodata.packs import available_packs
    from zones.cli import main

    _new(nat, "Testborough")
    (tmp_path / "packs" / "broken.toml").write_text("[council\nid = ")
    p = tmp_path / "packs" / "testborough_lsoa21.toml"
    (tmp_path / "packs" / "renamed.toml").write_text(p.read_text())  # its [council] id is not its file name
    assert "testborough_lsoa21" in available_packs()
    assert "broken" not in available_packs() and "renamed" not in available_packs()
    capsys.readouterr()
    assert main(["council", "list", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["packs"]}
    assert "not valid TOML" in rows["broken"]["error"] and "not 'renamed'" in rows["renamed"]["error"]


def test_an_oversized_rates_card_is_refused_unread(nat, tmp_path):
    from geodata.limits import MAX_CSV_BYTES

    card = tmp_path / "big.csv"
    card.write_bytes(b"band,rate_gbp_per_hour\n" + b"urban,1\n" * (MAX_CSV_BYTES // 8 + 10))
    with pytest.raises(DataError, match="larger than"):
        national.build_pack("Testshire", rates_file=str(card))


def test_ward_client_points_share_hours_by_lsoa_demand(nat):
    """A generated ward pack's client points are its LSOAs, carrying the ward's hours by their demand weight."""
    from geodata.packs import load_pack
    from geodata.units import load_units
    from travel.metrics import client_points

    out = _new(nat, "Testshire", "--units", "ward", "--hours-per-week", "1000")
    layer = load_units(load_pack(out["council"]))
    pts = client_points(layer)
    alpha = layer.units.index[layer.units["unit_code"] == "E05900001"][0]
    p = pts[pts["unit_idx"] == alpha].set_index("OA11CD")["weight"]
    # ward Alpha = L1 (weight 375) + L2 (915 x 3000/4000 = 686.25): its hours split 375 : 686.25
    assert sorted(p.index) == ["E01900001", "E01900002"]
    assert p["E01900001"] / p["E01900002"] == pytest.approx(375 / 686.25)
    assert p.sum() == pytest.approx(float(layer.units.loc[alpha, "hours_per_week"]))


def test_seed_packs_name_the_deprivation_data_the_equality_figures_use():
    """The sidebar said 'deprivation not used by this pack' for the seed councils, whose equality figures use
    the Indices of Deprivation (issue 23)."""
    from geodata.packs import load_pack, pack_vintage

    for council in ("leicestershire", "coventry", "merton", "bradford"):
        assert "Indices of Deprivation 2025" in pack_vintage(load_pack(council))["deprivation"]
