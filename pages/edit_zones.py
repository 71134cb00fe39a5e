"""Edit zones (commissioners): select units on the unit map (click, paint, rectangle, lasso, search; the selection
lives in the browser until the move), see what the selection holds and what the move would change, move them to
a zone and/or band with a reason, undo/redo (buttons or Ctrl+Z / Ctrl+Shift+Z); totals, the change against the
base plan and the balance between zones update after every edit."""

from dataclasses import asdict

import streamlit as st

from geodata.datadir import DataError
from pages import common, money_settings, state, unitmap
from pages.balance_chart import balance_chart
from zones.impact import compare
from zones.money import fmt_gbp, fmt_gbp_change
from zones.outputs.escape import md_text
from zones.outputs.people import band_totals, hours_by_zone_band, manual_bands, zone_totals
from zones.service.search import find_units
from zones.service.summary import balance_rows, band_summary, selection_summary, zone_summary

#: the page's layout (issue 19 §13-14). Laptop (1366×768): less room above the title, so Move / Undo and the compact
#: balance chart beside the map are on the first screen. Phone (390 px): a one-line title, the totals three to a
#: row and the four buttons in one row, so the map starts on the first screen and the controls follow it.
LAYOUT_CSS = """<style>
@media (min-width: 641px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem !important; }
  [data-testid="stHeading"] h1 { font-size: 2.25rem; padding: 0.5rem 0 0.25rem 0; }
  .st-key-plan-summary, .st-key-selection-summary { gap: 0.4rem !important; padding: 0.5rem 0.75rem !important; }
  [data-testid="stColumn"]:has(.st-key-selection-summary) [data-testid="stVerticalBlock"] { gap: 0.6rem; }
}
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.75rem !important; }
  [data-testid="stHeading"] h1 { font-size: 1.7rem; padding: 0.25rem 0 0 0; }
  .st-key-totals-row [data-testid="stHorizontalBlock"] { flex-direction: row !important; flex-wrap: wrap !important;
                                                         gap: 0 0.75rem !important; }
  .st-key-totals-row [data-testid="stColumn"] { min-width: 0 !important; width: auto !important;
                                                flex: 1 1 calc(33% - 0.75rem) !important; }
  .st-key-move-buttons [data-testid="stHorizontalBlock"] { flex-direction: row !important; flex-wrap: nowrap !important;
                                                           gap: 0.5rem !important; }
  .st-key-move-buttons [data-testid="stColumn"] { min-width: 0 !important; width: auto !important;
                                                  flex: 1 1 0 !important; }
}
</style>"""
st.html(LAYOUT_CSS)
council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
hist = common.history(council)
pack = ws.layer.pack
names = dict(zip(ws.units["unit_code"], ws.units["unit_name"]))
sel_key, rev_key, search_key = f"sel-{council}", f"selrev-{council}", f"um-search-{council}"
map_key = f"unitmap-{council}"
selection: list = st.session_state.setdefault(sel_key, [])
st.session_state.setdefault(rev_key, 0)

# the map's event (one per gesture end, search, or Ctrl+Z / Ctrl+Shift+Z), handled before anything is drawn
ev = unitmap.pending_event(map_key)
if ev:
    kind = ev.get("event")
    if kind == "selection":
        codes = ev.get("codes") if isinstance(ev.get("codes"), list) else []
        selection = [c for c in dict.fromkeys(codes[: len(names)]) if isinstance(c, str) and c in names]
        st.session_state[sel_key] = selection
    elif kind == "undo":
        hist.undo()
    elif kind == "redo":
        hist.redo()
    elif kind == "search":
        st.session_state[search_key] = asdict(find_units(ws, str(ev.get("q", ""))[:200]))
plan = money_settings.priced(council, hist.current)  # shown at the card Finance shows (moves change hist.current)


def _bump_selection(codes) -> None:
    """Python changed the selection (move, Clear): the browser takes it on the next run."""
    st.session_state[sel_key] = list(codes)
    st.session_state[rev_key] = st.session_state.get(rev_key, 0) + 1


def _move():
    ss = st.session_state
    zone, band, reason = ss.get("to-zone", "(keep)"), ss.get("to-band", "(keep)"), ss.get("reason", "")
    zone = (ss.get("new-zone") or "").strip() or zone
    try:
        new = hist.current.move(
            ss[sel_key],
            zone=None if zone == "(keep)" else zone,
            band=None if band == "(keep)" else band,
            reason=reason or None,
        )
    except DataError as exc:
        ss["edit-error"] = f"Nothing changed: {exc}"
        return
    hist.apply(new, {"units": list(ss[sel_key]), "zone": zone, "band": band, "reason": reason})
    _bump_selection([])
    # the form starts empty again: a field left empty (or "(keep)") means no change in the next move
    ss["to-zone"], ss["to-band"], ss["reason"], ss["new-zone"] = "(keep)", "(keep)", "", ""


def _target() -> tuple[str | None, str | None]:
    """The move's target as the form holds it now (None = no change)."""
    ss = st.session_state
    zone = (ss.get("new-zone") or "").strip() or ss.get("to-zone", "(keep)")
    band = ss.get("to-band", "(keep)")
    return (None if zone == "(keep)" else zone), (None if band not in plan.band_names else band)


st.title("Edit zones and bands")
err = st.empty()  # always there, so the map below keeps its place (and its view) when an error shows
totals_row = st.container(key="totals-row")  # filled below, shown above the map: visible without scrolling on a laptop
if st.session_state.get("edit-error"):
    err.error(st.session_state.pop("edit-error"))
