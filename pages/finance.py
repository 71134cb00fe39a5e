"""Finance: impact table and totals per week/year/term, the rate model (editable), charts, exports, moves upload."""

from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from geodata.datadir import DataError
from pages import common, money_settings, state
from zones.impact import compare
from zones.money import ROUNDING_NOTE, fmt_gbp, fmt_gbp_change, fmt_weeks, money
from zones.moves import apply_moves, impact_of_moves, parse_moves
from zones.outputs.escape import md_text
from zones.outputs.export import impact_csv, impact_totals_csv, impact_xlsx
from zones.outputs.people import changed_units, moves_rows, rate_limits_title, rate_table
from zones.outputs.report import band_colours
from zones.rates import CostBuildUp, RateCard, buildup_defaults_text
from zones.service.workspace import band_travel_minutes, notes

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
hist = common.history(council)
pack = ws.layer.pack
st.title("Finance: rates and cost impact")
totals_row = st.container(key="totals-row")  # filled below, shown first: visible without scrolling on a laptop

# per council (and saved with a version): the Report and every export use the same settings and card
weeks, term, uplift = money_settings.impact_settings(council)
tag = money_settings.widget_tag(council)  # rate widgets are this council's and this version's own


def rate_card_inputs(card: RateCard) -> RateCard:
    """The rate card inputs (rates, floor, ceiling, sessional rate), seeded from ``card``; the card they give."""
    st.caption(f"Rate card {card.year}: {card.source}")
    cols = st.columns(len(pack.bands))
    edited = {
        b: cols[i].number_input(
            f"{b} £/h", 0.0, 200.0, float(card.rate(b)), step=0.01, format="%.2f", key=f"rate-{tag}-{b}"
        )
        for i, b in enumerate(pack.bands)
    }
    with st.expander(rate_limits_title(pack)):
        st.caption(
            "Ceiling defaults to the current price; the council publishes no floor figures, so floors start "
            "empty (0 = none). The sessional rate applies to the given share of hours (visits of "
            "90 minutes or more)."
        )
        fc = st.columns(len(pack.bands))
        floors = {
            b: fc[i].number_input(
                f"{b} floor £/h", 0.0, 200.0, float(card.floor.get(b, 0)), 0.01, format="%.2f", key=f"floor-{tag}-{b}"
            )
            for i, b in enumerate(pack.bands)
        }
        ceilings = {
            b: fc[i].number_input(
                f"{b} ceiling £/h",
                0.0,
                200.0,
                float(card.ceiling.get(b, card.rate(b))),
                0.01,
                format="%.2f",
                key=f"ceil-{tag}-{b}",
            )
            for i, b in enumerate(pack.bands)
        }
        sc = st.columns(2)
        sess = sc[0].number_input(
            "Sessional rate £/h (0 = none)",
            0.0,
            200.0,
            float(card.sessional_rate_gbp_per_hour or 0),
            0.01,
            format="%.2f",
            key=f"sess-rate-{tag}",
        )
        share = sc[1].number_input(
            "Share of hours at the sessional rate %",
            0.0,
            100.0,
            float(card.sessional_share_pct),
            0.5,
            key=f"sess-share-{tag}",
        )
    return card.with_rates(**{b: money(str(round(v, 2))) for b, v in edited.items()}).with_range(
        floor={b: str(v) for b, v in floors.items()},
        ceiling={b: str(v) for b, v in ceilings.items()},
        sessional_rate_gbp_per_hour=str(sess) if sess > 0 else None,
        sessional_share_pct=str(share),
    )


