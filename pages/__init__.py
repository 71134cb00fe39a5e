"""Streamlit pages (thin views over geodata/, travel/ and zones/); ``app.py`` declares them with st.navigation.

The folder is called ``pages/``, which Streamlit (1.x) also treats as a legacy "pages directory": until some
session runs ``app.py`` (and so ``st.navigation``), a visitor who opens a page URL directly (``/edit_zones``)
gets the legacy navigation, which lists every file here (``common``…) and runs the page without ``app.py``.
The first import of this package happens in such a run, or in ``app.py`` itself; either way we switch the legacy
mode off and, when inside a legacy run, rerun so that ``app.py`` builds the real navigation.
"""


def _use_app_navigation() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # pragma: no cover - streamlit internals moved
        return
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx() is not None:
        import streamlit as st

        st.rerun()


_use_app_navigation()
