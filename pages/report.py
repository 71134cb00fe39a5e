"""Report (scrutiny): printable report of the plan and its change against the base; HTML and PDF downloads."""

import streamlit as st

from pages import common, equality_box, money_settings, state
from zones.impact import compare
from zones.money import fmt_pct, fmt_weeks
from zones.outputs.report import report_context, report_html, report_pdf
from zones.service.workspace import notes, sources

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
current = common.history(council).current
plan = money_settings.priced(council, current)  # the card Finance shows (or the version's own)
# the same settings as the Finance page (per council; a published view shows its version's own, fixed)
weeks, term, uplift = money_settings.impact_settings(council, fixed=state.published_view())
imp = compare(ws.base.with_rates(plan.rates), plan, weeks_per_year=weeks, term_years=term, uplift_pct=uplift)
identity = state.identity_label(council, current)
ctx = report_context(ws.units, plan, imp, identity, notes(ws), sources(ws))
ctx["equality"] = equality_box.block(ws, plan)  # "Equality and continuity" (issue 23)
html = report_html(ctx)
st.title("Report")
st.caption(
    f"Plan: {state.md_text(identity)} · {fmt_weeks(weeks)} weeks a year · {term}-year term · "
    f"uplift {fmt_pct(uplift)}% a year "
    "(the Impact settings in the sidebar, shared with Finance and saved with a version)"
)
c1, c2 = st.columns(2)
c1.download_button(
    "Download HTML",
    html,
    file_name=state.output_name(council, plan, "report", "html"),
    mime="text/html",
    key="dl-html",
    on_click="ignore",  # a download changes nothing: no rerun (one would revoke the PDF button's deferred file)
)
c2.download_button(  # the PDF is typeset only when asked for (a deferred download): it took most of this page's run
    "Download PDF",
    lambda: report_pdf(ctx),
    file_name=state.output_name(council, plan, "report", "pdf"),
    mime="application/pdf",
    key="dl-pdf",
    on_click="ignore",
)
# the report as it prints, in a frame of its own (its own language and styles); its text is escaped by report_html
st.iframe(html, height=1400, alt="The report as it prints: map, bands, totals, changes, equality, sources")
