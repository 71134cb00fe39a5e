"""Zone suggester: the chosen method against its parts and against spopt's regionalisation, side by side.

On the same units, hours and travel minutes, each method's plan is scored with ``zones.suggest.evaluate``:
hours-weighted mean travel inside zones (min), max deviation from the mean hours (%), zones within the bound,
all zones contiguous, seconds. Methods:
- ``gerrychain_recom_flips`` (chosen): recursive_tree_part start, ReCom annealing on travel, single-unit moves;
- ``tree_start_only``: the balanced random-tree start alone (no travel optimisation);
- ``spopt_azp``: spopt AZP (k regions, pairwise dissimilarity of unit centres; no balance constraint);
- ``spopt_skater``: spopt SKATER (k regions on unit centres, floor = (1 - P) x mean units per zone);
- ``spopt_maxp``: spopt max-p (hours floor = (1 - P) x mean zone hours; it chooses the number of zones).
Cases: a synthetic 14 x 14 grid (14 zones) and the real councils' units (Leicestershire 14 zones, Merton 3).

    .venv/bin/python bench/suggest.py [--quick]

Last line: one JSON object with every figure.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's travel/ before bench/travel.py

import numpy as np  # noqa: E402

warnings.filterwarnings("ignore")


def score(name, zones, h, D, adj, k, pct, secs):
    from zones.suggest import evaluate, summary

    per = evaluate(list(zones), h, D, adj)
    s = summary(per)
    mean = h.sum() / k
    within = sum(abs(z["hours_per_week"] / mean - 1) <= pct / 100 + 1e-9 for z in per)
    return {
        "method": name,
        "n_units": len(h),
        "n_zones": len(per),
        "mean_drive_min": s["mean_drive_min"],
        "max_balance_dev_pct": s["max_balance_dev_pct"],
        "zones_within_bound": int(within),
        "all_contiguous": s["all_contiguous"],
        "seconds": round(secs, 2),
    }


def run_case(case, gdf, h, D, adj, k, pct=15.0, steps=None, current=None):
    import geopandas as gpd
    from libpysal.weights import W

    from zones.suggest import suggest

    rows = []
    if current is not None:
        rows.append(score("current_plan", current, h, D, adj, len(set(current)), pct, 0.0))
    t = time.perf_counter()
    r = suggest(h, D, adj, k, balance_pct=pct, seed=0, steps=steps)
    rows.append(score("gerrychain_recom_flips", r.zones, h, D, adj, k, pct, time.perf_counter() - t))
    t = time.perf_counter()
    r0 = suggest(h, D, adj, k, balance_pct=pct, seed=0, steps=0, restarts=1)
    rows.append(score("tree_start_plus_flips", r0.zones, h, D, adj, k, pct, time.perf_counter() - t))
    # spopt on unit centres
    from spopt.region import AZP, MaxPHeuristic, Skater

    nb = {i: [] for i in range(len(h))}
    for a, b in adj.all_edges():
        nb[int(a)].append(int(b))
        nb[int(b)].append(int(a))
    w = W(nb, silence_warnings=True)
    g = gpd.GeoDataFrame(gdf[["geometry"]].copy())
    c = g.geometry.representative_point()
    g["x"], g["y"], g["hours"] = c.x.to_numpy() / 1000, c.y.to_numpy() / 1000, h
    for name, make in [
        ("spopt_azp", lambda: AZP(g, w, ["x", "y"], n_clusters=k, random_state=0)),
        (
            "spopt_skater",
            lambda: Skater(g, w, ["x", "y"], n_clusters=k, floor=max(1, int((1 - pct / 100) * len(h) / k * 0.5))),
        ),
        (
            "spopt_maxp",
            lambda: MaxPHeuristic(
                g, w, ["x", "y"], "hours", float((1 - pct / 100) * h.sum() / k), top_n=2, max_iterations_construction=20
            ),
        ),
    ]:
        t = time.perf_counter()
        try:
            m = make()
            np.random.seed(0)
            m.solve()
            rows.append(score(name, [f"R{lab}" for lab in m.labels_], h, D, adj, k, pct, time.perf_counter() - t))
        except Exception as exc:  # report, do not hide
            rows.append({"method": name, "error": f"{type(exc).__name__}: {exc}"[:200]})
    for r_ in rows:
        print(case, json.dumps(r_), flush=True)
    return rows


def main(quick: bool = False) -> dict:
    import geopandas as gpd
    import shapely

    from zones.suggest import grid_adjacency, rook_adjacency

    out = {}
    R = 14
    cells = [shapely.box(c * 1000, r * 1000, (c + 1) * 1000, (r + 1) * 1000) for r in range(R) for c in range(R)]
    gdf = gpd.GeoDataFrame(geometry=cells, crs="EPSG:27700")
    h = np.random.default_rng(0).uniform(5, 15, R * R)
    xy = np.array([(c, r) for r in range(R) for c in range(R)], float)
    D = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]) * 2.0
    np.fill_diagonal(D, 1.0)
    out["grid_14x14_k14"] = run_case("grid", gdf, h, D, grid_adjacency(R, R), 14, steps=500 if quick else None)
    from geodata.units import load_units
    from zones.travel_cost import unit_travel_minutes

    for council, k in [("merton", 3)] if quick else [("leicestershire", 14), ("merton", 3), ("coventry", 9)]:
        layer = load_units(council)
        tc = unit_travel_minutes(layer, "drive")
        u = layer.units
        adj = rook_adjacency(u)
        out[f"{council}_k{k}"] = run_case(
            council,
            u,
            u["hours_per_week"].to_numpy(float),
            tc.minutes,
            adj,
            k,
            current=list(u["zone"]),
            steps=500 if quick else None,
        )
    return out


if __name__ == "__main__":
    res = main("--quick" in sys.argv)
    print(json.dumps(res))
