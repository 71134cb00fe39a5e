"""`zoneplan impact COUNCIL --moves FILE.csv [--rates 2025/26] [--weeks-per-year 52] [--json]`."""

from __future__ import annotations

from geodata.units import load_units


def register(sub) -> None:
    from zones.cli.main import int_arg, weeks_arg

    p = sub.add_parser("impact", help="cost impact of a moves CSV (subzone,unit,from_band,to_band,hours_per_week)")
    p.add_argument("council")
    p.add_argument("--moves", required=True, help="CSV of reclassifications")
    p.add_argument("--rates", default=None, help="rate card year in the pack, e.g. 2025/26 (default: latest)")
    p.add_argument("--weeks-per-year", type=weeks_arg, default=52, help="e.g. 52 or 52.14 (365/7)")
    p.add_argument("--term-years", type=int_arg(1, 100), default=8)
    p.add_argument("--uplift-pct", default="0", help="annual rate uplift over the term, percent")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from zones.cli import print_json
    from zones.moves import impact_of_moves, parse_moves
    from zones.plan import base_plan
    from zones.rates import rate_card_from_pack

    layer = load_units(args.council)
    rates = rate_card_from_pack(layer.pack, args.rates)
    moves = parse_moves(args.moves, layer.resolve, tuple(layer.pack.bands))
    plan, _ = base_plan(layer, rates=rates)
    imp = impact_of_moves(
        moves,
        rates,
        plan=plan,
        weeks_per_year=args.weeks_per_year,
        term_years=args.term_years,
        uplift_pct=args.uplift_pct,
    )
    out = {"council": layer.pack.id, **imp.to_json()}
    from zones.equality import changes_of_moves, equality_block

    out["equality"] = equality_block(layer, changes_of_moves(moves, plan))  # who is affected (issue 23)
    if args.json:
        print_json(out)
    else:
        for r in imp.rows:
            print(
                f"{r['subzone'] or '-':35} {r['unit']:55} {r['from_band']:>8} → {r['to_band']:<8} "
                f"{r['hours_per_week']:>9.2f} h  £{r['gbp_per_week']:>10}/week"
            )
        print(
            f"total {imp.hours_per_week_moved} h/week moved: £{imp.gbp_per_week}/week, £{imp.gbp_per_year}/year, "
            f"£{imp.gbp_per_term} over {imp.term_years} years ({rates.year} rates)"
        )
        for w in imp.warnings:
            print("warning:", w)
        for line in out["equality"].get("summary", [out["equality"].get("reason", "")]):
            print(line)
    return 0
