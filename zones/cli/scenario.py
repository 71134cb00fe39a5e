"""`zoneplan scenario {list,save,show,versions,compare,publish,export,import,audit} …` — the scenario store."""

from __future__ import annotations

from pathlib import Path

from geodata.datadir import DataError
from geodata.limits import excerpt
from zones.cli.main import ID_ARG, cli_user, print_json, scenario_version_arg


def register(sub) -> None:
    p = sub.add_parser("scenario", help="save, version, compare, publish, export and audit scenarios")
    s = p.add_subparsers(dest="action", required=True)
    a = s.add_parser("list")
    a.add_argument("--council")
    a.add_argument("--json", action="store_true")
    a = s.add_parser(
        "save",
        help="save the base plan (optionally after a moves CSV) as a new scenario, or with "
        "--parent N as a new version of the existing scenario of that name",
    )
    a.add_argument("council")
    a.add_argument("name")
    a.add_argument("--moves")
    a.add_argument("--description", default="")
    a.add_argument("--note", default="")
    a.add_argument("--json", action="store_true")
    a.add_argument(
        "--parent",
        type=ID_ARG,
        help="add a version to the existing scenario NAME, edited from version N; "
        "refused with a conflict if the scenario has moved on since N",
    )
    a.add_argument(
        "--providers",
        action="append",
        default=[],
        metavar="ZONE=N",
        help="providers commissioned in ZONE (0-50), recorded with the version; repeat per zone "
        "(default: the pack's [providers])",
    )
    for name in ("show", "versions", "audit", "publish"):
        a = s.add_parser(name)
        a.add_argument("scenario_id", type=ID_ARG)
        a.add_argument("--version", type=ID_ARG)
        a.add_argument("--json", action="store_true")
        a.add_argument("--out")
    a = s.add_parser("compare")
    a.add_argument("a", type=scenario_version_arg, help="SCENARIO:VERSION")
    a.add_argument("b", type=scenario_version_arg, help="SCENARIO:VERSION")
    a.add_argument("--json", action="store_true")
    a = s.add_parser("export")
    a.add_argument("scenario_id", type=ID_ARG)
    a.add_argument("--version", type=ID_ARG)
    a.add_argument("--out", required=True, help="file.gpkg or file.geojson")
    a = s.add_parser("import")
    a.add_argument("council")
    a.add_argument("name")
    a.add_argument("file")
    a.add_argument("--json", action="store_true")
    a.add_argument(
        "--parent", type=ID_ARG, help="add the import as a version of the existing scenario NAME, from version N"
    )
    p.set_defaults(func=run)


def _plan_of(sv, ws):
    from zones.service.workspace import published_plan

    return published_plan(ws, sv)[0]


def run(args) -> int:
    """Run one ``scenario`` action as the CLI's user (``ZONEPLAN_USERS`` set: ZONEPLAN_USER/ZONEPLAN_PASSWORD, the
    same roles as the app)."""
    from geodata.packs import council_arg
    from zones.service.store import Store

    store = Store()
    store = store.as_user(cli_user(store))
    if getattr(args, "council", None):
        args.council = council_arg(args.council)  # 'Leicestershire ' and 'leicestershire' are one council
    action = _ACTIONS.get(args.action)
    if action is None:
        raise DataError(f"unknown action {args.action}")
    return action(args, store)


def _list(args, store) -> int:
    df = store.list(args.council)
    print_json({"scenarios": df.astype(str).to_dict("records")}) if args.json else print(df.to_string(index=False))
    return 0


def _save_or_import(args, store) -> int:
    from zones.service.workspace import load_workspace

    ws = load_workspace(args.council)
    valid = set(ws.units["unit_code"])
    if args.action == "save":
        plan = _saved_plan(args, ws)
        a, note, desc = plan.assignments(), args.note, args.description
    else:
        from zones.service.scenario_io import MAX_IMPORT_BYTES, read_import, read_user_file

        data = read_user_file(args.file, MAX_IMPORT_BYTES)  # no symlinks, devices or /vsi… names
        a = read_import(data, args.file, valid, tuple(ws.layer.pack.bands))
        note, desc, plan = f"imported from {args.file}", "", ws.base
    if args.parent is not None:
        sv = store.save(
            _scenario_named(args, store), args.parent, a, plan.rates.to_dict(), note=note, valid_units=valid
        )
    else:  # a new scenario; an existing name is refused (use --parent N to add a version)
        sv = store.create(
            args.council, args.name, a, plan.rates.to_dict(), description=desc, note=note, valid_units=valid
        )
    out = {"scenario_id": sv.scenario_id, "version": sv.number, "name": sv.name, "council": sv.council}
    print_json(out) if args.json else print(f"saved {sv.name} (scenario {sv.scenario_id}) version {sv.number}")
    return 0


