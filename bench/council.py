"""Building a council from the national layers: `zoneplan council new` timings for councils of different sizes.

Run: .venv/bin/python bench/council.py [--councils E06000017 E08000003 E10000007 E10000023] [--units lsoa]
(last line: one JSON object). Uses ZONEPLAN_DATA; packs go to a temporary ZONEPLAN_PACKS, caches to a temporary
ZONEPLAN_CACHE (so every figure is a first build, nothing cached from an earlier run).

Per council, in this one run: ``pack_s`` (read the national layers, move the population to LSOA 2021, towns,
write the pack and derived files), ``units_s`` (build the unit layer), ``travel_s`` (per-unit travel metrics:
estimator, no county road network), ``bands_s`` (classification), ``total_s`` (wall, all of these), CPU seconds
of the whole build (process time: less sensitive to other jobs on the shared machine), units and LSOAs; the load
average before and after. The estimator's one-off reference fit (cached once per cache directory) is timed first
and apart (``reference_fit_s``); the first council also pays the one-off national reads (lookups cached per
process: ``first_in_process``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT = ["E06000017", "E08000003", "E10000007", "E10000016"]  # Rutland, Manchester, Derbyshire, Kent


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--councils", nargs="+", default=DEFAULT)
    ap.add_argument("--units", choices=["lsoa", "ward"], default="lsoa")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-council-"))
    os.environ["ZONEPLAN_PACKS"] = str(tmp / "packs")
    os.environ["ZONEPLAN_CACHE"] = str(tmp / "cache")
    from travel.estimator import reference
    from zones.cli.council import build_all

    rows = []
    load0 = loadavg()
    t0 = time.perf_counter()
    reference()  # the estimator's one-off fit on the reference graph (cached for every later council)
    ref_s = round(time.perf_counter() - t0, 2)
    print(f"estimator reference fit (once per cache): {ref_s} s", flush=True)
    for i, code in enumerate(args.councils):
        c0 = time.process_time()
        out = build_all(code, units=args.units)
        cpu = time.process_time() - c0
        row = {
            "code": out["code"],
            "name": out["name"],
            "kind": out["kind"],
            "units": out["n_units"],
            "lsoa21": out["n_lsoa21"],
            "gap_km2": out["tiling"]["gap_km2"],
            "hours_per_week": out["hours_per_week"],
            **out["timings"],
            "cpu_s": round(cpu, 2),
            "first_in_process": i == 0,
        }
        rows.append(row)
        print(
            f"{row['name']:<28} {row['kind']:<22} {row['units']:>5} units  pack {row['pack_s']:>6.2f} s  units "
            f"{row['units_s']:>5.2f} s  travel {row['travel_s']:>6.2f} s  bands {row['bands_s']:>5.2f} s  "
            f"total {row['total_s']:>6.2f} s (CPU {row['cpu_s']:.2f} s)",
            flush=True,
        )
    print(
        json.dumps(
            {
                "bench": "council",
                "units": args.units,
                "reference_fit_s": ref_s,
                "councils": rows,
                "loadavg_start": load0,
                "loadavg_end": loadavg(),
            }
        )
    )


if __name__ == "__main__":
    main()
