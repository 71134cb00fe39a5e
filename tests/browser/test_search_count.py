"""Issue 19 §15 in chromium: the search box's "added to the selection (N …)" line never disagrees with the map's
own count. It used to keep "(1 selected)" after a Move or Clear had emptied the map's selection ("2 selected" in
the search while the map said 0)."""

from __future__ import annotations

import re

import pytest

from tests.browser.mapkit import browser_selected, highlighted, map_frame, open_map, python_selection, search
from tests.browser.waits import act_until, choose, wait_for

pytestmark = pytest.mark.browser
EDIT = "/edit_zones?council=leicestershire"


def found_count(pg) -> int | None:
    """The number of selected units the search line states, or None when it states none."""
    m = re.search(r"\((\d+) (?:units? )?selected", map_frame(pg).locator("#um-found").inner_text())
    return int(m.group(1)) if m else None


def agrees(pg) -> bool:
    n = found_count(pg)
    return n is None or n == browser_selected(pg)


def test_search_line_follows_the_maps_selection(server, page):
    open_map(page, server + EDIT)
    fr = map_frame(page)
    search(page, "Asfordby")
    wait_for(lambda: highlighted(page), "Asfordby highlighted")
    fr.locator("#um-search").press("Enter")
    wait_for(
        lambda: python_selection(page) == 1 and found_count(page) == 1 == browser_selected(page),
        "Enter to select Asfordby, the search line and the map saying 1",
    )
    # a Move empties the selection: the search line must not keep saying 1
    choose(page, "Move to band", "isolated")
    act_until(
        page,
        page.get_by_role("button", name="Move", exact=True).click,
        lambda: browser_selected(page) == 0,
        "the move to clear the map's selection",
    )
    assert agrees(page), (fr.locator("#um-found").inner_text(), browser_selected(page))
    # again with Clear, after a second search and Enter
    search(page, "Asfordby Hill")
    wait_for(lambda: highlighted(page), "Asfordby Hill highlighted")
    fr.locator("#um-search").press("Enter")
    wait_for(lambda: found_count(page) == browser_selected(page) >= 1, "the search line and the map to agree")
    act_until(
        page,
        fr.get_by_role("button", name="Clear", exact=True).click,
        lambda: browser_selected(page) == 0,
        "Clear to empty the map's selection",
    )
    assert agrees(page), (fr.locator("#um-found").inner_text(), browser_selected(page))
