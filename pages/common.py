"""Shared view helpers for the Streamlit pages: council selector, cached workspace, plan state, folium map.

No domain arithmetic here: everything computed comes from geodata/, travel/ or zones/.
"""

from __future__ import annotations

import json
import shutil
from collections import deque
from pathlib import Path
from urllib.parse import quote

import folium
import numpy as np
import streamlit as st

from geodata.datadir import ATTRIBUTION, REPO_ROOT, DataError
from geodata.packs import available_packs, load_pack, pack_file, vintage_text
from geodata.web import to_web
from pages import state
from pages.access import current_user, editing_refused, oidc_configured
from pages.resources import _BUILT, _store, _workspace
from pages.resources import store as store  # pages and tests use common.store
from zones.outputs.escape import html_text, md_text, strip_control
from zones.outputs.report import band_colours
from zones.service.workspace import History, Workspace, load_workspace

STATIC_VENDOR = REPO_ROOT / "static" / "vendor"
RUN_MS: deque[float] = deque(maxlen=100)  # wall time of the last script runs in this process (read by bench/app.py)
VENDOR_URL = "/app/static/vendor"


def readonly() -> bool:
    """Read-only mode (scrutiny link): ``?readonly=1`` or a published scenario link. A session opened read-only
    stays read-only (page links drop the query string), and the URL keeps ``readonly=1`` so it can be shared."""
    qp = st.query_params
    if qp.get("readonly") in ("1", "true") or "scenario" in qp or editing_refused():
        st.session_state["_readonly"] = True
    if st.session_state.get("_readonly"):
        if "readonly" not in qp:
            qp["readonly"] = "1"
        return True
    return False


def sign_in_required() -> bool:
    """Sign-in first (issue 18): the server has sign-in (a users file or OIDC) and nobody is signed in in this
    session. Then only the sign-in page is served, plus a published link's Zone map and Report (read-only):
    no page reads an upload, writes a draft or runs a search or suggestion before the role is known."""
    from zones.service.auth import logins_required

    if not logins_required() and not oidc_configured():
        return False
    return current_user().name == "anonymous"


def published_view_open() -> bool:
    """This session shows a published link that opened (its council is the one shown)."""
    pub = st.session_state.get("_published")
    return bool(
        pub
        and pub.get("council")
        and not pub.get("error")
        and "scenario" in st.query_params
        and pub["council"] == st.session_state.get("council")
    )


def page_list(council: str | None = None) -> list:
    """The pages this visitor may open, in navigation order; the suggestion page is named with ``council``'s own
    word for its zones ("Suggest lots" for Merton, "Suggest clusters" for Coventry)."""
    if sign_in_required():  # nobody signed in: the sign-in page, and a published link's read-only view
        published = published_view_open()
        sign_in = st.Page(
            sign_in_page, title="Sign in", icon=":material/login:", url_path="sign-in", default=not published
        )
        if not published:
            return [sign_in]
        return [
            st.Page("pages/zone_map.py", title="Zone map", icon=":material/map:", default=True),
            st.Page("pages/report.py", title="Report", icon=":material/description:"),
            sign_in,
        ]
    pages = [st.Page("pages/zone_map.py", title="Zone map", icon=":material/map:", default=True)]
    if not readonly() or editing_refused():  # refused: listed, and each says why it does not edit (app.py)
        pages += [
            st.Page("pages/edit_zones.py", title="Edit zones", icon=":material/edit:"),
            st.Page("pages/finance.py", title="Finance", icon=":material/payments:"),
            st.Page("pages/scenarios.py", title="Scenarios", icon=":material/folder:"),
            st.Page(
                "pages/suggest.py", title=suggest_title(council), icon=":material/auto_awesome:", url_path="suggest"
            ),
        ]
    pages.append(st.Page("pages/report.py", title="Report", icon=":material/description:"))
    return pages


def suggest_title(council: str | None) -> str:
    """ "Suggest <zones>" in the council's words (the pack's ``zones_label``); "Suggest zones" when unknown."""
    try:
        return f"Suggest {load_pack(council).zones_label}" if council else "Suggest zones"
    except DataError:
        return "Suggest zones"


