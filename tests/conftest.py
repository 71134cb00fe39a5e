"""Shared fixtures: a tiny synthetic council data directory built in the test (EPSG:27700 squares)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

pytest_plugins = ["tests.postgis_plugin"]
# app.py shows an unexpected exception as one sentence (pages/state.py run_page); in-process tests (AppTest) see it
# raised instead, so a broken page still fails them. The browser tests' server runs without it (as in production).
os.environ.setdefault("ZONEPLAN_RAISE", "1")

X0, Y0 = 450_000.0, 300_000.0  # somewhere in Leicestershire, EPSG:27700 metres


def write_geojson(path: Path, gdf: gpd.GeoDataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_crs("OGC:CRS84").to_file(path, driver="GeoJSON", engine="pyogrio")


def make_synthetic_data(root: Path, parish_overhang_m: float = 3.0) -> Path:
    """Two 2 km × 2 km wards side by side; parish P1 covers the west half of ward W1 and overhangs into W2
    by ``parish_overhang_m`` (a sliver); parishes P2 (W1) and P3 (W2) have no polygon and are placed by
    OS Open Names points. Two LSOAs equal the wards. Returns the pack file path."""
    crs = "EPSG:27700"
    w1 = box(X0, Y0, X0 + 2000, Y0 + 2000)
    w2 = box(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)
    wards = gpd.GeoDataFrame(
        {"WD13CD": ["E05900001", "E05900002"], "WD13NM": ["West", "East"]}, geometry=[w1, w2], crs=crs
    )
    write_geojson(root / "wards" / "E07900001.geojson", wards)
    p1 = box(X0, Y0, X0 + 1000, Y0 + 2000)
    sliver = box(X0 + 2000, Y0 + 500, X0 + 2000 + parish_overhang_m, Y0 + 1500)
    parishes = gpd.GeoDataFrame(
        {"ref_gss": ["E04900001"], "name": ["Alpha"], "LAD19CD": ["E07900001"]}, geometry=[p1.union(sliver)], crs=crs
    )
    write_geojson(root / "parishes.geojson", parishes)
    pd.DataFrame(
        {
            "PAR19CD": ["E04900001", "E04900002", "E04900003"],
            "PAR19NM": ["Alpha", "Bravo", "Charlie"],
            "WD19CD": ["E05900001", "E05900001", "E05900002"],
            "WD19NM": ["West", "West", "East"],
            "LAD19CD": ["E07900001"] * 3,
        }
    ).to_csv(root / "parish_lookup.csv", index=False)
    pd.DataFrame(
        {
            "name": ["Bravo", "Charlie", "Alpha", "Eastville"],
            "local_type": ["Village", "Village", "Village", "Town"],
            "easting": [X0 + 1500, X0 + 3000, X0 + 500, X0 + 3500],
            "northing": [Y0 + 1000] * 4,
            "LAD_code": ["E07900001"] * 4,
        }
    ).to_csv(root / "places.csv", index=False)
    lsoa = gpd.GeoDataFrame({"LSOA11CD": ["E01900001", "E01900002"]}, geometry=[w1, w2], crs=crs)
    write_geojson(root / "lsoa" / "E07900001.geojson", lsoa)
    pd.DataFrame({"LSOA11CD": ["E01900001", "E01900002"], "WD19CD": ["E05900001", "E05900002"]}).to_csv(
        root / "lsoa_ward.csv", index=False
    )
    pd.DataFrame(
        {
            "LSOA11CD": ["E01900001", "E01900002"],
            "LAD_code": ["E07900001"] * 2,
            "age_65_74": [100, 100],
            "age_75_84": [0, 20],
            "age_85_plus": [10, 0],
        }
    ).to_csv(root / "population.csv", index=False)
    # postcodes: W1 has 4 in its west half (parish Alpha), 4 in its east half; W2 has 2
    pcs = [(X0 + 200 + 100 * i, Y0 + 500) for i in range(4)] + [(X0 + 1200 + 100 * i, Y0 + 500) for i in range(4)]
    pcs += [(X0 + 3000, Y0 + 500), (X0 + 3100, Y0 + 500)]
    pd.DataFrame(
        {
            "pcds": [f"ZZ1 {i}AA" for i in range(len(pcs))],
            "lad25cd": "E07900001",
            "east1m": [p[0] for p in pcs],
            "north1m": [p[1] for p in pcs],
        }
    ).to_csv(root / "postcodes.csv", index=False)
    pack = root / "synthetic.toml"
    pack.write_text(
        textwrap.dedent("""
        [council]
        id = "synthetic"
        name = "Synthetic"
        lad_codes = ["E07900001"]
        unit_type = "parish+ward_remainder"
        bands = ["urban", "fringe", "rural", "isolated"]
        weekly_hours_total = 100
        sliver_max_m2 = 50000
        [layers]
        wards = "wards/{lad}.geojson"
        ward_code_field = "WD13CD"
        ward_name_field = "WD13NM"
        parishes = "parishes.geojson"
        parish_code_field = "ref_gss"
        parish_name_field = "name"
        parish_lookup = "parish_lookup.csv"
        lsoa = "lsoa/{lad}.geojson"
        lsoa_ward_lookup = "lsoa_ward.csv"
        population = "population.csv"
        postcodes = "postcodes.csv"
        places = "places.csv"
        [zones]
        method = "nearest_town"
        [[zones.zone]]
        name = "Westzone"
        towns = ["Alpha"]
        [[zones.zone]]
        name = "Eastzone"
        towns = ["Eastville"]
        [rates."2025/26"]
        urban = "25.27"
        fringe = "26.36"
        rural = "29.39"
        isolated = "32.71"
    """)
    )
    return pack


@pytest.fixture
def synthetic_pack(tmp_path, monkeypatch) -> Path:
    """Path of a synthetic council pack whose data directory and cache live in tmp_path."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("ZONEPLAN_DATA", str(data))
    monkeypatch.setenv("ZONEPLAN_CACHE", str(tmp_path / "cache"))
    return make_synthetic_data(data)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is reported as failed, naming the reason (issue 11 §7)."""
    import os

    outcome = yield
    rep = outcome.get_result()
    if os.environ.get("CI", "").lower() == "true" and rep.skipped and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"CI=true: skipped tests count as failures ({reason})"
