"""Issue 19 §12-14 in chromium: unit names on the map without collisions, a paint stroke that takes exactly the units
it passes over, the phone view of the Zone map (map in the first third, a tap's tooltip closes, a cue to the evidence
card, zone labels that do not collide, no horizontal overflow) and Move / Undo on a laptop's first screen.

Waits poll for conditions (``mapkit.wait_for``, Playwright's ``expect``), never fixed sleeps. Screenshots go to
artifacts/browser/ (laptop 1366×768 and phone 390×844, Leicestershire and Merton)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.mapkit import (
    MAP_IFRAME,
    body_attr,
    browser_selected,
    map_frame,
    open_map,
    python_selection,
    search,
    tool,
    view,
    wait_for,
)
from tests.browser.waits import track

pytestmark = pytest.mark.browser
PHONE = (390, 844)
LAPTOP = (1366, 768)


@pytest.fixture
def sized(browser, request):
    """``sized(width, height, mobile=False)``: a page of that viewport (a phone: touch, no hover); ``pg.shot(name)``
    saves a screenshot of the first screen under artifacts/browser/."""
    ctxs = []

    def make(width: int, height: int, mobile: bool = False):
        ctx = browser.new_context(
            viewport={"width": width, "height": height},
            is_mobile=mobile,
            has_touch=mobile,
            device_scale_factor=2 if mobile else 1,
        )
        ctxs.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(120_000)
        track(pg)  # the waits (mapkit, waits.py) follow this page's script runs
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.shot = lambda name: pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"))
        return pg

    yield make
    for c in ctxs:
        c.close()


def map_doc(pg):
    """The unit map's own document (the component iframe) as a Playwright Frame, for evaluating scripts in it."""
    handle = pg.locator(MAP_IFRAME).first.element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None
    return frame


def settled(pg) -> None:
    """Streamlit has finished its run (no running-status widget) and the map has drawn its units."""
    expect(pg.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=120_000)
    map_frame(pg).locator("path[data-code]").first.wait_for(timeout=120_000)


# codes of the unit paths drawn along a horizontal line (iframe pixels), sampled every `step` px by the browser's
# own hit test: what the user sees under the pointer
DRAWN_ALONG = """([x0, x1, y, step]) => {
  const seen = {};
  for (let x = x0; x <= x1; x += step) {
    const e = document.elementFromPoint(x, y), c = e && e.getAttribute && e.getAttribute('data-code');
    if (c) seen[c] = (seen[c] || 0) + step;
  }
  return seen;
}"""

# visible label boxes (iframe pixels): zone labels and unit names, hidden ones left out
LABEL_BOXES = """(sel) => [...document.querySelectorAll(sel)].filter(e => getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })"""


def overlapping(boxes) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5:
                out.append((a[0], b[0]))
    return out


# ---------------------------------------------------------------------------------------------------- §12 paint


@pytest.mark.parametrize("fy", [0.35, 0.45, 0.55, 0.65, 0.75])
def test_a_paint_stroke_selects_exactly_the_units_it_passes_over(server, page, fy):
    """One straight stroke across a row of units at the county view (small units: where the old hit test on the data
    rings, first unit in list order, disagreed with the drawing, took a neighbour and missed the unit drawn there).
    Exactly the units drawn under the line are selected (the browser's own hit test along it, every 0.25 px)."""
    open_map(page, server + "/edit_zones?council=leicestershire")
    settled(page)
    tool(page, "Paint")
    fr, doc = map_frame(page), map_doc(page)
    box = fr.locator("#map").bounding_box()
    ibox = page.locator(MAP_IFRAME).first.bounding_box()
    x0, x1 = box["x"] + box["width"] * 0.12, box["x"] + box["width"] * 0.88
    y = round(box["y"] + box["height"] * fy) + 0.5
    fx0, fx1, fyy = x0 - ibox["x"], x1 - ibox["x"], y - ibox["y"]
    runs = doc.evaluate(DRAWN_ALONG, [fx0, fx1, fyy, 0.25])  # px of the line over each drawn unit
    sure = {c for c, run in runs.items() if run >= 1}  # a unit's corner the line clips by < 1 px may go either way
    assert len(sure) >= 3, f"the line crosses a row of units ({sure})"
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=30)
    page.mouse.up()
    got = set(wait_for(lambda: json.loads(body_attr(page, "data-selection") or "[]"), "the painted units"))
    assert got <= set(runs), f"neighbours selected that the stroke never passed over: {sorted(got - set(runs))}"
    assert sure <= got, f"units the stroke passed over but did not select: {sorted(sure - got)}"
    wait_for(lambda: python_selection(page) == len(got), "Python's summary of the painted units")
    page.shot(f"painted-{fy}")


