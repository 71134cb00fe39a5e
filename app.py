"""Zone & Rate Planner — Streamlit entry point: navigation and the council selector only."""
import streamlit as st

from pages import common

st.set_page_config(page_title="Zone & Rate Planner", layout="wide")
common.council_selector()
nav = st.navigation(common.page_list())
nav.run()