def cost_build_up_inputs() -> RateCard:
    """The cost build-up inputs and their components per band; the card they give."""
    d = CostBuildUp()
    c = st.columns(5)
    cb = CostBuildUp(
        pay_gbp_per_hour=Decimal(
            str(c[0].number_input("Care worker pay £/h", 5.0, 40.0, float(d.pay_gbp_per_hour), 0.01, key="pay"))
        ),
        visit_min=Decimal(str(c[1].number_input("Average visit (min)", 15, 120, int(d.visit_min), key="visit"))),
        gbp_per_mile=Decimal(str(c[2].number_input("£ per mile", 0.0, 2.0, float(d.gbp_per_mile), 0.01, key="mile"))),
        running_business_gbp_per_hour=Decimal(
            str(
                c[3].number_input(
                    "Running the business £/h", 0.0, 30.0, float(d.running_business_gbp_per_hour), 0.1, key="rtb"
                )
            )
        ),
        surplus_pct=Decimal(str(c[4].number_input("Surplus %", 0.0, 20.0, float(d.surplus_pct), 0.5, key="surplus"))),
    )
    travel_by_band, est = band_travel_minutes(ws, hist.current)
    comp = pd.DataFrame(
        {
            b: {k: str(v) for k, v in cb.components(Decimal(str(round(travel_by_band[b], 2)))).items()}
            for b in travel_by_band
        }
    )
    st.dataframe(comp, width="stretch")
    st.caption(buildup_defaults_text())
    if est:
        st.warning("The travel minutes per band rest on ESTIMATED travel metrics for most units.")
    return cb.rate_card(travel_by_band, estimated=est)


mode = st.radio("Rate model", ["Rate card", "Cost build-up"], horizontal=True, key="mode")
shown = money_settings.card(council, hist.current)  # the card as last edited for this council and version
rates = rate_card_inputs(shown) if mode == "Rate card" else cost_build_up_inputs()
money_settings.set_card(council, rates)
plan = money_settings.priced(council, hist.current)  # the plan's card (providers) with these prices
base = ws.base.with_rates(plan.rates)
rates = plan.rates
if mode == "Rate card":
    st.dataframe(rate_table(rates, pack.bands), hide_index=True, width="stretch")
    for w in rates.check_range():
        st.warning(f"Outside the floor/ceiling range: {w}")

up = st.file_uploader("Load a moves CSV (subzone,unit,from_band,to_band,hours_per_week)", type=["csv"], key="moves-up")
moves_imp = None
if up is not None:
    try:
        moves = parse_moves(up.getvalue(), ws.layer.resolve, tuple(pack.bands), name=up.name)
        moves_imp = impact_of_moves(
            moves, rates, plan=plan, weeks_per_year=weeks, term_years=int(term), uplift_pct=uplift
        )
        if st.button(f"Apply the {len(moves)} moves to the plan", key="apply-moves"):
            new, _ = apply_moves(hist.current, moves)
            hist.apply(new, {"moves_file": up.name})
            st.rerun()
    except DataError as exc:
        st.error(f"Nothing loaded: {exc}")

imp = compare(base, plan, weeks_per_year=weeks, term_years=int(term), uplift_pct=uplift)
t = plan.totals(weeks)
common.totals_metrics(
    totals_row,
    [
        ("Change / week", fmt_gbp_change(imp.gbp_per_week), None),
        ("Change / year", fmt_gbp_change(imp.gbp_per_year), ROUNDING_NOTE),
        (f"Change over {int(term)} years", fmt_gbp_change(imp.gbp_per_term), None),
        ("Plan cost / week", fmt_gbp(t["gbp_per_week"]), None),
        (
            "Hours changing band",
            f"{imp.hours_per_week_band_changed:,.2f}",
            f"{imp.n_zone_only} unit(s) changed {pack.zone_label} only ({imp.hours_per_week_zone_only:,.2f} h a week): "
            "not band moves, no price change",
        ),
    ],
)
st.subheader("Changed units")
if imp.rows:
    st.dataframe(changed_units(imp.rows, pack.zone_label), hide_index=True, width="stretch")
else:
    st.info("No changes against the base plan yet: edit zones, or load a moves file.")
if moves_imp is not None:
    st.subheader(f"Moves file: council hours ({moves_imp.hours_per_week_moved:,.2f} h/week)")
    st.dataframe(moves_rows(moves_imp.rows, pack.zone_label), hide_index=True, width="stretch")
    st.write(
        f"{fmt_gbp(moves_imp.gbp_per_week)} per week · {fmt_gbp(moves_imp.gbp_per_year)} per year · "
        f"{fmt_gbp(moves_imp.gbp_per_term)} over {int(term)} years"
    )
    for w in moves_imp.warnings:
        st.caption("Warning: " + w)

