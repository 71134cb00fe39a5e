"""Issue 11 §3: a zone named <img src=x onerror=alert(1)> imported, published and opened read-only in chromium
(map with zone labels and tooltips, Report page) fires no dialog; the name is shown as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import scenario_cli
from tests.browser.mapkit import map_frame, open_map, unit_at
from tests.browser.waits import nav

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
XSS = "<img src=x onerror=alert(1)>"


def test_script_in_a_zone_name_never_runs_in_a_published_link(server, server_store, page, tmp_path):
    # export the base plan, rename one zone to the payload, import it as a scenario and publish it (CLI)
    base = json.loads(scenario_cli(server_store, "save", "leicestershire", "XSS base", "--json"))
    gj = tmp_path / "base.geojson"
    scenario_cli(server_store, "export", str(base["scenario_id"]), "--out", str(gj))
    doc = json.loads(gj.read_text())
    first_zone = doc["features"][0]["properties"]["zone"]
    for f in doc["features"]:
        if f["properties"]["zone"] == first_zone:
            f["properties"]["zone"] = XSS
            f["properties"]["reason"] = XSS
    evil = tmp_path / "evil.geojson"
    evil.write_text(json.dumps(doc))
    imp = json.loads(scenario_cli(server_store, "import", "leicestershire", "XSS zone", str(evil), "--json"))
    scenario_cli(server_store, "publish", str(imp["scenario_id"]), "--version", str(imp["version"]))

    fired: list[str] = []
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    open_map(
        page, server + f"/?scenario={imp['scenario_id']}&version={imp['version']}&readonly=1&council=leicestershire"
    )
    frame = map_frame(page)
    # the zone label (DivIcon) shows the payload as text, not as an element
    assert frame.get_by_text(XSS).count() >= 1
    assert frame.locator("img[src='x']").count() == 0
    # hover across the map so that unit tooltips (zone field) open: each hover over a unit shows its tooltip
    box = frame.locator(".leaflet-container").bounding_box()
    tips = 0
    for fx in (0.3, 0.4, 0.5, 0.6, 0.7):
        for fy in (0.3, 0.5, 0.7):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            if unit_at(page, fx, fy) is not None:
                frame.locator(".leaflet-tooltip").first.wait_for()  # the tooltip is open (then checked below)
                tips += 1
    assert tips, "the hover opened no unit tooltip"
    assert frame.locator("img[src='x']").count() == 0
    page.shot("published-map")
    nav(page, "Report")
    report = page.frame_locator('iframe:not([title*="unitmap"])').first  # the report preview, not the map
    report.get_by_text("Changes against the base plan").wait_for()
    assert report.get_by_text(XSS).count() >= 1
    page.shot("published-report")
    assert fired == []
    # the listener does catch a dialog raised inside the map/report iframe (so the assertion above can fail)
    page.frames[-1].evaluate("() => alert('probe')")
    assert fired == ["probe"]