def council_selector() -> str:
    """Sidebar council selector. The council is kept in session state and written back to ``?council=`` on every
    run (page links drop the query string); a published link opens its own council (pages/state.py)."""
    packs = available_packs()
    readonly()  # a published link is read-only before its council is resolved
    wanted = state.current_council()
    if sign_in_required():  # nobody signed in: the published link's council (or none), no choosing
        login_box()
        st.sidebar.caption(ATTRIBUTION)
        return wanted
    if state.published_view():  # a fixed view of one version: no picker; leaving is explicit
        pub = st.session_state["_published"]
        st.sidebar.markdown(f"**Council:** {md_text(load_pack(wanted).name)}")
        st.sidebar.info(f"Read-only published view of {md_text(pub.get('name') or 'a scenario')} version {pub['ver']}")
        # a link to the council's own planner (a new page load: the published plan is never carried over)
        st.sidebar.link_button(
            "Leave this published view", state.full_link(f"?council={quote(wanted, safe='')}"), key="leave-published"
        )
        council = wanted
    else:
        council = st.sidebar.selectbox(
            "Council", packs, index=packs.index(wanted), format_func=council_name, key=f"council-select-{wanted}"
        )
    if council != wanted:
        state.set_council(council)
        st.rerun()
    if not readonly():
        state.draft_token()
    if readonly() and not state.published_view():
        st.sidebar.info("Read-only view")
    refusal = state.editing_refusal()
    if refusal:
        st.sidebar.warning(refusal)
    login_box()
    st.sidebar.caption(md_text(vintage_text(load_pack(council))))
    st.sidebar.caption(ATTRIBUTION)
    return council


#: every page file (app.py lists those the session may use); declared by ``use_app_navigation``
PAGE_FILES = ("zone_map", "edit_zones", "finance", "scenarios", "suggest", "report", "bands")


@st.cache_data(show_spinner=False, max_entries=256)
def _pack_name(council: str, stamp: int) -> str:
    return load_pack(council).name


def council_name(council: str) -> str:
    """A council's name for the pickers (they format every option on every run): its pack file is parsed once per
    version of the file (modification time), not twice per option per run."""
    path = pack_file(council)
    return _pack_name(council, path.stat().st_mtime_ns if path else 0)


def use_app_navigation() -> None:
    """Make sure ``app.py`` (council selector, st.navigation, read-only rules) runs around this page.

    The folder is called ``pages/``, so until some session has called ``st.navigation`` Streamlit serves a page
    URL in its legacy ``pages/`` mode: the page alone, without ``app.py`` (a fresh server's first page load).
    Streamlit documents that once any session calls ``st.navigation`` the ``pages/`` directory is ignored across
    all sessions; so a page running in a session where ``app.py`` never ran declares the app's pages (hidden, the
    same URLs) and reruns, and the rerun runs ``app.py`` around the page the URL names. A session's first run
    has no widget action to lose. (AppTest re-enters the legacy mode before every run: tests/apptest_kit.py.)"""
    if state.app_ran():
        return
    st.navigation([st.Page(f"pages/{name}.py", default=name == "zone_map") for name in PAGE_FILES], position="hidden")
    st.rerun()


def workspace(council: str) -> Workspace:
    """The council's workspace (units, travel metrics, classification, base plan), cached; the first build
    shows a progress bar. Called first by every page (so it also makes sure ``app.py`` runs around the page)."""
    use_app_navigation()
    slot = st.empty()  # always there, so elements below keep their place (the unit map is not remounted)
    if council in _BUILT:  # built once per server process, not once per session (issue 19 §17: ~1 s a session)
        return _workspace(council)
    bar = slot.progress(0.0, text=f"Preparing {council}…")
    ws = _workspace(
        council, load_workspace(council, progress=lambda step, f: bar.progress(min(max(f, 0.0), 1.0), text=step))
    )
    slot.empty()
    _BUILT.add(council)
    return ws


