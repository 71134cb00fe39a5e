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
   more remote) and by demand density alone (sparser = more remote). The classifier must beat them. Because kappa
   rewards hours shares that sit nearer the reference's, each baseline is also cut to the classifier's own
   out-of-sample shares (``*_same_shares``). Every kappa has a 95 % interval from a bootstrap over units (fixed
   seed, paired across methods, ``kappa_bootstrap``); "better" means the interval of the difference is above 0.
   Kappa is hours-weighted over client points (headline) and unit-weighted (one vote per unit).
RUC 2011 at LSOA level has classes A1-E2 only: E2 is "rural village and dispersed in a sparse setting" (mapped to
isolated), not hamlets; Leicestershire has no sparse LSOA, so its RUC 2011 reference has no isolated hours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
# ONS names of the LSOA-level classes (at LSOA level RUC 2011 has no F1/F2; E2 is the SPARSE-setting village class,
# not "hamlets": it is mapped to isolated because a sparse setting is what para 41 calls hard to reach)
RUC11_NAMES = {
    "A1": "Urban major conurbation",
    "B1": "Urban minor conurbation",
    "C1": "Urban city and town",
    "C2": "Urban city and town in a sparse setting",
    "D1": "Rural town and fringe",
    "D2": "Rural town and fringe in a sparse setting",
    "E1": "Rural village and dispersed",
    "E2": "Rural village and dispersed in a sparse setting",
}
RUC21_NAMES = {
    "UN1": "Urban: nearer to a major town or city",
    "UF1": "Urban: further from a major town or city",
    "RLN1": "Larger rural: nearer to a major town or city",
    "RLF1": "Larger rural: further from a major town or city",
    "RSN1": "Smaller rural: nearer to a major town or city",
    "RSF1": "Smaller rural: further from a major town or city",
}


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
    return {
        "exact_pct": round(100 * float(np.trace(c)), 1),
        "within_one_pct": round(100 * float(c[dist <= 1 / 3 + 1e-9].sum()), 1),
        "kappa_linear": round(float(kappa), 3),
        "hours_compared": round(float(n), 1),
    }


def _shares(idx: np.ndarray, hours: np.ndarray, bands: tuple[str, ...] = BANDS) -> dict[str, float]:
    """Percent of hours per band of ``bands`` (``idx``: positions in ``bands``), 2 decimals."""
    n = len(bands)
    tot = float(np.sum(hours))
    s = np.bincount(np.asarray(idx, int), weights=hours, minlength=n) / tot * 100 if tot > 0 else np.zeros(n)
    return {b: round(float(v), 2) for b, v in zip(bands, s)}


# ---------------------------------------------------------------- baselines


def baseline_cuts(
    values: np.ndarray,
    hours: np.ndarray,
    target_pct: dict[str, float],
    remote_high: bool,
    bands: tuple[str, ...] = BANDS,
) -> list[float]:
    """Cut points on one variable (N - 1 for N ``bands``) so the bands take the target hours shares
    (hours-weighted quantiles): ``remote_high`` = larger values are more remote (unit area); else smaller are
    (density)."""
    v = np.asarray(values, float) * (1 if remote_high else -1)
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(np.asarray(hours, float)[order]) / max(np.sum(hours), 1e-12)
    cum = np.cumsum([target_pct[b] for b in bands])[:-1] / 100  # urban, urban+fringe, urban+fringe+rural
    return [float(np.interp(q, cw, v[order])) for q in cum]


def baseline_bands(values: np.ndarray, cuts: list[float], remote_high: bool) -> np.ndarray:
    v = np.asarray(values, float) * (1 if remote_high else -1)
    return np.searchsorted(np.asarray(cuts), v, side="left").clip(0, len(cuts))  # a value at a cut stays lower


