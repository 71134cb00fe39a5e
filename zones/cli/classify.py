"""`zoneplan classify COUNCIL [--out FILE.csv] [--json]` and `zoneplan calibrate COUNCIL [--write]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geodata.units import load_units

MOVES_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def register(sub) -> None:
    p = sub.add_parser("classify", help="band per unit with evidence; hours share by band vs the report; validation")
    p.add_argument("council")
    p.add_argument("--out", help="CSV with one row per unit and the evidence columns")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--moves",
        help="a council moves file whose to_band is compared with the bands "
        "(default: examples/<council>_para47_moves.csv when it exists)",
    )
    p.add_argument("--no-validate", action="store_true", help="skip the out-of-sample validation (faster)")
    p.set_defaults(func=run_classify)
    c = sub.add_parser("calibrate", help="fit band thresholds to the target hours share per band (regularised)")
    c.add_argument("council")
    c.add_argument("--write", action="store_true", help="write the thresholds into the pack's [classify] section")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=run_calibrate)


def threshold_meaning(th) -> dict[str, str]:
    """What each threshold of ``th`` (``zones.classify.Thresholds``) means, in minutes and hours, one sentence per
    threshold name: the cut into each band after the first is its town and visit minutes; the first cut also has
    the care hours a week per km² below which a unit leaves the first band. The most remote band's sentences
    name the town hubs and the care worker."""
    bands = th.bands
    out = {}
    for i, b in enumerate(bands[1:], start=1):
        who = b if i > 1 else f"{b} (not {bands[0]})"
        v_town, v_visit = th.town_min(b), th.visit_min(b)
        if i == len(bands) - 1 and i > 1:
            out[f"{b}_town_min"] = (
                f"{who} if the unit's care hours are on average {v_town:g} minutes' drive or more "
                "from the edge of the nearest town of 5,000+ residents"
            )
            out[f"{b}_visit_min"] = (
                f"{who} if a care worker drives {v_visit:g} minutes or more between consecutive visits"
            )
        else:
            out[f"{b}_town_min"] = f"{who} if {v_town:g} minutes' drive or more from the nearest town's edge"
            out[f"{b}_visit_min"] = f"{who} if {v_visit:g} minutes or more between consecutive visits"
    article = "an" if bands[0][:1] in "aeiou" else "a"
    out[f"{bands[1]}_below_hours_per_km2"] = (
        f"{bands[1]} (not {bands[0]}) if fewer than {th.below_hours_per_km2:g} "
        f"care hours a week per km² (demand too thin for {article} {bands[0]} "
        "round)"
    )
    return {k: out[k] for k in th.keys}


def classification_summary(layer, metrics, cls, validate: bool = True, moves_path=None) -> dict:
    """The figures `zoneplan classify --json` prints (also used by the docs figure script and the app)."""
    import numpy as np

    from zones.classify import Thresholds, hours_share, prior_and_ranges, rule_counts
    from zones.validate_bands import validate_bands

    pack = layer.pack
    th = Thresholds.from_pack(pack)
    table = layer.units[["unit_code", "hours_per_week", "hours_estimated", "lad_code", "area_km2"]].merge(
        cls, on="unit_code"
    )
    share = hours_share(table["band"].to_numpy(), table["hours_per_week"].to_numpy(), th.bands)
    target = pack.raw.get("targets", {}).get("hours_share_pct")
    prior, ranges = prior_and_ranges(pack)
    out = {
        "council": pack.id,
        "n_units": int(len(table)),
        "hours_share_by_band": share,
        "n_units_by_band": {b: int((table["band"] == b).sum()) for b in pack.bands},
        "thresholds": th.as_dict(),
        "n_estimated_travel": int(table["estimated"].sum()),
        "hours_estimated": bool(table["hours_estimated"].any()),
    }
    if target:
        out["target_share_by_band"] = target
        out["distance_to_target_pct_points"] = {b: round(share[b] - float(target[b]), 2) for b in target}
        out["l1_distance_pct_points"] = round(sum(abs(share[b] - float(target[b])) for b in target), 2)
        out["within_3_points_of_target"] = bool(all(abs(share[b] - float(target[b])) <= 3 for b in target))
    out["thresholds_model"] = pack.raw.get("classify", {}).get("model", pack.id)
    out["threshold_prior"] = prior
    out["threshold_range"] = {k: list(v) for k, v in ranges.items()}
    out["threshold_change_from_prior_pct"] = {k: round(100 * (th[k] / prior[k] - 1), 1) for k in th.keys}
    out["threshold_meaning"] = threshold_meaning(th)
    out["rule_counts"] = rule_counts(table, th)
    out["hubs"] = hubs_summary(pack)
    out["evidence_sources"] = _evidence_sources(pack, table, metrics)
    if validate:
        ev = table[
            ["unit_code", "lad_code", "hours_per_week", "area_km2", "town_min", "visit_to_visit_min", "hours_per_km2"]
        ]
        v = validate_bands(layer, ev, th, {b: float(x) for b, x in target.items()} if target else None, moves_path)
        out_of_sample = v.pop("bands_out_of_sample")
        out["validation"] = v
        out["baseline_comparison"] = _baseline_comparison(v)
        out["n_units_changed_out_of_sample"] = int(np.sum(np.array(out_of_sample) != table["band"].to_numpy()))
    return out


def _evidence_sources(pack, table, metrics) -> dict:
    """Where each classification input comes from (estimated or routed, and how many units), for the JSON."""
    err = metrics.attrs.get("estimate_error", {})
    return {
        "town_min": "ESTIMATED for every unit: straight line from the nearest town's edge x circuity / speed of the "
        "travel engine's estimator (fitted on a real road graph)",
        "town_min_positions": _positions_text(pack),
        "n_units_town_from_postcodes": int((table["town_positions"] == "postcodes").sum())
        if "town_positions" in table
        else None,
        "visit_to_visit_min": "travel engine: ROUTED on a real road graph where it has one, else ESTIMATED",
        "n_units_visit_routed": int(table["visit_routed"].sum()),
        "n_units_visit_estimated": int((~table["visit_routed"].astype(bool)).sum()),
        "estimator_error": {k: err[k] for k in ("median_abs_pct", "p90_abs_pct", "pairs") if k in err},
        "hours_per_km2": "care hours a week per km² (hours ESTIMATED from population by age)"
        if bool(table["hours_estimated"].any())
        else "care hours a week per km² (council hours file)",
    }


def _baseline_comparison(v: dict) -> dict:
    """The classifier against the baselines (area, density) on the ONS rural-urban classes and the council's own
    decisions: kappas, bootstrap intervals and the verdict in words, from ``validate_bands``'s result ``v``."""
    ruc = v.get("ruc", {})
    base: dict[str, Any] = {}
    for key in ("ruc11", "ruc21"):
        if key in ruc:
            base[key] = {
                k: ruc[key][k]["kappa_linear"]
                for k in ("classifier", "classifier_out_of_sample", "baseline_area", "baseline_density")
            }
    cd = v.get("council_decisions")
    if cd:
        base["council_decisions_match"] = {
            k: cd[k]["match"] for k in ("classifier", "classifier_out_of_sample", "baseline_area", "baseline_density")
        }
        base["council_decisions_of"] = cd["classifier"]["of"]
    base["classifier_beats_baselines_on_ruc"] = ruc.get("classifier_beats_baselines")
    base["kappa_difference_vs_baselines"] = ruc.get("kappa_difference_vs_baselines")
    if "kappa_bootstrap" in ruc:
        kb = ruc["kappa_bootstrap"]
        base["kappa_ci95"] = {
            k: {m: kb[k]["hours_weighted"]["kappa"][m]["ci95"] for m in kb[k]["hours_weighted"]["kappa"]}
            for k in ("ruc11", "ruc21")
        }
        base["kappa_unit_weighted"] = {k: kb[k]["unit_weighted"]["kappa"] for k in ("ruc11", "ruc21")}
        base["verdict_vs_baselines"] = ruc["verdict_vs_baselines"]
        base["bootstrap"] = {k: kb[k] for k in ("n_boot", "seed", "resampled", "interval")}
        for name in ("area", "density", "area_same_shares", "density_same_shares"):
            base[f"classifier_beats_{name}_on_ruc"] = all(
                ruc["verdict_vs_baselines"][k]["hours_weighted"][f"baseline_{name}"] == "better"
                for k in ("ruc11", "ruc21")
            )
        base["reading"] = ruc_reading(ruc["verdict_vs_baselines"], cd)
    return base


