"""Issue 14 §1 in Debian chromium: state that never silently changes. One test per bug, each failing on the app
before the fix: the council survives page links, reloads and shared URLs; a published link of any council opens
that council (full URL shown, no traceback, switching council inside it works); the Move form resets; a click on
the Zone map keeps the view; a reload restores unsaved edits (and the browser warns before leaving); a reopened
scenario keeps its identity, reasons and history; every output uses the settings on screen and is named after
the scenario and version; no Deploy button or developer menu.

Waits are on conditions, never on a time: the run an action causes has finished (tests/browser/waits.py), then the
expected text or value is polled for.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import new_page, scenario_cli
from tests.browser.waits import (
    LOAD_S,
    RUN_S,
    act_until,
    choose,
    goto,
    nav,
    reload,
    rerun,
    settle,
    wait_for,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ASFORDBY = "E04005516"


# ------------------------------------------------------------------ helpers
def poll(pg, check, timeout_s: float = RUN_S):
    """``check()``'s value once truthy (polled, Playwright's events pumped between tries); after ``timeout_s``
    its last value, so that ``assert poll(...), message`` fails with the message."""
    try:
        return wait_for(check, "a condition", timeout_s, pg)
    except AssertionError:
        return check()


def selectbox_value(pg, label: str) -> str:
    """The option a selectbox shows (its combobox input's value)."""
    return pg.get_by_role("combobox", name=label, exact=True).first.input_value()


def council_shown(pg) -> str:
    return selectbox_value(pg, "Council")


def metric_value(pg, label: str) -> str:
    return pg.locator('[data-testid="stMetric"]', has_text=label).first.inner_text()


def units_changed(pg) -> str:
    return metric_value(pg, "Units changed").split()[-1]


def no_traceback(pg) -> bool:
    return (
        pg.locator('[data-testid="stException"]').count() == 0
        and pg.get_by_text("Traceback").count() == 0
        and pg.get_by_text("DataError").count() == 0
    )


def open_page(pg, url: str, ready: str | None = None) -> None:
    """Open ``url`` in a known state: its first run finished, the sidebar and ``ready`` text shown."""
    goto(pg, url, ready)
    pg.locator('[data-testid="stSidebar"]').wait_for()


def enter(pg) -> None:
    """Press Enter in the focused text input (commits it: Streamlit reruns)."""
    rerun(pg, lambda: pg.keyboard.press("Enter"))


def search_and_select(pg, text: str) -> None:
    """Find ``text`` in the unit map's search box and press Enter: exactly that one unit becomes the selection
    (cleared first), and Python's summary beside the map shows it."""
    from tests.browser.mapkit import (
        browser_selected,
        map_frame,
        python_selection,
        search,
        wait_for,
    )

    fr = map_frame(pg)
    fr.locator("body[data-view]").wait_for(state="attached", timeout=120_000)  # the map has drawn its first view
    settle(pg)
    if browser_selected(pg):
        act_until(
            pg,
            fr.get_by_role("button", name="Clear", exact=True).click,
            lambda: browser_selected(pg) == 0 and not python_selection(pg),
            "the selection to clear",
        )
    search(pg, text)
    wait_for(lambda: int(fr.locator("body").get_attribute("data-highlighted") or 0) >= 1, f"{text} highlighted", pg=pg)
    settle(pg)
    fr.locator("#um-search").press("Enter")
    wait_for(lambda: browser_selected(pg) == 1, f"Enter to select {text}", pg=pg)
    wait_for(lambda: python_selection(pg) == 1, f"Python's summary to show {text} selected", pg=pg)
    settle(pg)


def move(pg, expect_changed: str) -> None:
    """Press Move and wait until 'Units changed' shows ``expect_changed`` and the run has finished."""
    act_until(
        pg,
        pg.get_by_role("button", name="Move", exact=True).click,
        lambda: units_changed(pg) == expect_changed,
        f"'Units changed' to become {expect_changed}",
    )


def download(pg, button: str):
    with pg.expect_download() as dl:
        pg.get_by_role("button", name=button).click()
    return dl.value


def pdf_text(data: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (installed by .ci/system-deps)."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8", "replace").split())


