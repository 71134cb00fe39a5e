"""Equality figures by two routes, side by side (docs/equality.md "How far off"):

- planner route (``zones.equality``): mid-2020 LSOA 2011 residents shared onto units by postcode centroids, moved
  onto LSOA 2021 by the ONS lookup (deprivation, disability);
- independent route (``geodata.equality.area_weighted_figures``): area-weighted overlay of LSOA 2011 polygons
  (ages, IDAOPI) and LSOA 2021 BSC polygons (IMD 2025 with Census 2021 65+, disability), no postcodes, no lookup.

Groups: the para-47 moves (Leicestershire, 12 parishes), Merton's units whose lot changes from West/Central/East to
the suggested North/Centre/South (8 wards, the seed-0 `--axis ns` suggestion, read from the scenario store when
given as `--merton A:V B:V`), and every single unit of both councils (the worst case: one unit). The last line is
one JSON object.

    python bench/equality_crosscheck.py [--merton 1:1 2:1]
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def routes(layer, prof, codes, polys):
    from geodata.equality import area_weighted_figures
    from zones.equality import group_figures

    a = group_figures(prof, prof.positions(codes), 0.0)
    b = area_weighted_figures(layer, codes, polys)
    a65 = sum(a["population_by_age"].values())
    b65 = sum(b["population_by_age"].values())
    return {
        "n_units": len(codes),
        "age_65_plus": [a65, round(b65)],
        "age_65_plus_diff_pct": round(100 * (a65 - b65) / b65, 1) if b65 else None,
        "age_85_plus": [a["population_by_age"]["age_85_plus"], round(b["population_by_age"]["age_85_plus"])],
        "most_deprived_30pct_65_plus_pct": [
            a["most_deprived_30pct_pct"]["age_65_plus"],
            round(b["most_deprived_30pct_65_plus_pct"], 1),
        ],
        "imd_decile_max_abs_diff_pp": round(
            max(
                abs((a["imd2025_decile_share_pct"][k] or 0) - b["imd2025_decile_share_pct"][k])
                for k in b["imd2025_decile_share_pct"]
            ),
            1,
        ),
        "idaopi_decile_max_abs_diff_pp": round(
            max(
                abs((a["idaopi2019_decile_share_pct"][k] or 0) - b["idaopi2019_decile_share_pct"][k])
                for k in b["idaopi2019_decile_share_pct"]
            ),
            1,
        ),
        "disability_pct": [a["disability_pct"], round(b["disability_pct"], 1)],
    }


def per_unit(layer, prof, polys) -> dict:
    """Distribution over single units of |difference| between the routes (65+ in %, deprivation/disability pp)."""
    d65, ddep, ddis = [], [], []
    for code in layer.units["unit_code"]:
        r = routes(layer, prof, [code], polys)
        if r["age_65_plus"][1] >= 20:
            d65.append(abs(r["age_65_plus_diff_pct"]))
        ddep.append(abs(r["most_deprived_30pct_65_plus_pct"][0] - r["most_deprived_30pct_65_plus_pct"][1]))
        ddis.append(abs(r["disability_pct"][0] - r["disability_pct"][1]))

    def q(x):
        return {
            "median": round(float(np.median(x)), 1),
            "p90": round(float(np.percentile(x, 90)), 1),
            "max": round(float(np.max(x)), 1),
        }

    return {
        "n_units": len(ddep),
        "age_65_plus_abs_diff_pct": q(d65),
        "most_deprived_30pct_abs_diff_pp": q(ddep),
        "disability_abs_diff_pp": q(ddis),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--merton", nargs=2, metavar="SCENARIO:VERSION")
    args = ap.parse_args()
    from geodata.equality import overlay_polygons
    from geodata.units import load_units
    from zones.equality import changes_between, kind_of, profiles_for_layer, zone_successors, zones_of
    from zones.moves import parse_moves

    out = {}
    lei = load_units("leicestershire")
    prof = profiles_for_layer(lei)
    polys = overlay_polygons(lei)
    moves = parse_moves("examples/leicestershire_para47_moves.csv", lei.resolve, tuple(lei.pack.bands))
    codes = list(dict.fromkeys(c for m in moves for c in m.unit_codes))
    out["para47"] = routes(lei, prof, codes, polys)
    out["leicestershire_units"] = per_unit(lei, prof, polys)
    mer = load_units("merton")
    mprof = profiles_for_layer(mer)
    mpolys = overlay_polygons(mer)
    if args.merton:
        from zones.service.store import Store
        from zones.service.workspace import load_workspace, published_plan

        ws = load_workspace("merton")
        pa, pb = [published_plan(ws, Store().load(*map(int, s.split(":"))))[0] for s in args.merton]
        ch = changes_between(pa, pb)
        succ = zone_successors(ch, zones_of(pa))
        moved = [c["unit_code"] for c in ch if kind_of(c, succ) == "zone_changed"]
        out["merton_zone_changed"] = routes(mer, mprof, moved, mpolys)
    out["merton_units"] = per_unit(mer, mprof, mpolys)
    for k, v in out.items():
        print(k, json.dumps(v))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
