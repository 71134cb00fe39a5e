"""Helpers for driving the unit map component (pages/unitmap_frontend) in chromium: find its iframe, read the
browser-side selection and view, draw gestures, and poll for the state Python shows. Polls, no fixed long sleeps."""
from __future__ import annotations

import re
import time

MAP_IFRAME = 'iframe[title*="unitmap"]'


def map_frame(pg):
    return pg.frame_locator(MAP_IFRAME).first


def open_map(pg, url: str):
    """Open a page with the unit map and wait until the map has drawn its units."""
    pg.goto(url)
    pg.locator(MAP_IFRAME).first.wait_for(timeout=120_000)
    fr = map_frame(pg)
    fr.locator("path.leaflet-interactive").first.wait_for(timeout=120_000)
    wait_for(lambda: body_attr(pg, "data-view") is not None, "the map's first view", 60)
    return fr


def body_attr(pg, name: str):
    return map_frame(pg).locator("body").get_attribute(name, timeout=10_000)


def browser_selected(pg) -> int:
    return int(body_attr(pg, "data-selected") or 0)


def highlighted(pg) -> int:
    return int(body_attr(pg, "data-highlighted") or 0)


def view(pg) -> str:
    return body_attr(pg, "data-view") or ""


def map_box(pg) -> dict:
    box = map_frame(pg).locator("#map").bounding_box()
    assert box is not None
    return box


def wait_for(cond, what: str, timeout_s: float = 60.0, every_s: float = 0.2):
    """Poll ``cond()`` until it is truthy (returned) or fail naming ``what``."""
    end = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < end:
        try:
            last = cond()
        except Exception as exc:  # noqa: BLE001 - an element re-rendered between calls: try again
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(every_s)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def python_selection(pg) -> int | None:
    """The selection size Python shows beside the map ("Selection: N units")."""
    box = pg.locator(".st-key-selection-summary")
    if not box.count():
        return None
    m = re.search(r"Selection: (\d+) unit", box.first.inner_text())
    return int(m.group(1)) if m else None


def metric_value(pg, label: str) -> str:
    return pg.locator('[data-testid="stMetric"]', has_text=label).first.inner_text().split("\n")[1 if "\n" in label else -1]


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
