"""`zoneplan travel od` and drive_between on the real data: postcodes, OS Open Names places, points across
the county border (Atherstone, Warwickshire) and the Loughborough road graph."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from geodata.packs import load_pack
from travel.od import drive_between

pytestmark = pytest.mark.integration


def _run(*args):
    return subprocess.run([sys.executable, "-m", "zones.cli", "travel", *args], capture_output=True, text=True)


def test_travel_od_routes_inside_the_graph_and_estimates_across_the_border(tmp_path):
    o = tmp_path / "o.csv"
    o.write_text("id,postcode\nlboro-a,LE11 3TU\nwitherley,CV9 3FR\n")
    d = tmp_path / "d.csv"
    d.write_text("id,easting,northing\nlboro-b,453800,319500\natherstone,430834,297808\n")
    out = tmp_path / "od.csv"
    r = _run("od", "leicestershire", "--origins", str(o), "--destinations", str(d), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    t = pd.read_csv(out)
    assert list(t.columns[:5]) == ["origin_id", "destination_id", "drive_min", "distance_km", "estimated"]
    assert len(t) == 4 == s["n_pairs"] and s["n_routed"] == 1 and s["n_estimated"] == 3
    row = t.set_index(["origin_id", "destination_id"])
    assert not row.loc[("lboro-a", "lboro-b"), "estimated"]  # both in Loughborough: routed
    wa = row.loc[("witherley", "atherstone")]
    assert wa["estimated"] and 1.5 < wa["drive_min"] < 10 and wa["distance_km"] > wa["straight_km"]
    assert wa["error_p90_pct"] > 0
    # Witherley -> Loughborough is ~35 km: main-road speeds, not town speeds (> 45 km/h door to door)
    wl = row.loc[("witherley", "lboro-b")]
    assert wl["distance_km"] / (wl["drive_min"] / 60) > 45


def test_travel_od_lonlat_and_the_40km_limit(tmp_path):
    o = tmp_path / "o.csv"
    o.write_text("id,lon,lat\np1,-1.2077985,52.7723859\n")
    out = tmp_path / "od.csv"
    r = _run("od", "bradford", "--origins", str(o), "--destinations", str(o), "--out", str(out))
    assert r.returncode == 2 and "o.csv: row 1: point" in r.stderr and "outside the council" in r.stderr
    r = _run("od", "leicestershire", "--origins", str(o), "--destinations", str(o), "--out", str(out))
    assert r.returncode == 0 and pd.read_csv(out)["drive_min"].iloc[0] == 0


def test_travel_od_bad_csv_exits_2_naming_file_and_row(tmp_path):
    o = tmp_path / "bad.csv"
    o.write_text("id,postcode\nA,LE11 3TU\nB,ZZ99 9ZZ\n")
    r = _run("od", "leicestershire", "--origins", str(o), "--destinations", str(o), "--out", str(tmp_path / "x.csv"))
    assert r.returncode == 2
    assert "bad.csv: row 2: column 'postcode'" in r.stderr and "ZZ99" not in r.stderr


def test_drive_between_place_names_and_postcodes():
    pack = load_pack("leicestershire")
    wa = drive_between("Witherley", "Atherstone", pack=pack)
    assert wa["estimated"] and wa["error"]["checked"] and wa["range_min"][0] < wa["drive_min"] < wa["range_min"][1]
    assert "Atherstone" in wa["to"] and "ESTIMATED" in wa["method"]
    lb = drive_between("LE11 3TU", "LE11 1AA", pack=pack)
    assert not lb["estimated"] and lb["error"] is None and "routed" in lb["method"]
    far = drive_between("Witherley", "Melton Mowbray", pack=pack)
    assert far["estimated"] and not far["error"]["checked"] and "unknown" in far["method"]


def test_cli_travel_drive_json():
    r = _run("drive", "leicestershire", "--from", "Witherley", "--to", "CV9 1RD", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["estimated"] and s["drive_min"] > 0
