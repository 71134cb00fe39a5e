"""Benchmark: one unit move (plan update + all totals + impact vs base) against a full re-aggregation.

Run: .venv/bin/python bench/plan.py   (last line: one JSON object)
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.units import load_units  # noqa: E402
from zones.impact import compare  # noqa: E402
from zones.plan import Plan, base_plan  # noqa: E402
from zones.rates import RateCard  # noqa: E402

BANDS = ("urban", "fringe", "rural", "isolated")
N_MOVES = 200


def per_move_ms(plan: Plan, rng) -> tuple[float, float]:
    codes = list(plan.unit_codes)
    picks = [(codes[i], BANDS[b]) for i, b in zip(rng.integers(0, len(codes), N_MOVES), rng.integers(0, 4, N_MOVES))]
    t0 = time.perf_counter()
    p = plan
    for code, band in picks:
        p = p.move(code, band=band)
        p.totals()
        compare(plan, p)
    inc = (time.perf_counter() - t0) / N_MOVES * 1000
    t0 = time.perf_counter()
    p = plan
    for code, band in picks[:50]:
        p = p.move(code, band=band)
        full = Plan.build(
            p.council,
            p.unit_codes,
            p.unit_names,
            p.hours_cents / 100,
            [p.zone_names[i] for i in p.zone_idx],
            [p.band_names[i] for i in p.band_idx],
            p.rates,
            band_names=p.band_names,
            zone_names=p.zone_names,
        )
        full.totals()
        compare(plan, full)
    return inc, (time.perf_counter() - t0) / 50 * 1000


def synthetic(n: int, rng) -> Plan:
    card = RateCard(
        year="2025/26",
        rates={
            "urban": Decimal("25.27"),
            "fringe": Decimal("26.36"),
            "rural": Decimal("29.39"),
            "isolated": Decimal("32.71"),
        },
    )
    return Plan.build(
        "synthetic",
        [f"E01{i:06d}" for i in range(n)],
        [f"LSOA {i}" for i in range(n)],
        np.round(rng.uniform(0, 40, n), 2),
        [f"Z{i % 300}" for i in range(n)],
        [BANDS[i % 4] for i in range(n)],
        card,
        band_names=BANDS,
    )


def main() -> dict:
    rng = np.random.default_rng(0)
    leics, _ = base_plan(load_units("leicestershire"))
    inc_l, full_l = per_move_ms(leics, rng)
    big = synthetic(35_000, rng)
    inc_b, full_b = per_move_ms(big, rng)
    out = {
        "move_ms_leicestershire": round(inc_l, 3),
        "full_ms_leicestershire": round(full_l, 3),
        "speedup_leicestershire": round(full_l / inc_l, 1),
        "units_leicestershire": len(leics.unit_codes),
        "move_ms_35k": round(inc_b, 3),
        "full_ms_35k": round(full_b, 3),
        "speedup_35k": round(full_b / inc_b, 1),
        "moves_timed": N_MOVES,
    }
    print(
        f"Leicestershire ({out['units_leicestershire']} units): move+totals+impact {inc_l:.3f} ms; "
        f"full rebuild {full_l:.3f} ms"
    )
    print(f"35,000 units: move+totals+impact {inc_b:.3f} ms; full rebuild {full_b:.3f} ms ({out['speedup_35k']}×)")
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
