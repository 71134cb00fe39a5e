"""`zoneplan payfloor COUNCIL --from GBP --to GBP [--json]`: raise the care worker hourly pay floor in the cost
build-up and print the new rate per band and the change in cost per week and year."""

from __future__ import annotations

from decimal import Decimal

from geodata.datadir import DataError


def register(sub) -> None:
    from zones.cli.main import weeks_arg

    p = sub.add_parser(
        "payfloor", help="raise the care worker pay floor: new rate per band, change in £/week and £/year"
    )
    p.add_argument("council")
    p.add_argument("--from", dest="from_gbp", required=True, help="current pay floor, £ per hour (e.g. 9.50)")
    p.add_argument("--to", dest="to_gbp", required=True, help="new pay floor, £ per hour (e.g. 11.05)")
    p.add_argument(
        "--weeks", type=weeks_arg, default=None, help="weeks a year, e.g. 52 or 52.14 (default: the pack's, else 52)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _gbp(text: str, what: str) -> Decimal:
    """A pay floor typed on the command line: ``12.21`` or ``£12.21`` (ASCII digits, one '.'; issue 18 §6)."""
    from geodata.limits import number_text

    raw = str(text).strip()
    v = Decimal(number_text(raw[1:] if raw.startswith("£") else raw, what))
    if v <= 0 or v > 1000:
        raise DataError(f"{what}: must be between £0 and £1,000 per hour")
    return v


def run(args) -> int:
    from geodata.packs import council_arg
    from zones.cli import print_json
    from zones.money import fmt_gbp
    from zones.service.workspace import load_workspace

    args.council = council_arg(args.council)  # ' Merton ' and 'merton' are one council
    lo, hi = _gbp(args.from_gbp, "--from"), _gbp(args.to_gbp, "--to")
    ws = load_workspace(args.council)
    from zones.service.payfloor import payfloor_report

    out = payfloor_report(ws, lo, hi, args.weeks)
    if args.json:
        print_json(out)
        return 0
    print(f"{out['council']}: pay floor £{lo} → £{hi} ({out['rates_year']} card)")
    for b, r in out["bands"].items():
        print(
            f"  {b}: £{r['rate_before_gbp_per_hour']} → £{r['rate_after_gbp_per_hour']} "
            f"(+£{r['change_gbp_per_hour']}/h, {r['hours_per_week']} h/week)"
        )
    print(f"  change: {fmt_gbp(out['gbp_per_week'])} a week, {fmt_gbp(out['gbp_per_year'])} a year")
    if "report_forecast" in out:
        f = out["report_forecast"]
        print(
            f"  report forecast: {fmt_gbp(f['low_gbp_per_year'])} to {fmt_gbp(f['high_gbp_per_year'])} a year: "
            f"ours is {f['ours_vs_report']}"
        )
    return 0
