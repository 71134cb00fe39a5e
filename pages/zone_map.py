"""Zone map (scrutiny members, read-only): units coloured by band, zones, legend, evidence on click."""

from dataclasses import asdict

import streamlit as st

from geodata.datadir import DataError
from pages import common, money_settings, state, unit_table, unitmap
from travel.od import drive_from_unit, unit_error_note
from zones.impact import compare
from zones.money import fmt_gbp
from zones.outputs.people import drive_placeholder
from zones.plan import real_zones
from zones.service.search import find_units
from zones.service.workspace import evidence_card, notes

#: phones (Streamlit's narrow layout): the map comes straight after the title, then the council picker, then the
#: figures and the shading toggle, then the rest, so the map starts in the first third of the first screen
#: (no child combinator ">": st.html escapes it)
PHONE_ORDER_CSS = f"""<style>
@media (max-width: {common.NARROW_PX}px) {{
  [data-testid="stMainBlockContainer"] [class*="st-key-zonemap-"] {{ order: 1; }}
  [data-testid="stMainBlockContainer"] [data-testid="stLayoutWrapper"]:has(.st-key-narrow-council) {{ order: 2; }}
  [data-testid="stMainBlockContainer"] [data-testid="stLayoutWrapper"]:has(.st-key-zm-head) {{ order: 3; }}
  [data-testid="stMainBlockContainer"] [class*="st-key-zonemap-"] ~ * {{ order: 4; }}
}}
</style>"""

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
hist = common.history(council)
plan = money_settings.priced(council, hist.current)  # at the card Finance shows (per council and version)
pack = ws.layer.pack
shown = state.identity_label(council, plan)
st.title(
    f"{pack.name}: price bands and {pack.zones_label}"
    + (f" · {state.md_text(shown)}" if state.identity(council) else "")
)
common.narrow_council_picker(council)  # phones: the sidebar (and its council selector) is collapsed
head = st.container(key="zm-head")  # on a phone, shown under the map (PHONE_ORDER_CSS)
head.html(PHONE_ORDER_CSS)
head.caption(f"Showing: {state.md_text(shown)}")
t = plan.totals()
c = head.container(key="zm-figures").columns(4)  # a compact 2 × 2 grid on phones (common.PHONE_CSS)
c[0].metric("Units", plan.n_units)
c[1].metric(pack.zones_label.capitalize(), len(real_zones(z for z, v in t["units_by_zone"].items() if v)))
c[2].metric("Care hours / week", f"{t['hours_per_week']:,.2f}")
c[3].metric("Cost / week", f"{fmt_gbp(t['gbp_per_week'])}")
zm_key, zm_search = f"zonemap-{council}", f"zm-search-{council}"
ev = unitmap.pending_event(zm_key)  # view-only: a clicked (or searched + Enter) unit opens its evidence card
if ev and ev.get("event") == "pick" and ev.get("code") in set(ws.units["unit_code"]):
    st.session_state["ev-pick"] = ev["code"]
elif ev and ev.get("event") == "search":
    st.session_state[zm_search] = asdict(find_units(ws, str(ev.get("q", ""))[:200]))
shade_on = head.toggle(
    "Shade units by deprivation (IMD 2025 decile) behind the bands",
    key="zm-imd",
    help="Estimate: the decile of each unit's median resident aged 65+; legend and source under the map",
)
changed = {r["unit_code"] for r in compare(ws.base, plan).rows}
unitmap.unit_map(
    council,
    ws,
    plan,
    key=zm_key,
    mode="view",
    search=st.session_state.get(zm_search),
    changed=changed,
    title=unitmap.map_title(council, hist, shown),
    picked=st.session_state.get("ev-pick"),
    height=560,
    shade=unitmap.deprivation_shade(ws) if shade_on else None,
)
unit_table.render(plan, pack.zone_label, changed, key=f"zm-table-{council}")
names = dict(zip(ws.units["unit_code"], ws.units["unit_name"]))
ev_box = st.container(key="ev-card")  # the map's "see the evidence below" cue scrolls here
code = ev_box.selectbox(
    "Unit evidence",
    [None] + list(ws.units["unit_code"]),
    index=0,
    key="ev-pick",
    format_func=lambda c: "— click a unit on the map or choose —" if c is None else names[c],
)
if code:
    with ev_box:
        common.evidence(evidence_card(ws, plan, code), pack.zone_label)
    with st.container(border=True):  # drive from this unit to a typed place (travel.od; no arithmetic here)
        st.caption(unit_error_note(ws.metrics.set_index("unit_code").loc[code]))
        dest = st.text_input(
            "Drive from this unit's centre to",
            max_chars=120,
            key="drive-to",
            placeholder=drive_placeholder(pack),
        )
        if dest:
            try:
                d = drive_from_unit(ws.layer, code, dest)
            except DataError as exc:
                st.warning(str(exc))
            else:
                rng = f" (likely {d['range_min'][0]}–{d['range_min'][1]} min)" if d["range_min"] else ""
                st.text(
                    f"{d['from']} → {d['to']}: {d['drive_min']} min{rng}, {d['distance_km']} km by road, "
                    f"{'ESTIMATED' if d['estimated'] else 'routed'}"
                )
                st.caption(d["note"])
for n in notes(ws):  # at the foot: the map, its legend and the evidence come first (on a phone too)
    st.caption("Note: " + n)
