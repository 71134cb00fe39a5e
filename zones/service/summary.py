"""Figures beside the editing map: what a selection holds and what moving it would change, and the plan's hours
and cost per zone and per band (Districtr's population panel). Money is Decimal, to the penny; no streamlit."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from zones.impact import compare
from zones.plan import Plan, cp_to_gbp
from zones.rates import money


def signed_gbp(x) -> str:
    """£ amount with its sign always shown: +£1,071.56, −£5.00, £0.00."""
    d = money(x)
    if d == 0:
        return "£0.00"
    return ("+" if d > 0 else "−") + f"£{abs(d):,}"


def selection_summary(plan: Plan, codes, zone: str | None = None, band: str | None = None) -> dict:
    """A selection at today's plan: ``units``, ``hours_per_week`` (float, 2 dp), ``gbp_per_week`` (Decimal, at the
    plan's band rates), hours and units per current band and zone; with a target ``zone`` and/or ``band``, the
    move's effect against the current plan: ``move_gbp_per_week`` (Decimal, signed), ``move_units_changed``,
    ``move_hours_changing_band``. Unknown codes raise DataError (Plan.index)."""
    codes = list(dict.fromkeys(codes))
    out: dict = {"units": len(codes), "hours_per_week": 0.0, "gbp_per_week": Decimal("0.00"), "by_band": {}, "by_zone": {}}
    if not codes:
        return out
    idx = plan.index(codes)
    hc = plan.hours_cents[idx]
    bi = plan.band_idx[idx]
    cp = int((hc * plan.rate_pence[bi]).sum())
    out["hours_per_week"] = int(hc.sum()) / 100
    out["gbp_per_week"] = cp_to_gbp(cp)
    for b in np.unique(bi):
        m = bi == b
        out["by_band"][plan.band_names[b]] = {"units": int(m.sum()), "hours_per_week": int(hc[m].sum()) / 100}
    zi = plan.zone_idx[idx]
    for z in np.unique(zi):
        m = zi == z
        out["by_zone"][plan.zone_names[z]] = {"units": int(m.sum()), "hours_per_week": int(hc[m].sum()) / 100}
    if zone is not None or band is not None:
        moved = plan.move(codes, zone=zone, band=band)
        imp = compare(plan, moved)
        out["move_gbp_per_week"] = imp.gbp_per_week
        out["move_units_changed"] = len(imp.rows)
        out["move_hours_changing_band"] = round(sum(r["hours_per_week"] for r in imp.rows if r["from_band"] != r["to_band"]), 2)
    return out


def zone_summary(plan: Plan) -> pd.DataFrame:
    """Per zone holding units: ``zone, units, hours_per_week, gbp_per_week`` (Decimal), ``share_pct`` of hours."""
    zb = plan.hours_cents_by_zone_band
    cp = zb @ plan.rate_pence
    total = int(zb.sum())
    rows = [{"zone": z, "units": int(plan.units_by_zone[i]), "hours_per_week": int(zb[i].sum()) / 100,
             "gbp_per_week": cp_to_gbp(int(cp[i])),
             "share_pct": round(100 * int(zb[i].sum()) / total, 1) if total else 0.0}
            for i, z in enumerate(plan.zone_names) if plan.units_by_zone[i]]
    return pd.DataFrame(rows, columns=["zone", "units", "hours_per_week", "gbp_per_week", "share_pct"])


def band_summary(plan: Plan) -> pd.DataFrame:
    """Per band: ``band, units, hours_per_week, rate_gbp_per_hour, gbp_per_week`` (Decimal)."""
    hb = plan.hours_cents_by_band
    units = np.bincount(plan.band_idx, minlength=len(plan.band_names))
    return pd.DataFrame([{"band": b, "units": int(units[i]), "hours_per_week": int(hb[i]) / 100,
                          "rate_gbp_per_hour": plan.rates.effective_rate(b),
                          "gbp_per_week": cp_to_gbp(int(hb[i]) * int(plan.rate_pence[i]))}
                         for i, b in enumerate(plan.band_names)])
