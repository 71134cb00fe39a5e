"""`zoneplan travel COUNCIL [--out FILE.csv] [--json]` and `zoneplan roads COUNCIL [--download]`."""
from __future__ import annotations

from pathlib import Path

from geodata.datadir import DataError
from geodata.progress import TextProgress
from geodata.units import load_units


def register(sub) -> None:
    p = sub.add_parser("travel", help="per-unit travel metrics (drive times between visits and from towns)")
    p.add_argument("council")
    p.add_argument("--out", help="write the metrics table to this CSV")
    p.add_argument("--json", action="store_true")
    p.add_argument("--rebuild", action="store_true")
    p.set_defaults(func=run_travel)
    r = sub.add_parser("roads", help="road networks of a council: list what is used, or --download with OSMnx")
    r.add_argument("council")
    r.add_argument("--download", action="store_true", help="fetch the drive network with OSMnx (needs internet)")
    r.add_argument("--out", help="GraphML file to write with --download")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=run_roads)


def run_travel(args) -> int:
    from travel.metrics import unit_metrics
    from zones.cli import print_json

    layer = load_units(args.council)
    m = unit_metrics(layer, progress=None if args.json else TextProgress(f"travel {args.council}"), rebuild=args.rebuild)
    if args.out:
        m.to_csv(args.out, index=False)
    s = {
        "council": layer.pack.id, "n_units": int(len(m)),
        "n_units_with_road_data": int(m["road_data"].sum()), "n_estimated": int(m["estimated"].sum()),
        "graph_nodes": m.attrs.get("graph_nodes", 0), "graph_edges": m.attrs.get("graph_edges", 0),
        "graphs": m.attrs.get("graphs", []), "reference_graph": m.attrs.get("reference_graph"),
        "build_s": m.attrs.get("build_s"), "cached": bool(m.attrs.get("cached")),
        "estimate_error": m.attrs.get("estimate_error"), "estimator": m.attrs.get("estimator"),
        "visit_to_visit_min_median": round(float(m["visit_to_visit_min"].median()), 2),
        "town_min_median": round(float(m["town_min"].median()), 2),
    }
    if args.json:
        print_json(s)
    else:
        print(f"{s['council']}: {s['n_units']} units, {s['n_units_with_road_data']} on real road data, "
              f"{s['n_estimated']} estimated; graph {s['graph_nodes']} nodes / {s['graph_edges']} edges; "
              f"estimate error (held-out routes): median {s['estimate_error']['median_abs_pct']} %")
    return 0


def run_roads(args) -> int:
    from geodata.packs import load_pack
    from travel.graph import download, pack_graph_paths
    from zones.cli import print_json

    pack = load_pack(args.council)
    if args.download:
        out = Path(args.out or f"{pack.id}-drive.graphml")
        download(pack, out)
        print(f"wrote {out}; add it to [travel] graphs in {pack.path}")
        return 0
    paths = [str(p) for p in pack_graph_paths(pack)]
    info = {"council": pack.id, "graphs": paths,
            "note": "units outside these graphs get ESTIMATED travel metrics" if paths else
                    "no road network in the data directory for this council: all travel metrics are ESTIMATED"}
    if args.json:
        print_json(info)
    else:
        print(info["note"]); [print(" ", p) for p in paths]
    return 0
