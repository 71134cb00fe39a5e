"""County-scale benchmark on a synthetic road-like graph (no county network is on disk here).

Run: .venv/bin/python bench/county.py [--nodes 120000] [--sample 100]   (last line: one JSON object)

Graph: a jittered street grid (150 m blocks) of ``--nodes`` nodes around (450000, 300000) EPSG:27700; a quarter of
the side streets removed, 5 % of the rest one-way; residential streets at 25 mph, an A-road every 12 blocks at 50
mph, a fast road every 60 blocks at 70 mph; largest strongly connected component. Units: 3.6 km squares tiling the
graph's area; client points: 12 per unit plus 40 per "town" unit (one town in nine); hubs: the town centres.

Figures, all in this one run:
- ``metrics_cold_s``: networkx graph in memory → CSR arrays → per-unit metrics (``travel.metrics.compute_core``)
  → cache CSV written (reading a county GraphML/PBF file is NOT included: measure it separately);
- ``metrics_warm_s``: the cached metrics CSV read back (what every later run does);
- ``engine_s`` vs ``networkx_s``: the same sampled work, the client points of random units (at least
  ``--sample`` points) → times to their candidate points (own + neighbouring units) with the metrics' cut-off:
  ``travel.matrix.times_to`` (one call per unit, as the metrics make it: numba binary-heap Dijkstra per point,
  pruned by a backward bound from the candidates, stopped once all candidates are settled) vs
  ``networkx.single_source_dijkstra_path_length(cutoff=)`` per point; results compared (must be identical);
  ``csgraph_s``: the same work with plain ``scipy.sparse.csgraph.dijkstra(limit=)`` on the whole graph, one call
  per unit, for comparison; ``engine_settled`` / ``networkx_settled``: nodes settled by each. Timing: the engine
  best of 3 runs (wall), networkx one run (~6 s); ``*_cpu_s`` / ``ratio_cpu``: CPU time of the same runs
  (process time: less sensitive to other jobs on a shared machine); ``loadavg_1min`` at the end;
- ``od_pairs_per_s``: ``travel.od.od_pairs`` on 200 × 200 points on the graph (routed time + route length).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from travel.estimator import reference  # noqa: E402
from travel.graph import to_arrays  # noqa: E402
from travel.matrix import times_to  # noqa: E402
from travel.metrics import K_NEAREST, compute_core, visit_cutoff_s  # noqa: E402
from travel.od import od_pairs  # noqa: E402

MPH = 0.44704  # m/s
X0, Y0 = 450_000.0, 300_000.0


def road_like_graph(nodes: int, seed: int = 0, block_m: float = 150.0) -> nx.MultiDiGraph:
    """A synthetic road-like MultiDiGraph (EPSG:27700, edge ``travel_time`` s and ``length`` m); see module doc."""
    rng = np.random.default_rng(seed)
    n = int(np.ceil(np.sqrt(nodes * 1.03)))
    N = n * n
    ii, jj = np.divmod(np.arange(N), n)
    x = X0 + jj * block_m + rng.normal(0, block_m * 0.2, N)
    y = Y0 + ii * block_m + rng.normal(0, block_m * 0.2, N)
    us, vs, spd = [], [], []
    for di, dj in ((0, 1), (1, 0)):
        a = np.flatnonzero((ii + di < n) & (jj + dj < n))
        b = a + di * n + dj
        line = ii[a] if di == 0 else jj[a]
        fast = line % 60 == 0
        main = (line % 12 == 0) | fast
        keep = main | (rng.random(len(a)) > 0.25)
        a, b, main, fast = a[keep], b[keep], main[keep], fast[keep]
        speed = np.where(fast, 70 * MPH, np.where(main, 50 * MPH, 25 * MPH))
        oneway = (~main) & (rng.random(len(a)) < 0.05)
        us += [a, b[~oneway]]
        vs += [b, a[~oneway]]
        spd += [speed, speed[~oneway]]
    u, v, s = np.concatenate(us), np.concatenate(vs), np.concatenate(spd)
    _, lab = connected_components(
        sp.csr_matrix((np.ones(len(u)), (u, v)), shape=(N, N)), directed=True, connection="strong"
    )
    big = lab == np.bincount(lab).argmax()
    ok = big[u] & big[v]
    u, v, s = u[ok], v[ok], s[ok]
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    G = nx.MultiDiGraph(crs="EPSG:27700")
    G.add_nodes_from((int(k), {"x": float(x[k]), "y": float(y[k])}) for k in np.flatnonzero(big))
    G.add_edges_from(
        (int(a), int(b), {"length": float(m), "travel_time": float(m / sp_)}) for a, b, m, sp_ in zip(u, v, length, s)
    )
    return G


def synthetic_units(G: nx.MultiDiGraph, side_m: float = 3600.0, seed: int = 1):
    """Square units over the graph's area, client points (more in towns), hubs at town centres, neighbours."""
    rng = np.random.default_rng(seed)
    xs = np.array([d["x"] for _, d in G.nodes(data=True)])
    ys = np.array([d["y"] for _, d in G.nodes(data=True)])
    nx_, ny_ = int((xs.max() - xs.min()) // side_m), int((ys.max() - ys.min()) // side_m)
    units, pxy, pu, hubs = [], [], [], []
    for a in range(ny_):
        for b in range(nx_):
            i = len(units)
            x0, y0 = xs.min() + b * side_m, ys.min() + a * side_m
            town = (a % 3 == 1) and (b % 3 == 1)
            k = 12 + (40 if town else 0)
            if town:
                hubs.append({"name": f"Town {len(hubs) + 1}", "x": x0 + side_m / 2, "y": y0 + side_m / 2})
                pts = np.column_stack(
                    [rng.normal(x0 + side_m / 2, side_m / 6, k), rng.normal(y0 + side_m / 2, side_m / 6, k)]
                )
                pts = np.clip(pts, [x0 + 1, y0 + 1], [x0 + side_m - 1, y0 + side_m - 1])
            else:
                pts = np.column_stack([rng.uniform(x0, x0 + side_m, k), rng.uniform(y0, y0 + side_m, k)])
            units.append(
                {
                    "unit_code": f"U{i:04d}",
                    "hours_per_week": float(k * 14),
                    "area_km2": side_m**2 / 1e6,
                    "row": a,
                    "col": b,
                }
            )
            pxy.append(pts)
            pu += [i] * k
    units = pd.DataFrame(units)
    pos = {(r, c): i for i, (r, c) in enumerate(zip(units["row"], units["col"]))}
    nbrs = [
        np.array(
            sorted(
                pos[(r + dr, c + dc)]
                for dr in (-1, 0, 1)
                for dc in (-1, 0, 1)
                if (dr or dc) and (r + dr, c + dc) in pos
            )
        )
        for r, c in zip(units["row"], units["col"])
    ]
    pu = np.array(pu)
    w = units["hours_per_week"].to_numpy()[pu] / np.bincount(pu)[pu]
    return units, np.vstack(pxy), w, pu, pd.DataFrame(hubs), nbrs


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=120_000)
    ap.add_argument("--sample", type=int, default=100)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    G = road_like_graph(args.nodes)
    build_graph_s = time.perf_counter() - t0
    units, pxy, w, pu, hubs, nbrs = synthetic_units(G)
    ref = reference()
    model, errors = ref["model"], ref["errors"]
    cache = Path(tempfile.mkdtemp(prefix="zoneplan-county-")) / "metrics.csv"

    # cold: arrays + metrics + cache write
    t0 = time.perf_counter()
    arr = to_arrays(G, source="synthetic county graph", key="bench")
    arrays_s = time.perf_counter() - t0
    df = compute_core(units, pxy, w, pu, hubs, nbrs, [arr], model, errors, 14.0)
    df.to_csv(cache, index=False)
    cold_s = time.perf_counter() - t0
    # warm: the cached table
    warm_s = min(_timed(lambda: pd.read_csv(cache, dtype={"unit_code": str}, keep_default_na=False)) for _ in range(3))

    # engine vs networkx: the same sampled work (sampled client points -> their candidates, metrics' cut-off)
    from scipy.spatial import cKDTree

    node_of = cKDTree(np.column_stack([arr.x, arr.y])).query(pxy)[1]
    rng = np.random.default_rng(2)
    work = []  # per sampled unit: its client points -> its candidates (own + neighbouring units), its cut-off
    for i in rng.permutation(len(units)):
        P = np.flatnonzero(pu == i)
        cand = np.concatenate([P] + [np.flatnonzero(pu == j) for j in nbrs[i]])
        kth = max(float(np.sort(np.hypot(*(pxy[cand] - pxy[p]).T)[cand != p])[:K_NEAREST].max()) for p in P)
        work.append((node_of[P], node_of[cand], visit_cutoff_s(model, kth)))
        if sum(len(w_[0]) for w_ in work) >= args.sample:
            break
    engine_runs = []  # (wall s, CPU s) of 3 runs; the best wall time is engine_s (as bench/travel.py)
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        ours = [times_to(arr.time_s, src, tg, limit=lim)[0] for src, tg, lim in work]  # one call per unit, as metrics
        engine_runs.append((time.perf_counter() - t0, time.process_time() - c0))
    engine_s, engine_cpu_s = min(engine_runs)
    t0 = time.perf_counter()
    theirs_cs = [dijkstra(arr.time_s, directed=True, indices=src, limit=lim)[:, tg] for src, tg, lim in work]
    csgraph_s = time.perf_counter() - t0
    settled = _settled(arr, work)
    osm = arr.osmid
    t0, c0 = time.perf_counter(), time.process_time()
    ref_nx = [
        [nx.single_source_dijkstra_path_length(G, int(osm[s_]), cutoff=lim, weight="travel_time") for s_ in src]
        for src, _, lim in work
    ]
    networkx_s, networkx_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    diff, n_cmp = 0.0, 0
    for mine, cs in zip(ours, theirs_cs):
        assert np.array_equal(mine, cs), "csgraph differs"
    for (_src, tg, _lim), mine, theirs in zip(work, ours, ref_nx):
        for r, th in enumerate(theirs):
            want = np.array([th.get(int(osm[t]), np.inf) for t in tg])
            fin = np.isfinite(want)
            assert (np.isfinite(mine[r]) == fin).all(), "reachable sets differ"
            if fin.any():
                diff = max(diff, float(np.abs(mine[r][fin] - want[fin]).max()))
            n_cmp += int(fin.sum())
    n_points = sum(len(w_[0]) for w_ in work)

    # OD throughput: 200 x 200 points on the graph
    idx = rng.choice(arr.n_nodes, 400, replace=False)
    oxy = np.column_stack([arr.x[idx[:200]], arr.y[idx[:200]]])
    dxy = np.column_stack([arr.x[idx[200:]], arr.y[idx[200:]]])
    t0 = time.perf_counter()
    res = od_pairs(oxy, dxy, [arr], ref)
    od_s = time.perf_counter() - t0

    out = {
        "nodes": arr.n_nodes,
        "edges": arr.n_edges,
        "units": int(len(units)),
        "client_points": int(len(pxy)),
        "units_on_roads": int(df["road_data"].sum()),
        "metrics_cold_s": round(cold_s, 2),
        "arrays_s": round(arrays_s, 2),
        "metrics_warm_s": round(warm_s, 4),
        "od_pairs_per_s": round(len(res["drive_s"]) / od_s),
        "od_pairs_routed": int((~res["estimated"]).sum()),
        "engine_s": round(engine_s, 4),
        "networkx_s": round(networkx_s, 3),
        "ratio": round(networkx_s / engine_s, 1),
        "engine_cpu_s": round(engine_cpu_s, 4),
        "networkx_cpu_s": round(networkx_cpu_s, 3),
        "ratio_cpu": round(networkx_cpu_s / engine_cpu_s, 1),
        "csgraph_s": round(csgraph_s, 4),
        "ratio_vs_csgraph": round(csgraph_s / engine_s, 1),
        "engine_settled": settled,
        "networkx_settled": sum(len(d_) for row in ref_nx for d_ in row),
        "loadavg_1min": _loadavg(),
        "sample_units": len(work),
        "sample_points": n_points,
        "pairs_compared": n_cmp,
        "identical": diff < 1e-6,
        "max_abs_diff_s": diff,
        "graph_build_s": round(build_graph_s, 1),
    }
    print(
        f"synthetic county graph: {out['nodes']:,} nodes, {out['edges']:,} edges; {out['units']} units, "
        f"{out['client_points']:,} client points ({out['units_on_roads']} units on roads)"
    )
    print(f"metrics cold {cold_s:.2f} s (arrays {arrays_s:.2f} s), warm {warm_s:.4f} s")
    print(
        f"sampled work ({n_points} client points of {len(work)} units -> candidates, cut-off): "
        f"engine {engine_s:.3f} s, networkx "
        f"{networkx_s:.2f} s, ratio {out['ratio']}x, identical={out['identical']} ({n_cmp:,} pairs); plain csgraph "
        f"{csgraph_s:.3f} s ({out['ratio_vs_csgraph']}x the engine); CPU time: engine {engine_cpu_s:.3f} s, networkx "
        f"{networkx_cpu_s:.2f} s, ratio {out['ratio_cpu']}x; nodes settled: engine {settled:,}, networkx "
        f"{out['networkx_settled']:,}; load average {out['loadavg_1min']}"
    )
    print(f"OD: {len(res['drive_s']):,} pairs in {od_s:.2f} s = {out['od_pairs_per_s']:,} pairs/s")
    print(json.dumps(out))
    return out


def _settled(arr, work) -> int:
    """Nodes settled by the engine on the sampled work (its kernel reports them)."""
    import travel._dijkstra as kd

    real, count = kd.many, []
    kd.many = lambda *a: (lambda out: count.append(out[2]) or out)(real(*a))
    try:
        for src, tg, lim in work:
            times_to(arr.time_s, src, tg, limit=lim)
    finally:
        kd.many = real
    return int(sum(count))


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
