"""When a save is refused because someone saved the scenario since it was opened (issue 19 §8): keep the edits,
say what differs (the units this session changed, the units the other save changed, and the units both changed),
and offer the ways on: add these changes to the latest version when no unit was changed by both, or save the plan
as a new scenario. Nothing is overwritten. The three-way comparison is
``zones.service.plan_compare.three_way``."""

from __future__ import annotations

import streamlit as st

from geodata.datadir import DataError
from pages import money_settings, state
from zones.outputs.escape import md_text
from zones.plan import Plan
from zones.service.plan_compare import three_way


def render(council: str, ws, store, hist, opened: tuple, valid: set[str]) -> None:
    """The conflict box under the Save button: what differs and the two ways on."""
    sid, name, ver = opened
    vers = store.versions(sid)
    latest_ver = int(vers["version"].max())
    latest = store.load(sid, latest_ver)
    tw = three_way(store.load(sid, ver).assignments, latest.assignments, hist.current.assignments())
    names = dict(zip(ws.units["unit_code"], ws.units["unit_name"]))
    listed = ", ".join(names.get(c, c) for c in tw["both"][:20]) + (" …" if len(tw["both"]) > 20 else "")
    st.warning(
        f"Since you opened version {ver}, {md_text(latest.author)} saved version {latest_ver}. Your edits "
        f"are kept here. You changed {len(tw['here'])} unit(s); version {latest_ver} changed "
        f"{len(tw['there'])}; both changed {len(tw['both'])}" + (f": {md_text(listed)}." if tw["both"] else ".")
    )
    c = st.columns(2)
    if not tw["both"] and c[0].button(
        f"Add my {len(tw['here'])} change(s) to version {latest_ver}", key=f"sc-merge-{council}"
    ):
        merged = Plan.from_assignments(ws.base, tw["merged"])
        try:
            sv = store.save(
                sid,
                latest_ver,
                merged.assignments(),
                money_settings.card(council, merged).to_dict(),
                note=f"your changes added to version {latest_ver}",
                valid_units=valid,
                settings=money_settings.to_store(council),
            )
        except DataError as exc:
            st.error(f"Not saved: {exc}")
            return
        hist.apply(merged, {"opened": f"{sv.name} v{sv.number}"})
        state.set_identity(council, sv.scenario_id, sv.name, sv.number, merged)
        st.session_state.pop(f"sc-conflict-{council}", None)
        st.success(f"Saved {md_text(sv.name)} version {sv.number}: version {latest_ver} with your changes")
    new_name = c[1].text_input(
        "Or save your plan as a new scenario named", value=f"{name} (my edits)"[:120], key=f"sc-new-name-{council}"
    )
    if c[1].button("Save as a new scenario", key=f"sc-save-new-{council}", disabled=not new_name.strip()):
        try:
            sv = store.create(
                council,
                new_name,
                hist.current.assignments(),
                money_settings.card(council, hist.current).to_dict(),
                note=f"saved apart from {name} v{latest_ver} after a conflict",
                valid_units=valid,
                base=ws.base.assignments(),
                settings=money_settings.to_store(council),
            )
        except DataError as exc:
            st.error(f"Not saved: {exc}")
            return
        state.set_identity(council, sv.scenario_id, sv.name, sv.number, hist.current)
        st.session_state.pop(f"sc-conflict-{council}", None)
        st.success(f"Saved as a new scenario: {md_text(sv.name)} version {sv.number}")
