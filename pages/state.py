"""State that never silently changes (issue 14 §1): the council, the plan's identity, the impact settings and the
autosaved draft survive every page link, reload and shared URL; pages never show a traceback.

- The council lives in session state *and* in ``?council=`` (st.navigation's page links drop the query string,
  so every run writes it back); a published link (``?council=…&scenario=…&version=…&readonly=1``) opens its own
  council even when ``council`` is missing or wrong, and keeps scenario/version in the URL while that council
  is shown.
- The plan's identity (scenario, version, published) is kept per council; "modified" is a cheap fingerprint of
  the plan against the version opened (``zones.service.drafts.fingerprint``).
- Weeks per year, term, uplift and Finance's rate edits are one dict per council (``pages.money_settings``),
  shown by Finance and Report alike, passed to every output, saved with a version and kept in the draft.
- A published link is a fixed view of one version: no council picker; "Leave this published view" leaves it.
- The working plan is autosaved as a draft (``zones.service.drafts``) under ``?draft=<token>``; a reload
  restores it with a notice and a "Discard draft" button; a beforeunload warning guards unsaved changes.
  Drafts belong to the signed-in user ("local" in single-user mode): nobody signed in, no token and no draft.
- A published link that does not open (missing, unpublished, wrong version, a council not served here, a
  malformed id) gets one answer, ``NO_PUBLISHED_VERSION``, so ids cannot be enumerated (issue 18 §7).
- ``run_page`` runs the page: a DataError is shown as its sentence, anything else as one sentence with what to
  do (logged server-side with a reference).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from decimal import Decimal

import streamlit as st

from geodata.datadir import DataError
from geodata.packs import DEFAULT_COUNCIL, available_packs
from pages import money_settings
from pages.access import current_user
from pages.access import editing_refusal as editing_refusal  # app.py and pages use state.editing_refusal
from pages.plan_identity import _ikey, identity, modified, set_identity
from pages.plan_identity import identity_label as identity_label  # pages use state.identity_label, state.output_name
from pages.plan_identity import output_name as output_name
from pages.resources import _store, _workspace, store
from zones.outputs.escape import md_text

log = logging.getLogger("zoneplan.app")
NO_PUBLISHED_VERSION = "no such published version; check the link with whoever sent it"
EDIT_PAGES = {"edit_zones", "finance", "scenarios", "suggest_zones", "suggest", "bands"}


# ------------------------------------------------------------------ council and published links
def _published() -> dict | None:
    """The published link this session opened ({council, sid, ver, title, notice} or {error}), resolved once
    per link (``?scenario=`` / ``?version=``)."""
    ss, qp = st.session_state, st.query_params
    if "scenario" in qp:
        raw = (qp.get("scenario"), qp.get("version"))
        pub = ss.get("_published")
        if not pub or pub.get("raw") != raw:
            ss["_published"] = pub = _open_published(*raw)
            for k in [k for k in ss if str(k).startswith("history-")]:  # a new link: its plan, not a kept one
                del ss[k]
        return pub
    return ss.get("_published")


def _open_published(raw_sid, raw_ver) -> dict:
    from geodata.limits import int_in
    from zones.service.auth import User

    try:
        sid = int_in(raw_sid, "scenario", 1, 2**31 - 1)
        ver = int_in(raw_ver or "0", "version", 0, 2**31 - 1) or None
        sv = store().as_user(User("link", "viewer")).load(sid, ver)
        if sv.council not in available_packs():
            raise DataError("the scenario's council is not served here")
    except DataError as exc:  # one answer whatever the reason (issue 18 §7): ids cannot be enumerated
        log.info("published link %r/%r: %s", raw_sid, raw_ver, exc)
        return {"raw": (raw_sid, raw_ver), "error": NO_PUBLISHED_VERSION}
    return {"raw": (raw_sid, raw_ver), "council": sv.council, "sid": sv.scenario_id, "ver": sv.number, "name": sv.name}


def current_council() -> str:
    """The council shown: a published link's own council, else ``?council=``, else the session's, else the
    default. Written back to session state and to the URL on every run."""
    ss, qp = st.session_state, st.query_params
    packs = available_packs()
    pub = _published()
    wanted = qp.get("council")
    if pub and pub.get("council") in packs and "scenario" in qp:
        wanted = pub["council"]  # the link's scenario decides (a missing or wrong council= is corrected)
    if wanted not in packs:
        wanted = ss.get("council") if ss.get("council") in packs else DEFAULT_COUNCIL
    set_council(wanted)
    return wanted


def set_council(council: str) -> None:
    """Show ``council``: session state and URL. Leaving a published link's council drops scenario/version from
    the URL (that scenario belongs to its own council); coming back puts them back."""
    ss, qp = st.session_state, st.query_params
    ss["council"] = council
    if qp.get("council") != council:
        qp["council"] = council
    pub = ss.get("_published")
    if pub and pub.get("council"):
        if pub["council"] == council:
            if qp.get("scenario") != str(pub["sid"]) or qp.get("version") != str(pub["ver"]):
                qp["scenario"], qp["version"] = str(pub["sid"]), str(pub["ver"])
        else:
            for k in ("scenario", "version"):
                if k in qp:
                    del qp[k]


def published_view() -> bool:
    """This session shows a published link's version: a fixed, read-only view of one version of one council
    (no council picker; leaving it is explicit: a "Leave this published view" link to the council's planner)."""
    pub = st.session_state.get("_published")
    return bool(
        pub
        and pub.get("council")
        and not pub.get("error")
        and st.session_state.get("_readonly")
        and "scenario" in st.query_params
    )


def published_error() -> str | None:
    pub = st.session_state.get("_published")
    return pub.get("error") if pub and "scenario" in st.query_params else None


# ------------------------------------------------------------------ impact settings (Finance and Report)
def impact_settings(show: bool = True) -> tuple[int | Decimal, int, float]:
    """Weeks per year (an int, or a Decimal such as 52.14), framework term (years) and annual uplift % of the
    council shown (``pages.money_settings``:
    per council, saved with a version; ``show`` puts the inputs in the sidebar, disabled on a published view)."""
    council = st.session_state.get("council", DEFAULT_COUNCIL)
    return money_settings.impact_settings(council, show, fixed=published_view())


# ------------------------------------------------------------------ drafts
def _drafts():
    return _draft_store(_store().url)


@st.cache_resource(show_spinner=False)
def _draft_store(url: str):
    """Drafts in the scenario store's database (one per store URL: tests switch stores)."""
    from zones.service.drafts import DraftStore

    return DraftStore(_store().engine)


def draft_token() -> str | None:
    """This browser session's draft token (``?draft=``), made on the first run of an editing session."""
    from zones.service.drafts import new_token, valid_token

    ss, qp = st.session_state, st.query_params
    if _owner() is None:  # nobody signed in: no draft, no token
        return None
    tok = ss.get("_draft_token")
    if tok is None:
        tok = qp.get("draft")
        tok = tok if valid_token(tok) else new_token()
        ss["_draft_token"] = tok
    if qp.get("draft") != tok:
        qp["draft"] = tok
    return tok


def _owner() -> str | None:
    """The draft owner: the signed-in user ("local" in single-user mode); None when nobody is signed in (no
    drafts then: issue 18 §4)."""
    from zones.service.drafts import valid_owner

    name = current_user().name
    return name if valid_owner(name) else None


def restore_draft(council: str, ws):
    """The plan of this session's draft for ``council`` (and its identity restored), or None."""
    from zones.service.drafts import plan_from_rows, stacks_from_payload

    tok, owner = st.session_state.get("_draft_token"), _owner()
    if not tok or owner is None:
        return None
    try:
        got = _drafts().load(tok, council, owner)
        if got is None:
            return None
        payload, when = got
        plan = plan_from_rows(ws.base, payload.get("rows") or [])
    except Exception:  # noqa: BLE001 - a draft that cannot be read is skipped, never shown as a traceback
        log.exception("draft of %s could not be restored", council)
        return None
    try:  # Undo/Redo after a reload (issue 19 §11); a draft whose stacks cannot be read keeps its plan
        st.session_state[f"_restored-stacks-{council}"] = stacks_from_payload(ws.base, payload)
    except Exception:  # noqa: BLE001 - never a traceback for a draft
        log.exception("undo steps of the draft of %s could not be restored", council)
    money_settings.from_draft(council, payload.get("money"))
    ident = payload.get("identity")
    if ident and ident.get("name"):
        st.session_state[_ikey(council)] = {
            k: ident.get(k) for k in ("scenario_id", "name", "version", "published", "clean")
        }
        st.session_state[f"sc-opened-{council}"] = (ident.get("scenario_id"), ident["name"], ident.get("version"))
    if payload.get("dirty"):
        st.session_state[f"restored-{council}"] = _local_hhmm(when)
    return plan


def _local_hhmm(when: dt.datetime) -> str:
    tz = None
    try:
        from zoneinfo import ZoneInfo

        name = st.context.timezone
        tz = ZoneInfo(name) if name else None
    except Exception:  # noqa: BLE001 - unknown zone: UTC
        tz = None
    return when.astimezone(tz or dt.UTC).strftime("%H:%M") + ("" if tz else " UTC")


def autosave(council: str) -> None:
    """Save this session's plan for ``council`` as its draft when it changed since the last save (the plan or
    its identity); a plan back at the base with nothing opened removes the draft. Never raises."""
    from zones.service.drafts import changed_rows, fingerprint, stacks_payload

    ss = st.session_state
    hist = ss.get(f"history-{council}")
    tok = ss.get("_draft_token")
    owner = _owner()
    if hist is None or not tok or ss.get("_readonly") or owner is None:
        return
    try:
        ident = identity(council)
        fp = fingerprint(hist.current)
        money = money_settings.to_draft(council)  # weeks, term, uplift and rate edits: a reload keeps them
        key = (fp, repr(ident), repr(money), len(hist.undo_stack), len(hist.redo_stack))
        if ss.get(f"_draft_saved-{council}") == key:
            return
        base = _workspace(council).base
        dirty = modified(council, hist.current)
        if not ident and not dirty and money_settings.is_default(council, hist.current):
            _drafts().discard(tok, council, owner)
        else:
            _drafts().save(
                tok,
                council,
                owner,
                {
                    "v": 1,
                    "rows": changed_rows(base, hist.current),
                    "identity": ident,
                    "dirty": dirty,
                    "money": money,
                    **stacks_payload(base, hist.undo_stack, hist.redo_stack),
                },
            )
        ss[f"_draft_saved-{council}"] = key
    except Exception:  # noqa: BLE001 - autosave must never break the page (the beforeunload warning still guards)
        log.exception("draft of %s could not be saved", council)
        st.sidebar.warning(
            "Your edits could not be kept as a draft, so a reload would lose them: the scenario store "
            "cannot be written (the server log says why; see ZONEPLAN_STORE in the README). Save "
            "them as a scenario or export them."
        )  # issue 19 §7: never silent


def discard_draft(council: str) -> None:
    """Throw the restored edits away: back to the version opened (or the base plan), draft deleted."""
    from zones.plan import Plan
    from zones.service.workspace import History

    ss = st.session_state
    ws = _workspace(council)
    ident = identity(council)
    plan = ws.base
    if ident and ident.get("scenario_id"):
        try:
            sv = store().load(int(ident["scenario_id"]), int(ident["version"]))
            plan = Plan.from_assignments(ws.base, sv.assignments)
        except DataError:
            ident = None
    if not ident:
        set_identity(council, None, None, None, ws.base)
    ss[f"history-{council}"] = History(plan)
    ss.pop(f"restored-{council}", None)
    tok, owner = ss.get("_draft_token"), _owner()
    if tok and owner:
        try:
            _drafts().discard(tok, council, owner)
        except Exception:  # noqa: BLE001
            log.exception("draft of %s could not be deleted", council)
    ss.pop(f"_draft_saved-{council}", None)


def draft_notice(council: str) -> None:
    """ "Restored your unsaved edits from HH:MM" with "Discard draft" (and "Keep") after a reload."""
    ss = st.session_state
    hhmm = ss.get(f"restored-{council}")
    if not hhmm:
        return
    with st.container(border=True):
        st.info(f"Restored your unsaved edits from {hhmm}.", icon=":material/history:")
        c1, c2, _ = st.columns([1, 1, 4])
        c1.button("Discard draft", key="discard-draft", on_click=discard_draft, args=(council,))
        c2.button("Keep them", key="keep-draft", on_click=lambda: ss.pop(f"restored-{council}", None))


def unsaved_guard(council: str) -> None:
    """Ask the browser to warn before leaving (reload, close, another address) while the plan has unsaved
    changes: a tiny script sets a flag on the app's window and (re)installs one beforeunload handler there."""
    hist = st.session_state.get(f"history-{council}")
    dirty = bool(hist is not None and not st.session_state.get("_readonly") and modified(council, hist.current))
    # a script run in the app's own page (st.html; it ran in a zero-height frame of its own through
    # st.components.v1.html, which Streamlit deprecated): its fixed text holds no user input
    st.html(
        "<script>(function(){try{var w=window;w.__zoneplanUnsaved=%s;"
        "if(w.__zoneplanUnload){w.removeEventListener('beforeunload',w.__zoneplanUnload);}"
        "w.__zoneplanUnload=new w.Function('e','if(window.__zoneplanUnsaved){e.preventDefault();"
        'e.returnValue="";return "";}\');'
        "w.addEventListener('beforeunload',w.__zoneplanUnload);}catch(err){}})();</script>"
        % ("true" if dirty else "false")
        + ONE_HISTORY_ENTRY_PER_PAGE,
        unsafe_allow_javascript=True,
    )


#: Back/Forward (issue 19 §9): Streamlit pushes a history entry for every change of the query string, and the app
#: writes ``?council=`` / ``?draft=`` back after each page link (Streamlit clears them), so one page cost three
#: entries and Back re-wrote them (losing Forward). Installed once on the app's window: a push that changes only the
#: query string (same path) replaces the current entry instead; a page link (another path) still pushes.
ONE_HISTORY_ENTRY_PER_PAGE = (
    "<script>(function(){try{var w=window,h=w.history;if(h.__zoneplanOnePerPage){return;}"
    "var push=h.pushState.bind(h),replace=h.replaceState.bind(h);"
    "h.pushState=function(s,t,u){try{var n=new w.URL(u,w.location.href);"
    "if(n.pathname===w.location.pathname){return replace(s,t,u);}}catch(e){}return push(s,t,u);};"
    "h.__zoneplanOnePerPage=true;}catch(err){}})();</script>"
)


def initial_plan(council: str, ws):
    """The plan a session starts with for ``council``: a published link's version (read-only), else this
    session's draft (after a reload), else the base plan."""
    from zones.service.auth import User
    from zones.service.workspace import published_plan

    ss = st.session_state
    pub = ss.get("_published")
    if ss.get("_readonly") and pub and pub.get("council") == council:
        try:
            sv = store().as_user(User("link", "viewer")).load(pub["sid"], pub["ver"])
            plan, notice = published_plan(ws, sv)
        except DataError as exc:
            log.info("published link %s/%s: %s", pub["sid"], pub["ver"], exc)
            ss["_published"] = {**pub, "error": NO_PUBLISHED_VERSION}
            return ws.base
        set_identity(council, sv.scenario_id, sv.name, sv.number, plan, published=True)
        money_settings.restore_version(council, sv)  # the version's own weeks, term, uplift and card
        ss[f"scenario-notice-{council}"] = notice
        return plan
    if not ss.get("_readonly"):
        plan = restore_draft(council, ws)
        if plan is not None:
            return plan
    set_identity(council, None, None, None, ws.base)
    return ws.base


# ------------------------------------------------------------------ shared deployment
def base_url() -> str:
    """scheme://host[:port] the browser reached the app on (for links shown to copy)."""
    from zones.service.deployment import base_url as make

    try:
        ctx_url = st.context.url
    except Exception:  # noqa: BLE001
        ctx_url = None
    try:
        headers = dict(st.context.headers)
    except Exception:  # noqa: BLE001
        headers = {}
    try:
        path = st.get_option("server.baseUrlPath") or ""
    except Exception:  # noqa: BLE001
        path = ""
    return make(ctx_url, headers, os.environ, path)


def full_link(query: str) -> str:
    """A full URL (host included) for a query string such as a published link's."""
    return base_url() + "/" + query


# ------------------------------------------------------------------ running a page
def note_page(nav, council: str) -> None:
    """Remember which page (and council) this run shows and which the previous run showed."""
    ss = st.session_state
    ss["_prev_page"] = ss.get("_this_page")
    ss["_this_page"] = (getattr(nav, "url_path", ""), council)
    ss["_app_ran"] = True  # app.py called st.navigation: the legacy pages/ mode is off (common.use_app_navigation)


def first_run_of_page() -> bool:
    """This run draws the page anew (arriving from another page or council, or a new session): components such as
    the map are mounted afresh."""
    ss = st.session_state
    return ss.get("_prev_page") != ss.get("_this_page")


def app_ran() -> bool:
    """``app.py`` has run in this session (``note_page``): Streamlit's legacy ``pages/`` mode is off for good."""
    return bool(st.session_state.get("_app_ran"))


def run_page(nav, body=None) -> None:
    """Run the selected page. DataError: its sentence. Anything else: one sentence with what to do, the details
    logged server-side under a reference (``ZONEPLAN_RAISE=1``, set by the test suite, re-raises instead)."""
    try:
        (body or nav.run)()
    except DataError as exc:
        log.info("page %s: %s", getattr(nav, "url_path", "?"), exc)
        st.error(f"This could not be done: {md_text(str(exc))}")
    except Exception as exc:  # noqa: BLE001 - no traceback ever reaches a page (ScriptControlException is not an Exception)
        if os.environ.get("ZONEPLAN_RAISE") == "1":
            raise
        ref = secrets.token_hex(3)
        log.exception("page %s failed (reference %s)", getattr(nav, "url_path", "?"), ref)
        st.error(
            f"This page hit an unexpected problem and could not be shown ({type(exc).__name__}, reference {ref}). "
            "Reload the page or choose another council or page; if it happens again, tell your administrator "
            "the reference."
        )
