"""End-to-end journeys in Debian chromium: a commissioner's and a scrutiny member's. Every step waits for its
condition (the metric it changes, the run it causes: tests/browser/waits.py), never for a time."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from tests.browser.mapkit import (
    browser_selected,
    drag,
    highlighted,
    map_box,
    map_frame,
    on_unit,
    open_map,
    python_selection,
    search,
    tool,
    wait_for,
)
from tests.browser.waits import act_until, choose, nav, rerun
from zones.service.workspace import load_workspace

pytestmark = pytest.mark.browser


def metric_text(pg, label: str) -> str:
    return pg.locator('[data-testid="stMetric"]', has_text=label).inner_text()


def changed_is(pg, n: str):
    return lambda: metric_text(pg, "Units changed").split()[-1] == n


def test_commissioner_moves_a_parish_sees_impact_undoes_and_exports(server, page):
    ws = load_workspace("leicestershire")
    code = ws.layer.resolve("Asfordby")[0]
    old = ws.base.band_of(code)
    new = "isolated" if old != "isolated" else "urban"
    hours = Decimal(int(ws.base.hours_cents[ws.base.index(code)[0]])) / 100
    expected = (hours * (ws.base.rates.rate(new) - ws.base.rates.rate(old))).quantize(Decimal("0.01"))

    open_map(page, server + "/edit_zones?council=leicestershire")  # the first run (workspace load) has finished
    page.shot("open")
    # a page URL opened first on a fresh server gets the app's navigation, not the legacy pages/ listing
    assert page.get_by_role("link", name="Zone map").count() == 1
    assert page.get_by_role("link", name="common").count() == 0
    assert page.get_by_label("Council").count() == 1
    # the map's search box: the parish is highlighted, Enter selects it
    search(page, "Asfordby")
    wait_for(lambda: highlighted(page), "Asfordby highlighted on the map")
    map_frame(page).locator("#um-search").press("Enter")
    wait_for(lambda: python_selection(page) == 1, "Asfordby in the selection")
    choose(page, "Move to band", new)
    page.get_by_label("Reason (recorded with the change)").fill("browser test")
    rerun(page, lambda: page.keyboard.press("Enter"))
    page.shot("selected")
    act_until(
        page,
        page.get_by_role("button", name="Move", exact=True).click,
        changed_is(page, "1"),
        "'Units changed' to become 1 after the Move",
    )
    page.shot("moved")
    assert f"£{expected:,}" in metric_text(page, "Cost / week")

    nav(page, "Finance")
    page.shot("finance")
    assert f"£{expected:,}" in metric_text(page, "Change / week")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download XLSX").click()
    path = dl.value.path()
    wb = openpyxl.load_workbook(io.BytesIO(open(path, "rb").read()))
    assert {"Impact", "Plan", "Assumptions"} <= set(wb.sheetnames)
    rows = list(wb["Impact"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("unit")] == "Asfordby"
    assert Decimal(str(rows[1][rows[0].index("gbp_per_week")])) == expected

    nav(page, "Edit zones")
    act_until(
        page,
        page.get_by_role("button", name="Undo").click,
        changed_is(page, "0"),
        "'Units changed' to become 0 after Undo",
    )
    page.shot("undone")


def test_scrutiny_member_clicks_a_unit_sees_evidence_and_downloads_report(server, page):
    open_map(page, server + "/?council=leicestershire&readonly=1")
    page.shot("map")
    assert page.get_by_role("link", name="Edit zones").count() == 0
    box = map_box(page)
    assert box is not None
    # click the middle of the county's polygons (the map centre lies inside Leicestershire's units or Leicester's hole;
    # try a few points until a unit's evidence appears)
    # (a point on a unit sends a pick: wait for its run; a point in the hole sends nothing: try the next one)
    for dx, dy in [(0.0, 0.0), (-0.08, -0.05), (0.08, 0.05), (-0.1, 0.1), (0.12, -0.08)]:
        if on_unit(page, 0.5 + dx, 0.5 + dy):
            x, y = box["x"] + box["width"] * (0.5 + dx), box["y"] + box["height"] * (0.5 + dy)
            rerun(page, lambda x=x, y=y: page.mouse.click(x, y))
            break
    assert page.get_by_text(re.compile(r"(URBAN|FRINGE|RURAL|ISOLATED) because")).count() >= 1
    page.get_by_text(re.compile(r"(URBAN|FRINGE|RURAL|ISOLATED) because")).first.scroll_into_view_if_needed()
    page.shot("evidence")
    nav(page, "Report")
    page.frame_locator("iframe").first.get_by_text("OpenStreetMap").first.wait_for()  # the report's preview
    page.shot("report")
    assert page.get_by_role("link", name="Edit zones").count() == 0, "still read-only after following a page link"
    assert "readonly=1" in page.url
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download PDF").click()
    data = open(dl.value.path(), "rb").read()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    with page.expect_download() as dl2:
        page.get_by_role("button", name="Download HTML").click()
    html = open(dl2.value.path(), encoding="utf-8").read()
    assert "OpenStreetMap" in html and "data:image/png;base64" in html


def test_commissioner_selects_units_by_clicking_and_by_drawing(server, page):
    open_map(page, server + "/edit_zones?council=leicestershire")
    assert browser_selected(page) == 0 and python_selection(page) == 0
    box = map_box(page)
    # click: a point on a unit toggles it into the selection (Leicester city is a hole in the county, so try a few)
    fx, fy = next(
        (0.5 + dx, 0.5 + dy)
        for dx, dy in [(-0.2, 0.2), (0.2, 0.2), (-0.25, 0.15), (0.25, -0.2)]
        if on_unit(page, 0.5 + dx, 0.5 + dy)
    )
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    wait_for(lambda: browser_selected(page) == 1, "the clicked unit selected in the map", pg=page)
    wait_for(lambda: python_selection(page) == 1, "the clicked unit in Python's selection")
    page.shot("clicked")
    # draw: the map's own rectangle tool (no leaflet.draw), dragged over part of the county
    tool(page, "Rectangle")
    drag(page, [(0.3, 0.3), (0.4, 0.4), (0.5, 0.5)])
    n = wait_for(lambda: browser_selected(page) > 1 and browser_selected(page), "the rectangle's units")
    wait_for(lambda: python_selection(page) == n, "the rectangle's units in Python's selection")
    page.shot("drawn")
    page.get_by_role("button", name="Clear", exact=True).click()
    wait_for(lambda: python_selection(page) == 0 and browser_selected(page) == 0, "Clear to empty the selection")
