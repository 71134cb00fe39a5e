"""`zoneplan travel COUNCIL [--out FILE.csv] [--json]`,
`zoneplan travel od COUNCIL --origins A.csv --destinations B.csv --out OD.csv [--json]`,
`zoneplan travel drive COUNCIL --from PLACE --to PLACE [--json]` and `zoneplan roads COUNCIL [--download]`."""

from __future__ import annotations

from pathlib import Path

from geodata.datadir import DataError
from geodata.progress import TextProgress
from geodata.units import load_units


def register(sub) -> None:
    from zones.cli.main import float_arg

    p = sub.add_parser(
        "travel",
        help="per-unit travel metrics (drive times between visits and from towns); "
        "`travel od COUNCIL ...` drive times between given points; "
        "`travel drive COUNCIL --from A --to B` one drive",
    )
    p.add_argument(
        "council",
        nargs="+",
        metavar="[od|drive] COUNCIL",
        help="council id; with `od` first: origin-destination drive times; with `drive` first: one drive",
    )
    p.add_argument(
        "--origins",
        help="od: CSV with id and postcode, or easting,northing (EPSG:27700), or lon,lat "
        "(at most 1,000,000 origin × destination pairs)",
    )
    p.add_argument("--destinations", help="od: CSV, same columns as --origins")
    p.add_argument("--from", dest="place_from", help="drive: postcode, place name, 'easting,northing' or 'lon,lat'")
    p.add_argument("--to", dest="place_to", help="drive: as --from")
    p.add_argument("--out", help="write the metrics table (od: the pairs) to this CSV")
    p.add_argument("--json", action="store_true")
    p.add_argument("--rebuild", action="store_true")
    p.set_defaults(func=run_travel)
    r = sub.add_parser("roads", help="road networks of a council: list what is used, or --download with OSMnx")
    r.add_argument("council")
    r.add_argument("--download", action="store_true", help="fetch the drive network with OSMnx (needs internet)")
    r.add_argument("--out", help="GraphML file to write with --download")
    r.add_argument(
        "--buffer-km",
        type=float_arg(0, 40),
        default=3.0,
        help="--download: the council outline plus this buffer (0-40 km, default 3)",
    )
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=run_roads)


def run_travel(args) -> int:
    from travel.metrics import unit_metrics
    from zones.cli import print_json

    words = list(args.council)
    if words[0] in ("od", "drive") and len(words) == 2:
        return run_od(args, words[1]) if words[0] == "od" else run_drive(args, words[1])
    if len(words) != 1:
        raise DataError(
            "usage: zoneplan travel COUNCIL | travel od COUNCIL --origins A.csv --destinations B.csv "
            "--out OD.csv | travel drive COUNCIL --from A --to B"
        )
    args.council = words[0]
    layer = load_units(args.council)
    m = unit_metrics(
        layer, progress=None if args.json else TextProgress(f"travel {args.council}"), rebuild=args.rebuild
    )
    if args.out:
        m.to_csv(args.out, index=False)
    s = {
        "council": layer.pack.id,
        "n_units": int(len(m)),
        "n_units_with_road_data": int(m["road_data"].sum()),
        "n_estimated": int(m["estimated"].sum()),
        "graph_nodes": m.attrs.get("graph_nodes", 0),
        "graph_edges": m.attrs.get("graph_edges", 0),
        "graphs": m.attrs.get("graphs", []),
        "reference_graph": m.attrs.get("reference_graph"),
        "build_s": m.attrs.get("build_s"),
        "cached": bool(m.attrs.get("cached")),
        "estimate_error": m.attrs.get("estimate_error"),
        "estimator": m.attrs.get("estimator"),
        "visit_to_visit_min_median": round(float(m["visit_to_visit_min"].median()), 2),
        "town_min_median": round(float(m["town_min"].median()), 2),
    }
    if args.json:
        print_json(s)
    else:
        print(
            f"{s['council']}: {s['n_units']} units, {s['n_units_with_road_data']} on real road data, "
            f"{s['n_estimated']} estimated; graph {s['graph_nodes']} nodes / {s['graph_edges']} edges; "
            f"estimate error (held-out routes): median {s['estimate_error']['median_abs_pct']} %"
        )
    return 0


