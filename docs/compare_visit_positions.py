"""A model-form experiment, recorded (docs/bands.md "What was tried"): minutes between visits measured between the
output areas' POPULATION centroids (demand-weighted mean of their postcode centroids) instead of their representative
points, everything else equal (same estimator, K = 3 nearest client points of the unit and its neighbours, same
priors, same regularised calibration, same validation).

The choice between the two forms is made on RUC 2011 only (out-of-sample kappa); RUC 2021 and the council's
para-47 decisions are reported as held out. Prints one JSON object.

    .venv/bin/python docs/compare_visit_positions.py [--council leicestershire]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def population_centroid_visits(layer, model) -> np.ndarray:
    """Estimated minutes between visits per unit from the OAs' population centroids (module docstring)."""
    import geopandas as gpd

    from geodata.layers import read_polygons
    from geodata.validate import RepairReport
    from travel.metrics import _estimated_visit, _neighbours, client_points
    from zones.demand_points import _postcode_weights

    units = layer.units
    cp = client_points(layer)
    oas = pd.concat([read_polygons(p, "OA11CD", RepairReport()) for p in layer.pack.layer_paths("oa")], ignore_index=True)
    oas = gpd.GeoDataFrame(oas[["OA11CD", "geometry"]], geometry="geometry", crs=units.crs)
    pc = _postcode_weights(layer)
    g = gpd.GeoDataFrame(pc, geometry=gpd.points_from_xy(pc["x"], pc["y"]), crs=units.crs)
    j = gpd.sjoin(g, oas, predicate="within", how="inner")
    j = j[~j.index.duplicated()].assign(wx=lambda d: d["x"] * d["w"], wy=lambda d: d["y"] * d["w"])
    agg = j.groupby("OA11CD")[["wx", "wy", "w"]].sum()
    agg = agg[agg["w"] > 0]
    cen = pd.DataFrame({"px": agg["wx"] / agg["w"], "py": agg["wy"] / agg["w"]})
    cp = cp.merge(cen, left_on="OA11CD", right_index=True, how="left")
    pxy = np.column_stack([np.where(cp["px"].notna(), cp["px"], cp.geometry.x),
                           np.where(cp["py"].notna(), cp["py"], cp.geometry.y)])
    pu, w = cp["unit_idx"].to_numpy(), cp["weight"].to_numpy(float)
    nb = _neighbours(units)
    pts_of = [np.flatnonzero(pu == i) for i in range(len(units))]
    return np.array([_estimated_visit(model, pxy, pts_of[i], np.concatenate([pts_of[i]] + [pts_of[k] for k in nb[i]]),
                                      w[pts_of[i]], float(units["area_km2"].iloc[i])) for i in range(len(units))])


def main() -> int:
    from geodata.units import load_units
    from travel.metrics import unit_metrics
    from zones.classify import band_evidence, calibrate, prior_and_ranges
    from zones.validate_bands import validate_bands

    ap = argparse.ArgumentParser()
    ap.add_argument("--council", default="leicestershire")
    a = ap.parse_args()
    layer = load_units(a.council)
    metrics = unit_metrics(layer)
    ev = band_evidence(layer, metrics)
    target = {k: float(v) for k, v in layer.pack.raw["targets"]["hours_share_pct"].items()}
    prior, ranges = prior_and_ranges(layer.pack)
    moves = ROOT / "examples" / f"{layer.pack.id}_para47_moves.csv"
    alt = ev.copy()
    alt["visit_to_visit_min"] = np.where(alt["visit_routed"].to_numpy(bool), alt["visit_to_visit_min"],
                                         np.round(population_centroid_visits(layer, metrics.attrs["estimator"]), 2))
    out = {"council": layer.pack.id, "chosen_on": "RUC 2011 out-of-sample kappa (hours-weighted)",
           "held_out": ["RUC 2021", "council para-47 decisions"]}
    cols = ["unit_code", "lad_code", "hours_per_week", "area_km2", "town_min", "visit_to_visit_min", "hours_per_km2"]
    for name, e in (("output_area_points", ev), ("population_centroids", alt)):
        th, fit = calibrate(e, e["hours_per_week"].to_numpy(), target, prior=prior, ranges=ranges)
        v = validate_bands(layer, e[cols], th, target, moves if moves.exists() else None)
        r = v["ruc"]
        out[name] = {"thresholds": th.as_dict(), "shares_pct": fit["achieved_pct"], "penalty_sum_z2": fit["penalty_sum_z2"],
                     "lodo_county_shares_pct": v["leave_one_district_out"]["county_shares_pct"],
                     "kappa_out_of_sample": {k: {"kappa_linear": r[k]["classifier_out_of_sample"]["kappa_linear"],
                                                 "ci95": r[k]["classifier_out_of_sample"]["kappa_linear_ci95"]}
                                             for k in ("ruc11", "ruc21")},
                     "para47_match_out_of_sample": v["council_decisions"]["classifier_out_of_sample"]["match"]
                     if "council_decisions" in v else None,
                     "visit_to_visit_min_median": round(float(np.median(e["visit_to_visit_min"])), 2)}
    k = {n: out[n]["kappa_out_of_sample"]["ruc11"]["kappa_linear"] for n in ("output_area_points", "population_centroids")}
    out["chosen"] = max(k, key=k.get)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
