"""Issue 14 §3 in chromium: totals on the first laptop screen (1366×768), a phone-width read-only Zone map
(390×844) with the map and legend first and the council reachable, screenshots of each council read-only.
Waits are on conditions (finished script runs, shown elements: tests/browser/waits.py), never on a time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, new_page
from tests.browser.mapkit import MAP_IFRAME, open_map
from tests.browser.waits import LOAD_S, goto, rerun, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def sized(browser, request):
    """A page of a given viewport: ``sized(width, height)``; screenshots under artifacts/browser/."""
    ctxs = []

    def make(width: int, height: int, mobile: bool = False):
        pg = new_page(
            browser, width, height, is_mobile=mobile, has_touch=mobile, device_scale_factor=2 if mobile else 1
        )
        ctxs.append(pg.context)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

        def shot(name: str, full_page: bool = False):
            path = ARTIFACTS / f"{request.node.name}-{name}.png"
            pg.screenshot(path=str(path), full_page=full_page)
            return path

        pg.shot = shot
        return pg

    yield make
    for c in ctxs:
        c.close()


def in_first_screen(pg, locator) -> bool:
    """The element's box lies inside the viewport as first shown (page not scrolled)."""
    box = locator.bounding_box()
    vp = pg.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= vp["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= vp["width"] + 1
    )


def wait_for_metric(pg, label: str, timeout_ms: int = int(LOAD_S * 1000)):
    """The metric once shown (the first run of a fresh server builds the council's workspace)."""
    loc = pg.locator('[data-testid="stMetric"]', has_text=label).first
    try:
        loc.wait_for(timeout=timeout_ms)
    except Exception:
        pg.shot("metric-missing", full_page=True)
        raise
    return loc


@pytest.mark.parametrize(
    "path, labels",
    [
        ("edit_zones", ["Hours / week", "Cost / week", "Units changed", "Hours changing band"]),
        ("finance", ["Change / week", "Change / year", "Change over 8 years", "Plan cost / week"]),
    ],
)
def test_totals_are_on_the_first_laptop_screen(server, sized, path, labels):
    pg = sized(1366, 768)
    goto(pg, f"{server}/{path}?council=leicestershire")
    for label in labels:
        wait_for_metric(pg, label)
    pg.shot("first-screen")
    assert pg.evaluate("() => window.scrollY") == 0
    for label in labels:
        loc = wait_for_metric(pg, label)
        assert in_first_screen(pg, loc), (label, loc.bounding_box())
        value = loc.locator('[data-testid="stMetricValue"]')
        assert value.evaluate(
            "e => [...e.querySelectorAll('*')].concat([e]).every(x => x.scrollWidth <= x.clientWidth + 1)"
        ), (label, value.inner_text(), "shown in full, not cut to '…'")


def legend_box(pg):
    """The band legend's box (page coordinates), wherever it is drawn: in the map's iframe or on the page."""
    pat = re.compile(r"urban\s*£\d", re.IGNORECASE)
    for frame in pg.frames:
        loc = frame.get_by_text(pat)
        if loc.count():
            box = loc.first.bounding_box()
            if box:
                return box
    return None


def test_phone_read_only_zone_map_shows_map_and_legend_first_and_the_council_can_be_changed(server, sized):
    pg = sized(390, 844, mobile=True)
    open_map(pg, server + "/?council=leicestershire&readonly=1")
    wait_for(lambda: legend_box(pg), "the band legend", pg=pg)  # the map draws it inside its iframe
    pg.shot("first-screen")
    vp = pg.viewport_size
    assert pg.evaluate("() => window.scrollY") == 0
    # the map: its top on the first screen with most of the screen's height for it
    m = pg.locator(MAP_IFRAME).first.bounding_box()
    assert m and 0 <= m["y"] < vp["height"] / 2, m
    assert min(m["y"] + m["height"], vp["height"]) - m["y"] >= 400, m
    assert m["width"] >= vp["width"] - 60, "the map spans the phone's width"
    # the legend (band colours with rates) on the first screen
    lg = legend_box(pg)
    assert lg and lg["y"] >= 0 and lg["y"] + lg["height"] <= vp["height"] and lg["x"] + lg["width"] <= vp["width"], lg
    # the council picker is on the page (the sidebar is collapsed on a phone) and works
    picker = pg.get_by_label("Council shown")
    expect(picker).to_be_visible(timeout=LOAD_S * 1000)  # waits (is_visible() does not)
    box = picker.bounding_box()
    assert box and box["y"] + box["height"] <= vp["height"]
    picker.click()
    rerun(pg, pg.get_by_role("option", name="Coventry", exact=True).click, LOAD_S)
    pg.get_by_role("heading", name=re.compile("^Coventry")).wait_for(timeout=LOAD_S * 1000)
    pg.shot("coventry")
    assert "council=coventry" in pg.url and "readonly=1" in pg.url
    assert pg.get_by_role("link", name="Edit zones").count() == 0, "still read-only"


