"""Edit zones (commissioners): select units (click, draw, search), move them to a zone and/or band with a reason,
undo/redo; totals and the change against the base plan update after every edit."""
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geodata.datadir import DataError
from pages import common
from zones.outputs.escape import md_text
from zones.rates import fmt_gbp
from zones.impact import compare
from zones.service.workspace import search_units, unit_at, units_in_geojson

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
hist = common.history(council)
plan = hist.current
pack = ws.layer.pack
names = dict(zip(ws.units["unit_code"], ws.units["unit_name"]))
sel_key = f"sel-{council}"
selection: list = st.session_state.setdefault(sel_key, [])

def _move():
    ss = st.session_state
    zone, band, reason = ss.get("to-zone", "(keep)"), ss.get("to-band", "(keep)"), ss.get("reason", "")
    zone = (ss.get("new-zone") or "").strip() or zone
    try:
        new = hist.current.move(ss[sel_key], zone=None if zone == "(keep)" else zone,
                                band=None if band == "(keep)" else band, reason=reason or None)
    except DataError as exc:
        ss["edit-error"] = f"Nothing changed: {exc}"
        return
    hist.apply(new, {"units": list(ss[sel_key]), "zone": zone, "band": band, "reason": reason})
    ss[sel_key] = []
    ss["new-zone"] = ""


def _set_selection(codes):
    st.session_state[sel_key] = list(codes)


st.title("Edit zones and bands")
if st.session_state.get("edit-error"):
    st.error(st.session_state.pop("edit-error"))
left, right = st.columns([3, 2])
with left:
    m = common.band_map(council, ws, plan, set(selection))
    common.draw_plugin().add_to(m)
    out = st_folium(m, height=520, use_container_width=True, returned_objects=["last_clicked", "last_active_drawing"],
                    key=f"emap-{council}") or {}
    click, drawing = out.get("last_clicked"), out.get("last_active_drawing")
    if click and st.session_state.get("_last_click") != click:
        st.session_state["_last_click"] = click
        code = unit_at(ws, click["lng"], click["lat"])
        if code:
            selection.remove(code) if code in selection else selection.append(code)
            st.rerun()
    if drawing and st.session_state.get("_last_draw") != drawing:
        st.session_state["_last_draw"] = drawing
        try:
            selection.extend(c for c in units_in_geojson(ws, drawing["geometry"]) if c not in selection)
        except DataError as exc:  # an oversized or malformed drawing: refused, nothing selected
            st.session_state["edit-error"] = f"Nothing selected: {exc}"
        st.rerun()
with right:
    q = st.text_input("Find a unit or parish (name or code)", key="search")
    found = search_units(ws, q) if q else []
    if q and not found:
        st.info(f"No unit or parish matches '{md_text(q)}'.")
    if found:
        st.dataframe(pd.DataFrame({"unit": [names[c] for c in found[:20]], "code": found[:20],
                                   "band": [plan.band_of(c) for c in found[:20]], "zone": [plan.zone_of(c) for c in found[:20]]}),
                     hide_index=True, width="stretch")
        st.button(f"Add {min(len(found), 20)} to selection", key="add-found", on_click=_set_selection,
                  args=(selection + [c for c in found[:20] if c not in selection],))
    st.multiselect("Selection", list(ws.units["unit_code"]), default=selection, format_func=lambda c: names[c],
                   key=f"selbox-{council}-{len(hist.undo_stack)}-{len(selection)}",
                   on_change=None)
    chosen = st.session_state.get(f"selbox-{council}-{len(hist.undo_stack)}-{len(selection)}", selection)
    if chosen != selection:
        st.session_state[sel_key] = list(chosen)
        selection = st.session_state[sel_key]
    zone = st.selectbox(f"Move to {pack.zone_label}", ["(keep)"] + list(plan.zone_names), key="to-zone")
    st.text_input(f"…or to a new {pack.zone_label} (name)", key="new-zone")
    band = st.selectbox("Move to band", ["(keep)"] + list(plan.band_names), key="to-band")
    reason = st.text_input("Reason (recorded with the change)", key="reason")
    b1, b2, b3, b4 = st.columns(4)
    b1.button("Move", type="primary", disabled=not selection, key="move", on_click=_move)
    b2.button("Undo", disabled=not hist.undo_stack, key="undo", on_click=hist.undo)
    b3.button("Redo", disabled=not hist.redo_stack, key="redo", on_click=hist.redo)
    b4.button("Clear", disabled=not selection, key="clear", on_click=_set_selection, args=([],))

st.subheader("Totals")
t = plan.totals()
imp = compare(ws.base, plan)
c = st.columns(4)
c[0].metric("Hours / week", f"{t['hours_per_week']:,.2f}")
c[1].metric("Cost / week", f"{fmt_gbp(t['gbp_per_week'])}", delta=f"{fmt_gbp(imp.gbp_per_week)} vs base" if imp.rows else None, delta_color="inverse")
c[2].metric("Units changed", len(imp.rows))
c[3].metric("Blended rate £/h", f"{t['blended_rate_gbp_per_hour']}")
st.dataframe(plan.hours_by_zone_band().style.format("{:,.2f}"), width="stretch")
over = plan.assignments()
over = over[over["band"] != over["computed_band"]]
if len(over):
    st.subheader("Manual bands that differ from the classifier")
    over = over.assign(unit=[names[c] for c in over["unit_code"]])
    st.dataframe(over[["unit", "zone", "band", "computed_band", "reason"]].rename(columns={"computed_band": "classifier suggests"}),
                 hide_index=True, width="stretch")
