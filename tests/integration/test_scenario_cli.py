"""`zoneplan scenario …` end to end on a laptop store (SQLite in a temp folder) with the real Leicestershire units."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def cli(tmp_path, *args, ok=True):
    env = dict(os.environ, ZONEPLAN_STORE=str(tmp_path / "store.sqlite"))
    env.pop("ZONEPLAN_DB_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "scenario", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if ok:
        assert out.returncode == 0, out.stderr
    return out


def test_save_version_compare_publish_export_import(tmp_path):
    moves = str(ROOT / "examples" / "leicestershire_para47_moves.csv")
    a = json.loads(cli(tmp_path, "save", "leicestershire", "Base", "--json").stdout)
    again = cli(tmp_path, "save", "leicestershire", "Base", "--json", ok=False)  # the name exists: refused
    assert again.returncode == 2 and "already exists" in again.stderr
    b = json.loads(
        cli(
            tmp_path, "save", "leicestershire", "Base", "--moves", moves, "--note", "para 47", "--parent", "1", "--json"
        ).stdout
    )
    stale = cli(tmp_path, "save", "leicestershire", "Base", "--parent", "1", ok=False)  # version 2 exists now
    assert stale.returncode == 2 and "has version 2" in stale.stderr and "from version 1" in stale.stderr
    assert (a["version"], b["version"]) == (1, 2) and a["scenario_id"] == b["scenario_id"]
    sid = a["scenario_id"]
    cmp = json.loads(cli(tmp_path, "compare", f"{sid}:1", f"{sid}:2", "--json").stdout)
    assert cmp["n_rows"] >= 1
    link = json.loads(cli(tmp_path, "publish", str(sid), "--version", "2", "--json").stdout)["link"]
    assert link == f"?council=leicestershire&scenario={sid}&version=2&readonly=1"  # everything to open it
    gpkg = tmp_path / "s.gpkg"
    cli(tmp_path, "export", str(sid), "--version", "2", "--out", str(gpkg))
    imp = json.loads(cli(tmp_path, "import", "leicestershire", "Imported", str(gpkg), "--json").stdout)
    cmp2 = json.loads(cli(tmp_path, "compare", f"{sid}:2", f"{imp['scenario_id']}:1", "--json").stdout)
    assert cmp2["n_rows"] == 0  # round trip identical
    audit = tmp_path / "audit.csv"
    cli(tmp_path, "audit", str(sid), "--out", str(audit))
    assert "publish" in audit.read_text()
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    out = cli(tmp_path, "import", "leicestershire", "Bad", str(bad), ok=False)
    assert out.returncode == 2 and "not valid GeoJSON" in out.stderr


def test_merton_providers_recorded_per_version_and_lots_compared(tmp_path):
    """Issue 15 §2: two providers a lot are recorded with the saved version (the pack's default, and an
    exception typed on the command line); `scenario compare` shows hours, travel inside each lot and providers."""
    a = json.loads(cli(tmp_path, "save", "merton", "W/C/E", "--providers", "West=3", "--json").stdout)
    show = json.loads(cli(tmp_path, "show", str(a["scenario_id"]), "--json").stdout)
    prov = {r["zone"]: r for r in show["providers"]}
    assert prov["West"]["providers"] == 3 and prov["Central"]["providers"] == 2  # Merton para 2.10: two a lot
    for r in prov.values():
        assert abs(r["hours_per_provider"] - r["hours_per_week"] / r["providers"]) < 0.006
        assert r["below_viability_floor"] == (r["hours_per_week"] / r["providers"] < 1000)
    bad = cli(tmp_path, "save", "merton", "x", "--providers", "Nowhere=2", ok=False)
    assert bad.returncode == 2 and "ZONE=N" in bad.stderr and "Traceback" not in bad.stderr
    bad = cli(tmp_path, "save", "merton", "x", "--providers", "West=99", ok=False)
    assert bad.returncode == 2 and "outside 0" in bad.stderr
    b = json.loads(cli(tmp_path, "save", "merton", "W/C/E", "--parent", "1", "--json").stdout)
    cmp = json.loads(cli(tmp_path, "compare", f"{a['scenario_id']}:1", f"{b['scenario_id']}:2", "--json").stdout)
    za, zb = cmp["zones"]["a"], cmp["zones"]["b"]
    assert [z["name"] for z in za["zones"]] == ["West", "Central", "East"]
    assert sum(z["hours_per_week"] for z in za["zones"]) == pytest.approx(sum(z["hours_per_week"] for z in zb["zones"]))
    assert all(z["mean_drive_min"] > 0 and z["contiguous"] for z in za["zones"])
    assert {z["name"]: z["providers"] for z in za["zones"]}["West"] == 3
    assert {z["name"]: z["providers"] for z in zb["zones"]}["West"] == 2  # version 2 took the pack's default
    assert cmp["zones"]["travel"]["estimated"] is True  # no Merton road network: said so
