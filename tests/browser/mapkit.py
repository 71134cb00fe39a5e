"""Helpers for driving the unit map component (pages/unitmap_frontend) in chromium: find its iframe, read the
browser-side selection and view, draw gestures, and poll for the state Python shows. The component writes its
state on its <body>: ``data-view`` (lat,lng,zoom, once the first view is drawn), ``data-selected`` and
``data-highlighted`` (counts); tests wait on those and on Streamlit's runs (tests/browser/waits.py), never for
a time."""

from __future__ import annotations

import re

from tests.browser.waits import LOAD_S, goto, settle, wait_for  # noqa: F401 - wait_for is part of this kit

MAP_IFRAME = 'iframe[title*="unitmap"]'


def map_frame(pg):
    return pg.frame_locator(MAP_IFRAME).first


def wait_for_map_controls(pg) -> None:
    """Wait until the map frame has drawn its units and its search box (both come after the page's script run:
    Tabbing through the page before then goes round a frame that is still empty)."""
    fr = map_frame(pg)
    fr.locator("path.leaflet-interactive").first.wait_for(timeout=LOAD_S * 1000)
    fr.get_by_placeholder(re.compile("^Find a unit")).wait_for(timeout=LOAD_S * 1000)


def open_map(pg, url: str):
    """Open a page with the unit map: its first script run has finished and the map has drawn its units and its
    first view (``data-view`` on the component's body)."""
    goto(pg, url)
    pg.locator(MAP_IFRAME).first.wait_for(timeout=LOAD_S * 1000)
    fr = map_frame(pg)
    fr.locator("path.leaflet-interactive").first.wait_for(timeout=LOAD_S * 1000)
    body = fr.locator("body[data-view]")
    body.wait_for(state="attached", timeout=LOAD_S * 1000)
    # the map refits once more in a 50 ms timer queued with its first view; a 60 ms timer queued now runs after it
    # (timers run in due order), so once this resolves the first view is final
    body.evaluate("b => new Promise(r => setTimeout(r, 60))")
    settle(pg)
    return fr


def body_attr(pg, name: str):
    return map_frame(pg).locator("body").get_attribute(name, timeout=10_000)


def browser_selected(pg) -> int:
    return int(body_attr(pg, "data-selected") or 0)


def highlighted(pg) -> int:
    return int(body_attr(pg, "data-highlighted") or 0)


def view(pg) -> str:
    return body_attr(pg, "data-view") or ""


def unit_at(pg, fx: float, fy: float) -> int | None:
    """Which unit's polygon (its index among the drawn units) a click at this fraction of the map box hits; None
    for a hole, a control or a label. A click on a unit sends an event to Python (a rerun follows); elsewhere
    nothing happens, so tests click only where this says a unit is."""
    i = (
        map_frame(pg)
        .locator("#map")
        .evaluate(
            "(m, f) => { const r = m.getBoundingClientRect();"
            " const e = document.elementFromPoint(r.left + f[0] * r.width, r.top + f[1] * r.height);"
            " return [...document.querySelectorAll('path.leaflet-interactive')].indexOf(e); }",
            [fx, fy],
        )
    )
    return None if i < 0 else i


def on_unit(pg, fx: float, fy: float) -> bool:
    return unit_at(pg, fx, fy) is not None


def picked_outline(pg) -> str | None:
    """The outline the view-only map draws round the unit Python says was picked (its SVG path), or None."""
    loc = map_frame(pg).locator('path[stroke="#111"][stroke-width="5"]')
    return loc.first.get_attribute("d") if loc.count() else None


def still(pg) -> bool:
    """No zoom or pan animation is running in the map (Leaflet marks its container while one runs)."""
    return map_frame(pg).locator(".leaflet-zoom-anim, .leaflet-pan-anim").count() == 0


def map_box(pg) -> dict:
    box = map_frame(pg).locator("#map").bounding_box()
    assert box is not None
    return box


def python_selection(pg) -> int | None:
    """The selection size Python shows beside the map ("Selection: N units")."""
    box = pg.locator(".st-key-selection-summary")
    if not box.count():
        return None
    m = re.search(r"Selection: (\d+) unit", box.first.inner_text())
    return int(m.group(1)) if m else None


def metric_value(pg, label: str) -> str:
    return (
        pg.locator('[data-testid="stMetric"]', has_text=label)
        .first.inner_text()
        .split("\n")[1 if "\n" in label else -1]
    )


def units_changed(pg) -> int | None:
    loc = pg.locator('[data-testid="stMetric"]', has_text="Units changed")
    if not loc.count():
        return None
    try:
        return int(loc.first.locator('[data-testid="stMetricValue"]').inner_text().strip())
    except ValueError:
        return None


def tool(pg, name: str) -> None:
    map_frame(pg).get_by_role("button", name=name, exact=True).click()


def drag(pg, points, steps: int = 6) -> None:
    """Mouse down at the first point (fractions of the map box), through the others, up at the last."""
    box = map_box(pg)
    xy = [(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy) for fx, fy in points]
    pg.mouse.move(*xy[0])
    pg.mouse.down()
    for p in xy[1:]:
        pg.mouse.move(*p, steps=steps)
    pg.mouse.up()


def search(pg, text: str) -> None:
    box = map_frame(pg).locator("#um-search")
    box.fill(text)