def same_shares_baseline(
    values: np.ndarray, hours: np.ndarray, bands: np.ndarray, remote_high: bool, names: tuple[str, ...] = BANDS
) -> np.ndarray:
    """A baseline on one variable cut to the SAME hours shares as ``bands`` (positions in ``names`` per unit):
    with equal hours per band, an agreement measure such as kappa compares only which units each method puts in
    each band."""
    hours = np.asarray(hours, float)
    tot = max(float(hours.sum()), 1e-12)
    sh = np.bincount(np.asarray(bands, int), weights=hours, minlength=len(names)) / tot * 100
    return baseline_bands(values, baseline_cuts(values, hours, dict(zip(names, sh)), remote_high, names), remote_high)


# ---------------------------------------------------------------- independent references


def client_ruc(layer) -> pd.DataFrame:
    """Client points of a unit layer (travel.metrics.client_points) with unit_idx, weight (hours) and the RUC
    2011 / 2021 ordinal band of their LSOA (-1 where unknown)."""
    import geopandas as gpd

    from travel.metrics import client_points

    pts = client_points(layer)
    rep = RepairReport()
    code_f = layer.pack.layers.get("lsoa_code_field", "LSOA11CD")  # generated packs: LSOA 2021
    lsoa = pd.concat([read_polygons(p, code_f, rep) for p in layer.pack.layer_paths("lsoa")], ignore_index=True)
    lsoa = gpd.GeoDataFrame(lsoa[[code_f, "geometry"]], geometry="geometry", crs=pts.crs)
    j = gpd.sjoin(pts, lsoa, predicate="within", how="left")
    j = j[~j.index.duplicated()]
    r11 = read_csv(data_path(RUC11_FILE), ["LSOA11CD", "RUC11CD"])
    r21 = read_csv(data_path(RUC21_FILE), ["LSOA21CD", "RUC21CD"])
    m11 = dict(zip(r11["LSOA11CD"], r11["RUC11CD"].map(RUC11_BAND)))
    m21 = dict(zip(r21["LSOA21CD"], r21["RUC21CD"].map(RUC21_BAND)))
    code = j[code_f].fillna("")
    if code_f == "LSOA21CD":  # RUC 2021 by its own code; RUC 2011 by the first 2011 LSOA of each 2021 LSOA
        from geodata.national import national_path

        lk = read_csv(national_path("lsoa11_lsoa21"), ["LSOA11CD", "LSOA21CD"]).drop_duplicates("LSOA21CD")
        to11 = dict(zip(lk["LSOA21CD"], lk["LSOA11CD"]))
        code21, code = code, code.map(lambda c: to11.get(c, ""))
    else:
        code21 = code
    return pd.DataFrame(
        {
            "unit_idx": j["unit_idx"].to_numpy(),
            "weight": j["weight"].to_numpy(float),
            "ruc11": [int(m11[c]) if c in m11 and pd.notna(m11[c]) else -1 for c in code],
            "ruc21": [int(m21[c]) if c in m21 and pd.notna(m21[c]) else -1 for c in code21],
        }
    )


BOOTSTRAP_DRAWS = 1000
BOOTSTRAP_SEED = 20260047  # fixed: the intervals are reproducible run to run


def unit_reference(pts: pd.DataFrame, key: str, n_units: int) -> np.ndarray:
    """Each unit's RUC band for the unit-weighted comparison: the class holding most of its hours among its
    client points (-1 where none of its points has a class)."""
    ref = pts[key].to_numpy()
    ok = ref >= 0
    c = np.zeros((n_units, 4))
    np.add.at(c, (pts["unit_idx"].to_numpy()[ok], ref[ok]), pts["weight"].to_numpy(float)[ok] + 1e-12)
    return np.where(c.sum(1) > 0, c.argmax(1), -1)