# ------------------------------------------------------------------ 1. council survives links, reloads, URLs
def test_chosen_council_survives_page_links_reload_and_shared_url(server, page):
    open_page(page, server + "/?council=coventry", "Coventry: price bands")
    assert poll(page, lambda: "Coventry" in council_shown(page))
    for link in ("Finance", "Edit zones", "Report", "Scenarios", "Zone map"):
        nav(page, link)
        assert poll(page, lambda: "Coventry" in council_shown(page)), f"{link} shows {council_shown(page)}"
        assert poll(page, lambda: "council=coventry" in page.url), f"{link}: {page.url}"
        assert no_traceback(page)
    page.shot("coventry-after-links")
    nav(page, "Finance")
    reload(page)
    assert poll(page, lambda: "Coventry" in council_shown(page)) and "/finance" in page.url
    # choosing another council in the sidebar: kept across links too
    choose(page, "Council", "Leicestershire", LOAD_S)
    assert poll(page, lambda: "Leicestershire" in council_shown(page) and "council=leicestershire" in page.url)
    nav(page, "Report")
    assert poll(page, lambda: "Leicestershire" in council_shown(page) and "council=leicestershire" in page.url)
    # a shared URL opens the council it names, on the page it names
    fresh = new_page(page.context.browser)  # a fresh browser context: no session of the first page's
    open_page(fresh, server + "/finance?council=coventry")
    assert poll(fresh, lambda: "Coventry" in council_shown(fresh))
    fresh.context.close()


# ------------------------------------------------------------------ 2. published links of any council
def test_published_link_of_another_council_is_a_full_url_and_opens_that_council(server, server_store, page):
    sv = json.loads(scenario_cli(server_store, "save", "coventry", "Coventry published", "--json"))
    scenario_cli(server_store, "publish", str(sv["scenario_id"]), "--version", str(sv["version"]))
    open_page(page, server + "/scenarios?council=coventry", "Audit log")
    choose(page, "Scenario", "Coventry published")
    code = poll(page, lambda: [t for t in page.locator('[data-testid="stCode"]').all_inner_texts() if "scenario=" in t])
    page.shot("scenarios-link")
    assert code, "the Scenarios page shows the published link"
    link = code[0].strip()
    assert link.startswith(server + "/?"), link  # a full URL with the host the browser used
    assert "council=coventry" in link and f"scenario={sv['scenario_id']}" in link and "readonly=1" in link
    assert f"version={sv['version']}" in link

    ro = new_page(page.context.browser, height=1000)
    for url in (link, server + f"/?scenario={sv['scenario_id']}&version={sv['version']}&readonly=1"):  # old links too
        open_page(ro, url)
        assert poll(ro, lambda: "Coventry" in ro.locator('[data-testid="stSidebar"]').inner_text())
        assert poll(ro, lambda: ro.get_by_text("Coventry: price bands").count() >= 1)
        assert poll(ro, lambda: ro.get_by_text("Coventry published").count() >= 1), "the map names the scenario"
        assert no_traceback(ro)
        assert ro.get_by_role("link", name="Edit zones").count() == 0
    ro.screenshot(path=str(ROOT / "artifacts" / "browser" / "published-coventry.png"))
    # a published link is a fixed view of one version (issue 19 §2): no council picker to lose it by; leaving it
    # is an explicit link to the council's own planner (a new page load, the published plan not carried over)
    assert ro.get_by_role("combobox", name="Council", exact=True).count() == 0
    leave = ro.get_by_role("link", name="Leave this published view")
    assert leave.count() == 1
    href = leave.get_attribute("href") or ""
    assert "council=coventry" in href and "scenario=" not in href and "readonly" not in href, href
    ro.context.close()


