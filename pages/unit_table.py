"""The map's information as a table (WCAG 2.2: information shown by colour and shape also available as text,
issue 19 §16): every unit with its zone, band, rate, care hours and cost a week, and whether it differs from the
base plan. A thin view over ``Plan.table()``; sortable and searchable in the browser."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from zones.rates import fmt_gbp


def unit_rows(plan, zone_label: str, changed: set[str]) -> pd.DataFrame:
    """One row per unit, columns in words (no field names)."""
    t = plan.table()
    return pd.DataFrame(
        {
            "Unit": t["unit_name"],
            zone_label.capitalize(): t["zone"],
            "Band": t["band"],
            "Rate per hour": [fmt_gbp(x) for x in t["rate_gbp_per_hour"]],
            "Care hours a week": t["hours_per_week"].round(2),
            "Cost a week": [fmt_gbp(x) for x in t["gbp_per_week"]],
            "Changed from the base plan": ["yes" if c in changed else "" for c in t["unit_code"]],
            "Reason": t["reason"],  # recorded with the unit's last change, changed or not (issue 19 §15)
        }
    )


def plan_fingerprint(plan) -> str:
    """What :func:`unit_rows` shows of ``plan``, as a key (``Plan.content_key``: reasons included)."""
    return plan.content_key()


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_rows(fingerprint: str, zone_label: str, changed: tuple[str, ...], _plan) -> pd.DataFrame:
    return unit_rows(_plan, zone_label, set(changed))


def render(plan, zone_label: str, changed: set[str], key: str) -> None:
    """An expander under the map holding :func:`unit_rows`, built once per plan content (not on every rerun)."""
    with st.expander("The map as a table (every unit)"):
        rows = _cached_rows(plan_fingerprint(plan), zone_label, tuple(sorted(changed)), plan)
        st.dataframe(rows, hide_index=True, width="stretch", key=key)
