"""How well the bands hold up on data they were not fitted on (core; the CLI, docs and app show the results).

Checks (all weighted by care hours; bands as ordinals 0 urban .. 3 isolated):
1. Leave one district out: thresholds fitted (``zones.classify.calibrate``) on six districts, the seventh
   classified with them. Reported per held-out district: its hours shares, how far the thresholds moved, and
   the county shares when every district is classified by a model that did not see it.
2. Agreement with ONS Rural-Urban Classification (independent, settlement-based): each client point (2011
   output-area point) takes the RUC class of its LSOA: RUC 2011 A1/B1/C1/C2 -> urban, D1/D2 (rural town and
   fringe) -> fringe, E1 (village) -> rural, E2 (hamlets, isolated dwellings) -> isolated; RUC 2021 UN1/UF1 ->
   urban, RLN1/RLF1 (larger rural settlements) -> fringe, RSN1 -> rural, RSF1 (smaller settlements further from
   a major town) -> isolated (LSOA 2021 codes joined on unchanged 2011 codes; coverage reported). Figures: exact
   agreement, agreement within one band, linear-weighted Cohen's kappa.
3. The council's own judgement: the para-47 moves file's ``to_band`` for the parishes it names.
4. Baselines cut to the same hours shares on the same training districts: bands by unit area alone (larger =
   more remote) and by demand density alone (sparser = more remote). The classifier must beat them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geodata.datadir import DataError, data_path
from geodata.layers import read_csv, read_polygons
from geodata.validate import RepairReport

from .classify import BANDS, Thresholds, band_index, calibrate, prior_and_ranges

RUC11_FILE = "ruc/RUC11_LSOA11_EW.csv"
RUC21_FILE = "ruc/RUC21_LSOA21_EW.csv"
RUC11_BAND = {"A1": 0, "B1": 0, "C1": 0, "C2": 0, "D1": 1, "D2": 1, "E1": 2, "E2": 3}
RUC21_BAND = {"UN1": 0, "UF1": 0, "RLN1": 1, "RLF1": 1, "RSN1": 2, "RSF1": 3}


# ---------------------------------------------------------------- agreement measures


def agreement(pred: np.ndarray, ref: np.ndarray, w: np.ndarray) -> dict:
    """Hours-weighted agreement of two ordinal band arrays (0..3; ref < 0 = unknown, left out): exact and
    within-one-band percentages and linear-weighted Cohen's kappa (1 perfect, 0 chance level)."""
    pred, ref, w = np.asarray(pred, int), np.asarray(ref, int), np.asarray(w, float)
    ok = ref >= 0
    pred, ref, w = pred[ok], ref[ok], w[ok]
    n = w.sum()
    if n <= 0:
        return {"exact_pct": None, "within_one_pct": None, "kappa_linear": None, "hours_compared": 0.0}
    c = np.zeros((4, 4))
    np.add.at(c, (pred, ref), w)
    c /= n
    dist = np.abs(np.arange(4)[:, None] - np.arange(4)[None, :]) / 3.0
    po = 1 - float((dist * c).sum())
    pe = 1 - float((dist * np.outer(c.sum(1), c.sum(0))).sum())
    kappa = (po - pe) / (1 - pe) if pe < 1 else 0.0
    return {"exact_pct": round(100 * float(np.trace(c)), 1),
            "within_one_pct": round(100 * float(c[dist <= 1 / 3 + 1e-9].sum()), 1),
            "kappa_linear": round(float(kappa), 3), "hours_compared": round(float(n), 1)}


def _shares(idx: np.ndarray, hours: np.ndarray) -> dict[str, float]:
    tot = float(np.sum(hours))
    s = np.bincount(np.asarray(idx, int), weights=hours, minlength=4) / tot * 100 if tot > 0 else np.zeros(4)
    return {b: round(float(v), 2) for b, v in zip(BANDS, s)}


# ---------------------------------------------------------------- baselines


