"""Issue 19 §16: WCAG 2.2 AA on every page for every council and on the phone view, checked with axe-core (npm,
pinned in package.json, injected by Playwright): no serious or critical violation of the WCAG 2.0/2.1/2.2 A and
AA rules. Before the fix, every page of every council had serious colour-contrast failures (captions 3.81:1 on
the sidebar, 3.88:1 on white).

Every page of app.py's navigation (editing mode: Zone map, Edit zones, Finance, Scenarios, Suggest zones, Bands,
Report) for each of the four seed councils, on a 1366×768 laptop and a 390×844 touch phone (where the layout,
target sizes and the collapsed sidebar differ), plus the read-only Zone map on the phone. One server for all (the
session fixture); each council × device opens its pages in one browser context. bench/walkthrough.py records the
same check with every impact, iframes included, and a screenshot of each page in docs/accessibility.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import new_page
from tests.browser.waits import goto

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["", "edit_zones", "finance", "scenarios", "suggest", "bands", "report"]  # app.py's navigation, editing mode
COUNCILS = ["leicestershire", "coventry", "merton", "bradford"]
DEVICES = {
    "laptop": {"width": 1366, "height": 768},
    "phone": {"width": 390, "height": 844, "is_mobile": True, "has_touch": True},
}
RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                     iframes: false});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def violations(pg) -> list[dict]:
    """axe-core's serious and critical violations on the page as it stands and, run inside each, in its iframes
    (the maps, the report, the app's zero-height script frames: axe's own frame messaging does not reach
    Streamlit's srcdoc frames, so each is checked on its own)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: `npm ci` installs axe-core (make test does)")
    found = []
    for fr in pg.frames:
        fr.add_script_tag(path=str(AXE))
        found += [{**v, "frame": fr.name or fr.url[:40]} for v in fr.evaluate(RUN, TAGS)]
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("council", COUNCILS)
def test_every_page_has_no_serious_axe_violation(server, browser, council, device):
    spec = dict(DEVICES[device])
    pg = new_page(browser, spec.pop("width"), spec.pop("height"), **spec)
    found = {}
    try:
        for path in PAGES:
            goto(pg, f"{server}/{path}?council={council}")
            crashed = pg.locator('[data-testid="stException"]').all_inner_texts()
            assert not crashed, (path, crashed[0][:300])  # a page that failed to draw has nothing to check
            bad = violations(pg)
            if bad:
                found[path or "zone map"] = bad
    finally:
        pg.context.close()
    assert not found, found


@pytest.mark.parametrize("council", COUNCILS)
def test_phone_zone_map_has_no_serious_axe_violation(server, browser, council):
    pg = new_page(browser, 390, 844, is_mobile=True, has_touch=True)
    try:
        goto(pg, f"{server}/?council={council}&readonly=1")
        assert not violations(pg)
    finally:
        pg.context.close()
