"""Zone map (scrutiny members, read-only): units coloured by band, zones, legend, evidence on click."""
import streamlit as st
from streamlit_folium import st_folium

from pages import common
from zones.rates import fmt_gbp
from geodata.datadir import DataError
from travel.od import drive_from_unit, unit_error_note
from zones.service.workspace import evidence_card, notes, unit_at

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
plan = common.history(council).current
pack = ws.layer.pack
st.title(f"{pack.name}: price bands and {pack.zone_label}s")
t = plan.totals()
c = st.columns(4)
c[0].metric("Units", len(plan.unit_codes))
c[1].metric(f"{pack.zone_label.capitalize()}s", sum(1 for v in t["units_by_zone"].values() if v))
c[2].metric("Care hours / week", f"{t['hours_per_week']:,.2f}")
c[3].metric("Cost / week", f"{fmt_gbp(t['gbp_per_week'])}")
for n in notes(ws):
    st.caption("Note: " + n)
out = st_folium(common.band_map(council, ws, plan), height=600, use_container_width=True,
                returned_objects=["last_clicked"], key=f"zmap-{council}")
clicked = (out or {}).get("last_clicked")
if clicked and clicked != st.session_state.get("_zm_click"):  # a new click picks the unit (the list can override it)
    st.session_state["_zm_click"] = clicked
    st.session_state["ev-pick"] = unit_at(ws, clicked["lng"], clicked["lat"])
names = dict(zip(ws.units["unit_code"], ws.units["unit_name"]))
code = st.selectbox("Unit evidence", [None] + list(ws.units["unit_code"]), index=0,
                    format_func=lambda c: "— click a unit on the map or choose —" if c is None else names[c], key="ev-pick")
if code:
    common.evidence(evidence_card(ws, plan, code))
    with st.container(border=True):  # drive from this unit to a typed place (travel.od; no arithmetic here)
        st.caption(unit_error_note(ws.metrics.set_index("unit_code").loc[code]))
        dest = st.text_input("Drive from this unit's centre to", max_chars=120, key="drive-to",
                             placeholder="postcode or place, e.g. Atherstone or LE11 3TU")
        if dest:
            try:
                d = drive_from_unit(ws.layer, code, dest)
            except DataError as exc:
                st.warning(str(exc))
            else:
                rng = f" (likely {d['range_min'][0]}–{d['range_min'][1]} min)" if d["range_min"] else ""
                st.text(f"{d['from']} → {d['to']}: {d['drive_min']} min{rng}, {d['distance_km']} km by road, "
                        f"{'ESTIMATED' if d['estimated'] else 'routed'}")
                st.caption(d["method"])
