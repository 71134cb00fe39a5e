"""Zone & Rate Planner — Streamlit entry point: navigation and the council selector only."""
import time

import streamlit as st

from pages import common

_t0 = time.perf_counter()

st.set_page_config(page_title="Zone & Rate Planner", layout="wide")
common.council_selector()
pages = common.page_list()
if not common.readonly():  # threshold sliders (issue 13): a preview for commissioners, nothing is saved
    pages.insert(len(pages) - 1, st.Page("pages/bands.py", title="Bands", icon=":material/tune:"))
nav = st.navigation(pages)
nav.run()
common.RUN_MS.append((time.perf_counter() - _t0) * 1000)  # server-side script time (bench/app.py)