def kappa_bootstrap(
    preds: dict[str, np.ndarray],
    pts: pd.DataFrame,
    n_boot: int = BOOTSTRAP_DRAWS,
    seed: int = BOOTSTRAP_SEED,
    against: str = "classifier_out_of_sample",
) -> dict:
    """Linear kappa of every method against RUC 2011 and 2021 with a 95 % percentile interval from a bootstrap
    over units (units drawn with replacement; the SAME draws for every method, so differences are paired), both
    hours-weighted over client points and unit-weighted (one vote per unit, its RUC band the class holding most
    of its hours). ``preds``: method -> band per unit (0..3). Also the difference ``against`` − each other
    method, with its interval and a verdict: "better" only when the whole interval is above 0."""
    rng = np.random.default_rng(seed)
    ui, w = pts["unit_idx"].to_numpy(), pts["weight"].to_numpy(float)
    n_units = len(next(iter(preds.values())))
    draws = [np.bincount(rng.integers(0, n_units, n_units), minlength=n_units) for _ in range(n_boot)]
    out: dict = {
        "n_boot": n_boot,
        "seed": seed,
        "resampled": "units (with replacement), paired across methods",
        "interval": "2.5th-97.5th percentile",
    }
    for key in ("ruc11", "ruc21"):
        ref_pt = pts[key].to_numpy()
        ref_u = unit_reference(pts, key, n_units)
        for weighting, ref, wt, idx in (
            ("hours_weighted", ref_pt, w, ui),
            ("unit_weighted", ref_u, np.ones(n_units), np.arange(n_units)),
        ):
            point = {m: agreement(p[idx], ref, wt)["kappa_linear"] for m, p in preds.items()}
            boot = {
                m: np.array(
                    [
                        agreement(p[idx], ref, wt * cnt[ui if weighting == "hours_weighted" else slice(None)])[
                            "kappa_linear"
                        ]
                        for cnt in draws
                    ]
                )
                for m, p in preds.items()
            }
            res = {
                m: {"kappa_linear": point[m], "ci95": [round(float(x), 3) for x in np.percentile(boot[m], [2.5, 97.5])]}
                for m in preds
            }
            diffs = {}
            for m in preds:
                if m == against or m == "classifier":
                    continue
                d = boot[against] - boot[m]
                lo, hi = np.percentile(d, [2.5, 97.5])
                diffs[m] = {
                    "difference": round(float(point[against] - point[m]), 3),
                    "ci95": [round(float(lo), 3), round(float(hi), 3)],
                    "verdict": "better" if lo > 0 else ("worse" if hi < 0 else "tie (interval spans 0)"),
                }
            out.setdefault(key, {})[weighting] = {"kappa": res, f"{against}_minus": diffs}
    return out


def fairness_notes(
    pts: pd.DataFrame,
    hours: np.ndarray,
    cv: np.ndarray,
    b_area: np.ndarray,
    b_dens: np.ndarray,
    target: dict,
    out_of_sample: bool,
) -> dict:
    """How the RUC comparison is kept fair between the classifier and the baselines (checked, not asserted):
    the same points, weights and RUC lookup for every method; every method calibrated to the same hours shares
    (para 69) on the same training districts and none of them to RUC; the reference's own shares and coverage."""
    w = pts["weight"].to_numpy(float)
    known = {k: pts[k].to_numpy() >= 0 for k in ("ruc11", "ruc21")}
    ref_sh = {k: _shares(pts[k].to_numpy()[ok], w[ok]) for k, ok in known.items()}
    return {
        "same_points_weights_and_lookup": True,
        "calibrated_to": "the council's hours shares (para 69), on the same six training districts per fold"
        if out_of_sample
        else "the classifier's current hours shares (no target)",
        "fitted_to_ruc": False,
        "shares_out_of_sample_pct": {
            "classifier": _shares(cv, hours),
            "baseline_area": _shares(b_area, hours),
            "baseline_density": _shares(b_dens, hours),
        },
        "same_shares_baselines": "baseline_*_same_shares: the baseline cut (hours-weighted quantiles over the whole "
        "council) to the classifier's own out-of-sample shares, so both have the same hours "
        "per band and kappa compares only WHICH units go in each band; the per-fold "
        "baselines drift from the target out of sample like the classifier does, and a "
        "drift towards the reference's shares raises kappa without being a better ordering",
        "target_pct": target,
        "reference_shares_pct": ref_sh,
        "reference_has_no_isolated": {k: ref_sh[k]["isolated"] == 0 for k in ref_sh},
        "coverage_note": "RUC 2021 is joined on LSOA codes unchanged from 2011 to 2021; points in changed LSOAs "
        "have no class and are left out for every method alike",
        "weightings": "hours_weighted: every output-area client point takes its unit's band and its LSOA's class, "
        "weighted by hours (headline); unit_weighted: one vote per unit, its class the one holding "
        "most of its hours",
        "kappa": "linear-weighted Cohen's kappa on the 4 ordinal bands (a 1-band miss costs 1/3)",
    }


