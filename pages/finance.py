"""Finance: impact table and totals per week/year/term, the rate model (editable), charts, exports, moves upload."""
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from geodata.datadir import DataError
from pages import common, state
from zones.outputs.escape import md_text
from zones.rates import fmt_gbp, fmt_gbp_change
from zones.outputs.export import impact_csv, impact_xlsx
from zones.impact import compare
from zones.moves import apply_moves, impact_of_moves, parse_moves
from zones.rates import CostBuildUp, money
from zones.outputs.report import BAND_COLOURS, gbp_per_week_by_zone
from zones.service.workspace import notes

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
hist = common.history(council)
pack = ws.layer.pack
st.title("Finance: rates and cost impact")
totals_row = st.container(key="totals-row")  # filled below, shown first: visible without scrolling on a laptop

weeks, term, uplift = state.impact_settings()  # one set per session: the Report and every export use them too

mode = st.radio("Rate model", ["Rate card", "Cost build-up"], horizontal=True, key="mode")
base_rates = ws.base.rates
if mode == "Rate card":
    st.caption(f"Rate card {base_rates.year}: {base_rates.source}")
    cols = st.columns(len(pack.bands))
    edited = {b: cols[i].number_input(f"{b} £/h", 0.0, 200.0, float(base_rates.rate(b)), step=0.01, format="%.2f", key=f"rate-{b}")
              for i, b in enumerate(pack.bands)}
    rates = base_rates.with_rates(**{b: money(str(round(v, 2))) for b, v in edited.items()})
    with st.expander("Floor, ceiling and sessional rate (report paras 61, 73–76)"):
        st.caption("Ceiling defaults to the current price; the council publishes no floor figures, so floors start empty (0 = none). "
                   "The countywide sessional rate applies to the given share of hours (visits of 90 minutes or more).")
        fc = st.columns(len(pack.bands))
        floors = {b: fc[i].number_input(f"{b} floor £/h", 0.0, 200.0, 0.0, 0.01, format="%.2f", key=f"floor-{b}")
                  for i, b in enumerate(pack.bands)}
        ceilings = {b: fc[i].number_input(f"{b} ceiling £/h", 0.0, 200.0, float(base_rates.ceiling.get(b, base_rates.rate(b))),
                                          0.01, format="%.2f", key=f"ceil-{b}") for i, b in enumerate(pack.bands)}
        sc = st.columns(2)
        sess = sc[0].number_input("Sessional rate £/h (0 = none)", 0.0, 200.0, 0.0, 0.01, format="%.2f", key="sess-rate")
        share = sc[1].number_input("Share of hours at the sessional rate %", 0.0, 100.0, 0.0, 0.5, key="sess-share")
    from dataclasses import replace as _replace

    rates = _replace(rates, floor={b: money(str(v)) for b, v in floors.items() if v > 0},
                     ceiling={b: money(str(v)) for b, v in ceilings.items()},
                     sessional_rate_gbp_per_hour=money(str(sess)) if sess > 0 else None,
                     sessional_share_pct=Decimal(str(share)) if sess > 0 else Decimal("0"))
    st.dataframe(pd.DataFrame({"band": list(pack.bands), "rate": [str(rates.rate(b)) for b in pack.bands],
                               "floor": [str(rates.floor.get(b, "")) for b in pack.bands],
                               "ceiling": [str(rates.ceiling.get(b, "")) for b in pack.bands],
                               "effective rate (with sessional share)": [str(rates.effective_rate(b)) for b in pack.bands]}),
                 hide_index=True, width="stretch")
    for w in rates.check_range():
        st.warning(f"Outside the floor/ceiling range: {w}")
else:
    cb_defaults = CostBuildUp()
    c = st.columns(5)
    cb = CostBuildUp(pay_gbp_per_hour=Decimal(str(c[0].number_input("Care worker pay £/h", 5.0, 40.0, float(cb_defaults.pay_gbp_per_hour), 0.01, key="pay"))),
                     visit_min=Decimal(str(c[1].number_input("Average visit (min)", 15, 120, int(cb_defaults.visit_min), key="visit"))),
                     gbp_per_mile=Decimal(str(c[2].number_input("£ per mile", 0.0, 2.0, float(cb_defaults.gbp_per_mile), 0.01, key="mile"))),
                     running_business_gbp_per_hour=Decimal(str(c[3].number_input("Running the business £/h", 0.0, 30.0, float(cb_defaults.running_business_gbp_per_hour), 0.1, key="rtb"))),
                     surplus_pct=Decimal(str(c[4].number_input("Surplus %", 0.0, 20.0, float(cb_defaults.surplus_pct), 0.5, key="surplus"))))
    from zones.service.workspace import band_travel_minutes

    travel_by_band, est = band_travel_minutes(ws, hist.current)
    rates = cb.rate_card(travel_by_band, estimated=est)
    comp = pd.DataFrame({b: {k: str(v) for k, v in cb.components(Decimal(str(round(travel_by_band[b], 2)))).items()} for b in travel_by_band})
    st.dataframe(comp, width="stretch")
    st.caption(CostBuildUp.__doc__.split("Defaults")[1].strip() if CostBuildUp.__doc__ else "")
    if est:
        st.warning("The travel minutes per band rest on ESTIMATED travel metrics for most units.")

