"""County-scale engine on small synthetic graphs: cut-off searches stay exact, bench/county.py runs end to end."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from travel.graph import to_arrays
from travel.matrix import times_to
from travel.metrics import K_NEAREST, compute_core

from tests.unit.test_travel import grid_graph
from tests.unit.test_travel_od import ERRORS, MODEL

ROOT = Path(__file__).resolve().parents[2]


def test_times_to_with_a_cut_off_equals_networkx_with_cutoff():
    G = grid_graph(n=9, spacing_m=100.0)
    arr = to_arrays(G)
    pos = {n: i for i, n in enumerate(arr.osmid)}
    src, tg = np.array([pos[0], pos[40]]), np.arange(arr.n_nodes)
    T, M = times_to(arr.time_s, src, tg, limit=45.0, lengths=arr.length_m)
    for r, o in enumerate([0, 40]):
        ref = nx.single_source_dijkstra_path_length(G, o, cutoff=45.0, weight="travel_time")
        assert {int(arr.osmid[j]) for j in np.flatnonzero(np.isfinite(T[r]))} == set(ref)
        for node, secs in ref.items():
            assert T[r, pos[node]] == pytest.approx(secs)
            assert M[r, pos[node]] == pytest.approx(secs * 10.0)  # 10 m/s everywhere: metres = 10 × seconds


def test_times_to_on_the_reachable_subgraph_is_exact(monkeypatch):
    """The cut-off subgraph (nodes within limit × fastest speed of the sources) gives the whole graph's answer,
    on a grid with a fast avenue (so the bound matters) and random street speeds."""
    from travel.matrix import max_speed

    rng = np.random.default_rng(5)
    G = grid_graph(n=15, spacing_m=100.0)
    for u, v, k, d in G.edges(keys=True, data=True):
        fast = G.nodes[u]["y"] == G.nodes[v]["y"] == 300_700.0
        d["travel_time"] = 100.0 / (30.0 if fast else rng.uniform(4, 12))
    arr = to_arrays(G)
    vmax = max_speed(arr.time_s, arr.length_m)
    assert vmax == pytest.approx(30.0)
    src = np.array([3, 17, 110])
    for limit in (20.0, 60.0, 150.0):
        full, fm = times_to(arr.time_s, src, np.arange(arr.n_nodes), limit=limit, lengths=arr.length_m)
        sub, sm = times_to(arr.time_s, src, np.arange(arr.n_nodes), limit=limit, lengths=arr.length_m,
                           xy=(arr.x, arr.y), vmax=vmax)
        assert np.array_equal(np.isfinite(full), np.isfinite(sub))
        assert np.allclose(full[np.isfinite(full)], sub[np.isfinite(sub)])
        assert np.allclose(fm[np.isfinite(fm)], sm[np.isfinite(sm)])
    # and the subgraph is really used: a corner source with a short cut-off searches a small matrix
    import travel.matrix as tm

    seen = []
    real = tm._times_to
    monkeypatch.setattr(tm, "_times_to", lambda m, *a, **k: seen.append(m.shape[0]) or real(m, *a, **k))
    t, _ = tm.times_to(arr.time_s, [0], np.arange(arr.n_nodes), limit=10.0, xy=(arr.x, arr.y), vmax=vmax)
    assert seen and seen[0] < arr.n_nodes / 4
    ref = nx.single_source_dijkstra_path_length(G, 0, cutoff=10.0, weight="travel_time")
    assert {int(arr.osmid[j]) for j in np.flatnonzero(np.isfinite(t[0]))} == set(ref)


def test_compute_core_visit_times_equal_a_networkx_brute_force():
    """Two units on a 2 km grid: visit_to_visit_min = mean over client points of the mean drive to their K
    nearest other client points (own + neighbour unit), as networkx computes it without any cut-off."""
    G = grid_graph(n=21, spacing_m=100.0)
    arr = to_arrays(G)
    rng = np.random.default_rng(3)
    pxy = np.column_stack([rng.uniform(450_000, 452_000, 16), rng.uniform(300_000, 302_000, 16)])
    pu = (pxy[:, 0] > 451_000).astype(int)
    units = pd.DataFrame({"unit_code": ["W", "E"], "hours_per_week": [80.0, 80.0], "area_km2": [2.0, 2.0]})
    w = np.full(16, 10.0)
    hubs = pd.DataFrame({"name": ["Hub"], "x": [450_000.0], "y": [300_000.0]})
    df = compute_core(units, pxy, w, pu, hubs, [np.array([1]), np.array([0])], [arr], MODEL, ERRORS, 14.0)
    assert df["road_data"].all() and not df["estimated"].any()
    nodes = np.array([int(arr.osmid[i]) for i in
                      np.argmin(np.hypot(arr.x[None, :] - pxy[:, :1], arr.y[None, :] - pxy[:, 1:]), axis=1)])
    for i in (0, 1):
        vals = []
        for p in np.flatnonzero(pu == i):
            d = nx.single_source_dijkstra_path_length(G, int(nodes[p]), weight="travel_time")
            others = sorted(d[int(nodes[c])] for c in range(16) if c != p)
            vals.append(np.mean(others[:K_NEAREST]) / 60)
        assert df["visit_to_visit_min"].iloc[i] == pytest.approx(np.mean(vals), abs=0.006)
        hub = nx.single_source_dijkstra_path_length(G, int(arr.osmid[np.argmin(np.hypot(arr.x - 450_000, arr.y - 300_000))]),
                                                   weight="travel_time")
        town = np.mean([hub[int(nodes[p])] for p in np.flatnonzero(pu == i)]) / 60
        assert df["town_min"].iloc[i] == pytest.approx(town, abs=0.006)


def test_bench_county_runs_small_and_prints_its_json_last():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "county.py"), "--nodes", "3000", "--sample", "10"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    s = json.loads(out.stdout.strip().splitlines()[-1])
    for k in ("nodes", "metrics_cold_s", "metrics_warm_s", "od_pairs_per_s", "engine_s", "networkx_s", "ratio"):
        assert k in s
    assert 2500 < s["nodes"] <= 3200 and s["identical"] and s["units_on_roads"] == s["units"] > 0
    assert s["ratio"] == pytest.approx(s["networkx_s"] / s["engine_s"], rel=0.05)