def paired_matches(pred: np.ndarray, base: np.ndarray, truth: np.ndarray) -> dict:
    """Which of two methods matches a small set of decisions where they differ, with the exact two-sided sign
    test (McNemar) p-value: with 12 parishes only a lopsided split means anything."""
    from math import comb

    a = int(((pred == truth) & (base != truth)).sum())  # only the classifier right
    b = int(((pred != truth) & (base == truth)).sum())  # only the baseline right
    n = a + b
    p = min(1.0, 2 * sum(comb(n, k) for k in range(0, min(a, b) + 1)) / 2**n) if n else 1.0
    return {
        "only_classifier_right": a,
        "only_baseline_right": b,
        "both_right": int(((pred == truth) & (base == truth)).sum()),
        "neither_right": int(((pred != truth) & (base != truth)).sum()),
        "sign_test_p": round(p, 3),
    }


def council_bands(layer, moves_path: Path | str) -> pd.DataFrame:
    """The council's own bands from a moves file (e.g. Leicestershire para 47): unit_code, from_band, to_band."""
    from .moves import parse_moves

    rows = parse_moves(moves_path, layer.resolve, tuple(layer.pack.bands))
    return pd.DataFrame(
        [
            {"unit_code": c, "unit": r.unit, "from_band": r.from_band, "to_band": r.to_band}
            for r in rows
            for c in r.unit_codes
        ]
    )


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


def validate_bands(
    layer,
    ev: pd.DataFrame,
    thresholds: Thresholds,
    target_pct: dict[str, float] | None,
    moves_path: Path | str | None = None,
    folds: bool = True,
) -> dict:
    """All the checks of the module docstring for one council. ``ev`` is ``classify.band_evidence`` (layer
    order); ``thresholds`` the council's current ones. Without a target (cities) only the RUC comparison of the
    current thresholds and the area/density baselines cut to the current shares are reported. The bands are the
    thresholds' (``thresholds.bands``); the comparison with the ONS rural-urban classes maps them onto the four
    default bands, so it is made only for packs with those bands."""
    names = thresholds.bands
    hours = ev["hours_per_week"].to_numpy(float)
    town, visit, dens = (ev[c].to_numpy(float) for c in ("town_min", "visit_to_visit_min", "hours_per_km2"))
    area = ev["area_km2"].to_numpy(float)
    full = band_index(town, visit, dens, thresholds)
    target = target_pct or _shares(full, hours, names)
    out: dict = {"target_pct": target_pct, "shares_current": _shares(full, hours, names)}
    folded = bool(folds and target_pct and len(set(ev["lad_code"])) > 1)
    if folded:
        assert target_pct is not None
        cv, b_area, b_dens, out["leave_one_district_out"] = _leave_one_district_out(layer, ev, full, target_pct, names)
    else:  # no target or one district: baselines cut to the current shares on the whole council
        cv = full
        b_area = baseline_bands(area, baseline_cuts(area, hours, target, True, names), True)
        b_dens = baseline_bands(dens, baseline_cuts(dens, hours, target, False, names), False)
    # the same baselines cut to the classifier's OWN out-of-sample shares: kappa rewards a method whose hours shares
    # happen to sit nearer the reference's, so this isolates which units each method puts in which band
    methods = {
        "classifier": full,
        "classifier_out_of_sample": cv,
        "baseline_area": b_area,
        "baseline_density": b_dens,
        "baseline_area_same_shares": same_shares_baseline(area, hours, cv, True, names),
        "baseline_density_same_shares": same_shares_baseline(dens, hours, cv, False, names),
    }
    pts = None
    if names != BANDS:
        out["ruc"] = {
            "error": f"the ONS rural-urban classes map onto the bands {', '.join(BANDS)}; this pack's "
            f"bands are {', '.join(names)}, so they are not compared"
        }
    else:
        try:
            pts = client_ruc(layer)
        except DataError as exc:
            out["ruc"] = {"error": str(exc)}
    if pts is not None:
        out["ruc"] = _ruc_checks(pts, methods, hours, target, folded)
    if moves_path is not None and Path(moves_path).exists():
        out["council_decisions"] = _council_decisions(layer, ev, moves_path, methods, names)
    out["bands_out_of_sample"] = [names[i] for i in cv]
    return out


