"""Compare any two plans of a council (issue 19 §10): the base plan or any version of any saved scenario on each
side, as the CLI's ``zoneplan scenario compare`` does: the change in £, a table of zones (lots/clusters) side by
side, the units that differ, and two maps coloured by zone. A thin view: figures come from ``zones.impact`` and
the plans themselves."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from pages import common
from zones.impact import compare
from zones.outputs.escape import md_text
from zones.outputs.people import fmt_hours
from zones.plan import Plan
from zones.rates import fmt_gbp, fmt_gbp_change
from zones.service.plan_compare import zones_side_by_side

BASE = (0, 0)  # the council's base plan (no scenario)
MAX_CHOICES = 300  # newest versions offered in the pickers


def _user_of(store) -> tuple:
    user = getattr(store, "user", None)
    return (getattr(user, "name", None), getattr(user, "role", None))


def choices(store, council: str) -> dict[tuple[int, int], str]:
    """(scenario id, version) → label for the pickers: the base plan first, then each scenario's versions, newest
    first (at most :data:`MAX_CHOICES`; a viewer sees only published versions, as the store decides). One query
    for the list on every run; the versions of each scenario are asked for again only when that list changes (a
    new, deleted or newly readable version changes its latest version, count or time), kept in this session."""
    scen = store.list(council)
    sig = (council, _user_of(store), scen.to_json(date_format="iso", date_unit="us"))
    kept = st.session_state.get("_cmp-choices")
    if kept and kept[0] == sig:
        return dict(kept[1])
    out = _choices(store, scen)
    st.session_state["_cmp-choices"] = (sig, out)
    st.session_state.pop("_cmp-plans", None)  # a scenario deleted and its id reused: never an old plan under it
    return dict(out)


def _choices(store, scen) -> dict[tuple[int, int], str]:
    out = {BASE: "Base plan (the council's current zones and bands)"}
    for sid, name in zip(scen["id"].tolist(), scen["name"].tolist()):
        for ver in reversed(store.versions(int(sid))["version"].tolist()):
            if len(out) > MAX_CHOICES:
                return out
            out[(int(sid), int(ver))] = f"{name} · version {int(ver)}"
    return out


MAX_PLANS = 8  # saved versions kept built per session (a saved version never changes; dropped when the list does)


def plan_of(ws, store, key: tuple[int, int]) -> Plan:
    """The plan a picker names: the base plan, or a saved version's zones, bands and reasons on the base units
    (loaded through the store, so as this session's user may; kept in this session, since a version never
    changes)."""
    if key == BASE:
        return ws.base
    kept: dict = st.session_state.setdefault("_cmp-plans", {})
    k = (ws.layer.pack.id, _user_of(store), tuple(key))
    if k not in kept:
        kept[k] = Plan.from_assignments(ws.base, store.load(*key).assignments)
        while len(kept) > MAX_PLANS:
            kept.pop(next(iter(kept)))
    return kept[k]


def zone_table(a: Plan, b: Plan, label: str) -> pd.DataFrame:
    """Zones of either plan side by side (``zones.service.plan_compare``), headed and formatted for the page."""
    m = zones_side_by_side(a, b)
    return pd.DataFrame(
        {
            label.capitalize(): m["zone"],
            "Units (A)": m["units A"],
            "Care hours a week (A)": [fmt_hours(x) for x in m["hours_per_week A"]],
            "£ a week (A)": [fmt_gbp(x) if not pd.isna(x) else "" for x in m["gbp_per_week A"]],
            "Units (B)": m["units B"],
            "Care hours a week (B)": [fmt_hours(x) for x in m["hours_per_week B"]],
            "£ a week (B)": [fmt_gbp(x) if not pd.isna(x) else "" for x in m["gbp_per_week B"]],
        }
    )


def render(council: str, ws, store) -> None:
    """The comparison block of the Scenarios page."""
    label = ws.layer.pack.zone_label
    opts = choices(store, council)
    keys = list(opts)
    c = st.columns(2)
    ka = c[0].selectbox("Plan A", keys, index=0, format_func=opts.get, key=f"cmp-a-{council}")
    kb = c[1].selectbox("Plan B", keys, index=min(1, len(keys) - 1), format_func=opts.get, key=f"cmp-b-{council}")
    pa, pb = plan_of(ws, store, ka), plan_of(ws, store, kb)
    imp = compare(pa, pb)
    moved_zone = sum(1 for r in imp.rows if r["from_zone"] != r["zone"])
    st.markdown(
        f"From **{md_text(opts[ka])}** to **{md_text(opts[kb])}**: {len(imp.rows)} unit(s) differ "
        f"({moved_zone} change {label}); {fmt_gbp_change(imp.gbp_per_week)} a week, "
        f"{fmt_gbp_change(imp.gbp_per_year)} a year (both plans priced with plan B's rates)."
    )
    st.dataframe(zone_table(pa, pb, label), hide_index=True, width="stretch")
    if imp.rows:
        rows = pd.DataFrame(imp.rows)
        st.dataframe(
            pd.DataFrame(
                {
                    "Unit": rows["unit"],
                    f"{label.capitalize()} (A)": rows["from_zone"],
                    f"{label.capitalize()} (B)": rows["zone"],
                    "Band (A)": rows["from_band"],
                    "Band (B)": rows["to_band"],
                    "Care hours a week": [fmt_hours(x) for x in rows["hours_per_week"]],
                    "£ a week": [fmt_gbp_change(x) for x in rows["gbp_per_week"]],
                    "Reason": rows["reason"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if imp.rows:
        from pages import equality_box  # who the difference affects (issue 23)

        heading = (
            f"Who the difference affects ({md_text(opts[ka])} → {md_text(opts[kb])}): equality and "
            "continuity (estimates)"
        )
        equality_box.show(ws, pb, base=pa, heading=heading, key=f"sc-eq-{council}")
    m = st.columns(2)
    for col, key, plan, side in ((m[0], ka, pa, "A"), (m[1], kb, pb, "B")):
        with col:
            st.caption(f"Plan {side}: {md_text(opts[key])}, coloured by {label}; units that differ outlined in black")
            st_folium(
                common.band_map(council, ws, plan, selected={r["unit_code"] for r in imp.rows}, colour_by="zone"),
                height=420,
                use_container_width=True,
                returned_objects=[],
                key=f"cmp-map-{side}-{council}-{key[0]}-{key[1]}",
            )
