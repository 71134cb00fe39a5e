"""Integration tests on the real shared data (ZONEPLAN_DATA, default ../shared/data)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geodata.units import load_units

pytestmark = pytest.mark.integration

EXPECTED = {  # council: (units, zones, weekly hours total from the council's report)
    "leicestershire": (None, 14, 37925.0),
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
    layer = load_units("leicestershire")
    u = layer.units.set_index("unit_code")
    assert set(u["lad_code"]) == {f"E0700013{i}" for i in range(6)} | {"E07000129"}
    assert (u["unit_type"] == "parish").sum() == 44  # parish polygons in the data directory
    # every one of the council's civil parishes resolves to exactly one unit
    import pandas as pd
    lk = pd.read_csv(layer.pack.layer_path("parish_lookup"), dtype=str)
    lk = lk[lk["LAD19CD"].isin(layer.pack.lad_codes)]
    unresolved = [n for n in lk["PAR19NM"].unique() if len(layer.resolve(n)) < 1]
    assert unresolved == []
    gil = layer.resolve("Gilmorton")
    assert len(gil) == 1 and u.loc[gil[0], "ward_name"] == "Misterton"
    assert "Gilmorton" in u.loc[gil[0], "parishes"].split(";") and "other" not in u.loc[gil[0], "note"]
    assert "holds 7 civil parishes" in u.loc[gil[0], "note"]
    # the para 47 parishes all resolve
    for name in ["Asfordby", "Markfield", "Witherley", "Barlestone", "Desford", "Market Bosworth",
                 "Newbold Verdon", "East Goscote", "Kegworth", "Measham", "Queniborough"]:
        assert len(layer.resolve(name)) == 1, name
    assert u.loc[layer.resolve("Asfordby")[0], "zone"] == "Melton"
    assert u.loc[layer.resolve("Loughborough Hastings (ward)")[0], "zone"] == "Charnwood North"


def test_cli_units_json_is_one_object():
    out = subprocess.run([sys.executable, "-m", "zones.cli", "units", "coventry", "--json"],
                         capture_output=True, text=True, check=True)
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    s = json.loads(lines[0])
    for key in ["council", "n_units", "units_by_type", "area_km2", "gap_km2", "overlap_km2",
                "hours_per_week_total", "zones"]:
        assert key in s
    assert s["zones"] == [f"Cluster {i}" for i in range(1, 10)]


def test_cli_bad_council_exits_non_zero_with_message():
    out = subprocess.run([sys.executable, "-m", "zones.cli", "units", "atlantis", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "unknown council 'atlantis'" in out.stderr and out.stdout == ""
