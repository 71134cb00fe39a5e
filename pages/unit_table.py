"""The map's information as a table (WCAG 2.2: information shown by colour and shape also available as text,
issue 19 §16): every unit with its zone, band, rate, care hours and cost a week, and whether it differs from the
base plan. A thin view over ``Plan.table()``; sortable and searchable in the browser."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from zones.rates import fmt_gbp


def unit_rows(plan, zone_label: str, changed: set[str]) -> pd.DataFrame:
    """One row per unit, columns in words (no field names)."""
    t = plan.table()
    return pd.DataFrame({
        "Unit": t["unit_name"], zone_label.capitalize(): t["zone"], "Band": t["band"],
        "Rate per hour": [fmt_gbp(x) for x in t["rate_gbp_per_hour"]],
        "Care hours a week": t["hours_per_week"].round(2),
        "Cost a week": [fmt_gbp(x) for x in t["gbp_per_week"]],
        "Changed from the base plan": ["yes" if c in changed else "" for c in t["unit_code"]],
        "Reason": t["reason"],  # recorded with the unit's last change, changed or not (issue 19 §15)
    })


def plan_fingerprint(plan) -> str:
    """A hash of everything :func:`unit_rows` shows of ``plan``: units (codes, names, hours), zones, bands and the
    rates in pence (two plans with the same fingerprint give the same table)."""
    h = hashlib.sha256(str(plan.council).encode())
    for names in (plan.unit_codes, plan.unit_names, plan.zone_names, plan.band_names):
        h.update(b"\x00" + "\x1f".join(map(str, names)).encode())
    for arr in (plan.hours_cents, plan.zone_idx, plan.band_idx, plan.rate_pence):
        h.update(b"\x00" + np.ascontiguousarray(arr, dtype=np.int64).tobytes())
    return h.hexdigest()


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_rows(fingerprint: str, zone_label: str, changed: tuple[str, ...], _plan) -> pd.DataFrame:
    return unit_rows(_plan, zone_label, set(changed))


def render(plan, zone_label: str, changed: set[str], key: str) -> None:
    """An expander under the map holding :func:`unit_rows`, built once per plan content (not on every rerun)."""
    with st.expander("The map as a table (every unit)"):
        rows = _cached_rows(plan_fingerprint(plan), zone_label, tuple(sorted(changed)), plan)
        st.dataframe(rows, hide_index=True, width="stretch", key=key)