st.subheader(f"Hours and cost by band and {pack.zone_label}")
hb = pd.DataFrame(
    [
        {"band": r["band"], "hours_per_week": r["hours_per_week"], "gbp_per_week": float(r["gbp_per_week"])}
        for r in plan.by_band()
    ]
)
hz = pd.DataFrame(
    [
        {"zone": r["zone"], "hours_per_week": r["hours_per_week"], "gbp_per_week": float(r["gbp_per_week"])}
        for r in plan.by_zone()
    ]
)
band_order = list(plan.band_names)
tips = [
    alt.Tooltip("hours_per_week", title="Care hours a week", format=",.2f"),
    alt.Tooltip("gbp_per_week", title="£ a week", format=",.2f"),
]
c1, c2 = st.columns(2)
for col, field, title in ((c1, "hours_per_week", "Hours per week"), (c2, "gbp_per_week", "£ per week")):
    col.altair_chart(
        alt.Chart(hb, title=f"{title} by band")
        .mark_bar()
        .encode(
            x=alt.X("band", sort=band_order, title=None, axis=alt.Axis(labelAngle=0)),  # names read across
            y=alt.Y(field, title=title),
            color=alt.Color(
                "band",
                sort=band_order,
                legend=None,
                scale=alt.Scale(domain=band_order, range=[band_colours(band_order)[b] for b in band_order]),
            ),
            tooltip=[alt.Tooltip("band", title="Band"), *tips],
        ),
        width="stretch",
    )
    col.altair_chart(  # every zone name in full (labelLimit 0: Vega cut them at its default width)
        alt.Chart(hz, title=f"{title} by {pack.zone_label}")
        .mark_bar()
        .encode(
            y=alt.Y("zone", sort="-x", title=None, axis=alt.Axis(labelLimit=0)),
            x=alt.X(field, title=title),
            tooltip=[alt.Tooltip("zone", title=pack.zone_label.capitalize()), *tips],
        ),
        width="stretch",
    )
identity = state.identity_label(council, hist.current)
st.caption(
    f"Plan: {md_text(identity)} · {fmt_weeks(weeks)} weeks a year · {int(term)}-year term · uplift {uplift:g}% a year"
)
# each file is built when its button is pressed (a deferred download), from what this run shows: building the
# workbook on every run cost about half of this page's script time (issue 19 §17), the CSVs a little more each run
xlsx_args = (plan, imp, notes(ws), identity)
st.download_button(
    "Download XLSX",
    lambda: impact_xlsx(*xlsx_args),
    file_name=state.output_name(council, hist.current, "impact", "xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="xlsx",
    on_click="ignore",  # a download changes nothing: no rerun (one would revoke the other buttons' files)
)
st.download_button(
    "Download CSV",
    lambda: impact_csv(imp, identity, plan),
    file_name=state.output_name(council, hist.current, "impact", "csv"),
    mime="text/csv",
    key="csv",
    on_click="ignore",  # a download changes nothing: no rerun (one would revoke the other buttons' files)
    help="One table: a row per changed unit",
)
st.download_button(
    "Download totals CSV",
    lambda: impact_totals_csv(imp, identity, plan),
    file_name=state.output_name(council, hist.current, "impact-totals", "csv"),
    mime="text/csv",
    key="csv-totals",
    on_click="ignore",  # a download changes nothing: no rerun (one would revoke the other buttons' files)
    help="The totals and the settings they use (figure, value)",
)

from pages import payfloor_box  # noqa: E402  (pay floor scenario, issue 15)

payfloor_box.show(ws, weeks)

from pages import providers_box  # noqa: E402  (providers per zone, issue 15 §2)

providers_box.show(hist, ws.layer.pack.zone_label)

from pages import equality_box  # noqa: E402  (who the change affects: equality and continuity, issue 23)

equality_box.show(ws, hist.current, moves=moves if moves_imp is not None else None)
