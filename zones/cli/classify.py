"""`zoneplan classify COUNCIL [--out FILE.csv] [--json]` and `zoneplan calibrate COUNCIL [--write]`."""
from __future__ import annotations

from geodata.units import load_units


def register(sub) -> None:
    p = sub.add_parser("classify", help="band per unit with evidence; hours share by band vs the report")
    p.add_argument("council")
    p.add_argument("--out", help="CSV with one row per unit and the evidence columns")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_classify)
    c = sub.add_parser("calibrate", help="fit band thresholds to the target hours share per band")
    c.add_argument("council")
    c.add_argument("--write", action="store_true", help="write the thresholds into the pack's [classify] section")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=run_calibrate)


def run_classify(args) -> int:
    from zones.classify import Thresholds, hours_share
    from zones.cli import print_json
    from zones.plan import base_plan

    layer = load_units(args.council)
    plan, cls = base_plan(layer)
    table = layer.units.drop(columns="geometry").merge(cls, on="unit_code")
    table["computed_band"] = table["band"]
    table["band_source"] = "computed"
    table["override_reason"] = ""
    share = hours_share(table["band"].to_numpy(), table["hours_per_week"].to_numpy())
    target = layer.pack.raw.get("targets", {}).get("hours_share_pct")
    if args.out:
        cols = ["unit_code", "unit_name", "unit_type", "parishes", "zone", "band", "band_source", "hours_per_week",
                "hours_estimated", "computed_band", "override_reason", "rule", "evidence", "next_band_up", "margin_up",
                "next_band_down", "margin_down", "visit_to_visit_min", "town_min", "nearest_hub", "hours_per_km2",
                "clients_per_km2", "circuity", "road_data", "estimated", "method"]
        table[cols].to_csv(args.out, index=False)
    out = {"council": layer.pack.id, "n_units": int(len(table)), "hours_share_by_band": share,
           "n_units_by_band": {b: int((table["band"] == b).sum()) for b in layer.pack.bands},
           "thresholds": Thresholds.from_pack(layer.pack).as_dict(),
           "n_estimated_travel": int(table["estimated"].sum()), "hours_estimated": bool(table["hours_estimated"].any())}
    tot = plan.totals(52)  # base plan's cost at the pack's card (52 weeks a year)
    out.update(gbp_per_week=tot["gbp_per_week"], gbp_per_year=tot["gbp_per_year"], rates_source=plan.rates.source)
    if target:
        out["target_share_by_band"] = target
        out["distance_to_target_pct_points"] = {b: round(share[b] - float(target[b]), 2) for b in target}
        out["l1_distance_pct_points"] = round(sum(abs(share[b] - float(target[b])) for b in target), 2)
    if args.json:
        print_json(out)
    else:
        print(f"{out['council']}: {out['n_units']} units; % of hours by band {share}" +
              (f"; target {target}; L1 distance {out['l1_distance_pct_points']} points" if target else ""))
    return 0


def run_calibrate(args) -> int:
    from geodata.datadir import DataError
    from travel.metrics import unit_metrics
    from zones.classify import calibrate, write_thresholds
    from zones.cli import print_json

    layer = load_units(args.council)
    target = layer.pack.raw.get("targets", {}).get("hours_share_pct")
    if not target:
        raise DataError(f"pack {layer.pack.path}: no [targets] hours_share_pct to calibrate against")
    m = unit_metrics(layer)
    m = layer.units[["unit_code", "hours_per_week"]].merge(m, on="unit_code")
    th, fit = calibrate(m, m["hours_per_week"].to_numpy(), {b: float(v) for b, v in target.items()})
    if args.write:
        write_thresholds(layer.pack.path, th, fit)
    out = {"council": layer.pack.id, "thresholds": th.as_dict(), **fit, "written": bool(args.write)}
    if args.json:
        print_json(out)
    else:
        print(f"thresholds {th.as_dict()}\nachieved {fit['achieved_pct']} vs target {fit['target_pct']} "
              f"(L1 {fit['l1_distance_pct_points']} points){' — written to ' + str(layer.pack.path) if args.write else ''}")
    return 0