def test_wide_screen_hides_the_phone_council_picker(server, sized):
    pg = sized(1366, 768)
    goto(pg, server + "/?council=merton&readonly=1")
    pg.get_by_role("heading", name=re.compile("^Merton")).wait_for(timeout=LOAD_S * 1000)
    # the sidebar draws its picker in the same run as the heading but may paint it later on a busy machine: wait for
    # it (is_visible() does not wait), then the phone picker must be hidden
    expect(pg.get_by_label("Council", exact=True)).to_be_visible(timeout=LOAD_S * 1000)
    expect(pg.get_by_label("Council shown")).to_be_hidden()  # the sidebar's selector is enough on a wide screen


@pytest.mark.parametrize(
    "council, name",
    [("leicestershire", "Leicestershire"), ("coventry", "Coventry"), ("merton", "Merton"), ("bradford", "Bradford")],
)
def test_read_only_zone_map_and_report_of_each_council(server, sized, council, name):
    """A councillor's read-only view of every council: the Zone map (with a unit's evidence card) and the Report,
    saved as screenshots under artifacts/browser/ (issue 14 §3: the pages make sense without training)."""
    pg = sized(1366, 900)
    open_map(pg, f"{server}/?council={council}&readonly=1")
    pg.get_by_role("heading", name=re.compile(f"^{name}")).wait_for(timeout=LOAD_S * 1000)
    pg.shot("zone-map")
    assert pg.locator('[data-testid="stException"]').count() == 0
    # a unit's evidence card, picked from the list as a keyboard user would
    pg.get_by_label("Unit evidence").click()
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowDown")
    rerun(pg, lambda: pg.keyboard.press("Enter"))
    card = pg.get_by_text(re.compile(r" is (URBAN|FRINGE|RURAL|ISOLATED) because "))
    card.first.wait_for(timeout=120_000)
    card.first.scroll_into_view_if_needed()
    pg.shot("evidence")
    text = pg.locator('[data-testid="stMain"]').inner_text()
    assert "between visits" in text and "care hours a week per km²" in text
    assert not re.search(r"_min\b|hours_per_km2|[<>≥≤]|\b999\b|\.graphml|\.toml|localitys", text), "plain English only"
    assert (
        pg.locator('.st-key-ev-figures [data-testid="stMetricValue"]')
        .nth(1)
        .evaluate("e => [...e.querySelectorAll('*')].concat([e]).every(x => x.scrollWidth <= x.clientWidth + 1)")
    ), "zone in full"
    goto(pg, f"{server}/report?council={council}&readonly=1")
    frame = pg.frame_locator("iframe").first
    frame.get_by_role(
        "heading", name=re.compile(f"^{name} home-care (zones|lots|clusters|localities) and price bands")
    ).wait_for(timeout=LOAD_S * 1000)
    pg.shot("report", full_page=True)
    assert pg.locator('[data-testid="stException"]').count() == 0
    report = frame.locator("body").inner_text()
    for part in ("Bands", "Totals", "Assumptions and estimates", "Data sources", "OpenStreetMap"):
        assert part in report, part
    assert ".toml" not in report and "circuity" not in report


def test_the_report_fits_a_phone_its_tables_scroll_inside_themselves(server, sized):
    """The walk-through found the report's tables 200 px wider than its frame on a 390 px phone (the £/week column
    cut off). On a narrow screen each table now scrolls inside itself and the frame's page fits its width."""
    pg = sized(390, 844, mobile=True)
    goto(pg, f"{server}/report?council=leicestershire&readonly=1")
    frame = pg.frame_locator("iframe").first
    frame.get_by_role("heading", name=re.compile("^Leicestershire home-care")).wait_for(timeout=LOAD_S * 1000)
    h1 = "() => (document.querySelector('h1') || {}).textContent || ''"
    doc = next(f for f in pg.frames[1:] if f.evaluate(h1).startswith("Leicestershire home-care"))
    over = doc.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert over <= 1, f"the report's page is {over} px wider than its frame"
