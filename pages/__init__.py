"""Streamlit pages (thin views over geodata/, travel/ and zones/); ``app.py`` declares them with st.navigation.

The folder is called ``pages/``, which Streamlit also treats as a legacy "pages directory": until some run calls
``st.navigation``, a run that starts on a page URL (``/edit_zones`` on a fresh server; every ``AppTest`` run)
executes that page alone under an automatic navigation listing every file here. ``pages.common.workspace()``,
which every page calls first, then declares the app's pages with ``st.navigation`` (documented to switch that mode
off for all sessions) and reruns, so ``app.py`` always builds the navigation.
"""