# ---------------------------------------------------------------------------------------------------- §12 labels


@pytest.mark.parametrize("council, place, zoom_in", [("leicestershire", "Asfordby", 0), ("merton", "Abbey", 1)])
def test_unit_names_show_when_zoomed_in_and_never_collide(server, sized, council, place, zoom_in):
    """At the council's first view only units big enough on screen carry their name (none overlap a zone label);
    zoomed in, the unit found by a search carries its name, on that unit, and no two labels overlap."""
    pg = sized(*LAPTOP)
    open_map(pg, f"{server}/edit_zones?council={council}")
    settled(pg)
    fr, doc = map_frame(pg), map_doc(pg)
    pg.shot("first-view")
    assert not overlapping(doc.evaluate(LABEL_BOXES, ".um-label"))
    n0 = int(body_attr(pg, "data-unit-labels") or 0)
    v0 = view(pg)
    search(pg, place)  # the map moves to the unit found
    wait_for(lambda: view(pg) != v0, f"the map to move to {place}")
    for _ in range(zoom_in):
        before = view(pg)
        fr.locator(".leaflet-control-zoom-in").click()
        wait_for(lambda before=before: view(pg) != before, "the map to zoom in")
    fr.locator("#um-search").press("Enter")  # selects it: its code is then known
    code = wait_for(lambda: json.loads(body_attr(pg, "data-selection") or "[]"), f"{place} selected")
    assert len(code) == 1
    n1 = wait_for(lambda: int(body_attr(pg, "data-unit-labels") or 0), "unit names on the zoomed-in map")
    pg.shot("zoomed-in")
    assert n1 >= 3, (n0, n1)
    label = fr.locator(".um-ulabel", has_text=re.compile(f"^{place}$"))
    expect(label).to_have_count(1)
    lb, ib = label.bounding_box(), pg.locator(MAP_IFRAME).first.bounding_box()
    under = doc.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).getAttribute('data-code')",
        [lb["x"] + lb["width"] / 2 - ib["x"], lb["y"] + lb["height"] / 2 - ib["y"]],
    )
    assert under == code[0], f"the name {place!r} sits on its own unit ({under} != {code[0]})"
    boxes = doc.evaluate(LABEL_BOXES, ".um-label")
    assert not overlapping(boxes), overlapping(boxes)


# ---------------------------------------------------------------------------------------------------- §13 phone


def first_screen_phone(server, sized, council):
    pg = sized(*PHONE, mobile=True)
    open_map(pg, f"{server}/?council={council}&readonly=1")
    settled(pg)
    return pg


@pytest.mark.parametrize("council", ["leicestershire", "merton"])
def test_phone_map_in_the_first_third_labels_apart_and_nothing_clipped(server, sized, council):
    pg = first_screen_phone(server, sized, council)
    pg.shot("first-screen")
    assert pg.evaluate("() => window.scrollY") == 0
    m = map_frame(pg).locator("#map").bounding_box()
    assert m and 0 <= m["y"] < PHONE[1] / 3, f"the map starts at {m and m['y']} px (first third: < {PHONE[1] / 3:.0f})"
    assert m["x"] >= 0 and m["x"] + m["width"] <= PHONE[0], m
    # no horizontal overflow on the page or inside the map's frame (the map's border was 2 px past its frame)
    assert pg.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    doc = map_doc(pg)
    assert doc.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth"), doc.evaluate(
        "() => [document.scrollingElement.scrollWidth, innerWidth]"
    )
    boxes = doc.evaluate(LABEL_BOXES, ".um-label")
    assert boxes, "some zone labels show"
    assert not overlapping(boxes), overlapping(boxes)
    # the council picker and the figures are still on the page, under the map
    expect(pg.get_by_label("Council shown")).to_be_visible(timeout=120_000)  # waits (is_visible() does not)
    expect(pg.locator('[data-testid="stMetric"]', has_text="Care hours / week")).to_have_count(1)


