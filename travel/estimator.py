"""Drive-time estimator: a model of road travel for trips with no routed time, and its checked error.

Model (straight-line metres ``d`` in EPSG:27700 → road metres ``r`` → seconds):

- ``r = circuity(d) × d``: circuity (road m / straight m) measured per straight-line distance band on a real
  graph; beyond the last measured band, the last band's circuity;
- ``t = min(r, access_m) / v_local + max(r - access_m, 0) / v_main``: the first ``access_m`` road metres of a
  trip (both ends together: streets to and from the main road) run at the local speed ``v_local``, the rest on
  main roads at ``v_main``. ``access_m`` and ``v_local`` are FITTED on the real graph (least squares on log
  time); ``v_main`` is NOT fitted on the town graph (whose only main roads are in town): it is the DfT's
  average free-flow car speed on national-speed-limit single carriageways, 50 mph (Vehicle speed compliance
  statistics for Great Britain, 2019: motorways 69 mph, NSL single carriageways 50 mph, 30 mph roads 31 mph).
  So a 30 km trip is not driven at town speeds: ~3 km of streets, the rest at 50 mph.

Checks (``check``): percent error of the estimate against routed times on pairs NOT used in the fit:
(a) the eastern half of the reference graph when fitted on its western half (urban, trips up to ~10 km);
(b) the Rutland 2018 OSM extract (rural county with the A1 and A47, trips up to ~35 km), never fitted on.
Errors are reported per straight-line distance band and per setting (urban / rural / mixed ends, see
``settings``). Routed times are themselves free-flow times at speed limits (no junction delay, no congestion).
Trips beyond the longest checked band are estimated with the same model but their error is UNCHECKED.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.spatial import cKDTree

from geodata.datadir import DataError, cache_dir, data_path, file_digest

from .codeversion import code_version
from .graph import RoadArrays, load_arrays
from .matrix import travel_times

ESTIMATOR_VERSION = "5"
MPH = 1.609344
MAIN_ROAD_KPH = 50 * MPH
MAIN_ROAD_SOURCE = (
    "DfT Vehicle speed compliance statistics for Great Britain 2019: average free-flow car speed "
    "on national speed limit single carriageways, 50 mph (published figure, not measured here)"
)
DIST_BANDS_M = np.array([0, 1000, 2000, 4000, 7000, np.inf])  # circuity bands (fit)
ERROR_BANDS_KM = [(0, 2), (2, 5), (5, 10), (10, 20), (20, 40)]  # error report bands (straight line)
REFERENCE_GRAPH = "osm/loughborough/drive/graph.graphml"
CHECK_GRAPHS = ["osm/rutland-2018/rutland-latest.osm.pbf"]
TOWNS = "places/towns_within_40km_targetLAs.csv"
URBAN_MIN_POP = 5000
URBAN_DENSITY_PER_KM2 = 4000.0
URBAN_MARGIN_KM = 0.5


# ---------------------------------------------------------------- model


def _circuity(model: dict, d_m: np.ndarray) -> np.ndarray:
    bands = model["bands"]
    edges = np.array([b["from_m"] for b in bands[1:]])
    idx = np.searchsorted(edges, d_m, side="right")
    return np.array([b["circuity"] for b in bands])[idx]


def estimate_road_m(model: dict, d_m) -> np.ndarray:
    """Road metres estimated from straight-line metres (circuity of the distance band)."""
    d_m = np.asarray(d_m, dtype=float)
    return d_m * _circuity(model, d_m)


def estimate_seconds(model: dict, d_m) -> np.ndarray:
    """Drive seconds estimated from straight-line metres (see module doc). Models without the access/main-road
    parameters (older caches) use the band speed alone."""
    d_m = np.asarray(d_m, dtype=float)
    r = estimate_road_m(model, d_m)
    if "access_road_m" not in model:
        bands = model["bands"]
        edges = np.array([b["from_m"] for b in bands[1:]])
        speed = np.array([b["speed_m_per_s"] for b in bands])[np.searchsorted(edges, d_m, side="right")]
        return r / speed
    ra, vl, vm = model["access_road_m"], model["local_speed_m_per_s"], model["main_road_speed_m_per_s"]
    return np.minimum(r, ra) / vl + np.maximum(r - ra, 0.0) / vm


def _sample_pairs(arr: RoadArrays, n_origins: int, seed: int, origin_mask=None, dest_mask=None, min_m=100.0):
    rng = np.random.default_rng(seed)
    cand = np.flatnonzero(origin_mask) if origin_mask is not None else np.arange(arr.n_nodes)
    origins = rng.choice(cand, size=min(n_origins, len(cand)), replace=False)
    t = travel_times(arr.time_s, origins)
    m = travel_times(arr.length_m, origins)
    d = np.hypot(arr.x[None, :] - arr.x[origins][:, None], arr.y[None, :] - arr.y[origins][:, None])
    ok = np.isfinite(t) & (d > min_m)
    if dest_mask is not None:
        ok &= dest_mask[None, :]
    oi = np.broadcast_to(origins[:, None], t.shape)[ok]
    di = np.broadcast_to(np.arange(arr.n_nodes)[None, :], t.shape)[ok]
    return d[ok], t[ok], m[ok], oi, di


def fit_estimator(
    arr: RoadArrays,
    n_origins: int = 200,
    seed: int = 0,
    mask: np.ndarray | None = None,
    main_road_kph: float = MAIN_ROAD_KPH,
) -> dict:
    """Fit the model on a real graph from ``n_origins`` random origins (restricted to nodes where ``mask`` is
    True) to all nodes: circuity and speed per distance band (``bands``, as measured), and ``access_road_m`` and
    ``local_speed_m_per_s`` fitted with the main-road speed held at ``main_road_kph``."""
    d, t, m, _, _ = _sample_pairs(arr, n_origins, seed, mask, mask)
    bands = []
    for lo, hi in zip(DIST_BANDS_M[:-1], DIST_BANDS_M[1:]):
        sel = (d >= lo) & (d < hi)
        if sel.sum() >= 20:
            bands.append(
                {
                    "from_m": float(lo),
                    "to_m": float(hi) if np.isfinite(hi) else None,
                    "n_pairs": int(sel.sum()),
                    "circuity": float(np.median(m[sel] / d[sel])),
                    "speed_m_per_s": float(np.median(m[sel] / t[sel])),
                }
            )
    if not bands:
        raise DataError(f"{arr.source}: too few routes to measure circuity and speed")
    bands[0]["from_m"] = 0.0
    model: dict[str, Any] = {"bands": bands, "source": arr.source}
    vm = main_road_kph / 3.6
    r = estimate_road_m(model, d)
    logt = np.log(t)

    def resid(p):
        ra, vl = p
        return np.log(np.minimum(r, ra) / vl + np.maximum(r - ra, 0) / vm) - logt

    fit = least_squares(resid, x0=[2000.0, 12.0], bounds=([50.0, 2.0], [20_000.0, vm]))
    ra, vl = (float(v) for v in fit.x)
    model.update(
        {
            "kind": "access + main road",
            "access_road_m": round(ra, 1),
            "local_speed_m_per_s": round(vl, 3),
            "main_road_speed_m_per_s": round(vm, 3),
            "main_road_kph": round(main_road_kph, 1),
            "main_road_source": MAIN_ROAD_SOURCE,
            "fitted_pairs": int(len(d)),
            "formula": "road_m = circuity(band) x straight_m; seconds = min(road_m, access_road_m) / local_speed "
            "+ max(road_m - access_road_m, 0) / main_road_speed",
        }
    )
    return model


# ---------------------------------------------------------------- settings (urban / rural)


def load_towns() -> pd.DataFrame:
    """Towns and built-up areas (x, y EPSG:27700, population) from the towns-within-40-km file, or empty."""
    p = data_path(TOWNS, required=False)
    if not p.exists():
        return pd.DataFrame({"x": [], "y": [], "population": []})
    df = pd.read_csv(p, usecols=["easting", "northing", "population"])
    df["population"] = pd.to_numeric(df["population"], errors="coerce")
    df = df[df["population"] >= URBAN_MIN_POP]
    return pd.DataFrame(
        {
            "x": df["easting"].astype(float),
            "y": df["northing"].astype(float),
            "population": df["population"].astype(float),
        }
    ).reset_index(drop=True)


def urban_mask(x, y, towns: pd.DataFrame | None = None) -> np.ndarray:
    """True where a point (EPSG:27700) lies in a town: within √(population / (π × 4,000 per km²)) + 0.5 km of a
    town or built-up area of at least 5,000 people (a built-up radius at a typical English town density)."""
    towns = load_towns() if towns is None else towns
    x = np.atleast_1d(np.asarray(x, float))
    y = np.atleast_1d(np.asarray(y, float))
    if not len(towns):
        return np.zeros(len(x), dtype=bool)
    radius_m = (np.sqrt(towns["population"].to_numpy() / (np.pi * URBAN_DENSITY_PER_KM2)) + URBAN_MARGIN_KM) * 1000
    tree = cKDTree(towns[["x", "y"]].to_numpy())
    out = np.zeros(len(x), dtype=bool)
    for i, hits in enumerate(tree.query_ball_point(np.column_stack([x, y]), r=float(radius_m.max()))):
        if hits:
            h = np.asarray(hits)
            dd = np.hypot(towns["x"].to_numpy()[h] - x[i], towns["y"].to_numpy()[h] - y[i])
            out[i] = bool((dd <= radius_m[h]).any())
    return out


def pair_setting(urban_a, urban_b) -> np.ndarray:
    """'urban' (both ends in town), 'rural' (neither), 'mixed'."""
    a = np.asarray(urban_a, bool)
    b = np.asarray(urban_b, bool)
    return np.where(a & b, "urban", np.where(~a & ~b, "rural", "mixed"))


# ---------------------------------------------------------------- checks


def _error_rows(err_pct: np.ndarray, d_m: np.ndarray, setting: np.ndarray, check: str) -> list[dict]:
    rows = []
    for lo, hi in ERROR_BANDS_KM:
        inb = (d_m >= lo * 1000) & (d_m < hi * 1000)
        for s in ("all", "urban", "mixed", "rural"):
            sel = inb & ((setting == s) if s != "all" else True)
            if sel.sum() >= 30:
                e = err_pct[sel]
                rows.append(
                    {
                        "check": check,
                        "from_km": lo,
                        "to_km": hi,
                        "setting": s,
                        "n_pairs": int(sel.sum()),
                        "median_abs_pct": round(float(np.median(np.abs(e))), 1),
                        "p90_abs_pct": round(float(np.percentile(np.abs(e), 90)), 1),
                        "median_pct": round(float(np.median(e)), 1),
                    }
                )
    return rows


def check(
    model: dict,
    arr: RoadArrays,
    check_name: str,
    n_origins: int = 150,
    seed: int = 2,
    origin_mask=None,
    dest_mask=None,
    towns: pd.DataFrame | None = None,
) -> tuple[list[dict], dict]:
    """Estimate vs routed times on a graph's pairs (origins/destinations within the masks): error rows per
    distance band and setting, and the overall summary."""
    d, t, _, oi, di = _sample_pairs(arr, n_origins, seed, origin_mask, dest_mask, min_m=300.0)
    urb = urban_mask(arr.x, arr.y, towns)
    setting = pair_setting(urb[oi], urb[di])
    err = (estimate_seconds(model, d) - t) / t * 100
    summary = {
        "check": check_name,
        "graph": arr.source,
        "pairs": int(len(d)),
        "max_km": round(float(d.max()) / 1000, 1) if len(d) else 0.0,
        "median_abs_pct": round(float(np.median(np.abs(err))), 1),
        "p90_abs_pct": round(float(np.percentile(np.abs(err), 90)), 1),
        "mean_pct": round(float(np.mean(err)), 1),
    }
    return _error_rows(err, d, setting, check_name), summary


def evaluate(model_src: RoadArrays, check_graphs: list[RoadArrays], towns: pd.DataFrame | None = None) -> dict:
    """Held-out checks of the model: (a) fitted on the western half of ``model_src``, checked on its eastern
    half; (b) the model fitted on all of ``model_src`` checked on each graph in ``check_graphs`` (never fitted
    on). Returns ``{"summary": [...], "by_band": [...], "pooled": [...]}``."""
    towns = load_towns() if towns is None else towns
    west = model_src.x < np.median(model_src.x)
    half = fit_estimator(model_src, 150, seed=1, mask=west)
    rows, summ = check(
        half,
        model_src,
        "reference graph, east half (fitted on west half)",
        origin_mask=~west,
        dest_mask=~west,
        towns=towns,
    )
    summaries = [summ]
    full = fit_estimator(model_src)
    for g in check_graphs:
        r, s = check(full, g, f"{Path(g.source).name} (never fitted on)", n_origins=200, seed=3, towns=towns)
        rows += r
        summaries.append(s)
    pooled = _pool(rows)
    return {
        "summary": summaries,
        "by_band": rows,
        "pooled": pooled,
        "max_checked_km": max((s["max_km"] for s in summaries), default=0.0),
    }


def _pool(rows: list[dict]) -> list[dict]:
    """One row per (distance band, setting): the check with the most pairs wins (no averaging of percentiles)."""
    best: dict = {}
    for r in rows:
        k = (r["from_km"], r["setting"])
        if k not in best or r["n_pairs"] > best[k]["n_pairs"]:
            best[k] = r
    return sorted(best.values(), key=lambda r: (r["from_km"], ["all", "urban", "mixed", "rural"].index(r["setting"])))


def error_band(errors: dict | None, d_m: float, setting: str) -> dict:
    """The checked error for a trip of ``d_m`` straight-line metres in ``setting``: the pooled row of its
    distance band and setting (else the band's 'all' row); beyond the checked bands ``checked`` is False."""
    pooled = (errors or {}).get("pooled", [])
    km = d_m / 1000
    longest = (errors or {}).get("max_checked_km", max((r["to_km"] for r in pooled), default=0))
    inband = [r for r in pooled if r["from_km"] <= km < r["to_km"] and km <= longest]
    hit = [r for r in inband if r["setting"] == setting] or [r for r in inband if r["setting"] == "all"]
    if hit:
        r = hit[0]
        return {
            "checked": True,
            "band_km": [r["from_km"], r["to_km"]],
            "setting": r["setting"],
            "median_abs_pct": r["median_abs_pct"],
            "p90_abs_pct": r["p90_abs_pct"],
            "median_pct": r["median_pct"],
            "n_pairs": r["n_pairs"],
            "check": r["check"],
        }
    return {
        "checked": False,
        "band_km": None,
        "setting": setting,
        "median_abs_pct": None,
        "p90_abs_pct": None,
        "median_pct": None,
        "n_pairs": 0,
        "check": f"no routed pairs at this distance (checked up to {longest} km): error unknown",
    }


# ---------------------------------------------------------------- the reference model, cached


def reference(rebuild: bool = False) -> dict:
    """The estimator fitted on the reference graph and its held-out checks, cached by the input files and
    ``code_version()`` (the source of travel/*.py: new code never reads an older code's fit).

    Returns ``{"model": ..., "errors": {...}}``; raises DataError if the reference graph is missing."""
    ref = data_path(REFERENCE_GRAPH, required=False)
    if not ref.exists():
        raise DataError(
            f"the reference road graph {REFERENCE_GRAPH} is not in the data directory: travel times "
            "can be neither routed nor estimated"
        )
    checks = [p for p in (data_path(c, required=False) for c in CHECK_GRAPHS) if p.exists()]
    towns = data_path(TOWNS, required=False)
    files = [ref] + checks + ([towns] if towns.exists() else [])
    key = file_digest(files, extra=ESTIMATOR_VERSION + code_version())
    path = cache_dir("travel") / f"estimator-{key}.json"
    if path.exists() and not rebuild:
        return json.loads(path.read_text())
    src = load_arrays(ref)
    model = fit_estimator(src)
    errors = evaluate(src, [load_arrays(c) for c in checks])
    out = {"model": model, "errors": errors}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out))
    tmp.replace(path)
    return out