def _leave_one_district_out(
    layer, ev: pd.DataFrame, full: np.ndarray, target_pct: dict[str, float], bands: tuple[str, ...] = BANDS
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Each district classified with thresholds (and area/density baseline cuts) fitted on the others: the
    out-of-sample bands, the two baselines' bands, and the per-district and county figures."""
    hours = ev["hours_per_week"].to_numpy(float)
    town, visit, dens = (ev[c].to_numpy(float) for c in ("town_min", "visit_to_visit_min", "hours_per_km2"))
    area = ev["area_km2"].to_numpy(float)
    lad = ev["lad_code"].to_numpy()
    prior, ranges = prior_and_ranges(layer.pack)
    names = _district_names(layer.pack)
    cv, b_area, b_dens = np.full(len(ev), -1), np.full(len(ev), -1), np.full(len(ev), -1)
    per = []
    for d in sorted(set(lad)):
        tr, te = lad != d, lad == d
        th, fit = calibrate(ev[tr], hours[tr], target_pct, prior=prior, ranges=ranges, bands=bands)
        cv[te] = band_index(town[te], visit[te], dens[te], th)
        b_area[te] = baseline_bands(area[te], baseline_cuts(area[tr], hours[tr], target_pct, True, bands), True)
        b_dens[te] = baseline_bands(dens[te], baseline_cuts(dens[tr], hours[tr], target_pct, False, bands), False)
        moves = fit["threshold_moves"]
        per.append(
            {
                "lad_code": d,
                "district": names.get(d, d),
                "n_units": int(te.sum()),
                "hours_per_week": round(float(hours[te].sum()), 2),
                "heldout_shares_pct": _shares(cv[te], hours[te], bands),
                "full_model_shares_pct": _shares(full[te], hours[te], bands),
                "units_changed_vs_full_model": int((cv[te] != full[te]).sum()),
                "training_fit_within_3_points": fit["within_tolerance"],
                "thresholds_fitted_on_other_six": {k: v["fitted"] for k, v in moves.items()},
                "max_abs_threshold_change_pct": max(abs(v["change_pct"]) for v in moves.values()),
            }
        )
    cv_sh = _shares(cv, hours, bands)
    loo = {
        "per_district": per,
        "county_shares_pct": cv_sh,
        "county_gap_pct_points": {b: round(cv_sh[b] - float(target_pct[b]), 2) for b in bands},
        "county_max_gap_pct_points": round(max(abs(cv_sh[b] - float(target_pct[b])) for b in bands), 2),
        "units_changed_vs_full_model": int((cv != full).sum()),
        "method": "thresholds fitted on six districts (regularised, within 3 points of the target), the "
        "seventh classified with them; county shares assembled from the seven held-out districts",
    }
    return cv, b_area, b_dens, loo


def _ruc_checks(
    pts: pd.DataFrame, methods: dict[str, np.ndarray], hours: np.ndarray, target: dict[str, float], folded: bool
) -> dict[str, Any]:
    """Agreement of every method's bands with the ONS rural-urban classifications (2011 and 2021) on the client
    points, with bootstrap kappa intervals, verdicts against the baselines and fairness notes."""
    ui, w = pts["unit_idx"].to_numpy(), pts["weight"].to_numpy(float)
    ruc: dict[str, Any] = {}
    for key in ("ruc11", "ruc21"):
        ref = pts[key].to_numpy()
        ruc[key] = {m: agreement(bands[ui], ref, w) for m, bands in methods.items()}
        ruc[key]["reference_shares_pct"] = _shares(ref[ref >= 0], w[ref >= 0])
        ruc[key]["coverage_pct"] = round(100 * float(w[ref >= 0].sum() / max(w.sum(), 1e-12)), 1)
    kb = kappa_bootstrap(methods, pts)
    for key in ("ruc11", "ruc21"):
        for m in methods:
            ruc[key][m]["kappa_linear_ci95"] = kb[key]["hours_weighted"]["kappa"][m]["ci95"]
        ruc[key]["unit_weighted"] = kb[key]["unit_weighted"]["kappa"]
    ruc["kappa_difference_vs_baselines"] = {
        f"{key}_vs_{name}": kb[key]["hours_weighted"]["classifier_out_of_sample_minus"][f"baseline_{name}"]
        for key in ("ruc11", "ruc21")
        for name in ("area", "density")
    }
    ruc["kappa_bootstrap"] = kb
    ruc["verdict_vs_baselines"] = {
        key: {
            wt: {m: d["verdict"] for m, d in kb[key][wt]["classifier_out_of_sample_minus"].items()}
            for wt in ("hours_weighted", "unit_weighted")
        }
        for key in ("ruc11", "ruc21")
    }
    ruc["fairness"] = fairness_notes(
        pts,
        hours,
        methods["classifier_out_of_sample"],
        methods["baseline_area"],
        methods["baseline_density"],
        target,
        folded,
    )
    ruc["mapping"] = (
        "RUC11 A-C urban, D fringe, E1 rural, E2 isolated; RUC21 UN1/UF1 urban, RLN1/RLF1 fringe, "
        "RSN1 rural, RSF1 isolated; compared on each output-area client point, weighted by hours"
    )
    ruc["mapping_by_code"] = {
        "ruc11": {**RUC11_BAND, "_names": RUC11_NAMES},
        "ruc21": {**RUC21_BAND, "_names": RUC21_NAMES},
    }
    ruc["classifier_beats_baselines"] = bool(
        all(
            ruc[k]["classifier_out_of_sample"]["kappa_linear"] is not None
            and ruc[k]["classifier_out_of_sample"]["kappa_linear"]
            > max(ruc[k]["baseline_area"]["kappa_linear"], ruc[k]["baseline_density"]["kappa_linear"])
            for k in ("ruc11", "ruc21")
        )
    )
    return ruc


def _council_decisions(
    layer, ev: pd.DataFrame, moves_path: Path | str, methods: dict[str, np.ndarray], names: tuple[str, ...] = BANDS
) -> dict:
    """How often each method gives the band the council proposed (``to_band`` of its moves file) per parish."""
    full, cv = methods["classifier"], methods["classifier_out_of_sample"]
    b_area, b_dens = methods["baseline_area"], methods["baseline_density"]
    hours = ev["hours_per_week"].to_numpy(float)
    cb = council_bands(layer, moves_path)
    pos = {c: i for i, c in enumerate(ev["unit_code"])}
    idx = np.array([pos[c] for c in cb["unit_code"]])
    to = cb["to_band"].map(names.index).to_numpy()
    wt = hours[idx]

    def score(pred):
        return {
            "match": int((pred[idx] == to).sum()),
            "within_one": int((np.abs(pred[idx] - to) <= 1).sum()),
            "of": int(len(idx)),
            "hours_weighted_exact_pct": round(100 * float(wt[pred[idx] == to].sum() / wt.sum()), 1),
        }

    return {
        "source": str(Path(moves_path).name),
        "what": "the council's proposed band (to_band) per parish",
        "classifier": score(full),
        "classifier_out_of_sample": score(cv),
        "baseline_area": score(b_area),
        "baseline_density": score(b_dens),
        "paired_vs_baselines": {
            name: paired_matches(cv[idx], base[idx], to)
            for name, base in (("baseline_area", b_area), ("baseline_density", b_dens))
        },
        "per_unit": [
            {
                "unit": r.unit,
                "unit_code": r.unit_code,
                "council_band": r.to_band,
                "classifier": names[full[pos[r.unit_code]]],
            }
            for r in cb.itertuples(index=False)
        ],
    }
