"""Issue 19 §13-14 on Edit zones, measured in chromium against the viewport.

- Laptop 1366×768: Move / Undo AND the balance chart beside the map are on the first screen, as opened and after a
  move (the chart used to start at y≈720 and end at ≈1130, below the fold).
- Phone 390×844: the map comes first and is wholly on the first screen (it started at y≈770), the move's controls
  follow it and are reachable by scrolling, nothing is clipped left or right, and a search → band → Move journey
  works by touch.

Waits are on conditions (tests/browser/waits.py, mapkit), never on a time."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.mapkit import MAP_IFRAME, highlighted, map_frame, open_map, python_selection, search, units_changed
from tests.browser.test_layout_ux import LAPTOP, PHONE, in_first_screen, map_doc, settled, sized  # noqa: F401
from tests.browser.waits import act_until, choose, rerun, settle, wait_for

pytestmark = pytest.mark.browser
CHART = ".st-key-plan-summary [data-testid='stVegaLiteChart']"
PLACE = {"leicestershire": "Asfordby", "merton": "Abbey", "coventry": "Whoberley"}


def on_screen(b, vp) -> bool:
    """``b`` lies wholly on a screen of size ``vp`` (to 1 px: a scrolled-to element may end at 844.02)."""
    return (
        b is not None
        and b["x"] >= 0
        and b["y"] >= -1
        and b["x"] + b["width"] <= vp[0] + 1
        and b["y"] + b["height"] <= vp[1] + 1
    )


def box(pg, loc):
    loc = loc.first
    loc.wait_for(state="visible")
    return loc.bounding_box()


def select_and_move(pg, council: str, touch: bool = False) -> None:
    """Search the council's place, Enter selects it, band isolated, Move (taps with ``touch``)."""
    search(pg, PLACE[council])
    wait_for(lambda: highlighted(pg), "the search result")
    map_frame(pg).locator("#um-search").press("Enter")
    wait_for(lambda: python_selection(pg) == 1, "one unit selected")
    if touch:
        settle(pg)
        pg.get_by_role("combobox", name="Move to band", exact=True).first.tap()
        rerun(pg, pg.get_by_role("option", name="isolated", exact=True).tap)
    else:
        choose(pg, "Move to band", "isolated")
    move = pg.get_by_role("button", name="Move", exact=True)
    move.scroll_into_view_if_needed()
    act_until(pg, move.tap if touch else move.click, lambda: units_changed(pg) == 1, "the move")


@pytest.mark.parametrize("council", ["leicestershire", "merton"])
def test_laptop_move_undo_and_balance_chart_on_the_first_screen(server, sized, council):  # noqa: F811
    pg = sized(*LAPTOP)
    open_map(pg, f"{server}/edit_zones?council={council}")
    settled(pg)

    def check(when: str) -> None:
        iframe = pg.locator(MAP_IFRAME).first.bounding_box()
        for name in ("Move", "Undo"):
            b = box(pg, pg.get_by_role("button", name=name, exact=True))
            assert in_first_screen(b, LAPTOP), (when, name, b)
        chart = box(pg, pg.locator(CHART))
        assert in_first_screen(chart, LAPTOP), (when, "the balance chart", chart)
        assert chart["x"] >= iframe["x"] + iframe["width"], (when, "the chart beside the map", chart, iframe)
        assert chart["height"] >= 60, (when, "a chart, not a sliver", chart)

    check("as opened")
    pg.shot("edit-first-screen")
    select_and_move(pg, council)
    check("after a move")
    pg.shot("edit-after-move")


@pytest.mark.parametrize("council", ["leicestershire", "merton"])
def test_phone_edit_zones_map_first_controls_reachable_nothing_clipped(server, sized, council):  # noqa: F811
    pg = sized(*PHONE, mobile=True)
    open_map(pg, f"{server}/edit_zones?council={council}")
    settled(pg)
    m = map_frame(pg).locator("#map").bounding_box()
    assert in_first_screen(m, PHONE), ("the map on the first screen", m)
    pg.shot("phone-edit-first-screen")
    # nothing wider than the screen: the page, its scrolling main area and the map's own document
    assert pg.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    assert pg.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain], section.main')]"
        ".every(e => e.scrollWidth <= e.clientWidth + 1)"
    )
    assert map_doc(pg).evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    # the controls come after the map and are reachable: scrolled to, each lies wholly on the screen
    controls = [
        pg.get_by_role("combobox", name="Move to band"),
        pg.get_by_label("Reason (recorded with the change)"),
        *(pg.get_by_role("button", name=n, exact=True) for n in ("Move", "Undo", "Redo", "Clear")),
        pg.locator(CHART),
    ]
    for c in controls:
        c.first.scroll_into_view_if_needed()
        b = box(pg, c)
        assert on_screen(b, PHONE), (c, b)
    tops = {n: box(pg, pg.get_by_role("button", name=n, exact=True))["y"] for n in ("Move", "Undo", "Redo", "Clear")}
    assert max(tops.values()) - min(tops.values()) < 2, ("the four buttons share one row", tops)
    # and the journey works by touch
    pg.locator("[data-testid=stMain]").first.evaluate("e => e.scrollTo(0, 0)")
    select_and_move(pg, council, touch=True)
    expect(pg.locator('[data-testid="stMetric"]', has_text="Units changed")).to_contain_text("1")
    pg.shot("phone-edit-moved")
