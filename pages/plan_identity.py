"""The identity of the plan shown for each council (issue 14 §1): which scenario and version it is, whether it was
published, and whether it was changed since (a cheap fingerprint, ``zones.service.drafts.fingerprint``, against the
version opened or the base plan). Kept in session state; read by the draft autosave (``pages.state``), the money
settings' widget keys (``pages.money_settings``) and the download names."""

from __future__ import annotations

import streamlit as st

from pages.resources import _workspace
from zones.outputs.naming import file_name, identity_text


def _ikey(council: str) -> str:
    return f"identity-{council}"


def identity(council: str) -> dict | None:
    """{scenario_id, name, version, published, clean} of the plan shown for ``council``, or None (the base plan
    or an unsaved plan)."""
    return st.session_state.get(_ikey(council))


def set_identity(
    council: str, scenario_id: int | None, name: str | None, version: int | None, plan, published: bool = False
) -> None:
    """The plan now shown is ``name`` version ``version`` exactly as stored (``plan``'s fingerprint is the clean
    state); name None: the base plan."""
    from zones.service.drafts import fingerprint

    ss = st.session_state
    if name:
        ss[_ikey(council)] = {
            "scenario_id": scenario_id,
            "name": name,
            "version": version,
            "published": published,
            "clean": fingerprint(plan),
        }
        ss[f"sc-opened-{council}"] = (scenario_id, name, version)  # the parent of the next save (Scenarios)
    else:
        ss.pop(_ikey(council), None)
        ss.pop(f"sc-opened-{council}", None)
        ss[f"clean-{council}"] = fingerprint(plan)


def modified(council: str, plan) -> bool:
    """The plan differs from the version opened (or from the base plan when none was opened)."""
    from zones.service.drafts import fingerprint

    ident = identity(council)
    clean = ident["clean"] if ident else st.session_state.get(f"clean-{council}")
    if clean is None:
        clean = st.session_state[f"clean-{council}"] = fingerprint(_workspace(council).base)
    return fingerprint(plan) != clean


def identity_label(council: str, plan) -> str:
    """ "Para 47 v2", "Para 47 v2 + unsaved changes", "Para 47 v2 (published)" or "unsaved plan"."""
    ident = identity(council)
    if not ident:
        return "unsaved plan" if modified(council, plan) else "base plan"
    return identity_text(ident["name"], ident["version"], ident["published"], modified(council, plan))


def output_name(council: str, plan, kind: str, ext: str) -> str:
    """Download file name after the council, scenario and version, e.g. leicestershire-para-47-v2-impact.xlsx."""
    ident = identity(council)
    if not ident:
        return (
            file_name(council, None, None, kind, ext)
            if modified(council, plan)
            else file_name(council, "base plan", None, kind, ext)
        )
    return file_name(council, ident["name"], ident["version"], kind, ext, modified=modified(council, plan))
