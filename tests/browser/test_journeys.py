"""End-to-end journeys in Debian chromium: a commissioner's and a scrutiny member's."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from tests.browser.conftest import wait_idle
from zones.service.workspace import load_workspace

pytestmark = pytest.mark.browser


def select_option(pg, label: str, option: str) -> None:
    pg.get_by_label(label).click()
    pg.get_by_role("option", name=option, exact=True).click()
    wait_idle(pg)


def metric_text(pg, label: str) -> str:
    return pg.locator('[data-testid="stMetric"]', has_text=label).inner_text()


def test_commissioner_moves_a_parish_sees_impact_undoes_and_exports(server, page):
    ws = load_workspace("leicestershire")
    code = ws.layer.resolve("Asfordby")[0]
    old = ws.base.band_of(code)
    new = "isolated" if old != "isolated" else "urban"
    hours = Decimal(int(ws.base.hours_cents[ws.base.index(code)[0]])) / 100
    expected = (hours * (ws.base.rates.rate(new) - ws.base.rates.rate(old))).quantize(Decimal("0.01"))

    page.goto(server + "/edit_zones?council=leicestershire")
    page.locator("iframe").first.wait_for()  # the map: the first run (workspace load) has finished
    wait_idle(page, 1500)
    page.shot("open")
    # a page URL opened first on a fresh server gets the app's navigation, not the legacy pages/ listing
    assert page.get_by_role("link", name="Zone map").count() == 1
    assert page.get_by_role("link", name="common").count() == 0
    assert page.get_by_label("Council").count() == 1
    page.get_by_label("Find a unit or parish (name or code)").fill("Asfordby")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile(r"Add \d+ to selection")).click()
    wait_idle(page)
    select_option(page, "Move to band", new)
    page.get_by_label("Reason (recorded with the change)").fill("browser test")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.shot("selected")
    page.get_by_role("button", name="Move", exact=True).click()
    wait_idle(page, 1500)
    for _ in range(10):  # the Move rerun can start after wait_idle returned (seen under load)
        if metric_text(page, "Units changed").split()[-1] == "1":
            break
        wait_idle(page, 500)
    page.shot("moved")
    assert metric_text(page, "Units changed").split()[-1] == "1"
    assert f"£{expected:,}" in metric_text(page, "Cost / week")

    page.get_by_role("link", name="Finance").click()
    wait_idle(page, 1500)
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

    page.get_by_role("link", name="Edit zones").click()
    wait_idle(page, 1500)
    page.get_by_role("button", name="Undo").click()
    wait_idle(page, 1500)
    for _ in range(10):  # the Undo rerun can start after wait_idle returned (seen under load)
        if metric_text(page, "Units changed").split()[-1] == "0":
            break
        wait_idle(page, 500)
    page.shot("undone")
    assert metric_text(page, "Units changed").split()[-1] == "0"


def test_scrutiny_member_clicks_a_unit_sees_evidence_and_downloads_report(server, page):
    page.goto(server + "/?council=leicestershire&readonly=1")
    page.locator("iframe").first.wait_for()
    wait_idle(page, 2500)
    page.shot("map")
    assert page.get_by_role("link", name="Edit zones").count() == 0
    frame = page.frame_locator("iframe").first
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    # click the middle of the county's polygons (the map centre lies inside Leicestershire's units or Leicester's hole;
    # try a few points until a unit's evidence appears)
    for dx, dy in [(0.0, 0.0), (-0.08, -0.05), (0.08, 0.05), (-0.1, 0.1), (0.12, -0.08)]:
        page.mouse.click(box["x"] + box["width"] * (0.5 + dx), box["y"] + box["height"] * (0.5 + dy))
        wait_idle(page, 1500)
        if page.get_by_text(re.compile(r"(URBAN|FRINGE|RURAL|ISOLATED) because")).count():
            break
    assert page.get_by_text(re.compile(r"(URBAN|FRINGE|RURAL|ISOLATED) because")).count() >= 1
    page.get_by_text(re.compile(r"(URBAN|FRINGE|RURAL|ISOLATED) because")).first.scroll_into_view_if_needed()
    page.shot("evidence")
    page.get_by_role("link", name="Report").click()
    wait_idle(page, 3000)
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


def selection_count(pg) -> int:
    """Units in the Selection multiselect (one chip per unit)."""
    box = pg.locator('[data-testid="stMultiSelect"]', has_text="Selection")
    return box.locator("[data-tag]").count()


def settled_selection_count(pg, done, tries: int = 20) -> int:
    """The selection count once ``done(count)`` holds or ``tries`` idle waits have passed: a click or a drawn
    shape reaches the app through the map iframe, and its rerun may start after ``wait_idle`` has returned."""
    n = selection_count(pg)
    for _ in range(tries):
        if done(n):
            break
        wait_idle(pg, 500)
        n = selection_count(pg)
    return n


def test_commissioner_selects_units_by_clicking_and_by_drawing(server, page):
    page.goto(server + "/edit_zones?council=leicestershire")
    page.locator("iframe").first.wait_for()
    wait_idle(page, 2000)
    assert selection_count(page) == 0
    frame = page.frame_locator("iframe").first
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    # click: a point on a unit toggles it into the selection (Leicester city is a hole in the county, so try a few)
    for dx, dy in [(-0.2, -0.2), (0.2, 0.2), (-0.25, 0.15), (0.25, -0.2)]:
        page.mouse.click(box["x"] + box["width"] * (0.5 + dx), box["y"] + box["height"] * (0.5 + dy))
        wait_idle(page, 1200)
        if settled_selection_count(page, lambda n: n > 0, tries=4):
            break
    page.shot("clicked")
    assert settled_selection_count(page, lambda n: n == 1) == 1
    # draw: the rectangle tool of leaflet.draw (served locally), dragged over part of the county
    frame.locator(".leaflet-draw-draw-rectangle").click()
    x0, y0 = box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.25
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + box["width"] * 0.1, y0 + box["height"] * 0.1, steps=5)
    page.mouse.move(x0 + box["width"] * 0.2, y0 + box["height"] * 0.2, steps=5)
    page.mouse.up()
    wait_idle(page, 1500)
    assert settled_selection_count(page, lambda n: n > 1) > 1
    page.shot("drawn")
    page.get_by_role("button", name="Clear", exact=True).click()
    wait_idle(page)
    assert settled_selection_count(page, lambda n: n == 0) == 0
