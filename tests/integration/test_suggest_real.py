"""`zoneplan suggest` on the real Merton and Coventry wards: contiguous zones, the comparison with the current
plan, the scenario GeoPackage is importable, and the store keeps it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def zoneplan(tmp_path, *args):
    env = dict(os.environ, ZONEPLAN_STORE=str(tmp_path / "store.sqlite"))
    env.pop("ZONEPLAN_DB_URL", None)
    out = subprocess.run([sys.executable, "-m", "zones.cli", *args], capture_output=True, text=True, cwd=ROOT, env=env)
    return out


def test_suggest_merton_json_gpkg_and_scenario(tmp_path):
    gpkg = tmp_path / "merton.gpkg"
    out = zoneplan(
        tmp_path,
        "suggest",
        "merton",
        "--zones",
        "3",
        "--steps",
        "300",
        "--seed",
        "4",
        "--out",
        str(gpkg),
        "--save",
        "Suggested",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    assert "%]" in out.stderr  # progress on stderr
    d = json.loads(out.stdout)
    assert d["k"] == 3 and d["n_units"] == 20
    for side in ("proposal", "current"):
        zones = d[side]["zones"]
        assert {"name", "units", "hours_per_week", "mean_drive_min", "contiguous"} <= set(zones[0])
        assert sum(z["units"] for z in zones) == 20
        assert sum(z["hours_per_week"] for z in zones) == pytest.approx(8400, abs=0.5)
    assert all(z["contiguous"] for z in d["proposal"]["zones"])
    assert d["balanced"] == all(abs(z["balance_dev_pct"]) <= 15.05 for z in d["proposal"]["zones"])
    assert d["travel"]["estimated"] and "ESTIMATED" in d["travel"]["note"]
    # the file imports as a scenario, and the saved scenario holds the same zones
    imp = zoneplan(tmp_path, "scenario", "import", "merton", "From file", str(gpkg), "--json")
    assert imp.returncode == 0, imp.stderr
    sid = json.loads(imp.stdout)["scenario_id"]
    cmp = zoneplan(tmp_path, "scenario", "compare", f"{d['scenario']['scenario_id']}:1", f"{sid}:1", "--json")
    assert cmp.returncode == 0 and json.loads(cmp.stdout)["n_rows"] == 0


def test_suggest_same_seed_same_zones_and_lock(tmp_path):
    from zones.service.suggestion import run_suggestion

    a = run_suggestion("merton", 3, seed=9, steps=200, lock=["East"])
    b = run_suggestion("merton", 3, seed=9, steps=200, lock=["East"])
    assert a["_plan"].assignments().equals(b["_plan"].assignments())
    pa = a["_plan"].assignments().set_index("unit_code")["zone"]
    from geodata.units import load_units

    u = load_units("merton").units.set_index("unit_code")
    east = u.index[u["zone"] == "East"]
    assert (pa.loc[east] == "East").all() and (pa.drop(east) != "East").all()


def test_suggest_rejects_bad_arguments(tmp_path):
    out = zoneplan(tmp_path, "suggest", "merton", "--zones", "40", "--json")
    assert out.returncode == 2 and "zones" in out.stderr and out.stdout == ""
    out = zoneplan(tmp_path, "suggest", "merton", "--zones", "3", "--lock", "Nowhere", "--json")
    assert out.returncode == 2 and "Nowhere" in out.stderr
    out = zoneplan(tmp_path, "suggest", "merton", "--zones", "3", "--balance-pct", "150")
    assert out.returncode == 2


def test_bradford_suggests_walkable_localities_on_lsoas(tmp_path):
    out = zoneplan(tmp_path, "suggest", "bradford", "--zones", "35", "--steps", "60", "--restarts", "1", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["council"] == "bradford_lsoa" and d["requested_council"] == "bradford"
    assert d["mode"] == "walk" and d["n_units"] == 310 and d["unit_type"] == "polygons"
    zones = d["proposal"]["zones"]
    assert len(zones) == 35 and all(z["contiguous"] for z in zones)
    assert all(z["median_walk_between_visits_min"] > 0 for z in zones)
    assert all(z["mean_walk_min"] == z["mean_drive_min"] for z in zones)
    assert "ESTIMATED" in d["travel"]["walk_between_visits"]
    assert len(d["current"]["zones"]) == 30  # the ward view
    assert d["adjacency"]["edges"] > 800  # LSOA boundaries do not share vertices: edges found within tolerance
    # the ward view stays: --units own cuts Bradford's 30 wards
    own = zoneplan(tmp_path, "suggest", "bradford", "--units", "own", "--zones", "5", "--steps", "50", "--json")
    assert own.returncode == 0, own.stderr
    assert json.loads(own.stdout)["n_units"] == 30
