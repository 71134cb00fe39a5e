"""travel/ on the real Loughborough OSMnx graph and the Leicestershire units."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

from geodata.datadir import data_path
from geodata.units import load_units
from travel.graph import load_arrays, prepare, read_graph
from travel.matrix import travel_times
from travel.metrics import unit_metrics

pytestmark = pytest.mark.integration
GRAPHML = "osm/loughborough/drive/graph.graphml"


def test_prepared_graph_is_projected_strongly_connected_and_matches_networkx():
    G = prepare(read_graph(data_path(GRAPHML)))
    assert G.graph["crs"].to_epsg() == 27700 if hasattr(G.graph["crs"], "to_epsg") else "27700" in str(G.graph["crs"])
    assert nx.is_strongly_connected(G)
    arr = load_arrays(data_path(GRAPHML))
    assert arr.n_nodes == G.number_of_nodes()
    pos = {n: i for i, n in enumerate(arr.osmid)}
    origins = list(G.nodes)[:5]
    ours = travel_times(arr.time_s, np.array([pos[o] for o in origins]))
    for r, o in enumerate(origins):
        ref = nx.single_source_dijkstra_path_length(G, o, weight="travel_time")
        got = np.array([ours[r, pos[n]] for n in ref])
        want = np.array(list(ref.values()))
        assert np.abs(got - want).max() < 1e-6


def test_cache_is_reused_and_keyed_by_speeds():
    a = load_arrays(data_path(GRAPHML))
    b = load_arrays(data_path(GRAPHML))
    assert b.cached and a.key == b.key
    c = load_arrays(data_path(GRAPHML), speeds_kph={"residential": 20.0})
    assert c.key != a.key


def test_leicestershire_metrics_flag_estimates_honestly():
    layer = load_units("leicestershire")
    m = unit_metrics(layer)
    assert len(m) == len(layer.units) and list(m["unit_code"]) == list(layer.units["unit_code"])
    assert (m["road_data"] != m["estimated"]).all()
    assert 1 <= m["road_data"].sum() < len(m)  # only the Loughborough area has a road graph
    real = m[m["road_data"]].merge(layer.units[["unit_code", "lad_code"]])
    assert set(real["lad_code"]) == {"E07000130"}  # Charnwood (Loughborough)
    est = m[m["estimated"]]
    assert est["method"].str.contains("ESTIMATED").all()
    assert (m["visit_to_visit_min"] > 0).all() and (m["town_min"] > 0).all()
    assert m.attrs["estimate_error"]["pairs"] > 1000


def test_cli_travel_json():
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "travel", "leicestershire", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    s = json.loads(out.stdout)
    for k in ("n_units", "n_units_with_road_data", "n_estimated", "graph_nodes", "graph_edges", "build_s", "cached"):
        assert k in s
    assert s["n_units"] == s["n_units_with_road_data"] + s["n_estimated"]


def test_cli_travel_json_is_strict_json():
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "travel", "leicestershire", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    json.loads(out.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))  # no Infinity/NaN


RUTLAND = "osm/rutland-2018/rutland-latest.osm.pbf"


def test_rutland_pbf_loads_as_a_road_source_like_an_osmnx_download():
    """The real Rutland 2018 extract, read with pyosmium + OSMnx's drive filter: a routable rural graph with
    the A1 (trunk) in EPSG:27700, matching networkx on a few origins."""
    G = prepare(read_graph(data_path(RUTLAND)))
    assert nx.is_strongly_connected(G) and G.number_of_nodes() > 2000
    hw = {
        h
        for _, _, d in G.edges(data=True)
        for h in (d["highway"] if isinstance(d["highway"], list) else [d["highway"]])
    }
    assert {"trunk", "primary", "residential"} <= hw and "footway" not in hw and "service" not in hw
    arr = load_arrays(data_path(RUTLAND))
    assert arr.n_nodes == G.number_of_nodes()
    assert 480_000 < arr.x.mean() < 500_000 and 300_000 < arr.y.mean() < 315_000  # Rutland, EPSG:27700
    pos = {n: i for i, n in enumerate(arr.osmid)}
    origins = list(G.nodes)[:3]
    ours = travel_times(arr.time_s, np.array([pos[o] for o in origins]))
    for r, o in enumerate(origins):
        ref = nx.single_source_dijkstra_path_length(G, o, weight="travel_time")
        assert max(abs(ours[r, pos[n]] - s) for n, s in ref.items()) < 1e-6


def test_estimator_checked_by_distance_band_and_setting_on_held_out_routes():
    """The reference estimator: fitted on Loughborough, checked on its held-out half and on Rutland (never
    fitted on) up to 20-40 km trips; longer trips do not run at town speeds."""
    from travel.estimator import estimate_seconds, reference

    ref = reference()
    model, errors = ref["model"], ref["errors"]
    checks = {s["check"].split(" ")[0]: s for s in errors["summary"]}
    assert "rutland-latest.osm.pbf" in checks and checks["rutland-latest.osm.pbf"]["max_km"] > 20
    bands = {(r["from_km"], r["setting"]) for r in errors["by_band"]}
    assert {(0, "urban"), (10, "rural"), (20, "rural")} <= bands
    long = [r for r in errors["by_band"] if r["from_km"] == 20 and r["setting"] == "all"][0]
    assert long["median_abs_pct"] < 20 and long["n_pairs"] > 1000
    # 30 km straight line: faster on average than the town speed of Loughborough's longest band
    town_speed = model["bands"][-1]["speed_m_per_s"]
    t30 = estimate_seconds(model, [30_000.0])[0]
    assert t30 < 30_000 * model["bands"][-1]["circuity"] / town_speed * 0.85


def test_cli_travel_json_reports_errors_by_band():
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "travel", "leicestershire", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    e = json.loads(out.stdout)["estimate_error"]
    for k in ("median_abs_pct", "p90_abs_pct", "by_band", "checks", "pooled"):
        assert k in e
    assert {r["setting"] for r in e["by_band"]} >= {"urban", "rural"}
