"""The travel engine on small synthetic graphs built here: cut-off searches (pruned, stopped early) and all-node
searches (dead-end trees filled in) give networkx's costs exactly; bench/county.py runs end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from tests.unit.test_travel import grid_graph
from tests.unit.test_travel_od import ERRORS, MODEL
from travel.graph import to_arrays
from travel.matrix import times_to
from travel.metrics import K_NEAREST, compute_core

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


def _random_road_graph(seed: int, n: int = 15) -> nx.MultiDiGraph:
    """A 15×15 grid (100 m) with a fast avenue (30 m/s), random street speeds (4-12 m/s), one-way streets,
    a few streets removed, dead-end trees (cul-de-sacs, some branching, one reachable only one way) and an
    island that nothing reaches."""
    rng = np.random.default_rng(seed)
    G = grid_graph(n=n, spacing_m=100.0, island=True)
    for u, v, _k, d in list(G.edges(keys=True, data=True)):
        fast = G.nodes[u]["y"] == G.nodes[v]["y"] == 300_700.0
        d["travel_time"] = 100.0 / (30.0 if fast else rng.uniform(4, 12))
    for u, v in [(e[0], e[1]) for e in G.edges() if e[0] < e[1] and e[0] < 999]:
        r = rng.random()
        if r < 0.08:  # one-way
            G.remove_edge(v, u)
        elif r < 0.12 and G.out_degree(u) > 2 and G.out_degree(v) > 2:  # removed street
            G.remove_edge(u, v)
            G.remove_edge(v, u)
    nxt = 2000
    for root in rng.choice(n * n, 12, replace=False):  # cul-de-sacs: chains and branches hanging off the grid
        parents = [int(root)]
        for _ in range(int(rng.integers(1, 5))):
            p = parents[int(rng.integers(len(parents)))]
            G.add_node(nxt, x=G.nodes[p]["x"] + 30, y=G.nodes[p]["y"] + 20)
            t = float(rng.uniform(3, 9))
            G.add_edge(p, nxt, travel_time=t, length=t * 8)
            G.add_edge(nxt, p, travel_time=t * 1.1, length=t * 8)
            parents.append(nxt)
            nxt += 1
    G.add_node(nxt, x=450_000.0, y=299_900.0)  # reachable only one way (no way back)
    G.add_edge(0, nxt, travel_time=7.0, length=70.0)
    G.add_node(nxt + 1, x=449_900.0, y=299_900.0)  # only leaves: nothing reaches it
    G.add_edge(nxt + 1, 0, travel_time=7.0, length=70.0)
    return G


def _nx_rows(G, arr, sources, cutoff=None):
    pos = {int(o): i for i, o in enumerate(arr.osmid)}
    out = np.full((len(sources), arr.n_nodes), np.inf)
    for r, s in enumerate(sources):
        for node, secs in nx.single_source_dijkstra_path_length(
            G, int(arr.osmid[s]), cutoff=cutoff, weight="travel_time"
        ).items():
            out[r, pos[node]] = secs
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_times_to_pruned_search_equals_networkx_exactly(seed):
    """Cut-off searches (pruned by the backward bound from the targets, stopped when all targets are settled)
    give networkx's costs bit for bit: sources in a corner / at the edge of the reachable region, duplicate
    sources, a source that is also a target, one-way streets, cul-de-sacs, unreachable nodes."""
    G = _random_road_graph(seed)
    arr = to_arrays(G)
    pos = {int(o): i for i, o in enumerate(arr.osmid)}
    rng = np.random.default_rng(seed)
    src = np.array([pos[0], pos[14], pos[112], pos[112], pos[2000]] + list(rng.choice(arr.n_nodes, 4, replace=False)))
    tg_sets = [np.arange(arr.n_nodes), rng.choice(arr.n_nodes, 25, replace=False), np.array([pos[999], src[2], pos[1]])]
    for limit in (8.0, 25.0, 60.0, 150.0, np.inf):
        ref = _nx_rows(G, arr, src, None if np.isinf(limit) else limit)
        for tg in tg_sets:
            T, _ = times_to(arr.time_s, src, tg, limit=limit)
            assert np.array_equal(np.isfinite(T), np.isfinite(ref[:, tg])), (limit, len(tg))
            assert np.array_equal(T, ref[:, tg])  # identical, not approximately


def test_times_to_route_metres_follow_the_fastest_route():
    G = _random_road_graph(4)
    arr = to_arrays(G)
    pos = {int(o): i for i, o in enumerate(arr.osmid)}
    src, tg = np.array([pos[0], pos[60], pos[2001]]), np.arange(arr.n_nodes)
    T, M = times_to(arr.time_s, src, tg, limit=70.0, lengths=arr.length_m)
    for r, s in enumerate(src):
        dist, paths = nx.single_source_dijkstra(G, int(arr.osmid[s]), cutoff=70.0, weight="travel_time")
        for node, path in paths.items():
            want = sum(G[a][b][0]["length"] for a, b in zip(path, path[1:]))
            assert T[r, pos[node]] == dist[node]
            assert M[r, pos[node]] == pytest.approx(want, rel=1e-9, abs=1e-9)
        assert np.isinf(M[r][np.isinf(T[r])]).all()


def test_times_to_prunes_and_stops_early(monkeypatch):
    """The backward bound really cuts the work: fewer nodes settled than a plain cut-off search (bound 0),
    which itself settles no more than networkx (every node within the cut-off of every source)."""
    import travel._dijkstra as kd

    G = _random_road_graph(5)
    arr = to_arrays(G)
    settled = []
    real = kd.many

    def spy(*a):
        out = real(*a)
        settled.append(out[2])
        return out

    monkeypatch.setattr(kd, "many", spy)
    src, tg = np.array([0, 1, 2]), np.array([3, 4, 15, 16])
    pruned, _ = times_to(arr.time_s, src, tg, limit=60.0)
    monkeypatch.setattr(kd, "nearest", lambda ip, ix, d, s, lim: np.zeros(len(ip) - 1))  # no bound
    plain, _ = times_to(arr.time_s, src, tg, limit=60.0)
    assert np.array_equal(pruned, plain) and np.isfinite(pruned).all()
    reach = int(np.isfinite(_nx_rows(G, arr, src, 60.0)).sum())
    assert settled[0] < settled[1] <= reach


@pytest.mark.parametrize("seed", [0, 3])
def test_travel_times_with_dead_end_trees_equals_networkx_exactly(seed):
    """All nodes from origins: dead-end trees are filled in from their roots; origins inside trees (a leaf, a
    node mid-tree), a one-way dead end, an unreachable node, an island, a cut-off."""
    from travel.matrix import _prepared, travel_times

    G = _random_road_graph(seed)
    arr = to_arrays(G)
    pos = {int(o): i for i, o in enumerate(arr.osmid)}
    order, parent, w = _prepared(arr.time_s).trees()
    assert len(order) >= 12 + 2 + 2  # the cul-de-sacs, the two one-way ends and the island are trees
    leaf = [v for v in order if v not in set(parent.tolist())][0]
    mid = [v for v in order if parent[v] >= 0 and v in set(parent.tolist())]
    origins = np.array([pos[0], pos[7], leaf] + mid[:2] + [pos[999], pos[max(pos)]])
    for limit in (np.inf, 30.0):
        T = travel_times(arr.time_s, origins, limit=limit)
        ref = _nx_rows(G, arr, origins, None if np.isinf(limit) else limit)
        assert np.array_equal(T, ref)


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
    nodes = np.array(
        [
            int(arr.osmid[i])
            for i in np.argmin(np.hypot(arr.x[None, :] - pxy[:, :1], arr.y[None, :] - pxy[:, 1:]), axis=1)
        ]
    )
    for i in (0, 1):
        vals = []
        for p in np.flatnonzero(pu == i):
            d = nx.single_source_dijkstra_path_length(G, int(nodes[p]), weight="travel_time")
            others = sorted(d[int(nodes[c])] for c in range(16) if c != p)
            vals.append(np.mean(others[:K_NEAREST]) / 60)
        assert df["visit_to_visit_min"].iloc[i] == pytest.approx(np.mean(vals), abs=0.006)
        hub = nx.single_source_dijkstra_path_length(
            G, int(arr.osmid[np.argmin(np.hypot(arr.x - 450_000, arr.y - 300_000))]), weight="travel_time"
        )
        town = np.mean([hub[int(nodes[p])] for p in np.flatnonzero(pu == i)]) / 60
        assert df["town_min"].iloc[i] == pytest.approx(town, abs=0.006)


def test_bench_county_runs_small_and_prints_its_json_last():
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "county.py"), "--nodes", "3000", "--sample", "10"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    s = json.loads(out.stdout.strip().splitlines()[-1])
    for k in ("nodes", "metrics_cold_s", "metrics_warm_s", "od_pairs_per_s", "engine_s", "networkx_s", "ratio"):
        assert k in s
    assert 2500 < s["nodes"] <= 3200 and s["identical"] and s["units_on_roads"] == s["units"] > 0
    assert s["ratio"] == pytest.approx(s["networkx_s"] / s["engine_s"], rel=0.05)
