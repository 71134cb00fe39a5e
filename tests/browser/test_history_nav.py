"""Issue 19 §9: Back/Forward. A session built up three history entries per page (the page link, then the app
writing ``?council=`` and ``?draft=`` back), Back needed several presses per page and re-wrote the query string,
so Forward did nothing. Now one entry per page; Back and Forward step one page each."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.mapkit import wait_for_map_controls
from tests.browser.waits import goto, nav, settle

pytestmark = pytest.mark.browser
LOAD_MS = 240_000


def test_back_and_forward_step_one_page_each(server, page):
    goto(page, f"{server}/?council=merton")
    expect(page.get_by_role("heading", name=re.compile("Merton"))).to_be_visible(timeout=LOAD_MS)
    expect(page).to_have_url(re.compile(r"council=merton.*draft=|draft=.*council=merton"), timeout=LOAD_MS)
    page.wait_for_function("window.history.__zoneplanOnePerPage === true", timeout=LOAD_MS)  # the app is loaded
    n0 = page.evaluate("history.length")
    for name, path in (("Edit zones", "edit_zones"), ("Finance", "finance"), ("Scenarios", "scenarios")):
        nav(page, name)  # follow the sidebar link and wait for that page's run to finish (as a person would)
        expect(
            page.get_by_role("heading", name=name if name != "Edit zones" else re.compile("Edit zones")).first
        ).to_be_visible(timeout=LOAD_MS)
        if path == "edit_zones":  # leave only once the map has drawn: a map still loading may ask the server for
            wait_for_map_controls(page)  # its geometry, and that rerun of Edit zones won over the Finance link once
            settle(page)
        expect(page).to_have_url(re.compile(rf"/{path}\?(?=.*council=merton)(?=.*draft=)"), timeout=LOAD_MS)
    assert page.evaluate("history.length") == n0 + 3
    page.go_back()
    expect(page).to_have_url(re.compile(r"/finance\?"), timeout=LOAD_MS)
    expect(page.get_by_role("heading", name="Finance").first).to_be_visible(timeout=LOAD_MS)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/edit_zones\?"), timeout=LOAD_MS)
    expect(page.get_by_role("heading", name=re.compile("Edit zones")).first).to_be_visible(timeout=LOAD_MS)
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/finance\?(?=.*council=merton)"), timeout=LOAD_MS)
    expect(page.get_by_role("heading", name="Finance").first).to_be_visible(timeout=LOAD_MS)
    assert page.evaluate("history.length") == n0 + 3
