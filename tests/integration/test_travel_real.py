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
    out = subprocess.run([sys.executable, "-m", "zones.cli", "travel", "leicestershire", "--json"],
                         capture_output=True, text=True, check=True)
    s = json.loads(out.stdout)
    for k in ("n_units", "n_units_with_road_data", "n_estimated", "graph_nodes", "graph_edges", "build_s", "cached"):
        assert k in s
    assert s["n_units"] == s["n_units_with_road_data"] + s["n_estimated"]


def test_cli_travel_json_is_strict_json():
    out = subprocess.run([sys.executable, "-m", "zones.cli", "travel", "leicestershire", "--json"],
                         capture_output=True, text=True, check=True)
    json.loads(out.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))  # no Infinity/NaN