plan = hist.current.with_rates(rates)
base = ws.base.with_rates(rates)

up = st.file_uploader("Load a moves CSV (subzone,unit,from_band,to_band,hours_per_week)", type=["csv"], key="moves-up")
moves_imp = None
if up is not None:
    try:
        moves = parse_moves(up.getvalue(), ws.layer.resolve, tuple(pack.bands), name=up.name)
        moves_imp = impact_of_moves(moves, rates, plan=plan, weeks_per_year=int(weeks), term_years=int(term), uplift_pct=uplift)
        if st.button(f"Apply the {len(moves)} moves to the plan", key="apply-moves"):
            new, _ = apply_moves(hist.current, moves)
            hist.apply(new, {"moves_file": up.name})
            st.rerun()
    except DataError as exc:
        st.error(f"Nothing loaded: {exc}")

imp = compare(base, plan, weeks_per_year=int(weeks), term_years=int(term), uplift_pct=uplift)
t = plan.totals(int(weeks))
common.totals_metrics(totals_row, [
    ("Change / week", fmt_gbp_change(imp.gbp_per_week), None),
    ("Change / year", fmt_gbp_change(imp.gbp_per_year), None),
    (f"Change over {int(term)} years", fmt_gbp_change(imp.gbp_per_term), None),
    ("Plan cost / week", fmt_gbp(t["gbp_per_week"]), None),
    ("Hours changing band", f"{imp.hours_per_week_band_changed:,.2f}",
     f"{imp.n_zone_only} unit(s) changed {pack.zone_label} only ({imp.hours_per_week_zone_only:,.2f} h a week): "
     "not band moves, no price change")])
st.subheader("Changed units")
if imp.rows:
    st.dataframe(pd.DataFrame(imp.rows)[["zone", "unit", "from_band", "to_band", "hours_per_week", "gbp_per_week", "reason"]]
                 .astype({"gbp_per_week": str}), hide_index=True, width="stretch")
else:
    st.info("No changes against the base plan yet: edit zones, or load a moves file.")
if moves_imp is not None:
    st.subheader(f"Moves file: council hours ({moves_imp.hours_per_week_moved:,.2f} h/week)")
    st.dataframe(pd.DataFrame(moves_imp.rows).astype({"gbp_per_week": str, "from_rate_gbp_per_hour": str, "to_rate_gbp_per_hour": str}),
                 hide_index=True, width="stretch")
    st.write(f"{fmt_gbp(moves_imp.gbp_per_week)} per week · {fmt_gbp(moves_imp.gbp_per_year)} per year · {fmt_gbp(moves_imp.gbp_per_term)} over {int(term)} years")
    for w in moves_imp.warnings:
        st.caption("Warning: " + w)

st.subheader("Hours and cost by band and zone")
hb = pd.DataFrame({"band": list(plan.band_names), "hours_per_week": [t["hours_per_week_by_band"][b] for b in plan.band_names],
                   "gbp_per_week": [float(t["gbp_per_week_by_band"][b]) for b in plan.band_names]})
zc = gbp_per_week_by_zone(plan)
hz = pd.DataFrame({"zone": list(zc), "hours_per_week": [t["hours_per_week_by_zone"][z] for z in zc],
                   "gbp_per_week": [float(v) for v in zc.values()]})
band_order = list(plan.band_names)
c1, c2 = st.columns(2)
for col, field, title in ((c1, "hours_per_week", "Hours per week"), (c2, "gbp_per_week", "£ per week")):
    col.altair_chart(alt.Chart(hb, title=f"{title} by band").mark_bar().encode(
        x=alt.X("band", sort=band_order), y=alt.Y(field, title=title),
        color=alt.Color("band", sort=band_order, legend=None,
                        scale=alt.Scale(domain=band_order, range=[BAND_COLOURS.get(b, "#999") for b in band_order])),
        tooltip=["band", "hours_per_week", "gbp_per_week"]), width="stretch")
    col.altair_chart(alt.Chart(hz, title=f"{title} by {pack.zone_label}").mark_bar().encode(
        y=alt.Y("zone", sort="-x", title=None), x=alt.X(field, title=title),
        tooltip=["zone", "hours_per_week", "gbp_per_week"]), width="stretch")
identity = state.identity_label(council, hist.current)
st.caption(f"Plan: {md_text(identity)} · {int(weeks)} weeks a year · {int(term)}-year term · uplift {uplift:g}% a year")
st.download_button("Download XLSX", impact_xlsx(plan, imp, notes(ws), identity),
                   file_name=state.output_name(council, hist.current, "impact", "xlsx"),
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="xlsx")
st.download_button("Download CSV", impact_csv(imp, identity), file_name=state.output_name(council, hist.current, "impact", "csv"),
                   mime="text/csv", key="csv")

from pages import payfloor_box  # noqa: E402  (pay floor scenario, issue 15)

payfloor_box.show(ws, int(weeks))

from pages import providers_box  # noqa: E402  (providers per zone, issue 15 §2)

providers_box.show(hist, ws.layer.pack.zone_label)

from pages import equality_box  # noqa: E402  (who the change affects: equality and continuity, issue 23)

equality_box.show(ws, hist.current, moves=moves if moves_imp is not None else None)
