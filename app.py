"""Zone & Rate Planner — Streamlit entry point: navigation, the council selector and the page guard."""

import time

import streamlit as st

from pages import common, state

_t0 = time.perf_counter()

st.set_page_config(page_title="Zone & Rate Planner", layout="wide")
council = common.council_selector()
refusal = state.editing_refusal()  # shared on a network without sign-in: editing pages say why they do not edit
gate = common.sign_in_required()  # sign-in first: nobody signed in sees the sign-in page (+ a published link) only
pages = common.page_list(council)
if not gate and (not common.readonly() or refusal):  # threshold sliders (issue 13): a preview, nothing is saved
    pages.insert(len(pages) - 1, st.Page("pages/bands.py", title="Bands", icon=":material/tune:"))
nav = st.navigation(pages)
state.note_page(nav, council)
if state.published_error():
    st.error(f"This link does not open a published scenario: {state.md_text(state.published_error())}")
if refusal and nav.url_path in state.EDIT_PAGES:
    st.title(nav.title)
    st.error(refusal)
else:

    def _page():
        if not common.readonly() and not gate:  # a reload restores this session's draft first (notice on top)
            common.workspace(council)
            common.history(council)
            state.draft_notice(council)
        nav.run()

    try:
        state.run_page(nav, _page)
    finally:  # also after st.rerun/st.stop: the working plan is autosaved as a draft (no UI here)
        state.autosave(st.session_state.get("council", council))
    state.unsaved_guard(st.session_state.get("council", council))
common.RUN_MS.append((time.perf_counter() - _t0) * 1000)  # server-side script time (bench/app.py)