OD_COLUMNS = ["origin_id", "destination_id", "drive_min", "distance_km", "estimated"]


def run_od(args, council: str) -> int:
    """All pairs of --origins × --destinations: routed where both ends lie on a road graph, else estimated."""
    import time

    from travel.estimator import reference
    from travel.od import MAX_PAIRS, check_pairs, check_within, council_outline, od_table, road_graphs
    from travel.places import read_points
    from zones.cli import print_json

    if not (args.origins and args.destinations and args.out):
        raise DataError("travel od needs --origins, --destinations and --out")
    t0 = time.perf_counter()
    layer = load_units(council)
    o = read_points(Path(args.origins), "origins")
    d = read_points(Path(args.destinations), "destinations")
    check_pairs(len(o), len(d))  # before any road graph is loaded
    outline = council_outline(layer)
    check_within(outline, o[["x", "y"]].to_numpy(float), f"origins file {Path(args.origins).name}")
    check_within(outline, d[["x", "y"]].to_numpy(float), f"destinations file {Path(args.destinations).name}")
    ref = reference()
    arrays = road_graphs(layer.pack)
    table = od_table(o, d, arrays, ref)
    table.to_csv(args.out, index=False)
    s = {
        "council": layer.pack.id,
        "out": str(args.out),
        "n_origins": int(len(o)),
        "n_destinations": int(len(d)),
        "n_pairs": int(len(table)),
        "n_routed": int((~table["estimated"]).sum()),
        "n_estimated": int(table["estimated"].sum()),
        "max_pairs": MAX_PAIRS,
        "columns": list(table.columns),
        "graphs": [a.source for a in arrays],
        "build_s": round(time.perf_counter() - t0, 2),
        "estimate_error": {"pooled": ref["errors"]["pooled"], "checks": ref["errors"]["summary"]},
        "note": "estimated pairs: straight line × circuity, access streets at the speed fitted on the reference "
        "graph, main roads at 50 mph (DfT); error_p90_pct = checked p90 error of their distance band and "
        "setting (empty where unchecked)",
    }
    if args.json:
        print_json(s)
    else:
        print(f"{s['n_pairs']:,} pairs ({s['n_routed']:,} routed, {s['n_estimated']:,} ESTIMATED) -> {args.out}")
    return 0


def run_drive(args, council: str) -> int:
    """One drive between two typed places."""
    from geodata.packs import load_pack
    from travel.od import drive_between
    from zones.cli import print_json

    if not (args.place_from and args.place_to):
        raise DataError("travel drive needs --from and --to")
    r = drive_between(args.place_from, args.place_to, pack=load_pack(council))
    if args.json:
        print_json(r)
    else:
        rng = f" (likely {r['range_min'][0]}-{r['range_min'][1]} min)" if r["range_min"] else ""
        print(
            f"{r['from']} -> {r['to']}: {r['drive_min']} min{rng}, {r['distance_km']} km"
            f"{' ESTIMATED' if r['estimated'] else ' routed'}. {r['method']}"
        )
    return 0


def run_roads(args) -> int:
    from geodata.packs import load_pack
    from travel.graph import download, pack_graph_paths
    from zones.cli import print_json

    pack = load_pack(args.council)
    if args.download:
        out = Path(args.out or f"{pack.id}-drive.graphml")
        if not (0 <= args.buffer_km <= 40):
            raise DataError("--buffer-km must be between 0 and 40")
        download(pack, out, buffer_m=args.buffer_km * 1000)
        print(f"wrote {out}; add it to [travel] graphs in {pack.path}")
        return 0
    paths = [str(p) for p in pack_graph_paths(pack)]
    info = {
        "council": pack.id,
        "graphs": paths,
        "note": "units outside these graphs get ESTIMATED travel metrics"
        if paths
        else "no road network in the data directory for this council: all travel metrics are ESTIMATED",
    }
    if args.json:
        print_json(info)
    else:
        print(info["note"])
        [print(" ", p) for p in paths]
    return 0