def _positions_text(pack) -> str:
    """Where the "minutes from the nearest town" positions come from, for this pack."""
    if "postcodes" in pack.layers:
        return (
            "where the unit's hours are: postcode centroids weighted by their LSOA's age-weighted demand "
            "(zones.demand_points), not the area's centre"
        )
    return (
        "where the unit's hours are: a point inside each of its small areas (a generated pack's LSOAs 2021), "
        "weighted by their age-weighted demand (no postcode file for this council)"
    )


def ruc_reading(verdicts: dict, council: dict | None) -> str:
    """Plain-English reading of the comparison with the baselines, from the bootstrap verdicts (not written by hand)."""

    def says(name: str) -> str:
        v = [verdicts[k]["hours_weighted"][f"baseline_{name}"].split(" ")[0] for k in ("ruc11", "ruc21")]
        if all(x == "better" for x in v):
            return "beats"
        if any(x == "worse" for x in v):
            return f"loses to ({v[0]} / {v[1]})"
        return "ties with" if not any(x == "better" for x in v) else f"beats on one year only ({v[0]} / {v[1]})"

    d, ds = says("density"), says("density_same_shares")
    text = (
        f"Against ONS RUC 2011 and 2021 (hours-weighted linear kappa, out of sample, 95 % bootstrap interval "
        f"over units) the classifier {says('area')} banding by unit area and {d} banding by density alone "
        f"(with density cut to the classifier's own hours shares: {ds}); 'ties' means the interval of the "
        "difference spans 0."
    )
    if d != "beats" or ds != "beats":
        text += (
            " This is expected, not a defect to tune away: RUC is itself a classification of settlements by "
            "their size and density (settlements of 10,000+ residents are urban), so density alone is close to "
            "it by construction; the bands are about travel to and between visits (para 41), which RUC 2011 "
            "does not measure, and the thresholds are never tuned against RUC (it is the held-out check)."
        )
    if council:
        c, dd = council["classifier_out_of_sample"]["match"], council["baseline_density"]["match"]
        text += (
            f" On the council's own para-47 decisions the classifier matches {c} of {council['classifier']['of']} "
            f"out of sample ({council['classifier']['match']} with the full fit), density alone {dd}."
        )
    return text