# ------------------------------------------------------------------ 3. the Move form resets
def test_move_form_resets_so_a_band_only_move_changes_only_the_band(server, page):
    from zones.service.workspace import load_workspace

    ws = load_workspace("leicestershire")
    label = ws.layer.pack.zone_label
    a, b = ASFORDBY, ws.layer.resolve("Countesthorpe")[0]
    zone_a = next(z for z in ws.base.zone_names if z not in (ws.base.zone_of(a), ws.base.zone_of(b), "Unzoned"))
    band_b = "isolated" if ws.base.band_of(b) != "isolated" else "urban"
    open_page(page, server + "/edit_zones?council=leicestershire", "Edit zones and bands")
    search_and_select(page, "Asfordby")
    choose(page, f"Move to {label}", zone_a)
    choose(page, "Move to band", "rural" if ws.base.band_of(a) != "rural" else "fringe")
    page.get_by_label("Reason (recorded with the change)").fill("first move")
    enter(page)
    move(page, "1")
    page.shot("after-first-move")
    assert poll(page, lambda: selectbox_value(page, f"Move to {label}") == "(keep)"), selectbox_value(
        page, f"Move to {label}"
    )
    assert selectbox_value(page, "Move to band") == "(keep)"
    assert page.get_by_label("Reason (recorded with the change)").input_value() == ""
    assert page.get_by_label(f"…or to a new {label} (name)").input_value() == ""
    # a second, band-only move of another unit
    search_and_select(page, "Countesthorpe")
    choose(page, "Move to band", band_b)
    move(page, "2")
    nav(page, "Finance")
    rows = list(csv.DictReader(io.StringIO(open(download(page, "Download CSV").path(), encoding="utf-8").read())))
    by_code = {r["unit_code"]: r for r in rows if r.get("unit_code")}
    assert by_code[b]["zone"] == ws.base.zone_of(b), "the band-only move also moved the unit to the last zone"
    assert by_code[b]["to_band"] == band_b and by_code[b]["reason"] == "", by_code[b]
    assert by_code[a]["zone"] == zone_a and by_code[a]["reason"] == "first move"


# ------------------------------------------------------------------ 4. a click keeps the map view
def _view(pg):
    """[zoom, lat, lng] of the map on the page: streamlit-folium's ``window.map``, or a map component that writes
    ``data-view="lat,lng,zoom"`` on its body (pages/unitmap)."""
    for f in pg.frames:
        try:
            v = f.evaluate(
                "() => window.map && window.map.getZoom ? [window.map.getZoom(), window.map.getCenter().lat, "
                "window.map.getCenter().lng] : (document.body && document.body.getAttribute('data-view'))"
            )
        except Exception:  # noqa: BLE001 - a detached frame
            continue
        if isinstance(v, list):
            return v
        if isinstance(v, str) and v.count(",") == 2:
            lat, lng, zoom = (float(x) for x in v.split(","))
            return [zoom, lat, lng]
    return None