def baseline_cuts(values: np.ndarray, hours: np.ndarray, target_pct: dict[str, float], remote_high: bool) -> list[float]:
    """Cut points on one variable so the bands take the target hours shares (hours-weighted quantiles):
    ``remote_high`` = larger values are more remote (unit area); else smaller are (density)."""
    v = np.asarray(values, float) * (1 if remote_high else -1)
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(np.asarray(hours, float)[order]) / max(np.sum(hours), 1e-12)
    cum = np.cumsum([target_pct[b] for b in BANDS])[:-1] / 100  # urban, urban+fringe, urban+fringe+rural
    return [float(np.interp(q, cw, v[order])) for q in cum]


def baseline_bands(values: np.ndarray, cuts: list[float], remote_high: bool) -> np.ndarray:
    v = np.asarray(values, float) * (1 if remote_high else -1)
    return np.searchsorted(np.asarray(cuts), v, side="left").clip(0, 3)  # a value at a cut stays in the lower band


# ---------------------------------------------------------------- independent references


def client_ruc(layer) -> pd.DataFrame:
    """Client points of a unit layer (travel.metrics.client_points) with unit_idx, weight (hours) and the RUC
    2011 / 2021 ordinal band of their LSOA (-1 where unknown)."""
    from travel.metrics import client_points

    import geopandas as gpd

    pts = client_points(layer)
    rep = RepairReport()
    lsoa = pd.concat([read_polygons(p, "LSOA11CD", rep) for p in layer.pack.layer_paths("lsoa")], ignore_index=True)
    lsoa = gpd.GeoDataFrame(lsoa[["LSOA11CD", "geometry"]], geometry="geometry", crs=pts.crs)
    j = gpd.sjoin(pts, lsoa, predicate="within", how="left")
    j = j[~j.index.duplicated()]
    r11 = read_csv(data_path(RUC11_FILE), ["LSOA11CD", "RUC11CD"])
    r21 = read_csv(data_path(RUC21_FILE), ["LSOA21CD", "RUC21CD"])
    m11 = dict(zip(r11["LSOA11CD"], r11["RUC11CD"].map(RUC11_BAND)))
    m21 = dict(zip(r21["LSOA21CD"], r21["RUC21CD"].map(RUC21_BAND)))
    code = j["LSOA11CD"].fillna("")
    return pd.DataFrame({"unit_idx": j["unit_idx"].to_numpy(), "weight": j["weight"].to_numpy(float),
                         "ruc11": [int(m11[c]) if c in m11 and pd.notna(m11[c]) else -1 for c in code],
                         "ruc21": [int(m21[c]) if c in m21 and pd.notna(m21[c]) else -1 for c in code]})


def _paired_bootstrap(cv: np.ndarray, b_area: np.ndarray, b_dens: np.ndarray, pts: pd.DataFrame,
                      n_boot: int = 300, seed: int = 0) -> dict:
    """Kappa(classifier out of sample) − kappa(baseline) against RUC 2011 and 2021, with a 95% interval from a
    paired bootstrap over units (units resampled with replacement, the same draw for both): a difference whose
    interval spans 0 is a tie, not a win."""
    rng = np.random.default_rng(seed)
    ui, w = pts["unit_idx"].to_numpy(), pts["weight"].to_numpy(float)
    n_units = int(ui.max()) + 1 if len(ui) else 0
    out = {}
    for key in ("ruc11", "ruc21"):
        ref = pts[key].to_numpy()
        for name, base in (("area", b_area), ("density", b_dens)):
            point = agreement(cv[ui], ref, w)["kappa_linear"] - agreement(base[ui], ref, w)["kappa_linear"]
            diffs = []
            for _ in range(n_boot):
                cnt = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units)
                wb = w * cnt[ui]
                diffs.append(agreement(cv[ui], ref, wb)["kappa_linear"] - agreement(base[ui], ref, wb)["kappa_linear"])
            lo, hi = np.percentile(diffs, [2.5, 97.5])
            out[f"{key}_vs_{name}"] = {"difference": round(float(point), 3), "ci95": [round(float(lo), 3), round(float(hi), 3)],
                                       "verdict": "better" if lo > 0 else ("worse" if hi < 0 else "tie (interval spans 0)")}
    return out