def hubs_summary(pack) -> dict:
    """How many town hubs a council has, from what, and the rule (population threshold, disc density)."""
    from geodata.zoning import hub_points

    cfg = pack.raw.get("hubs", {})
    h = hub_points(pack)
    return {
        "n_hubs": int(len(h)),
        "min_population": cfg.get("min_population") if cfg.get("towns") else None,
        "density_per_km2": cfg.get("density_per_km2", 4000) if cfg.get("towns") else None,
        "places": list(cfg.get("places", [])),
        "populations_stated_in_pack": dict(cfg.get("populations", {})),
        "sources": sorted(set(h["source"])),
    }


def run_classify(args) -> int:
    from zones.cli import print_json
    from zones.plan import base_plan

    layer = load_units(args.council)
    plan, cls = base_plan(layer)
    table = layer.units.drop(columns="geometry").merge(cls, on="unit_code")
    table["computed_band"] = table["band"]
    table["band_source"] = "computed"
    table["override_reason"] = ""
    if args.out:
        cols = [
            "unit_code",
            "unit_name",
            "unit_type",
            "parishes",
            "zone",
            "band",
            "band_source",
            "hours_per_week",
            "hours_estimated",
            "computed_band",
            "override_reason",
            "rule",
            "evidence",
            "next_band_up",
            "margin_up",
            "next_band_down",
            "margin_down",
            "visit_to_visit_min",
            "visit_routed",
            "town_min",
            "nearest_town",
            "travel_town_min",
            "nearest_hub",
            "hours_per_km2",
            "clients_per_km2",
            "circuity",
            "road_data",
            "estimated",
            "method",
        ]
        table[[c for c in cols if c in table.columns]].to_csv(args.out, index=False)
    moves = args.moves or (MOVES_EXAMPLES / f"{layer.pack.id}_para47_moves.csv")
    from travel.metrics import unit_metrics

    out = classification_summary(
        layer,
        unit_metrics(layer),
        cls,
        validate=not args.no_validate,
        moves_path=moves if Path(moves).exists() else None,
    )
    tot = plan.totals(52)  # base plan's cost at the pack's card (52 weeks a year)
    out.update(
        gbp_per_week=tot["gbp_per_week"],
        gbp_per_year=tot["gbp_per_year"],
        rates_source=plan.rates.source,
        gbp_per_week_exact=tot["gbp_per_week_exact"],
    )
    if args.json:
        print_json(out)
    else:
        share, target = out["hours_share_by_band"], out.get("target_share_by_band")
        print(
            f"{out['council']}: {out['n_units']} units; % of hours by band {share}"
            + (f"; target {target}; L1 distance {out['l1_distance_pct_points']} points" if target else "")
        )
        if "baseline_comparison" in out:
            print(f"agreement with RUC and the council's decisions (kappa / matches): {out['baseline_comparison']}")
    return 0