def login_box() -> None:
    """Sidebar: who is signed in, with "Sign out" (which forgets everything this session held). Signing in
    happens on the sign-in page (``sign_in_page``), the only page served before it."""
    from zones.service.auth import logins_required

    if not logins_required() and not oidc_configured():
        return
    user = current_user()
    if user.name == "anonymous":
        st.sidebar.caption("Not signed in")
        return
    st.sidebar.caption(f"Signed in as {md_text(user.name)} ({user.role})")
    if st.sidebar.button("Sign out", key="signout"):
        sign_out()


def sign_out() -> None:
    """Forget the user and everything the session held (plans, drafts' token), so the next person at this
    browser starts afresh."""
    oidc_in = oidc_configured() and getattr(st.user, "is_logged_in", False)
    st.session_state.clear()
    if "draft" in st.query_params:
        del st.query_params["draft"]
    if oidc_in:
        st.logout()
    st.rerun()


def sign_in_page() -> None:
    """The sign-in page: the council's identity provider (st.login, when configured) and/or the local users
    file. Failed local sign-ins are written to the store's audit log and back off after repeated failures (the
    counter lives in the store, so it holds across server processes and the CLI)."""
    from zones.service.auth import logins_required

    st.title("Sign in")
    st.write("Sign in to use the Zone & Rate Planner. A published scenario's link opens read-only without signing in.")
    if oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            st.warning("Your account has no role in this planner; ask an administrator.")
            if st.button("Sign out", key="signout-norole"):
                st.logout()
        elif st.button("Sign in with your council account", key="oidc-login"):
            st.login()
    if logins_required():
        _password_form()


def _password_form() -> None:
    from zones.service.auth import AuthConfigError, LoginRefused, authenticate

    with st.form("login"):
        name = st.text_input("User", key="login-user")
        pw = st.text_input("Password", type="password", key="login-pw")
        if not st.form_submit_button("Sign in"):
            return
    s = _store()
    try:
        u = authenticate(name, pw, guard=s.login_guard(), on_failure=s.record_login_failure)
    except LoginRefused as exc:
        st.error(str(exc))
        return
    except AuthConfigError:  # server-side problem (logged by auth); the person signing in sees no detail
        st.error("Sign-in is unavailable: the users file has a problem. The administrator has been told.")
        return
    except DataError:  # the store (audit log, back-off counter) cannot be reached: refuse, never let in
        st.error("Sign-in is unavailable just now (the scenario store is busy); try again in a minute.")
        return
    if u is None:
        st.error("Unknown user or wrong password")
    else:
        st.session_state["user"] = u
        st.rerun()


def history(council: str) -> History:
    """The plan being edited for this council and its undo/redo stacks (session state). A published-scenario
    link opens that version (read-only); after a reload, the session's autosaved draft is restored
    (pages/state.py); otherwise the base plan."""
    key = f"history-{council}"
    if key not in st.session_state:
        st.session_state[key] = History(state.initial_plan(council, _workspace(council)))
        undo, redo = st.session_state.pop(f"_restored-stacks-{council}", ([], []))  # a restored draft's Undo/Redo
        st.session_state[key].undo_stack[:], st.session_state[key].redo_stack[:] = undo, redo
    if st.session_state.get(f"scenario-notice-{council}"):
        st.warning(st.session_state[f"scenario-notice-{council}"])
    return st.session_state[key]


@st.cache_resource(show_spinner=False)
def _web_features(council: str) -> list[tuple[str, str]]:
    """Per unit, the JSON text of its fixed properties and of its simplified EPSG:4326 geometry (computed once
    per council), so a new assignment only splices in zone and band."""
    ws = _workspace(council)
    web = to_web(ws.units, columns=["unit_code", "unit_name", "parishes", "hours_per_week"])
    fc = json.loads(web.to_json(drop_id=True))
    for f in fc["features"]:  # shown in Leaflet tooltips as HTML: escaped (folium does not)
        p = f["properties"]
        p["unit_name"], p["parishes"] = html_text(p.get("unit_name") or ""), html_text(p.get("parishes") or "")
    return [(json.dumps(f["properties"])[1:-1], json.dumps(f["geometry"])) for f in fc["features"]]


