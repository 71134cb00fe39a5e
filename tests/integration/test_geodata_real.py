"""Integration tests on the real shared data (ZONEPLAN_DATA, default ../shared/data)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geodata.units import load_units

pytestmark = pytest.mark.integration

EXPECTED = {  # council: (units, zones, weekly hours total from the council's report)
    # OA-built parish layer: 195 parishes + the 6 unparished towns split by 2013 ward (10+4+4+6+5+10 = 39 pieces);
    # re-derived from the layer and the OAs in test_leicestershire_units_and_parish_resolution
    "leicestershire": (234, 14, 37925.0),
    "coventry": (18, 9, 14370.0),
    "merton": (20, 3, 8400.0),
    "bradford": (30, 0, 19600.0),
}


@pytest.mark.parametrize("council", sorted(EXPECTED))
def test_council_units_tile_and_hours_add_up(council):
    layer = load_units(council)
    n_units, n_zones, total = EXPECTED[council]
    s = layer.summary()
    if n_units is not None:
        assert s["n_units"] == n_units
    assert s["n_zones"] == n_zones
    assert s["gap_km2"] < 0.001 * s["area_km2"]
    assert s["overlap_km2"] < 0.001 * s["area_km2"]
    assert abs(layer.units["hours_per_week"].sum() - total) < 1e-6
    assert layer.units["unit_code"].is_unique
    assert (layer.units.geometry.is_valid).all()
    assert layer.units.crs.to_epsg() == 27700


def test_leicestershire_units_and_parish_resolution():
    import geopandas as gpd
    import pandas as pd

    layer = load_units("leicestershire")
    u = layer.units.set_index("unit_code")
    assert set(u["lad_code"]) == {f"E0700013{i}" for i in range(6)} | {"E07000129"}
    # one unit per row of the OA-built parish layer, counted from the layer itself (PROVENANCE: 195 + 6)
    src = gpd.read_file(layer.pack.layer_path("parishes_oa"))
    n_unparished = int(src["unparished"].astype(bool).sum())
    assert (len(src), n_unparished) == (201, 6)
    # each unparished town is split into one unit per 2013 ward holding one of its OAs' representative points
    oa = pd.concat([gpd.read_file(p) for p in layer.pack.layer_paths("oa")], ignore_index=True).to_crs(27700)
    pts = gpd.GeoDataFrame(geometry=oa.geometry.representative_point(), crs=27700)
    wards = pd.concat([gpd.read_file(p) for p in layer.pack.layer_paths("wards")], ignore_index=True).to_crs(27700)
    towns = src[src["unparished"].astype(bool)][["parish_code", "geometry"]]
    j = gpd.sjoin(
        gpd.sjoin(pts, towns, predicate="within").drop(columns="index_right"),
        wards[["WD13CD", "geometry"]],
        predicate="within",
    )
    pieces_expected = j.groupby("parish_code")["WD13CD"].nunique()
    assert layer.summary()["units_by_type"] == {
        "parish": len(src) - n_unparished,
        "unparished": int(pieces_expected.sum()),
    }
    for town, n in pieces_expected.items():
        pieces = u[u.index.str.startswith(town + "-")]
        assert len(pieces) == n and pieces["ward_code"].is_unique
        whole = float(towns.set_index("parish_code").geometry.area[town]) / 1e6
        assert abs(pieces["area_km2"].sum() - whole) < 0.01  # the pieces tile the town (km²)
        assert sorted(layer.resolve(town)) == sorted(pieces.index)
    assert layer.summary()["tiling_against"] == "oa"
    assert u["edge_source"].str.contains("output areas").all()
    # every one of the council's civil parishes (Dec-2019 list) resolves to exactly one unit, by name and code
    lk = pd.read_csv(layer.pack.layer_path("parish_lookup"), dtype=str)
    lk = lk[lk["LAD19CD"].isin(layer.pack.lad_codes)]
    assert [n for n in lk["PAR19NM"].unique() if len(layer.resolve(n)) != 1] == []
    assert [c for c in lk["PAR19CD"].unique() if len(layer.resolve(c)) != 1] == []
    # parishes without an area of their own resolve to the neighbour that holds them
    held = [(n, c) for n, c in layer.parish_labels()]
    assert ("Cotes (within Burton on the Wolds)", layer.resolve("Burton on the Wolds")[0]) in held
    assert layer.resolve("Cotes") == layer.resolve("Prestwold") == layer.resolve("Burton on the Wolds")
    assert len(held) == len(set(lk["PAR19CD"])) - (len(src) - n_unparished)  # 232 - 195 = 37
    # the para 47 parishes are each a unit of their own (named after them, holding no other parish)
    for name in [
        "Asfordby",
        "Gilmorton",
        "Markfield",
        "Witherley",
        "Barlestone",
        "Desford",
        "Market Bosworth",
        "Newbold Verdon",
        "East Goscote",
        "Kegworth",
        "Measham",
        "Queniborough",
    ]:
        codes = layer.resolve(name)
        assert len(codes) == 1 and u.loc[codes[0], "unit_name"] == name, name
        assert u.loc[codes[0], "unit_type"] == "parish" and u.loc[codes[0], "parishes"] == name, name
    assert u.loc[layer.resolve("Asfordby")[0], "zone"] == "Melton"
    assert set(u.loc[layer.resolve("Loughborough"), "zone"]) == {"Charnwood North"}
    assert len(layer.resolve("Loughborough")) == 10 and len(layer.resolve("Loughborough Hastings")) == 1
    assert u.loc[layer.resolve("Gilmorton")[0], "ward_name"] == "Misterton"


def test_leicestershire_demand_nests_in_output_areas():
    """OAs nest in the units: every OA's representative point lies in exactly one unit, and each unit's area
    equals the sum of the areas of the OAs whose points it holds (within rounding of the layer)."""
    import geopandas as gpd
    import pandas as pd

    layer = load_units("leicestershire")
    oa = pd.concat([gpd.read_file(p) for p in layer.pack.layer_paths("oa")], ignore_index=True).to_crs(27700)
    pts = gpd.GeoDataFrame(geometry=oa.geometry.representative_point(), crs=27700).assign(a=oa.geometry.area)
    j = gpd.sjoin(pts, layer.units[["unit_code", "geometry"]], predicate="within", how="left")
    assert j.index.is_unique and j["unit_code"].notna().all()
    by_unit = j.groupby("unit_code")["a"].sum() / 1e6
    diff = (by_unit - layer.units.set_index("unit_code")["area_km2"]).abs()
    assert diff.max() < 0.01  # km²


def test_cli_units_json_is_one_object():
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "units", "coventry", "--json"], capture_output=True, text=True, check=True
    )
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    s = json.loads(lines[0])
    for key in [
        "council",
        "n_units",
        "units_by_type",
        "area_km2",
        "gap_km2",
        "overlap_km2",
        "hours_per_week_total",
        "zones",
    ]:
        assert key in s
    assert s["zones"] == [f"Cluster {i}" for i in range(1, 10)]


def test_cli_bad_council_exits_non_zero_with_message():
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "units", "atlantis", "--json"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "unknown council 'atlantis'" in out.stderr and out.stdout == ""
