"""Figures beside the editing map: what a selection holds and what moving it would change, and the plan's hours
and cost per zone and per band (Districtr's population panel). Every figure comes from the plan's named totals
(``zones.plan.Plan``) and follows the one money rule (``zones.money``); no streamlit."""

from __future__ import annotations

import pandas as pd

from zones.impact import compare
from zones.plan import Plan, real_zones


def selection_summary(plan: Plan, codes, zone: str | None = None, band: str | None = None) -> dict:
    """A selection at today's plan (``Plan.selection``): ``units``, ``hours_per_week`` (float, 2 dp),
    ``gbp_per_week`` (Decimal, its exact cost rounded once), hours and units per current band and zone; with a
    target ``zone`` and/or ``band``, the move's effect against the current plan: ``move_gbp_per_week`` (Decimal,
    signed), ``move_units_changed``, ``move_hours_changing_band``. Unknown codes raise DataError."""
    codes = list(dict.fromkeys(codes))
    out = plan.selection(codes)
    if codes and (zone is not None or band is not None):
        imp = compare(plan, plan.move(codes, zone=zone, band=band))
        out["move_gbp_per_week"] = imp.gbp_per_week
        out["move_units_changed"] = len(imp.rows)
        out["move_hours_changing_band"] = imp.hours_per_week_band_changed
    return out


def zone_summary(plan: Plan) -> pd.DataFrame:
    """Per zone holding units: ``zone, units, hours_per_week, gbp_per_week`` (Decimal), ``share_pct`` of hours."""
    cols = ["zone", "units", "hours_per_week", "gbp_per_week", "share_pct"]
    return pd.DataFrame([{k: r[k] for k in cols} for r in plan.by_zone()], columns=cols)


def balance_rows(zs: pd.DataFrame) -> pd.DataFrame:
    """The rows of a :func:`zone_summary` that are zones (``zones.plan.real_zones``): the "Unzoned" placeholder is
    no zone, so it gets no bar and does not move the mean of the balance chart (Bradford: every ward unzoned
    drew one bar, "Unzoned")."""
    return zs[zs["zone"].isin(real_zones(zs["zone"]))].reset_index(drop=True)


def band_summary(plan: Plan) -> pd.DataFrame:
    """Per band: ``band, units, hours_per_week, rate_gbp_per_hour, gbp_per_week`` (Decimal)."""
    cols = ["band", "units", "hours_per_week", "rate_gbp_per_hour", "gbp_per_week"]
    return pd.DataFrame([{k: r[k] for k in cols} for r in plan.by_band()], columns=cols)
