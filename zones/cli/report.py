"""`zoneplan report COUNCIL [--moves FILE.csv | --scenario ID [--version N]] --out report.pdf|report.html`."""

from __future__ import annotations

from pathlib import Path

from geodata.datadir import DataError


def register(sub) -> None:
    from zones.cli.main import ID_ARG

    p = sub.add_parser("report", help="the scrutiny report of a plan or a change, as PDF or HTML")
    p.add_argument("council")
    p.add_argument("--moves", help="a moves CSV applied to the base plan")
    p.add_argument("--scenario", type=ID_ARG, help="a saved scenario id (latest version unless --version)")
    p.add_argument("--version", type=ID_ARG)
    p.add_argument("--out", required=True, help="report.pdf or report.html")
    p.set_defaults(func=run)


def run(args) -> int:
    from zones.impact import compare
    from zones.outputs.report import report_context, report_html, report_pdf
    from zones.plan import Plan
    from zones.service.workspace import load_workspace, notes, sources

    if args.moves and args.scenario:
        raise DataError("give --moves or --scenario, not both")
    sv = None
    if args.scenario:  # signed in like `zoneplan scenario` (ZONEPLAN_USERS): a viewer reads published versions only
        from zones.cli.main import cli_user
        from zones.service.store import Store

        store = Store()
        sv = store.as_user(cli_user(store)).load(args.scenario, args.version)
    ws = load_workspace(args.council)
    plan, identity, imp = ws.base, "base plan", None
    changes = None  # the changed units for the equality section (issue 23)
    if args.moves:
        from zones.moves import apply_moves, impact_of_moves, parse_moves

        moves = parse_moves(args.moves, ws.layer.resolve, tuple(ws.layer.pack.bands))
        imp = impact_of_moves(moves, plan.rates, plan=plan)  # the council's hours and bands from the file
        from zones.equality import changes_of_moves

        changes = changes_of_moves(moves, plan)
        plan, _ = apply_moves(plan, moves)
        identity = f"base plan + moves file {Path(args.moves).name}"
    if sv is not None:
        from zones.rates import RateCard

        if sv.council != ws.layer.pack.id:
            raise DataError(f"scenario {args.scenario} is for {sv.council}, not {ws.layer.pack.id}")
        plan = Plan.from_assignments(ws.base, sv.assignments).with_rates(RateCard.from_dict(sv.rate_model))
        identity = f"{sv.name} v{sv.number}" + (" (published)" if sv.published else "")
    imp = imp or compare(ws.base.with_rates(plan.rates), plan)
    ctx = report_context(ws.units, plan, imp, identity, notes(ws), sources(ws))
    from zones.equality import changes_between, equality_block, zones_of

    ctx["equality"] = equality_block(
        ws.layer, changes if changes is not None else changes_between(ws.base, plan), zones_of(ws.base)
    )
    out = Path(args.out)
    if out.suffix == ".pdf":
        out.write_bytes(report_pdf(ctx))
    elif out.suffix in (".html", ".htm"):
        out.write_text(report_html(ctx), encoding="utf-8")
    else:
        raise DataError(f"--out {out}: use .pdf or .html")
    print(f"wrote {out} ({identity}, plan hash {ctx['digest']})")
    return 0
