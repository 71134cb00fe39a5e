"""Benchmark: our travel-time matrix (``travel.matrix.travel_times``) vs plain networkx on the same graph and
origin set (200 origins → all nodes, no cut-off), with scipy.sparse.csgraph's Dijkstra side by side.

Run: .venv/bin/python bench/travel.py   (last line: one JSON object)

``csgraph_s`` keeps its old name but is the ENGINE's time (``travel_times``: numba binary-heap Dijkstra, dead-end
trees filled in; best of 3 after a first call, whose time, including loading the compiled kernels, is
``first_call_s``); ``engine_s`` is the same figure; ``scipy_csgraph_s`` is plain
``scipy.sparse.csgraph.dijkstra(indices=origins)`` (best of 3), the engine before 2026-12. networkx runs once;
``*_cpu_s`` / ``speedup_cpu``: CPU (process) time of the same runs, less sensitive to other jobs on the machine.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.datadir import data_path  # noqa: E402
from geodata.units import load_units  # noqa: E402
from travel.graph import load_arrays, prepare, read_graph  # noqa: E402
from travel.matrix import travel_times  # noqa: E402
from travel.metrics import unit_metrics  # noqa: E402

GRAPHML = "osm/loughborough/drive/graph.graphml"
N_ORIGINS = 200


def main() -> dict:
    path = data_path(GRAPHML)
    G = prepare(read_graph(path))
    arr = load_arrays(path)
    rng = np.random.default_rng(0)
    origins = [arr.osmid[i] for i in rng.choice(arr.n_nodes, N_ORIGINS, replace=False)]
    pos = {n: i for i, n in enumerate(arr.osmid)}
    idx = np.array([pos[o] for o in origins])

    t0, c0 = time.perf_counter(), time.process_time()
    ref = {o: nx.single_source_dijkstra_path_length(G, o, weight="travel_time") for o in origins}
    nx_s, nx_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    first_s = _timed(lambda: travel_times(arr.time_s, idx))
    runs = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        travel_times(arr.time_s, idx)
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    ours_s, ours_cpu_s = min(runs)
    scipy_s = min(_timed(lambda: dijkstra(arr.time_s, directed=True, indices=idx)) for _ in range(3))
    ours = travel_times(arr.time_s, idx)
    assert np.array_equal(ours, dijkstra(arr.time_s, directed=True, indices=idx)), "scipy differs"
    diff = 0.0
    for r, o in enumerate(origins):
        nodes = list(ref[o])
        diff = max(diff, float(np.abs(ours[r, [pos[n] for n in nodes]] - np.array([ref[o][n] for n in nodes])).max()))
        assert np.isinf(ours[r]).sum() == arr.n_nodes - len(nodes)
    layer = load_units("leicestershire")
    cold_s = _timed(lambda: unit_metrics(layer, rebuild=True))
    warm_s = min(_timed(lambda: unit_metrics(layer)) for _ in range(3))
    out = {
        "graph": GRAPHML,
        "graph_nodes": arr.n_nodes,
        "graph_edges": arr.n_edges,
        "origins": N_ORIGINS,
        "networkx_s": round(nx_s, 4),
        "csgraph_s": round(ours_s, 4),
        "speedup_vs_networkx": round(nx_s / ours_s, 1),
        "engine_s": round(ours_s, 4),
        "first_call_s": round(first_s, 3),
        "scipy_csgraph_s": round(scipy_s, 4),
        "speedup_scipy_vs_networkx": round(nx_s / scipy_s, 1),
        "networkx_cpu_s": round(nx_cpu_s, 4),
        "engine_cpu_s": round(ours_cpu_s, 4),
        "speedup_cpu": round(nx_cpu_s / ours_cpu_s, 1),
        "loadavg_1min": _loadavg(),
        "identical": diff < 1e-6,
        "max_abs_diff_s": diff,
        "county_metrics_cold_s": round(cold_s, 2),
        "county_metrics_warm_s": round(warm_s, 4),
        "county_units": len(layer.units),
    }
    print(f"networkx single-source Dijkstra × {N_ORIGINS}: {nx_s:.3f} s")
    print(
        f"engine (travel_times), same origins:  {ours_s:.4f} s  "
        f"({out['speedup_vs_networkx']}× faster, identical={out['identical']}; "
        f"first call {first_s:.3f} s)"
    )
    print(
        f"scipy.sparse.csgraph.dijkstra, same origins:  {scipy_s:.4f} s  ({out['speedup_scipy_vs_networkx']}× faster)"
    )
    print(
        f"CPU time: networkx {nx_cpu_s:.3f} s, engine {ours_cpu_s:.4f} s ({out['speedup_cpu']}×); "
        f"load average (1 min) {out['loadavg_1min']}"
    )
    print(f"Leicestershire unit metrics: cold {cold_s:.2f} s, warm {warm_s:.4f} s ({len(layer.units)} units)")
    print(json.dumps(out))
    return out


def _loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return None


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