def test_the_zone_map_keeps_its_view_after_clicks_and_page_links(server, page):
    from tests.browser.mapkit import map_frame, open_map, picked_outline, still, unit_at

    open_map(page, server + "/?council=leicestershire")
    page.get_by_text("Leicestershire: price bands").first.wait_for()
    start = poll(page, lambda: _view(page))
    box = map_frame(page).locator(".leaflet-container").bounding_box()
    # zoom in on a point west of the centre (the view both zooms and moves); the view is read once the zoom
    # animation has ended (data-view is written on moveend)
    page.mouse.move(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.45)
    page.mouse.wheel(0, -120)
    zoomed = poll(page, lambda: (lambda v: v if v and v[0] > start[0] and still(page) else None)(_view(page)))
    assert zoomed and zoomed[0] > start[0], (start, zoomed)

    def same(v):
        return v and v[0] == zoomed[0] and abs(v[1] - zoomed[1]) < 1e-3 and abs(v[2] - zoomed[2]) < 1e-3

    # clicks on two different units pick them (Python reruns, the map draws the picked unit's outline) and keep
    # the view; points in Leicester's hole would send nothing, so only points on units are clicked
    spots = [(0.5, 0.5), (0.6, 0.4), (0.4, 0.6), (0.55, 0.35), (0.65, 0.55), (0.45, 0.45), (0.3, 0.5), (0.7, 0.6)]
    picks: dict[int, tuple[float, float]] = {}
    for fx, fy in spots:
        u = unit_at(page, fx, fy)
        if u is not None and u not in picks and len(picks) < 2:
            picks[u] = (fx, fy)
    assert len(picks) == 2, f"two units under {spots}"
    for fx, fy in picks.values():
        before = picked_outline(page)
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        rerun(page, lambda x=x, y=y: page.mouse.click(x, y))
        wait_for(lambda b=before: picked_outline(page) not in (None, b), "the map to outline the picked unit", pg=page)
        assert same(_view(page)), f"click reset the view: {zoomed} -> {_view(page)}"
    # the Report and back: the map comes back where it was, not at the county view
    nav(page, "Report")
    nav(page, "Zone map")
    page.get_by_text("Leicestershire: price bands").first.wait_for()
    after = poll(page, lambda: (lambda v: v if same(v) else None)(_view(page)))
    page.shot("view-kept")
    assert same(after), f"view reset after a page link: {zoomed} -> {_view(page)}"


# ------------------------------------------------------------------ 5. a reload keeps unsaved edits
def test_reload_restores_unsaved_edits_after_a_beforeunload_warning(server, page):
    open_page(page, server + "/edit_zones?council=leicestershire", "Edit zones and bands")
    search_and_select(page, "Asfordby")
    choose(page, "Move to band", "isolated")
    move(page, "1")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    reload(page)  # the page asks before leaving (accepted above); the new session's first run has finished
    assert dialogs == ["beforeunload"], dialogs
    page.locator('[data-testid="stSidebar"]').wait_for()
    assert poll(page, lambda: page.get_by_text(re.compile(r"Restored your unsaved edits from \d\d:\d\d")).count() >= 1)
    assert poll(page, lambda: units_changed(page) == "1")
    assert re.search(r"[?&]draft=[A-Za-z0-9_-]{22,}", page.url), page.url  # the draft's unguessable token
    page.shot("restored")
    act_until(
        page,
        page.get_by_role("button", name="Discard draft").click,
        lambda: units_changed(page) == "0",
        "Discard draft to reset 'Units changed'",
    )
    assert page.get_by_text("Restored your unsaved edits").count() == 0
    reload(page)  # nothing unsaved now: no warning, nothing restored (the first run has finished: all shown)
    page.locator('[data-testid="stSidebar"]').wait_for()
    assert poll(page, lambda: units_changed(page) == "0")
    assert dialogs == ["beforeunload"] and page.get_by_text("Restored your unsaved edits").count() == 0


