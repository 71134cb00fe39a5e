"""Issue 19 §17 in chromium: the unit geometry crosses the websocket once per council and session.

The geometry's features carry a ``parishes`` property that nothing else the app sends has, so a websocket frame
holding it is a frame carrying the geometry. Counts, never times (timings: bench/app.py). Before the fix every rerun
that changed anything the map shows (a picked unit, a move) and every page link to a map page re-sent it, and a
map frame that lost it could not ask for it again. Also: the map still draws after a page link, a lost copy, a lost
request and a reload; Finance's deferred XLSX still downloads the plan shown."""

from __future__ import annotations

import re

import pytest

from tests.browser.mapkit import MAP_IFRAME, map_frame, open_map
from tests.browser.waits import LOAD_S, goto, nav, reload, rerun, settle, wait_for

pytestmark = pytest.mark.browser
COUNCIL = "merton"
MARK = b'\\"parishes\\":'  # the geometry's features, as JSON text inside the component's JSON arguments


class GeometryFrames:
    """Websocket frames the page received from Streamlit that carry the unit geometry."""

    def __init__(self, pg):
        self.n = 0
        pg.on("websocket", lambda ws: ws.on("framereceived", self._frame) if "/_stcore/stream" in ws.url else None)

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes) and MARK in payload:
            self.n += 1


def paths(pg) -> int:
    return map_frame(pg).locator("path.leaflet-interactive").count()


def map_drawn(pg, n_units: int) -> None:
    """The map frame on the page now shows ``n_units`` unit paths and its first view."""
    wait_for(
        lambda: paths(pg) == n_units and map_frame(pg).locator("body[data-view]").count() == 1,
        f"the map drawn with {n_units} units",
        LOAD_S,
        pg,
    )


def body(pg, name: str) -> str | None:
    return map_frame(pg).locator("body").get_attribute(name, timeout=10_000)


def pick_second_unit(pg) -> None:
    """Choose the second unit in the Zone map's "Unit evidence" box: a rerun whose map arguments change."""
    settle(pg)
    pg.get_by_label("Unit evidence").click()
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowDown")
    rerun(pg, lambda: pg.keyboard.press("Enter"))
    wait_for(lambda: pg.get_by_text(re.compile(r" is (URBAN|FRINGE|RURAL|ISOLATED) because ")).count(), "a card")


def test_geometry_is_sent_once_per_session_across_reruns_and_page_links(server, page):
    frames = GeometryFrames(page)  # attached before the first navigation
    open_map(page, f"{server}/?council={COUNCIL}")
    n_units = paths(page)
    assert n_units > 5 and frames.n == 1, (n_units, frames.n)
    pick_second_unit(page)  # the map shows the picked unit: its arguments changed
    assert frames.n == 1, f"a rerun on the same page carried the geometry again ({frames.n} frames)"
    assert body(page, "data-geo-from") == "python"
    nav(page, "Edit zones")  # a new map frame on another page
    map_drawn(page, n_units)
    assert frames.n == 1, f"the page link carried the geometry again ({frames.n} frames)"
    assert body(page, "data-geo-from") == "held"  # drawn from the tab's own copy
    page.get_by_label(re.compile(r"or to a new \w+ \(name\)")).fill("Wire test")
    rerun(page, lambda: page.keyboard.press("Enter"))
    nav(page, "Zone map")
    map_drawn(page, n_units)
    assert frames.n == 1 and page.locator(MAP_IFRAME).count() == 1


def test_a_map_frame_that_lost_the_geometry_asks_for_it_and_a_reload_sends_it_again(server, page):
    frames = GeometryFrames(page)
    open_map(page, f"{server}/edit_zones?council={COUNCIL}")
    n_units = paths(page)
    page.evaluate("delete window.__unitmapHeld")  # the tab's copy lost (as if evicted)
    nav(page, "Zone map")
    map_drawn(page, n_units)  # the new frame asked Python ("need") and drew what came back
    assert frames.n == 2, frames.n
    assert int(body(page, "data-asked") or 0) >= 1 and body(page, "data-geo-from") == "python"
    reload(page)  # a new session: sent once more, and drawn
    map_drawn(page, n_units)
    assert frames.n == 3, frames.n


def test_finance_builds_the_xlsx_when_asked_and_it_holds_the_plan_shown(server, page):
    """The workbook is no longer built on every Finance run (a deferred download): pressing the button still gives
    the plan on screen, one row per unit, with the settings shown."""
    import io

    import openpyxl

    goto(page, f"{server}/finance?council={COUNCIL}", ready="Finance: rates and cost impact")
    with page.expect_download(timeout=LOAD_S * 1000) as dl:
        page.get_by_role("button", name="Download XLSX").click()
    x = dl.value
    assert x.suggested_filename.startswith(f"{COUNCIL}-") and x.suggested_filename.endswith("-impact.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(open(x.path(), "rb").read()))
    assert wb.sheetnames == ["Impact", "Plan", "Assumptions"]
    assert wb["Plan"].max_row - 1 == 20  # Merton's 20 units, as the map draws them
    values = [str(r[1]) for r in wb["Assumptions"].iter_rows(values_only=True)]
    assert "52" in values, values  # the weeks a year the page shows


DROP_FIRST_NEED = """
if (window === window.top) {
  window.__dropped = 0;
  window.addEventListener("message", (e) => {  // registered before Streamlit's own listener: runs first
    const v = e.data && e.data.type === "streamlit:setComponentValue" && e.data.value;
    if (v && v.event === "need" && window.__dropped === 0) { window.__dropped = 1; e.stopImmediatePropagation(); }
  });
}
"""


def test_a_lost_request_for_the_geometry_is_sent_again(server, page):
    """The map frame's first "need" never reaches Streamlit (dropped in the page): the frame asks again and the map
    draws."""
    page.add_init_script(DROP_FIRST_NEED)
    open_map(page, f"{server}/?council={COUNCIL}")
    n_units = paths(page)
    page.evaluate("delete window.__unitmapHeld")
    nav(page, "Edit zones")
    map_drawn(page, n_units)
    assert page.evaluate("window.__dropped") == 1
    assert int(body(page, "data-asked") or 0) >= 2 and body(page, "data-geo-from") == "python"
