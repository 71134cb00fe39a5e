"""travel.od and travel.places on synthetic graphs and CSVs made in the test."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from geodata.datadir import DataError
from tests.unit.test_travel import grid_graph
from travel.graph import to_arrays
from travel.od import od_pairs, od_table, routed
from travel.places import read_points, resolve

MODEL = {
    "bands": [{"from_m": 0.0, "to_m": None, "circuity": 1.3, "speed_m_per_s": 10.0}],
    "access_road_m": 2000.0,
    "local_speed_m_per_s": 10.0,
    "main_road_speed_m_per_s": 22.35,
    "source": "test",
}
ERRORS = {
    "pooled": [
        {
            "check": "t",
            "from_km": 0,
            "to_km": 40,
            "setting": "all",
            "n_pairs": 100,
            "median_abs_pct": 10.0,
            "p90_abs_pct": 30.0,
            "median_pct": 0.0,
        }
    ],
    "max_checked_km": 30.0,
}
REF = {"model": MODEL, "errors": ERRORS}


def test_routed_time_and_length_of_the_fastest_route_match_networkx():
    """A fast long way round and a slow short way: the distance is that of the FASTEST route."""
    G = grid_graph(n=5)
    # make the direct street 0->1 very slow: the fastest route goes round the block (300 m) not direct (100 m)
    G.add_edge(0, 1, travel_time=100.0, length=100.0)
    for k in list(G[0][1]):
        if G[0][1][k]["travel_time"] < 100:
            G[0][1][k]["travel_time"] = 100.0
    arr = to_arrays(G)
    pos = {n: i for i, n in enumerate(arr.osmid)}
    t, m = routed(arr, np.array([pos[0], pos[12]]), np.array([pos[1], pos[24], pos[0]]))
    assert t[0, 0] == pytest.approx(30.0) and m[0, 0] == pytest.approx(300.0)
    assert t[0, 2] == 0 and m[0, 2] == 0
    for r, o in enumerate([0, 12]):
        for c, dn in enumerate([1, 24, 0]):
            path = nx.shortest_path(G, o, dn, weight="travel_time")
            secs = nx.path_weight(G, path, weight="travel_time") if len(path) > 1 else 0.0
            assert t[r, c] == pytest.approx(nx.shortest_path_length(G, o, dn, weight="travel_time"))
            assert secs == pytest.approx(t[r, c])


def test_od_pairs_route_on_the_graph_and_estimate_off_it():
    arr = to_arrays(grid_graph(n=5))  # 400 m × 400 m at (450000, 300000)
    oxy = np.array([[450_000.0, 300_000.0], [470_000.0, 300_000.0]])  # on the grid; 20 km east, off it
    dxy = np.array([[450_400.0, 300_400.0]])
    res = od_pairs(oxy, dxy, [arr], REF)
    assert list(res["estimated"]) == [False, True]
    assert res["drive_s"][0] == pytest.approx(80.0) and res["distance_m"][0] == pytest.approx(800.0)
    # the far pair: 2 km of access streets at 10 m/s, the rest at the main-road speed
    road = np.hypot(19_600, 400) * 1.3
    assert res["drive_s"][1] == pytest.approx(2000 / 10 + (road - 2000) / 22.35)
    assert res["distance_m"][1] == pytest.approx(road)


def test_od_table_columns_and_flags():
    arr = to_arrays(grid_graph(n=5))
    o = pd.DataFrame({"id": ["a", "b"], "x": [450_000.0, 480_000.0], "y": [300_000.0, 300_000.0]})
    d = pd.DataFrame({"id": ["c"], "x": [450_400.0], "y": [300_000.0]})
    t = od_table(o, d, [arr], REF)
    assert list(t.columns[:5]) == ["origin_id", "destination_id", "drive_min", "distance_km", "estimated"]
    assert list(t["estimated"]) == [False, True]
    assert np.isnan(t["error_p90_pct"].iloc[0]) and t["error_p90_pct"].iloc[1] == 30.0
    assert t["drive_min"].iloc[0] == pytest.approx(40 / 60, abs=0.01)


def _csv(tmp_path, text, name="pts.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_points_csv_three_forms(tmp_path):
    g = read_points(_csv(tmp_path, "id,easting,northing\nA,450000,300000\nB,451000.5,301000\n"), "origins")
    assert list(g["id"]) == ["A", "B"] and g["x"].iloc[1] == 451000.5
    ll = read_points(_csv(tmp_path, "id,lon,lat\nX,-1.2,52.77\n"), "origins")
    assert 450_000 < ll["x"].iloc[0] < 460_000 and 310_000 < ll["y"].iloc[0] < 325_000


@pytest.mark.parametrize(
    "text,msg",
    [
        ("name,postcode\nA,LE11 3TU\n", "no 'id' column"),
        ("id,town\nA,x\n", "no location columns"),
        ("id,easting,northing\nA,450000,300000\nA,450000,300000\n", "row 2: column 'id': duplicate"),
        ("id,easting,northing\n=HYPERLINK(1),450000,300000\n", "row 1: column 'id'"),
        ("id,easting,northing\nA,nan,300000\n", "row 1: columns 'easting,northing'"),
        ("id,easting,northing\nA,1e400,300000\n", "row 1: columns 'easting,northing'"),
        ("id,lon,lat\nA,45.0,12.0\n", "row 1: columns 'lon,lat'"),
        ("id,postcode\nA,SECRET-TEXT\n", "row 1: column 'postcode': not a UK postcode"),
        ("id,easting\nA,1\n", "no location columns"),
        ("id,easting,northing\nA,450000\n", "row 1: 2 fields"),
        ("id,easting,northing\n", "no data rows"),
    ],
)
def test_points_csv_hostile_rows_named_never_echoed(tmp_path, text, msg):
    with pytest.raises(DataError, match=msg) as e:
        read_points(_csv(tmp_path, text, "in.csv"), "origins")
    assert "in.csv" in str(e.value) and "SECRET" not in str(e.value) and "HYPERLINK" not in str(e.value)


def test_points_csv_limits(tmp_path, monkeypatch):
    import travel.places as pl

    monkeypatch.setattr(pl, "MAX_ROWS", 3)
    rows = "".join(f"P{i},450000,300000\n" for i in range(4))
    with pytest.raises(DataError, match="more than 3 rows"):
        read_points(_csv(tmp_path, "id,easting,northing\n" + rows), "origins")
    monkeypatch.setattr(pl, "MAX_CSV_BYTES", 100)
    with pytest.raises(DataError, match="over the 100-byte limit"):
        read_points(_csv(tmp_path, "id,easting,northing\n" + "A,1,2\n" * 40), "origins")
    p = tmp_path / "bin.csv"
    p.write_bytes(b"id,easting\x00\xff\xfe")
    with pytest.raises(DataError, match="bin.csv"):
        read_points(p, "origins")


def test_too_many_pairs_is_refused(monkeypatch):
    import travel.od as od

    monkeypatch.setattr(od, "MAX_PAIRS", 3)
    with pytest.raises(DataError, match="over the 3-pair limit"):
        od_pairs(np.zeros((2, 2)), np.zeros((2, 2)), [], REF)


def test_cli_travel_od_refuses_too_many_pairs_before_loading_roads(synthetic_pack, tmp_path, monkeypatch, capsys):
    """`zoneplan travel od` with origins × destinations over MAX_PAIRS: exit 2, one clear line naming the
    bound and how to split, and no road graph or estimator is loaded; at the bound it runs, JSON keys stable."""
    import travel.estimator as te
    import travel.od as od
    from zones.cli import main

    monkeypatch.setattr(od, "MAX_PAIRS", 6)
    o = _csv(
        tmp_path, "id,easting,northing\n" + "".join(f"O{i},{450100 + 100 * i},300500\n" for i in range(3)), "o.csv"
    )
    d = _csv(tmp_path, "id,easting,northing\nD0,451000,301000\nD1,452000,301000\nD2,453000,301500\n", "d.csv")
    d2 = _csv(tmp_path, "id,easting,northing\nD0,451000,301000\nD1,452000,301000\n", "d2.csv")
    out = tmp_path / "od.csv"
    monkeypatch.setattr(te, "reference", lambda *a, **k: pytest.fail("estimator loaded before the pair check"))
    monkeypatch.setattr(od, "road_graphs", lambda *a, **k: pytest.fail("road graphs loaded before the pair check"))
    rc = main(["travel", "od", str(synthetic_pack), "--origins", str(o), "--destinations", str(d), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and not out.exists()
    assert "3 origins × 3 destinations = 9 pairs, over the 6-pair limit" in err[0]
    assert "at most 2 rows" in err[0] and "Traceback" not in err[0]
    monkeypatch.setattr(te, "reference", lambda *a, **k: dict(REF, errors=dict(ERRORS, summary=[])))
    monkeypatch.setattr(od, "road_graphs", lambda *a, **k: [])
    rc = main(
        [
            "travel",
            "od",
            str(synthetic_pack),
            "--origins",
            str(o),
            "--destinations",
            str(d2),
            "--out",
            str(out),
            "--json",
        ]
    )
    assert rc == 0
    import json

    s = json.loads(capsys.readouterr().out)
    assert s["n_pairs"] == 6 and s["max_pairs"] == 6 and s["n_estimated"] == 6
    for k in (
        "council",
        "out",
        "n_origins",
        "n_destinations",
        "n_routed",
        "columns",
        "graphs",
        "build_s",
        "estimate_error",
        "note",
    ):
        assert k in s
    assert pd.read_csv(out).columns[:5].tolist() == [
        "origin_id",
        "destination_id",
        "drive_min",
        "distance_km",
        "estimated",
    ]


def test_resolve_coordinates_and_bad_text():
    p = resolve("450000, 300000")
    assert (p.x, p.y, p.kind) == (450000.0, 300000.0, "grid")
    q = resolve("-1.2,52.77")
    assert q.kind == "lonlat" and 450_000 < q.x < 460_000
    with pytest.raises(DataError, match="outside Great Britain"):
        resolve("2000000,5")
    with pytest.raises(DataError, match="too long"):
        resolve("x" * 500)
    with pytest.raises(DataError, match="no place given"):
        resolve("   ")