@st.cache_data(show_spinner=False, max_entries=64)
def units_geojson(council: str, zone_band: tuple[tuple[str, str], ...]) -> str:
    """GeoJSON text of the simplified units with each unit's zone and band (cached per assignment)."""
    feats = [
        f'{{"type":"Feature","properties":{{{props},"zone":{json.dumps(html_text(z))},"band":{json.dumps(html_text(b))}}},"geometry":{geom}}}'
        for (props, geom), (z, b) in zip(_web_features(council), zone_band)
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}"


@st.cache_data(show_spinner=False)
def zones_geojson(council: str, zone_of_unit: tuple[str, ...]) -> dict:
    """Zone outlines (dissolved units) for the current assignment (zone per unit, in unit order), EPSG:4326;
    cached per assignment."""
    ws = _workspace(council)
    z = ws.units[["geometry"]].assign(zone=list(zone_of_unit)).dissolve(by="zone").reset_index()
    return json.loads(to_web(z[["zone", "geometry"]], columns=["zone"], tolerance_m=40).to_json(drop_id=True))


@st.cache_data(show_spinner=False)
def zone_labels(council: str, zone_of_unit: tuple[str, ...]) -> list[tuple[str, float, float]]:
    """(zone, lat, lon) label points: each zone's representative point, EPSG:4326."""
    ws = _workspace(council)
    z = ws.units[["geometry"]].assign(zone=list(zone_of_unit)).dissolve(by="zone")
    pts = z.geometry.representative_point().to_crs("EPSG:4326")
    return [(name, p.y, p.x) for name, p in pts.items() if name != "Unzoned"]


@st.cache_resource(show_spinner=False)
def web_assets() -> bool:
    """Copy Leaflet and jQuery from their PyPI packages (xstatic) into ``static/vendor`` (git-ignored) so maps
    work without a CDN; Streamlit serves that folder at ``/app/static``."""
    import xstatic.pkg.jquery as jq
    import xstatic.pkg.leaflet as lf

    STATIC_VENDOR.mkdir(parents=True, exist_ok=True)
    for src in [
        Path(lf.BASE_DIR) / "leaflet.js",
        Path(lf.BASE_DIR) / "leaflet.css",
        Path(jq.BASE_DIR) / "jquery.min.js",
    ]:
        shutil.copyfile(src, STATIC_VENDOR / src.name)
    shutil.copytree(Path(lf.BASE_DIR) / "images", STATIC_VENDOR / "images", dirs_exist_ok=True)
    return True


#: zone colours for maps coloured by zone (Paul Tol's "muted" qualitative scheme, colour-blind safe); zones take
#: them in name order, so the same zone has the same colour on two maps of one council
ZONE_PALETTE = (
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#6699CC",
    "#EE8866",
    "#BBBBBB",
)


def zone_colours(zone_names) -> dict[str, str]:
    """A colour per zone name (sorted; "Unzoned" grey), cycling through :data:`ZONE_PALETTE`."""
    named = sorted(z for z in set(zone_names) if z != "Unzoned")
    out = {z: ZONE_PALETTE[i % (len(ZONE_PALETTE) - 1)] for i, z in enumerate(named)}
    out["Unzoned"] = ZONE_PALETTE[-1]
    return out


