"""Issue 19 §16: WCAG 2.2 AA on every page for every council and on the phone view, checked with axe-core (npm,
pinned in package.json, injected by Playwright): no serious or critical violation of the WCAG 2.0/2.1/2.2 A and
AA rules. Before the fix, every page of every council had serious colour-contrast failures (captions 3.81:1 on
the sidebar, 3.88:1 on white)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import new_page
from tests.browser.waits import goto

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["", "edit_zones", "finance", "scenarios", "suggest", "bands", "report"]
COUNCILS = ["leicestershire", "coventry", "merton", "bradford"]
RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def violations(pg) -> list[dict]:
    """axe-core's serious and critical violations on the page as it stands."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: `npm ci` installs axe-core (make test does)")
    pg.add_script_tag(path=str(AXE))
    return [v for v in pg.evaluate(RUN, TAGS) if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("council", COUNCILS)
def test_every_page_has_no_serious_axe_violation(server, page, council):
    pages = PAGES if council == "leicestershire" else ["", "edit_zones", "finance", "report"]
    found = {}
    for path in pages:
        goto(page, f"{server}/{path}?council={council}")
        bad = violations(page)
        if bad:
            found[path or "zone map"] = bad
    assert not found, found


@pytest.mark.parametrize("council", COUNCILS)
def test_phone_zone_map_has_no_serious_axe_violation(server, browser, council):
    pg = new_page(browser, 390, 844, is_mobile=True, has_touch=True)
    try:
        goto(pg, f"{server}/?council={council}&readonly=1")
        assert not violations(pg)
    finally:
        pg.context.close()
