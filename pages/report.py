"""Report (scrutiny): printable report of the plan and its change against the base; HTML and PDF downloads."""
import streamlit as st
import streamlit.components.v1 as components

from pages import common
from zones.impact import compare
from zones.outputs.report import report_context, report_html, report_pdf
from zones.service.workspace import notes, sources

council = st.session_state.get("council", "leicestershire")
ws = common.workspace(council)
plan = common.history(council).current
imp = compare(ws.base, plan)
identity = st.session_state.get("scenario-title", "unsaved plan")
ctx = report_context(ws.units, plan, imp, identity, notes(ws), sources(ws))
html = report_html(ctx)
st.title("Report")
c1, c2 = st.columns(2)
c1.download_button("Download HTML", html, file_name=f"{council}-report.html", mime="text/html", key="dl-html")
c2.download_button("Download PDF", report_pdf(ctx), file_name=f"{council}-report.pdf", mime="application/pdf", key="dl-pdf")
components.html(html, height=1400, scrolling=True)