@pytest.mark.parametrize("council", ["leicestershire", "merton"])
def test_phone_tap_closes_its_tooltip_and_cues_the_evidence_card(server, sized, council):
    pg = first_screen_phone(server, sized, council)
    fr, doc = map_frame(pg), map_doc(pg)
    m = fr.locator("#map").bounding_box()
    ibox = pg.locator(MAP_IFRAME).first.bounding_box()
    # a point of the map where a unit is drawn, near the middle
    spot = doc.evaluate(
        """([x0, y0, w, h]) => {
      for (let r = 0; r < 0.4; r += 0.02) for (const [dx, dy] of [[r, 0], [-r, 0], [0, r], [0, -r]]) {
        const x = x0 + w * (0.5 + dx), y = y0 + h * (0.55 + dy), e = document.elementFromPoint(x, y);
        if (e && e.getAttribute('data-code')) return [x, y];
      }
      return null; }""",
        [m["x"] - ibox["x"], m["y"] - ibox["y"], m["width"], m["height"]],
    )
    assert spot, "a unit drawn on the phone's map"
    pg.touchscreen.tap(ibox["x"] + spot[0], ibox["y"] + spot[1])
    cue = fr.locator("[data-testid=um-cue]")
    expect(cue).to_be_visible(timeout=60_000)
    expect(fr.locator(".leaflet-tooltip")).to_have_count(0)
    name = re.match(r"↓ See the evidence for (.+) below$", cue.inner_text()).group(1)
    pg.get_by_role("heading", name=name).wait_for(state="attached", timeout=120_000)  # Python drew the card
    expect(pg.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=120_000)
    expect(fr.locator(".leaflet-tooltip")).to_have_count(0)
    cb = cue.bounding_box()
    assert cb and cb["y"] >= 0 and cb["y"] + cb["height"] <= PHONE[1], ("the cue is on the first screen", cb)
    pg.shot("tapped")
    cue.tap()
    heading = pg.get_by_role("heading", name=name)

    def heading_in_view() -> bool:
        b = heading.bounding_box()
        return bool(b) and 0 <= b["y"] < PHONE[1] - b["height"]

    wait_for(heading_in_view, "the evidence card's heading scrolled into view")
    expect(cue).to_be_hidden()
    pg.shot("evidence")


# ---------------------------------------------------------------------------------------------------- §14 laptop


def in_first_screen(box, vp) -> bool:
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= vp[1]
        and box["x"] >= 0
        and box["x"] + box["width"] <= vp[0]
    )


@pytest.mark.parametrize("council", ["leicestershire", "merton"])
def test_laptop_move_and_undo_beside_the_map_on_the_first_screen(server, sized, council):
    pg = sized(*LAPTOP)
    open_map(pg, f"{server}/edit_zones?council={council}")
    settled(pg)
    pg.shot("first-screen")
    iframe = pg.locator(MAP_IFRAME).first.bounding_box()

    def check(when: str) -> None:
        assert pg.evaluate("() => window.scrollY") == 0
        for name in ("Move", "Undo"):
            b = pg.get_by_role("button", name=name, exact=True).bounding_box()
            assert in_first_screen(b, LAPTOP), (when, name, b)
            assert b["x"] >= iframe["x"] + iframe["width"], (when, name, "beside the map", b, iframe)
        for label in ("Hours / week", "Cost / week", "Units changed"):
            b = pg.locator('[data-testid="stMetric"]', has_text=label).first.bounding_box()
            assert in_first_screen(b, LAPTOP), (when, label, b)

    check("as opened")
    # with a unit selected and a band chosen, the summary grows: Move is still on the first screen, and enabled
    search(pg, {"leicestershire": "Asfordby", "merton": "Abbey"}[council])
    wait_for(lambda: int(body_attr(pg, "data-highlighted") or 0), "the search result")
    map_frame(pg).locator("#um-search").press("Enter")
    wait_for(lambda: python_selection(pg) == 1, "one unit selected")
    pg.get_by_label("Move to band").click()
    pg.get_by_role("option", name="isolated", exact=True).click()
    expect(pg.locator(".st-key-selection-summary")).to_contain_text("Moving to band isolated")
    expect(pg.get_by_role("button", name="Move", exact=True)).to_be_enabled()
    assert browser_selected(pg) == 1
    pg.evaluate("() => window.scrollTo(0, 0)")
    check("with a selection and a target")
    pg.shot("selected")