imp = compare(ws.base, plan)
search = st.session_state.get(search_key)
left, right = st.columns([3, 2])
with left:
    unitmap.unit_map(
        council,
        ws,
        plan,
        key=map_key,
        mode="edit",
        selection=selection,
        selection_rev=st.session_state[rev_key],
        search=search,
        changed={r["unit_code"] for r in imp.rows},
        title=unitmap.map_title(council, hist, state.identity_label(council, plan)),
        height=470,
    )
with right:
    with st.container(border=True, key="selection-summary"):
        tz, tb = _target()
        s = selection_summary(plan, selection, zone=tz, band=tb)
        if not selection:  # one line: the chart below stays on a laptop's first screen
            st.markdown("**Selection: 0 units** · click or draw on the map, or search and press Enter.")
        else:
            st.markdown(
                f"**Selection: {s['units']} unit{'s' if s['units'] != 1 else ''}** · "
                f"{s['hours_per_week']:,.2f} hours a week · {fmt_gbp(s['gbp_per_week'])} a week at today's "
                "bands"
            )
            st.caption(
                "By band: "
                + "; ".join(f"{b} {v['units']} ({v['hours_per_week']:,.2f} h)" for b, v in s["by_band"].items())
                + ". In: "
                + "; ".join(f"{md_text(z)} {v['units']}" for z, v in list(s["by_zone"].items())[:6])
                + ("…" if len(s["by_zone"]) > 6 else "")
            )
            if "move_gbp_per_week" in s:
                what = " and ".join(
                    x for x in [f"{pack.zone_label} {md_text(tz)}" if tz else "", f"band {tb}" if tb else ""] if x
                )
                st.markdown(
                    f"Moving to {what}: **{fmt_gbp_change(s['move_gbp_per_week'])} a week**, "
                    f"{s['move_units_changed']} unit(s) change, "
                    f"{s['move_hours_changing_band']:,.2f} hours a week change band."
                )
            else:
                st.caption("Choose a band and/or a zone below to see what the move would change.")
    # the move's form two fields a row, so Move / Undo sit on a laptop's first screen (1366×768) beside the map
    f1, f2 = st.columns(2)
    zone = f1.selectbox(f"Move to {pack.zone_label}", ["(keep)"] + list(plan.zone_names), key="to-zone")
    band = f2.selectbox("Move to band", ["(keep)"] + list(plan.band_names), key="to-band")
    f3, f4 = st.columns(2, vertical_alignment="bottom")
    f3.text_input(f"…or to a new {pack.zone_label} (name)", key="new-zone")
    reason = f4.text_input("Reason (recorded with the change)", key="reason")
    b1, b2, b3, b4 = st.container(key="move-buttons").columns(4)
    b1.button("Move", type="primary", disabled=not selection, key="move", on_click=_move)
    b2.button("Undo", disabled=not hist.undo_stack, key="undo", on_click=hist.undo, help="Ctrl+Z")
    b3.button("Redo", disabled=not hist.redo_stack, key="redo", on_click=hist.redo, help="Ctrl+Shift+Z")
    b4.button("Clear", disabled=not selection, key="clear", on_click=_bump_selection, args=([],))
    if selection:  # under the buttons: a long list never pushes Move below the first screen
        with st.expander("Selected units"):
            st.write(", ".join(md_text(names[c]) for c in selection))
    with st.container(border=True, key="plan-summary"):
        zs = zone_summary(plan)
        st.markdown(f"**Balance between {pack.zones_label}** (care hours a week)")
        zb = balance_rows(zs)
        if len(zb):
            st.altair_chart(balance_chart(zb, pack.zone_label, compact=True), width="stretch")
            st.caption(
                f"Dashed: the mean per {pack.zone_label}; shaded: ± 15 % of it (Suggest {pack.zones_label}' balance); "
                "blue bars within it, purple outside; the order stays after a move."
            )
        else:
            st.caption(f"No {pack.zones_label} yet (every unit unzoned): Suggest {pack.zones_label} proposes some.")
        st.dataframe(band_totals(band_summary(plan)), hide_index=True, width="stretch")
        with st.expander(f"Hours and £ per {pack.zone_label}"):
            st.dataframe(zone_totals(zs, pack.zone_label), hide_index=True, width="stretch")

t = plan.totals()
common.totals_metrics(
    totals_row,
    [
        ("Hours / week", f"{t['hours_per_week']:,.2f}", None),
        ("Cost / week", fmt_gbp(t["gbp_per_week"]), imp.gbp_per_week if imp.rows else None),
        ("Units changed", str(len(imp.rows)), None),
        (
            "Hours changing band",
            f"{imp.hours_per_week_band_changed:,.2f}",
            f"{imp.n_zone_only} unit(s) changed {pack.zone_label} only ({imp.hours_per_week_zone_only:,.2f} h a week): "
            "not band moves, no price change",
        ),
        ("Blended rate £/h", f"{t['blended_rate_gbp_per_hour']}", None),
    ],
)
st.subheader(f"Care hours a week by {pack.zone_label} and band")
st.dataframe(hours_by_zone_band(plan, pack.zone_label).style.format("{:,.2f}"), width="stretch")
over = plan.assignments()
over = over[over["band"] != over["computed_band"]]
if len(over):
    st.subheader("Manual bands that differ from the classifier")
    st.dataframe(manual_bands(over, names, pack.zone_label), hide_index=True, width="stretch")
