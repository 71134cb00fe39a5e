"""A generated council (issue 20) in Debian chromium: its own server with a packs directory holding a pack built by
`zoneplan council new`; the map draws every LSOA, the sidebar names the data vintage, a click on a unit shows its
evidence card with the vintage, and the Finance page renders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.appserver import app_server
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.mapkit import map_frame, open_map, wait_for
from tests.browser.waits import goto, settle

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def council_server(tmp_path_factory):
    """A streamlit server whose ZONEPLAN_PACKS holds a freshly generated Rutland pack: (url, summary)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not installed (make test installs Debian chromium)")
    d = tmp_path_factory.mktemp("council-server")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("ZONEPLAN_DB_URL", "ZONEPLAN_RAISE")},
        "ZONEPLAN_PACKS": str(d / "packs"),
        "ZONEPLAN_STORE": str(d / "s.sqlite"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "council", "new", "Rutland", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    import json

    summary = json.loads(out.stdout)
    server_env = {k: env[k] for k in ("ZONEPLAN_PACKS", "ZONEPLAN_STORE")}
    with app_server(ROOT, ARTIFACTS.parent / "streamlit-council.log", server_env) as url:
        yield url, summary


def test_generated_council_map_evidence_and_vintage(council_server, page):
    url, summary = council_server
    cid = summary["council"]
    fr = open_map(page, f"{url}/?council={cid}")
    settle(page)
    wait_for(lambda: fr.locator("path.leaflet-interactive").count() >= summary["n_units"], "every LSOA drawn")
    page.shot("map")
    side = page.locator('[data-testid="stSidebar"]')
    assert "Data vintage" in side.inner_text() and "Dec 2021" in side.inner_text()
    picker = side.locator('[data-testid="stSelectbox"]').first
    shown = picker.inner_text() + (
        picker.locator("input").first.input_value() if picker.locator("input").count() else ""
    )
    assert "Rutland (LSOAs 2021)" in shown, shown
    box = map_frame(page).locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a unit near the middle
    wait_for(
        lambda: (
            "Indices of Deprivation 2025" in page.locator("section.main, [data-testid='stMain']").first.inner_text()
        ),
        "the evidence card with the data vintage",
    )
    page.shot("evidence")
    goto(page, f"{url}/finance?council={cid}")
    wait_for(lambda: "STAND-IN" in page.locator("[data-testid='stMain']").first.inner_text(), "the Finance page")
    page.shot("finance")