def run_calibrate(args) -> int:
    from geodata.datadir import DataError
    from travel.metrics import unit_metrics
    from zones.classify import band_evidence, calibrate, prior_and_ranges, write_thresholds
    from zones.cli import print_json

    layer = load_units(args.council)
    target = layer.pack.raw.get("targets", {}).get("hours_share_pct")
    if not target:
        raise DataError(f"pack {layer.pack.path}: no [targets] hours_share_pct to calibrate against")
    if layer.pack.raw.get("classify", {}).get("model"):
        raise DataError(
            f"pack {layer.pack.path}: [classify] takes its thresholds from model "
            f"'{layer.pack.raw['classify']['model']}'; calibrate that council instead"
        )
    bands = tuple(layer.pack.bands)
    if [b for b in bands if b not in target]:
        raise DataError(
            f"pack {layer.pack.path}: [targets] hours_share_pct needs a share for every band ({', '.join(bands)})"
        )
    ev = band_evidence(layer, unit_metrics(layer))
    prior, ranges = prior_and_ranges(layer.pack)
    th, fit = calibrate(
        ev,
        ev["hours_per_week"].to_numpy(),
        {b: float(target[b]) for b in bands},
        prior=prior,
        ranges=ranges,
        bands=bands,
    )
    if args.write:
        write_thresholds(layer.pack.path, th, fit)
    out = {"council": layer.pack.id, "thresholds": th.as_dict(), **fit, "written": bool(args.write)}
    if args.json:
        print_json(out)
    else:
        print(
            f"thresholds {th.as_dict()}\nachieved {fit['achieved_pct']} vs target {fit['target_pct']} "
            f"(L1 {fit['l1_distance_pct_points']} points)"
            f"{' — written to ' + str(layer.pack.path) if args.write else ''}"
        )
    return 0
