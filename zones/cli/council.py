"""`zoneplan council new CODE_OR_NAME [--units lsoa|ward] [--hours-per-week N] [--rates FILE] [--json]` and
`zoneplan council list [--json]`: a pack for any of England's 153 upper-tier councils, generated from the
national layers on today's geography (geodata/national.py), written to the local packs directory
($ZONEPLAN_PACKS, default ``packs/`` beside the cache); and the list of shipped and local packs."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("council", help="generate a council pack from the national layers, or list the packs")
    csub = p.add_subparsers(dest="council_command", required=True)
    n = csub.add_parser("new", help="build a pack for an English upper-tier council (code or name)")
    n.add_argument("council", metavar="CODE_OR_NAME", help="e.g. E10000007 or Derbyshire")
    n.add_argument(
        "--units",
        choices=["lsoa", "ward"],
        default="lsoa",
        help="LSOAs 2021 (default) or wards 2024 dissolved from them",
    )
    n.add_argument(
        "--hours-per-week",
        type=str,
        default=None,
        help="the council's weekly home-care hours (else an estimate, flagged)",
    )
    n.add_argument("--rates", metavar="FILE", help="rate card CSV: band, rate_gbp_per_hour (else a labelled stand-in)")
    n.add_argument("--no-metrics", action="store_true", help="write the pack only (skip units, travel and bands)")
    n.add_argument("--json", action="store_true", help="print one JSON object")
    n.set_defaults(func=run_new)
    ls = csub.add_parser("list", help="shipped and local packs")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)


def build_all(
    query: str, units: str = "lsoa", hours_per_week=None, rates_file=None, metrics: bool = True, out_dir=None
) -> dict:
    """Generate the pack, then build its units, travel metrics and bands (the timings of each are returned)."""
    import time

    from geodata.national import build_pack
    from geodata.packs import load_pack

    t0 = time.perf_counter()
    out = build_pack(query, units=units, hours_per_week=hours_per_week, rates_file=rates_file, out_dir=out_dir)
    timings = {"pack_s": out["build_s"]}
    if metrics:
        from geodata.units import load_units
        from travel.metrics import unit_metrics
        from zones.plan import base_plan

        pack = load_pack(out["pack"])
        t = time.perf_counter()
        layer = load_units(pack, rebuild=True)
        timings["units_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        metrics_df = unit_metrics(layer, rebuild=True)
        timings["travel_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        _plan, cls = base_plan(layer, metrics_df)
        timings["bands_s"] = round(time.perf_counter() - t, 2)
        s = layer.summary()
        out["tiling"].update({k: s[k] for k in ("gap_km2", "overlap_km2", "gap_pct", "overlap_pct")})
        out["hours_per_week_units_total"] = s["hours_per_week_total"]
        out["n_units"] = s["n_units"]
        out["n_units_by_band"] = {b: int((cls["band"] == b).sum()) for b in pack.bands}
        out["n_estimated_travel"] = int(metrics_df["estimated"].sum())
    timings["total_s"] = round(time.perf_counter() - t0, 2)
    out["timings"] = timings
    return out


def run_new(args) -> int:
    from zones.cli import print_json

    out = build_all(
        args.council,
        units=args.units,
        hours_per_week=args.hours_per_week,
        rates_file=args.rates,
        metrics=not args.no_metrics,
    )
    if args.json:
        print_json(out)
    else:
        t = out["tiling"]
        print(f"{out['name']} ({out['code']}, {out['kind']}): pack {out['council']} at {out['pack']}")
        print(
            f"  {out['n_units']} units ({out['units']}), {out['n_lsoa21']} LSOAs 2021, gap {t['gap_km2']} km², "
            f"overlap {t['overlap_km2']} km²; {out['hours_per_week']:,.2f} h/week; hubs: {out['hubs']['source']}"
        )
        print(f"  estimated: {', '.join(out['estimated'])}; {out['timings']['total_s']} s", file=sys.stdout)
    return 0


def pack_rows() -> list[dict[str, object]]:
    """One row per pack: id, name, source (shipped / local), unit type, generated, districts, path."""
    from geodata.datadir import DataError
    from geodata.packs import load_pack, local_packs, shipped_packs

    rows: list[dict[str, object]] = []
    for source, ids in (("shipped", shipped_packs()), ("local", local_packs(valid_only=False))):
        for pid in ids:
            try:
                p = load_pack(pid)
            except DataError as exc:
                rows.append({"id": pid, "source": source, "error": str(exc)[:300]})
                continue
            if p.id != pid:
                rows.append({"id": pid, "source": source, "error": f"the file's [council] id is '{p.id}', not '{pid}'"})
                continue
            rows.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "source": source,
                    "unit_type": p.unit_type,
                    "generated": bool(p.raw.get("council", {}).get("generated", False)),
                    "code": p.raw.get("council", {}).get("code", ""),
                    "districts": list(p.lad_codes),
                    "path": str(p.path),
                }
            )
    return rows


def run_list(args) -> int:
    from geodata.packs import packs_dir
    from zones.cli import print_json

    rows = pack_rows()
    if args.json:
        print_json({"packs_dir": str(packs_dir()), "packs": rows})
    else:
        print(f"local packs directory: {packs_dir()}")
        for r in rows:
            print(f"  {r['id']:<40} {r['source']:<8} {r.get('name', r.get('error', ''))}")
    return 0
