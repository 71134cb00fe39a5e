"""What the server process holds for every session (``st.cache_resource``): each council's workspace and the
scenario store, the store acting as the signed-in user (``pages.access``)."""

from __future__ import annotations

import gc

import streamlit as st

from pages.access import current_user
from zones.service.workspace import Workspace, load_workspace

_BUILT: set[str] = set()  # councils whose workspace this server process has built (and holds in _workspace)


@st.cache_resource(show_spinner=False)
def _workspace(council: str, _built: Workspace | None = None) -> Workspace:
    """The council's workspace, held for the server's life: ``_built`` (not part of the cache key) when the caller
    has just built it (with a progress bar), else built here."""
    ws = _built if _built is not None else load_workspace(council)
    # the workspace lives as long as the server: move it (and everything loaded so far) out of the garbage
    # collector's view, so full collections during an edit do not walk the GeoDataFrames (~150 ms spikes)
    gc.freeze()
    return ws


@st.cache_resource(show_spinner=False)
def _store():
    from zones.service.store import Store

    return Store()


def store():
    """The scenario store (SQLite by default, PostgreSQL when ZONEPLAN_DB_URL is set) acting as the signed-in
    user; the store itself refuses what the user's role does not allow."""
    return _store().as_user(current_user())


store.clear = _store.clear  # type: ignore[attr-defined]