def council_bands(layer, moves_path: Path | str) -> pd.DataFrame:
    """The council's own bands from a moves file (e.g. Leicestershire para 47): unit_code, from_band, to_band."""
    from .moves import parse_moves

    rows = parse_moves(moves_path, layer.resolve, tuple(layer.pack.bands))
    return pd.DataFrame([{"unit_code": c, "unit": r.unit, "from_band": r.from_band, "to_band": r.to_band}
                         for r in rows for c in r.unit_codes])


# ---------------------------------------------------------------- the whole validation


def _district_names(pack) -> dict[str, str]:
    """District code -> name from the towns file (lad_code, lad_name) and the parish lookup, where the pack has them."""
    out: dict[str, str] = {}
    for key, code, name in (("towns", "lad_code", "lad_name"), ("parish_lookup", "LAD19CD", "LAD19NM")):
        path = pack.layer_path(key, required=False) if key in pack.layers else None
        if path is not None and Path(path).exists():
            try:
                df = read_csv(path, [code, name])
            except DataError:
                continue
            out.update(dict(zip(df[code], df[name])))
    return out


def validate_bands(layer, ev: pd.DataFrame, thresholds: Thresholds, target_pct: dict[str, float] | None,
                   moves_path: Path | str | None = None, folds: bool = True) -> dict:
    """All the checks of the module docstring for one council. ``ev`` is ``classify.band_evidence`` (layer
    order); ``thresholds`` the council's current ones. Without a target (cities) only the RUC comparison of the
    current thresholds and the area/density baselines cut to the current shares are reported."""
    hours = ev["hours_per_week"].to_numpy(float)
    town, visit, dens = (ev[c].to_numpy(float) for c in ("town_min", "visit_to_visit_min", "hours_per_km2"))
    area = ev["area_km2"].to_numpy(float)
    lad = ev["lad_code"].to_numpy()
    full = band_index(town, visit, dens, thresholds)
    prior, ranges = prior_and_ranges(layer.pack)
    target = target_pct or _shares(full, hours)
    out: dict = {"target_pct": target_pct, "shares_current": _shares(full, hours)}
    cv = np.full(len(ev), -1)
    b_area = np.full(len(ev), -1)
    b_dens = np.full(len(ev), -1)
    names = _district_names(layer.pack)
    districts = sorted(set(lad))
    if folds and target_pct and len(districts) > 1:
        per = []
        for d in districts:
            tr, te = lad != d, lad == d
            th, fit = calibrate(ev[tr], hours[tr], target_pct, prior=prior, ranges=ranges)
            cv[te] = band_index(town[te], visit[te], dens[te], th)
            ca = baseline_cuts(area[tr], hours[tr], target_pct, True)
            cd = baseline_cuts(dens[tr], hours[tr], target_pct, False)
            b_area[te] = baseline_bands(area[te], ca, True)
            b_dens[te] = baseline_bands(dens[te], cd, False)
            per.append({"lad_code": d, "district": names.get(d, d), "n_units": int(te.sum()),
                        "hours_per_week": round(float(hours[te].sum()), 2),
                        "heldout_shares_pct": _shares(cv[te], hours[te]),
                        "full_model_shares_pct": _shares(full[te], hours[te]),
                        "units_changed_vs_full_model": int((cv[te] != full[te]).sum()),
                        "training_fit_within_3_points": fit["within_tolerance"],
                        "thresholds_fitted_on_other_six": {k: v["fitted"] for k, v in fit["threshold_moves"].items()},
                        "max_abs_threshold_change_pct": max(abs(v["change_pct"]) for v in fit["threshold_moves"].values())})
        cv_sh = _shares(cv, hours)
        out["leave_one_district_out"] = {
            "per_district": per, "county_shares_pct": cv_sh,
            "county_gap_pct_points": {b: round(cv_sh[b] - float(target_pct[b]), 2) for b in BANDS},
            "county_max_gap_pct_points": round(max(abs(cv_sh[b] - float(target_pct[b])) for b in BANDS), 2),
            "units_changed_vs_full_model": int((cv != full).sum()),
            "method": "thresholds fitted on six districts (regularised, within 3 points of the target), the "
                      "seventh classified with them; county shares assembled from the seven held-out districts"}
    else:  # no target or one district: baselines cut to the current shares on the whole council
        cv = full
        b_area = baseline_bands(area, baseline_cuts(area, hours, target, True), True)
        b_dens = baseline_bands(dens, baseline_cuts(dens, hours, target, False), False)
    try:
        pts = client_ruc(layer)
    except DataError as exc:
        out["ruc"] = {"error": str(exc)}
        pts = None
    if pts is not None:
        ui, w = pts["unit_idx"].to_numpy(), pts["weight"].to_numpy(float)
        ruc = {}
        for key in ("ruc11", "ruc21"):
            ref = pts[key].to_numpy()
            ruc[key] = {
                "classifier": agreement(full[ui], ref, w),
                "classifier_out_of_sample": agreement(cv[ui], ref, w),
                "baseline_area": agreement(b_area[ui], ref, w),
                "baseline_density": agreement(b_dens[ui], ref, w),
                "reference_shares_pct": _shares(ref[ref >= 0], w[ref >= 0]),
                "coverage_pct": round(100 * float(w[ref >= 0].sum() / max(w.sum(), 1e-12)), 1),
            }
        ruc["kappa_difference_vs_baselines"] = _paired_bootstrap(cv, b_area, b_dens, pts)
        ruc["mapping"] = ("RUC11 A-C urban, D fringe, E1 rural, E2 isolated; RUC21 UN1/UF1 urban, RLN1/RLF1 fringe, "
                          "RSN1 rural, RSF1 isolated; compared on each output-area client point, weighted by hours")
        ruc["classifier_beats_baselines"] = bool(all(
            ruc[k]["classifier_out_of_sample"]["kappa_linear"] is not None
            and ruc[k]["classifier_out_of_sample"]["kappa_linear"] > max(ruc[k]["baseline_area"]["kappa_linear"],
                                                                        ruc[k]["baseline_density"]["kappa_linear"])
            for k in ("ruc11", "ruc21")))
        out["ruc"] = ruc
    if moves_path is not None and Path(moves_path).exists():
        cb = council_bands(layer, moves_path)
        pos = {c: i for i, c in enumerate(ev["unit_code"])}
        idx = np.array([pos[c] for c in cb["unit_code"]])
        to = cb["to_band"].map(BANDS.index).to_numpy()
        wt = hours[idx]

        def score(pred):
            return {"match": int((pred[idx] == to).sum()), "within_one": int((np.abs(pred[idx] - to) <= 1).sum()),
                    "of": int(len(idx)), "hours_weighted_exact_pct": round(100 * float(wt[pred[idx] == to].sum() / wt.sum()), 1)}

        out["council_decisions"] = {
            "source": str(Path(moves_path).name), "what": "the council's proposed band (to_band) per parish",
            "classifier": score(full), "classifier_out_of_sample": score(cv), "baseline_area": score(b_area),
            "baseline_density": score(b_dens),
            "per_unit": [{"unit": r.unit, "unit_code": r.unit_code, "council_band": r.to_band,
                          "classifier": BANDS[full[pos[r.unit_code]]]} for r in cb.itertuples(index=False)]}
    out["bands_out_of_sample"] = [BANDS[i] for i in cv]
    return out
