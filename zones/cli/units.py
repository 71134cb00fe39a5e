"""`zoneplan units COUNCIL [--out FILE.gpkg] [--json]`: build (or load from cache) the unit layer."""

from __future__ import annotations

from geodata.datadir import DataError
from geodata.progress import TextProgress
from geodata.units import load_units


def register(sub) -> None:
    p = sub.add_parser("units", help="build or load a council's units (parishes, ward remainders, wards)")
    p.add_argument("council", help="council pack id, e.g. leicestershire, coventry, merton, bradford")
    p.add_argument("--out", help="write the unit layer to this GeoPackage (EPSG:27700)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the summary")
    p.add_argument("--rebuild", action="store_true", help="ignore the cache and rebuild from the data directory")
    p.add_argument("--progress", action="store_true", help="show build progress on stderr")
    p.set_defaults(func=run)


def run(args) -> int:
    from zones.cli import print_json

    progress = TextProgress(f"units {args.council}") if (args.progress or not args.json) else None
    layer = load_units(args.council, progress=progress, rebuild=args.rebuild)
    if args.out:
        if not args.out.endswith(".gpkg"):
            raise DataError(f"--out {args.out}: expected a .gpkg file name")
        layer.units.to_file(args.out, layer="units", driver="GPKG", engine="pyogrio")
    s = layer.summary()
    if args.json:
        print_json(s)
    else:
        print(
            f"{s['council']}: {s['n_units']} units {s['units_by_type']}, area {s['area_km2']} km², "
            f"gap {s['gap_km2']} km², overlap {s['overlap_km2']} km², {s['n_zones']} {layer.pack.zones_label}, "
            f"{s['hours_per_week_total']} hours/week ({'estimated' if s['hours_estimated'] else 'council file'}), "
            f"{'cached' if s['cached'] else 'built'} in {s['build_s']} s"
        )
        if layer.zones_note:
            print(f"zones: {layer.zones_note}")
    return 0
