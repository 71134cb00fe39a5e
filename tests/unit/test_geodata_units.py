"""Unit tests of geodata/ on synthetic layers made in the test."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from geodata.datadir import DataError
from geodata.demand import import_hours_csv, round_to_total
from geodata.layers import read_polygons
from geodata.packs import load_pack
from geodata.units import load_units, merge_slivers
from geodata.validate import RepairReport, check_codes, check_crs, repair, tiling_report
from tests.conftest import X0, Y0, write_geojson


def squares(*boxes, codes=None):
    return gpd.GeoDataFrame(
        {"unit_code": codes or [f"U{i}" for i in range(len(boxes))]},
        geometry=[box(*b) for b in boxes],
        crs="EPSG:27700",
    )


def test_tiling_reports_gap_and_overlap():
    outline = box(0, 0, 3000, 1000)
    # U0: 0-1000, U1: 900-2000 (overlap 100 m × 1000 m), gap 2000-3000
    u = squares((0, 0, 1000, 1000), (900, 0, 2000, 1000))
    r = tiling_report(u, outline)
    assert r["gap_km2"] == pytest.approx(1.0)
    assert r["overlap_km2"] == pytest.approx(0.1)


def test_bow_tie_is_repaired_and_reported():
    bow = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100), (X0, Y0)])
    gdf = gpd.GeoDataFrame({"code": ["B1"]}, geometry=[bow], crs="EPSG:27700")
    rep = RepairReport()
    out = repair(gdf, "code", "bow.geojson", rep)
    assert out.geometry.iloc[0].is_valid
    assert out.geometry.iloc[0].area == pytest.approx(5000.0)
    assert rep.as_dicts()[0]["code"] == "B1" and "Self-intersection" in rep.as_dicts()[0]["reason"]


def test_wrong_crs_is_refused_with_file_name(tmp_path):
    # metres written into a file that claims lon/lat
    gdf = gpd.GeoDataFrame({"code": ["A"]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)], crs="OGC:CRS84")
    with pytest.raises(DataError, match=r"wrong\.geojson.*Great Britain"):
        check_crs(gdf, "wrong.geojson")
    with pytest.raises(DataError, match="no CRS"):
        check_crs(gdf.set_crs(None, allow_override=True), "nocrs.geojson")


def test_duplicate_missing_codes_and_empty_geometry_all_listed():
    gdf = gpd.GeoDataFrame(
        {"code": ["A", "A", None, "C"]},
        geometry=[box(0, 0, 1, 1), box(1, 1, 2, 2), box(2, 2, 3, 3), Polygon()],
        crs="EPSG:27700",
    )
    with pytest.raises(DataError) as e:
        check_codes(gdf, "code", "layer.geojson")
    msg = str(e.value)
    assert "layer.geojson" in msg and "duplicate code 'A'" in msg and "row 3: missing code" in msg
    assert "row 4: code 'C' has an empty geometry" in msg


def test_read_polygons_names_file_row_code(tmp_path):
    gdf = gpd.GeoDataFrame({"code": ["A", "A"]}, geometry=[box(X0, Y0, X0 + 5, Y0 + 5)] * 2, crs="EPSG:27700")
    path = tmp_path / "dups.geojson"
    write_geojson(path, gdf)
    with pytest.raises(DataError, match=r"dups\.geojson: rows \[1, 2\]: duplicate code 'A'"):
        read_polygons(path, "code", RepairReport())


def test_sliver_goes_to_neighbour_with_longest_shared_edge():
    # U0 is a big square with a 2 m strip stuck on its east side that touches U1 along 1000 m and U0 along 1000 m
    # except that the strip is a separate piece lying inside U1's side: it shares 1000 m with U1, 2 m with U2.
    u = gpd.GeoDataFrame(
        {"unit_code": ["U0", "U1", "U2"]},
        geometry=[
            box(0, 0, 1000, 1000).union(box(1500, 0, 1502, 1000)),  # main piece + detached strip
            box(1000, 0, 1500, 1000),
            box(1502, 0, 3000, 1000),
        ],
        crs="EPSG:27700",
    )
    out, log = merge_slivers(u, sliver_max_m2=5000)
    assert out.geometry.iloc[0].area == pytest.approx(1_000_000)
    # the strip shares 1000 m with U1 (west) and 1000 m with U2 (east): tie -> either, but never U0
    assert log and log[0]["from_unit"] == "U0" and log[0]["to_unit"] in {"U1", "U2"}
    assert out.geometry.area.sum() == pytest.approx(u.geometry.area.sum())


def test_round_to_total_is_exact():
    h = round_to_total(np.array([1.0, 1.0, 1.0]), 100.0)
    assert h.sum() == pytest.approx(100.0, abs=1e-9)
    assert sorted(h) == [33.33, 33.33, 33.34]


def test_hours_csv_lists_every_bad_row_and_loads_nothing(tmp_path):
    units = squares((0, 0, 1, 1), (1, 0, 2, 1), codes=["U1", "U2"]).assign(unit_name=["One", "Two"])
    path = tmp_path / "hours.csv"
    pd.DataFrame(
        {"unit": ["U1", "Nowhere", "two", "U1", "U2"], "hours_per_week": ["10", "5", "-3", "7", "abc"]}
    ).to_csv(path, index=False)
    with pytest.raises(DataError) as e:
        import_hours_csv(path, units)
    msg = str(e.value)
    for fragment in [
        "line 3: unit 'Nowhere' is unknown",
        "line 4: unit 'two': hours_per_week -3",
        "line 5: unit 'U1' already given on line 2",
        "line 6: unit 'U2': hours_per_week 'abc'",
    ]:
        assert fragment in msg
    pd.DataFrame({"unit": ["U1", "two"], "hours_per_week": ["10.5", "2"]}).to_csv(path, index=False)
    hours, warnings = import_hours_csv(path, units)
    assert hours.tolist() == [10.5, 2.0] and warnings == []


def test_synthetic_council_builds_seamless_units(synthetic_pack):
    layer = load_units(load_pack(synthetic_pack))
    u = layer.units.set_index("unit_code")
    # Alpha parish, West remainder (holds Bravo), East whole ward (holds Charlie)
    assert set(u.index) == {"E04900001", "WR-E05900001", "E05900002"}
    assert u.loc["WR-E05900001", "parishes"] == "Bravo"
    assert u.loc["E05900002", "parishes"] == "Charlie"
    assert layer.resolve("bravo") == ["WR-E05900001"]
    assert layer.resolve("Alpha") == ["E04900001"]
    # the 3 m overhang of Alpha into East was clipped away / merged: East keeps its full 4 km²
    assert u.loc["E05900002", "area_km2"] == pytest.approx(4.0, abs=1e-3)
    assert layer.report["gap_km2"] == 0 and layer.report["overlap_km2"] == 0
    # demand: weights W1 = 100 + 10*10 = 200, W2 = 100 + 3.5*20 = 170; W1 shared 4/4 by postcodes
    assert u["hours_per_week"].sum() == pytest.approx(100.0)
    assert u.loc["E05900002", "hours_per_week"] == pytest.approx(100 * 170 / 370, abs=0.01)
    assert u.loc["E04900001", "hours_per_week"] == pytest.approx(50 * 200 / 370, abs=0.01)
    assert u["hours_estimated"].all()
    assert u.loc["E04900001", "zone"] == "Westzone" and u.loc["E05900002", "zone"] == "Eastzone"
    # second load comes from the cache and is identical
    again = load_units(load_pack(synthetic_pack))
    assert again.cached
    pd.testing.assert_frame_equal(
        again.units.drop(columns="geometry"), layer.units.drop(columns="geometry"), check_dtype=False
    )


def test_missing_data_file_names_path_and_variable(synthetic_pack):
    (synthetic_pack.parent / "population.csv").unlink()
    with pytest.raises(DataError, match=r"population\.csv.*ZONEPLAN_DATA"):
        load_units(load_pack(synthetic_pack))


def test_unknown_zone_town_is_reported(synthetic_pack):
    text = synthetic_pack.read_text().replace('towns = ["Eastville"]', 'towns = ["Atlantis"]')
    synthetic_pack.write_text(text)
    with pytest.raises(DataError, match="Atlantis"):
        load_units(load_pack(synthetic_pack))


def test_full_parish_polygons_leave_no_ward_remainder(synthetic_pack):
    """When parish polygons cover a whole ward (full data supplied), that ward gives no remainder unit."""
    data = synthetic_pack.parent
    w1_east = box(X0 + 1000, Y0, X0 + 2000, Y0 + 2000)
    par = gpd.read_file(data / "parishes.geojson").to_crs("EPSG:27700")
    extra = gpd.GeoDataFrame(
        {"ref_gss": ["E04900002"], "name": ["Bravo"], "LAD19CD": ["E07900001"]}, geometry=[w1_east], crs="EPSG:27700"
    )
    write_geojson(data / "parishes.geojson", pd.concat([par, extra], ignore_index=True))
    layer = load_units(load_pack(synthetic_pack))
    u = layer.units.set_index("unit_code")
    assert set(u.index) == {"E04900001", "E04900002", "E05900002"}
    assert u.loc["E04900002", "unit_type"] == "parish"
    assert layer.report["gap_km2"] == 0 and layer.report["overlap_km2"] == 0


def test_council_hours_file_replaces_the_estimate(synthetic_pack):
    data = synthetic_pack.parent
    pd.DataFrame(
        {"unit": ["Alpha", "West (ward remainder)", "E05900002"], "hours_per_week": ["10", "20.5", "30.25"]}
    ).to_csv(data / "hours.csv", index=False)
    synthetic_pack.write_text(synthetic_pack.read_text().replace("[zones]", '[demand]\ncsv = "hours.csv"\n\n[zones]'))
    layer = load_units(load_pack(synthetic_pack))
    u = layer.units.set_index("unit_code")
    assert u["hours_per_week"].to_dict() == {"E04900001": 10.0, "WR-E05900001": 20.5, "E05900002": 30.25}
    assert not u["hours_estimated"].any()