# ------------------------------------------------------------------ 6 + 7. reopened identity; outputs use settings
def test_reopened_scenario_keeps_identity_reasons_history_and_outputs_use_the_settings(server, page, browser):
    from zones.service.workspace import load_workspace

    ws = load_workspace("leicestershire")
    label = ws.layer.pack.zone_label
    name = "Para 47 reopen"
    open_page(page, server + "/edit_zones?council=leicestershire", "Edit zones and bands")
    search_and_select(page, "Asfordby")
    page.get_by_label(f"…or to a new {label} (name)").fill("Wreake Valley")
    page.get_by_label("Reason (recorded with the change)").fill("rounds run along the Wreake")
    enter(page)
    move(page, "1")
    nav(page, "Scenarios")
    page.get_by_label("Scenario name").fill(name)
    enter(page)
    rerun(page, page.get_by_role("button", name="Save", exact=True).click)
    assert poll(page, lambda: page.get_by_text(f"Saved {name} version 1").count() >= 1)

    # a new browser session reopens it
    pg = new_page(browser)
    ctx = pg.context
    open_page(pg, server + "/scenarios?council=leicestershire", "Audit log")
    choose(pg, "Scenario", name)
    rerun(pg, pg.get_by_role("button", name="Open in editor").click)
    assert poll(pg, lambda: pg.get_by_text(f"Opened {name} version 1").count() >= 1)
    audit = list(csv.DictReader(io.StringIO(open(download(pg, "Export audit CSV").path(), encoding="utf-8").read())))
    assert [r["action"] for r in audit][:1] == ["create"] and any(
        r["action"] == "change"
        and r["unit_code"] == ASFORDBY
        and r["to_zone"] == "Wreake Valley"
        and r["reason"] == "rounds run along the Wreake"
        for r in audit
    ), audit
    nav(pg, "Zone map")
    assert poll(pg, lambda: pg.get_by_text(f"{name} v1").count() >= 1), "the Zone map names the scenario and version"

    nav(pg, "Finance")
    for lbl, val in (("Framework term (years)", "5"), ("Annual rate uplift %", "3.00")):
        pg.get_by_label(lbl).fill(val)
        enter(pg)
    assert poll(pg, lambda: "Change over 5 years" in metric_value(pg, "Change over"))
    x = download(pg, "Download XLSX")
    assert x.suggested_filename == "leicestershire-para-47-reopen-v1-impact.xlsx", x.suggested_filename
    c = download(pg, "Download CSV")
    assert c.suggested_filename == "leicestershire-para-47-reopen-v1-impact.csv"
    rows = list(csv.reader(io.StringIO(open(c.path(), encoding="utf-8").read())))
    head = rows[0]
    assert {len(r) for r in rows} == {len(head)}, "the CSV is one rectangular table (issue 19 §15)"
    tc = download(pg, "Download totals CSV")
    assert tc.suggested_filename == "leicestershire-para-47-reopen-v1-impact-totals.csv"
    totals = list(csv.reader(io.StringIO(open(tc.path(), encoding="utf-8").read())))
    assert ["term_years", "5"] in totals and ["scenario", f"{name} v1"] in totals
    asf = [r for r in rows[1:] if r[head.index("unit_code")] == ASFORDBY][0]
    assert asf[head.index("reason")] == "rounds run along the Wreake", "the zone move's reason after reopening"

    nav(pg, "Report")
    assert poll(pg, lambda: pg.get_by_label("Framework term (years)").input_value() == "5"), (
        "Report shows Finance's term"
    )
    pdf = download(pg, "Download PDF")
    assert pdf.suggested_filename == "leicestershire-para-47-reopen-v1-report.pdf", pdf.suggested_filename
    text = pdf_text(open(pdf.path(), "rb").read())
    assert f"{name} v1" in text and "unsaved plan" not in text
    assert "Change over 5 years" in text and "uplift 3" in text, text[:3000]
    html = download(pg, "Download HTML")
    assert html.suggested_filename == "leicestershire-para-47-reopen-v1-report.html"
    body = open(html.path(), encoding="utf-8").read()
    assert "Change over 5 years" in body and f"Plan: {name} v1" in body
    pg.screenshot(path=str(ROOT / "artifacts" / "browser" / "reopened-report.png"))
    ctx.close()


# ------------------------------------------------------------------ 8. no Deploy button, no developer menu
def test_no_deploy_button_or_developer_menu(server, page):
    open_page(page, server + "/?council=leicestershire", "Leicestershire: price bands")
    page.shot("toolbar")
    assert page.get_by_role("button", name="Deploy").count() == 0
    assert page.get_by_text("Deploy", exact=True).count() == 0
    menu = page.locator('[data-testid="stMainMenu"]')
    if menu.count():
        menu.first.click()
        page.locator('[data-testid="stMainMenuList"]').wait_for()  # the menu is open: its items are listed
        assert page.get_by_text("Clear cache").count() == 0 and page.get_by_text("Developer options").count() == 0