def band_map(
    council: str, ws: Workspace, plan, selected: set[str] | None = None, colour_by: str = "band"
) -> folium.Map:
    """Folium map: units coloured by band (or by zone, ``colour_by="zone"``, for comparing zone plans), zone
    outlines and labels, a legend with band rates (or zone names), attribution."""
    web_assets()
    b = ws.units.to_crs("EPSG:4326").total_bounds
    span = max(b[2] - b[0], (b[3] - b[1]) * 1.6)
    zoom = int(max(8, min(13, np.floor(np.log2(360 / span)) + 2)))
    m = folium.Map(
        location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2],
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
    )
    m.default_js = [("leaflet", f"{VENDOR_URL}/leaflet.js"), ("jquery", f"{VENDOR_URL}/jquery.min.js")]
    m.default_css = [("leaflet_css", f"{VENDOR_URL}/leaflet.css")]
    # one attribution control carries OSM and ONS/OS (the tiles are OSM; the boundaries ONS/OS/OSM)
    folium.TileLayer("OpenStreetMap", attr=ATTRIBUTION).add_to(m)
    a = plan.assignments().set_index("unit_code").loc[list(ws.units["unit_code"])]
    gj = units_geojson(council, tuple(zip(a["zone"], a["band"])))
    sel = selected or set()
    zcol = zone_colours(a["zone"]) if colour_by == "zone" else {}
    bcol = band_colours(plan.band_names)  # every band of the pack its own colour

    def fill(props: dict) -> str:
        return zcol.get(props["zone"], "#999") if zcol else bcol.get(props["band"], "#999")

    folium.GeoJson(
        gj,
        name="units",
        style_function=lambda f: {
            "fillColor": fill(f["properties"]),
            "color": "#000" if f["properties"]["unit_code"] in sel else "#555",
            "weight": 3 if f["properties"]["unit_code"] in sel else 0.5,
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["unit_name", "zone", "band", "hours_per_week"],
            aliases=["Unit", ws.layer.pack.zone_label.capitalize(), "Band", "Hours/week"],
        ),
    ).add_to(m)
    zg = zones_geojson(council, tuple(a["zone"]))
    folium.GeoJson(
        zg, name="zones", style_function=lambda f: {"fill": False, "color": "#111", "weight": 2}, interactive=False
    ).add_to(m)
    for name, lat, lon in zone_labels(council, tuple(a["zone"])):
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=(
                    '<div style="font-size:11px;font-weight:600;white-space:nowrap;'
                    f'text-shadow:0 0 3px #fff,0 0 3px #fff">{html_text(name)}</div>'
                )
            ),
            interactive=False,
        ).add_to(m)
    swatch = '<div><span style="background:{};width:12px;height:12px;display:inline-block"></span> {}</div>'
    if zcol:
        rates = "".join(swatch.format(c, html_text(z)) for z, c in zcol.items() if z in set(a["zone"]))
    else:
        rates = "".join(
            swatch.format(bcol[band], f"{html_text(band)} £{plan.rates.effective_rate(band)}/h")
            for band in plan.band_names
        )
    if zcol:  # the zones are named on the map itself: their key starts closed (open, it hid a third of the map)
        n = len(set(a["zone"]))
        rates = (
            f'<details><summary style="cursor:pointer">Key: {n} {html_text(ws.layer.pack.zones_label)}</summary>'
            f'<div style="max-height:40vh;overflow:auto">{rates}</div></details>'
        )
    m.get_root().html.add_child(
        folium.Element(
            f'<div style="position:fixed;top:10px;right:10px;z-index:9999;background:white;padding:6px;font-size:12px;'
            f'border:1px solid #999">{rates}</div>'
            "<style>.leaflet-control-attribution{font-size:10px !important;line-height:1.3}</style>"
        )
    )
    return m


NARROW_PX = 767  # Streamlit collapses the sidebar below 768 px: phones and narrow windows

#: phone-width styles of the Zone map: a smaller title, the figures as a compact 2 × 2 grid, the on-page council
#: picker shown only where the sidebar is collapsed
PHONE_CSS = f"""<style>
@media (min-width: {NARROW_PX + 1}px) {{ .st-key-narrow-council {{ display: none; }} }}
@media (max-width: {NARROW_PX}px) {{
  [data-testid="stMainBlockContainer"] {{ padding-top: 3.5rem !important; }}
  h1 {{ font-size: 1.45rem !important; padding: 0.25rem 0 !important; }}
  .st-key-zm-figures [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap !important; gap: 0.25rem 1rem !important; }}
  .st-key-zm-figures [data-testid="stColumn"] {{
    flex: 1 1 40% !important; min-width: 40% !important; width: auto !important; }}
  .st-key-zm-figures [data-testid="stMetricValue"] {{ font-size: 1.2rem !important; }}
  .st-key-zm-figures [data-testid="stMetric"] {{ padding: 0 !important; }}
}}
</style>"""


