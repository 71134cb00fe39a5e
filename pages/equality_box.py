"""Who a change affects (issue 23): the equality and continuity figures of a change, in plain words, for the
Finance page and the Scenarios comparison. Thin: every figure comes from ``zones.equality``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from zones.equality import changes_between, changes_of_moves, equality_block, zones_of
from zones.outputs.escape import md_text
from zones.outputs.people import zone_pairs

HEADING = "Who the change affects: equality and continuity (estimates)"


def block(ws, plan, base=None) -> dict:
    """The ``equality`` block of the change from ``base`` (default the council's base plan) to ``plan``."""
    base = base if base is not None else ws.base
    return equality_block(ws.layer, changes_between(base, plan), zones_of(base))


def _table(eq: dict) -> pd.DataFrame:
    rows = []
    for label, g in (
        ("band only (same provider)", eq["by_change"]["band_only"]),
        ("zone changed (provider may change)", eq["by_change"]["zone_changed"]),
    ):
        if not g["n_units"]:
            continue
        a, dep = g["population_by_age"], g["most_deprived_30pct_pct"]
        rows.append(
            {
                "changed units": label,
                "units": g["n_units"],
                "residents 65-74": a["age_65_74"],
                "75-84": a["age_75_84"],
                "85+": a["age_85_plus"],
                "65+ in most deprived 30 % (%)": dep["age_65_plus"],
                "85+ in most deprived 30 % (%)": dep["age_85_plus"],
                "disabled, all ages (%)": g["disability_pct"],
            }
        )
    return pd.DataFrame(rows)


def _render(eq: dict, zone_label: str = "zone") -> None:
    if not eq.get("available"):
        st.info(f"Equality figures are not available: {md_text(eq.get('reason', ''))}")
        return
    if not eq["n_units"]:
        st.caption("No unit has changed band or (provider's) zone against the base, so no one is affected yet.")
        return
    for line in eq["summary"]:
        st.write(md_text(line))
    st.dataframe(_table(eq), hide_index=True, width="stretch")
    c = eq["continuity"]
    if c["by_zone_pair"]:
        st.dataframe(zone_pairs(c["by_zone_pair"], zone_label), hide_index=True, width="stretch")
    st.caption(
        "Every figure is an estimate, not a count of clients. Sources: "
        + md_text("; ".join(eq["sources"]))
        + ". People supported: "
        + md_text(c["hours_per_client_rule"])
    )


def show(ws, plan, base=None, heading: str = HEADING, key: str = "eq", moves=None) -> dict | None:
    """Render the figures of the change from ``base`` (default the base plan) to ``plan`` under ``heading``, and,
    with ``moves`` (a parsed moves file, not yet applied), those of the file's rows; returns the plan's block."""
    eq = block(ws, plan, base)
    with st.container(key=f"{key}-box"):
        st.subheader(heading)
        _render(eq, ws.layer.pack.zone_label)
        if moves:
            st.markdown("**The moves file (its bands, band only):**")
            _render(equality_block(ws.layer, changes_of_moves(moves, plan), zones_of(plan)), ws.layer.pack.zone_label)
    return eq
