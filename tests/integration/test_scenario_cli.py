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
    out = subprocess.run([sys.executable, "-m", "zones.cli", "scenario", *args], capture_output=True, text=True, cwd=ROOT, env=env)
    if ok:
        assert out.returncode == 0, out.stderr
    return out


def test_save_version_compare_publish_export_import(tmp_path):
    moves = str(ROOT / "examples" / "leicestershire_para47_moves.csv")
    a = json.loads(cli(tmp_path, "save", "leicestershire", "Base", "--json").stdout)
    again = cli(tmp_path, "save", "leicestershire", "Base", "--json", ok=False)  # the name exists: refused
    assert again.returncode == 2 and "already exists" in again.stderr
    b = json.loads(cli(tmp_path, "save", "leicestershire", "Base", "--moves", moves, "--note", "para 47", "--parent", "1",
                       "--json").stdout)
    stale = cli(tmp_path, "save", "leicestershire", "Base", "--parent", "1", ok=False)  # version 2 exists now
    assert stale.returncode == 2 and "has version 2" in stale.stderr and "from version 1" in stale.stderr
    assert (a["version"], b["version"]) == (1, 2) and a["scenario_id"] == b["scenario_id"]
    sid = a["scenario_id"]
    cmp = json.loads(cli(tmp_path, "compare", f"{sid}:1", f"{sid}:2", "--json").stdout)
    assert cmp["n_rows"] >= 1
    link = json.loads(cli(tmp_path, "publish", str(sid), "--version", "2", "--json").stdout)["link"]
    assert link == f"?scenario={sid}&version=2&readonly=1"
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