def narrow_council_picker(council: str) -> None:
    """A council picker on the page itself, shown only on narrow screens (phones), where Streamlit collapses
    the sidebar and its council selector out of sight. Choosing a council sets ``?council=`` like the sidebar."""
    if state.published_view():  # a published link shows one version of one council (leave it in the sidebar)
        return
    packs = available_packs()
    box = st.container(key="narrow-council")
    box.html(PHONE_CSS)
    choice = box.selectbox(
        "Council shown",
        packs,
        index=packs.index(council) if council in packs else 0,
        format_func=council_name,
        key=f"narrow-council-{council}",
    )
    if choice != council:
        st.query_params["council"] = choice
        st.session_state["council"] = choice
        st.rerun()


#: metric rows whose figures must show in full (no "£982,916…", "South Leice…"): a smaller value font that wraps
COMPACT_METRICS_CSS = (
    "<style>"
    + "".join(
        f".st-key-{k} [data-testid='stMetricValue']{{font-size:1.45rem}}"
        f".st-key-{k} [data-testid='stMetricValue'] div{{overflow:visible;text-overflow:clip;white-space:normal}}"
        for k in ("totals-row", "ev-figures")
    )
    + "</style>"
)


def totals_metrics(box, items: list[tuple[str, str, object]]) -> None:
    """A compact row of totals in ``box`` (a container placed under the page title, so the totals are on the
    first screen of a laptop). Each item is (label, value text, extra): extra is a Decimal change against the
    base (shown signed, +£ / −£, red when it costs more) or a help text."""
    from decimal import Decimal

    from zones.rates import fmt_gbp_change

    # compact: every figure in full on a 1366 px screen with the sidebar open (no "£982,916…")
    box.html(COMPACT_METRICS_CSS)
    cols = box.columns(len(items))
    for col, (label, value, extra) in zip(cols, items):
        if isinstance(extra, Decimal):
            arrow, colour = ("up", "red") if extra > 0 else ("down", "green") if extra < 0 else ("off", "gray")
            col.metric(label, value, delta=f"{fmt_gbp_change(extra)} vs base", delta_arrow=arrow, delta_color=colour)
        else:
            col.metric(label, value, help=extra)


def evidence(card: dict, zone_label: str = "zone") -> None:
    """Show a unit's evidence card: the headline figures, then one plain-English sentence a line (why the unit
    has its band, its three figures, what would change it, which figures are estimated and how far out)."""
    st.subheader(md_text(card["unit_name"]))
    box = st.container(key="ev-figures")
    box.html(COMPACT_METRICS_CSS)
    cols = box.columns(4)
    cols[0].metric("Band", card["band"], help=f"The classifier suggests {card['computed_band']}.")
    cols[1].metric(zone_label.capitalize(), strip_control(card["zone"]))
    cols[2].metric(
        "Care hours a week" + (" (estimated)" if card["hours_estimated"] else ""), f"{card['hours_per_week']:,.2f}"
    )
    cols[3].metric("Rate per hour", f"£{card['rate_gbp_per_hour']}")
    if card["band"] != card["computed_band"]:
        st.warning(
            f"Band set by hand to {md_text(card['band'])} (the classifier suggests "
            f"{md_text(card['computed_band'])}). Reason: {md_text(card['reason']) or 'none given'}"
        )
    for line in card["lines"]:
        st.markdown(md_text(line))
    if card["parishes"]:
        st.caption(f"Civil parishes: {md_text(card['parishes'].replace(';', ', '))}. {md_text(card['note'])}")
    if card.get("vintage"):
        st.caption(md_text(card["vintage"]))
