"""Units taken from one polygon layer (``unit_type = "polygons"``): parishes built from OAs, or LSOAs."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geodata.datadir import DataError
from geodata.packs import load_pack
from geodata.units import load_units, parse_held
from tests.conftest import X0, Y0, write_geojson

BNG = "EPSG:27700"

PARISH_UNITS = """
[units]
layer = "parishes_oa"
code_field = "par19_code"
code_fallback_field = "parish_code"
name_field = "parish_name"
district_field = "district_code"
kind = "parish"
kind_field = "unparished"
kind_if_true = "unparished"
absorbs_field = "absorbs"
outline = "lsoa"
outline_code_field = "LSOA11CD"
edge_source = "output areas grouped by parish"
[units.names]
E43900001 = "Eastville (unparished area)"
"""


def _parish_pack(pack_path, layer: gpd.GeoDataFrame):
    """Turn the synthetic ward/parish pack into a ``polygons`` pack over ``layer`` (written in EPSG:27700)."""
    data = pack_path.parent
    layer.to_file(data / "parishes_oa.geojson", driver="GeoJSON", engine="pyogrio")
    text = pack_path.read_text().replace('unit_type = "parish+ward_remainder"', 'unit_type = "polygons"')
    text = text.replace('places = "places.csv"', 'places = "places.csv"\nparishes_oa = "parishes_oa.geojson"')
    pack_path.write_text(text.replace("[zones]", PARISH_UNITS + "\n[zones]"))
    return load_pack(pack_path)


def _layer(west_right=X0 + 1000, east_left=X0 + 1000):
    """Alpha = west half of ward West (holds Bravo); the unparished rest = east half of West + ward East."""
    return gpd.GeoDataFrame(
        {
            "parish_code": ["E04800001", "E43900001"],
            "par19_code": ["E04900001", None],
            "parish_name": ["Alpha", "Synthetic, unparished area"],
            "district_code": ["E07900001", "E07900001"],
            "unparished": [False, True],
            "absorbs": ["Bravo (E04900002)", ""],
        },
        geometry=[box(X0, Y0, west_right, Y0 + 2000), box(east_left, Y0, X0 + 4000, Y0 + 2000)],
        crs=BNG,
    )


def test_parse_held():
    assert parse_held("Cotes (E04012884); Prestwold (E04012889)") == [
        ("Cotes", "E04012884"),
        ("Prestwold", "E04012889"),
    ]
    assert parse_held("") == [] and parse_held(None) == []
    assert parse_held("King's Norton (E04005443)") == [("King's Norton", "E04005443")]


def test_every_row_a_unit_held_and_placed_parishes_resolve(synthetic_pack):
    pack = _parish_pack(synthetic_pack, _layer())
    layer = load_units(pack)
    u = layer.units.set_index("unit_code")
    # code from par19_code, falling back to the layer code where it is empty (the unparished area)
    assert list(u.index) == ["E04900001", "E43900001"]
    assert u.loc["E04900001", "unit_type"] == "parish" and u.loc["E43900001", "unit_type"] == "unparished"
    assert u.loc["E43900001", "unit_name"] == "Eastville (unparished area)"
    # Bravo is held by Alpha (absorbs column); Charlie has no area and is placed by its OS Open Names point
    assert u.loc["E04900001", "parishes"] == "Alpha;Bravo"
    assert u.loc["E04900001", "parish_codes"] == "E04900001;E04900002"
    assert u.loc["E43900001", "parishes"] == "Charlie"
    assert layer.resolve("Bravo") == ["E04900001"]
    assert layer.resolve("Bravo (within Alpha)") == ["E04900001"]
    assert layer.resolve("Charlie") == ["E43900001"]
    assert layer.resolve("E04800001") == ["E04900001"]  # the layer's older code resolves too
    assert layer.resolve("Eastville") == ["E43900001"]  # the display name without its bracket
    assert layer.resolve("Synthetic, unparished area") == ["E43900001"]  # the layer's own name
    assert ("Bravo (within Alpha)", "E04900001") in layer.parish_labels()
    assert "also holds Bravo" in u.loc["E04900001", "note"]
    assert (u["edge_source"] == "output areas grouped by parish").all()
    # tiling against the LSOA outline; demand: W1 weight 200 shared 4:4 by postcodes, W2 170
    s = layer.summary()
    assert s["gap_km2"] == 0 and s["overlap_km2"] == 0 and s["tiling_against"] == "lsoa"
    assert u.loc["E04900001", "hours_per_week"] == pytest.approx(50 * 200 / 370, abs=0.01)
    assert u["hours_per_week"].sum() == pytest.approx(100.0)
    assert u.loc["E04900001", "ward_name"] == "West" and u.loc["E43900001", "ward_name"] == "East"
    assert u.loc["E04900001", "zone"] == "Westzone"
    assert layer.report["parishes_without_polygon"] == 2


def test_gap_and_overlap_in_the_layer_are_reported(synthetic_pack):
    # Alpha stops 100 m short of the unparished area: a 2 km × 100 m gap = 0.2 km²
    layer = load_units(_parish_pack(synthetic_pack, _layer(west_right=X0 + 900)))
    assert layer.report["gap_km2"] == pytest.approx(0.2, abs=1e-3)


def test_overlap_in_the_layer_is_reported(synthetic_pack):
    layer = load_units(_parish_pack(synthetic_pack, _layer(east_left=X0 + 800)))
    assert layer.report["overlap_km2"] == pytest.approx(0.4, abs=1e-3)


def test_lsoa_units_one_file_per_district(synthetic_pack):
    """A pack can say "units = LSOAs": code/name fields of the per-district LSOA files."""
    data = synthetic_pack.parent
    lsoa = gpd.GeoDataFrame(
        {"LSOA11CD": ["E01900001", "E01900002"], "LSOA11NM": ["Synth 001A", "Synth 001B"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000), box(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)],
        crs=BNG,
    )
    write_geojson(data / "lsoa" / "E07900001.geojson", lsoa)
    text = synthetic_pack.read_text().replace('unit_type = "parish+ward_remainder"', 'unit_type = "polygons"')
    text = text.replace(
        "[zones]", '[units]\nlayer = "lsoa"\ncode_field = "LSOA11CD"\nname_field = "LSOA11NM"\nkind = "lsoa"\n\n[zones]'
    )
    synthetic_pack.write_text(text)
    layer = load_units(load_pack(synthetic_pack))
    u = layer.units.set_index("unit_code")
    assert list(u.index) == ["E01900001", "E01900002"]
    assert (u["unit_type"] == "lsoa").all() and (u["lad_code"] == "E07900001").all()
    assert layer.resolve("synth 001b") == ["E01900002"]
    assert u["hours_per_week"].to_dict() == pytest.approx(
        {"E01900001": 100 * 200 / 370, "E01900002": 100 * 170 / 370}, abs=0.01
    )
    assert layer.report["gap_km2"] == 0 and layer.report["tiling_against"] == "wards"


def test_polygons_pack_without_units_section_is_refused(synthetic_pack):
    text = synthetic_pack.read_text().replace('unit_type = "parish+ward_remainder"', 'unit_type = "polygons"')
    synthetic_pack.write_text(text)
    with pytest.raises(DataError, match=r"\[units\] layer"):
        load_units(load_pack(synthetic_pack))


def test_split_by_ward_keeps_areas_whole_and_names_resolve_to_all_pieces(synthetic_pack):
    pack_path = synthetic_pack
    _parish_pack(pack_path, _layer())
    pack_path.write_text(
        pack_path.read_text().replace(
            'edge_source = "output areas grouped by parish"',
            'edge_source = "output areas grouped by parish"\nsplit_by_ward = ["unparished"]',
        )
    )
    layer = load_units(load_pack(pack_path))
    u = layer.units.set_index("unit_code")
    # the unparished area (east half of ward West + ward East) becomes one unit per ward: 2 km² and 4 km²
    assert u.loc["E43900001-E05900001", "area_km2"] == pytest.approx(2.0, abs=1e-6)
    assert u.loc["E43900001-E05900002", "area_km2"] == pytest.approx(4.0, abs=1e-6)
    assert u.loc["E43900001-E05900002", "unit_name"] == "East (unparished)"
    assert sorted(layer.resolve("Eastville")) == ["E43900001-E05900001", "E43900001-E05900002"]
    assert sorted(layer.resolve("E43900001")) == ["E43900001-E05900001", "E43900001-E05900002"]
    assert layer.resolve("East (unparished)") == ["E43900001-E05900002"]
    assert layer.report["gap_km2"] == 0 and layer.report["overlap_km2"] == 0
    assert {k: sorted(v) for k, v in layer.report["split_by_ward"].items()} == {
        "E43900001": ["E43900001-E05900001", "E43900001-E05900002"]
    }