def _saved_plan(args, ws):
    """The base plan after ``--moves`` (a moves CSV) and with ``--providers ZONE=N`` recorded."""
    plan = ws.base
    if args.moves:
        from zones.moves import apply_moves, parse_moves

        plan, _ = apply_moves(plan, parse_moves(args.moves, ws.layer.resolve, tuple(ws.layer.pack.bands)))
    for item in args.providers:
        zone, sep, n = item.rpartition("=")
        if not sep or zone.strip() not in plan.zone_names:
            raise DataError(f"--providers {excerpt(item, 40)}: give ZONE=N for a zone of the plan")
        plan = plan.with_rates(plan.rates.with_providers(zone.strip(), n))
    return plan


def _scenario_named(args, store) -> int:
    """The id of the council's scenario called ``args.name`` (``--parent``: a new version of it)."""
    from geodata.limits import clean_text

    name = clean_text(args.name, "scenario name")
    existing = store.list(args.council)
    hit = existing[existing["name"] == name]
    if not len(hit):
        raise DataError(f"--parent {args.parent}: there is no scenario named '{excerpt(name)}' for {args.council}")
    return int(hit["id"].iloc[0])


def _show(args, store) -> int:
    from zones.service.workspace import load_workspace

    sv = store.load(args.scenario_id, args.version)
    out = {
        "scenario_id": sv.scenario_id,
        "council": sv.council,
        "name": sv.name,
        "version": sv.number,
        "author": sv.author,
        "created": str(sv.created),
        "published": sv.published,
        "rate_model": sv.rate_model,
        "n_units": len(sv.assignments),
        "bands": sv.assignments["band"].value_counts().to_dict(),
        "digest": sv.digest,
        "published_totals": (sv.snapshot or {}).get("totals"),
    }
    out["providers"] = _plan_of(sv, load_workspace(sv.council)).providers_table()
    print_json(out) if args.json else print(out)
    return 0


def _versions(args, store) -> int:
    df = store.versions(args.scenario_id)
    print_json({"versions": df.astype(str).to_dict("records")}) if args.json else print(df.to_string(index=False))
    return 0


def _audit(args, store) -> int:
    from zones.outputs.export import safe_cell

    df = store.audit_log(args.scenario_id)
    if args.out:
        df.map(safe_cell).to_csv(args.out, index=False)
    print_json({"audit": df.astype(str).to_dict("records")}) if args.json else print(df.to_string(index=False))
    return 0


def _publish(args, store) -> int:
    if args.version is None:
        raise DataError("publish needs --version")
    from zones.service.workspace import load_workspace, publication_snapshot

    store.require_publish()  # refuse before loading anything
    sv = store.load(args.scenario_id, args.version)
    ws = load_workspace(sv.council)
    link = store.publish(args.scenario_id, args.version, snapshot=publication_snapshot(ws, _plan_of(sv, ws)))
    print_json({"link": link}) if args.json else print(link)
    return 0


def _compare(args, store) -> int:
    from zones.equality import changes_between, equality_block, zones_of
    from zones.impact import compare
    from zones.service.suggestion import zone_comparison
    from zones.service.workspace import load_workspace

    (sa_, va), (sb, vb) = [tuple(int(x) for x in s.split(":")) for s in (args.a, args.b)]
    A, B = store.load(sa_, va), store.load(sb, vb)
    ws = load_workspace(A.council)
    pa, pb = _plan_of(A, ws), _plan_of(B, ws)
    imp = compare(pa, pb.with_rates(pa.rates))
    out = {"a": args.a, "b": args.b, **imp.to_json(), "zones": zone_comparison(ws, {"a": pa, "b": pb})}
    out["equality"] = equality_block(ws.layer, changes_between(pa, pb), zones_of(pa))  # who is affected (issue 23)
    print_json(out) if args.json else print(f"{len(imp.rows)} units differ; £{imp.gbp_per_week}/week")
    return 0


def _export(args, store) -> int:
    from zones.service.scenario_io import export_geojson, export_gpkg
    from zones.service.workspace import load_workspace

    sv = store.load(args.scenario_id, args.version)
    ws = load_workspace(sv.council)
    plan = _plan_of(sv, ws)
    if args.out.endswith(".gpkg"):
        export_gpkg(ws.units, plan, args.out)
    elif args.out.endswith((".geojson", ".json")):
        Path(args.out).write_text(export_geojson(ws.units, plan))
    else:
        raise DataError(f"--out {args.out}: use .gpkg or .geojson")
    print(f"wrote {args.out}")
    return 0


_ACTIONS = {
    "list": _list,
    "save": _save_or_import,
    "import": _save_or_import,
    "show": _show,
    "versions": _versions,
    "audit": _audit,
    "publish": _publish,
    "compare": _compare,
    "export": _export,
}
