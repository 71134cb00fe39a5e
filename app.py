"""Zone & Rate Planner — Streamlit entry point: navigation and the council selector only."""
import time

import streamlit as st

from pages import common

_t0 = time.perf_counter()

st.set_page_config(page_title="Zone & Rate Planner", layout="wide")
common.council_selector()
nav = st.navigation(common.page_list())
nav.run()
common.RUN_MS.append((time.perf_counter() - _t0) * 1000)  # server-side script time (bench/app.py)
