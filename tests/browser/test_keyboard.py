"""Issue 19 §16: a keyboard-only journey with visible focus (WCAG 2.2: 2.1.1 Keyboard, 2.4.7 Focus Visible).

A commissioner who uses no mouse finds Asfordby with the map's search box and Enter, chooses a band, moves it,
undoes and redoes the move and saves the plan as a scenario: Tab, Shift+Tab, typing, Enter and Space only. Every
control used shows where the focus is: the pixels around it differ between focused and not focused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.mapkit import browser_selected, highlighted, python_selection, wait_for_map_controls
from tests.browser.waits import LOAD_S, goto, rerun, settle, wait_for

pytestmark = pytest.mark.browser
#: Tabs allowed to reach any control: the map's units are ONE Tab stop (a listbox with a roving tabindex; it was
#: one stop per unit, 234 in Leicestershire, and this allowed 400)
MAX_TABS = 45

#: the element that has the keyboard focus, looking into same-origin iframes (the unit map component)
ACTIVE = """() => { let d = document, e = d.activeElement;
  while (e && e.tagName === 'IFRAME') { try { d = e.contentDocument; e = d.activeElement; } catch (x) { break; } }
  if (!e || e === d.body) return null;
  return {tag: e.tagName, role: e.getAttribute('role') || '', label: e.getAttribute('aria-label') || '',
          placeholder: e.getAttribute('placeholder') || '', text: (e.innerText || e.value || '').trim().slice(0, 60),
          disabled: !!e.disabled, framed: d !== document}; }"""


def active(pg) -> dict | None:
    return pg.evaluate(ACTIVE)


def tab_to(pg, want, what: str, back: bool = False, limit: int = MAX_TABS) -> dict:
    """Press Tab (Shift+Tab with ``back``) until the focused element satisfies ``want(el)``; at most ``limit``."""
    for i in range(limit):
        pg.keyboard.press("Shift+Tab" if back else "Tab")
        el = active(pg)
        if el and want(el):
            print(f"[tabs] {what}: {i + 1}")
            return el
    pytest.fail(f"{what} was not reached with {limit} presses of Tab")


def focus_is_visible(pg, target, box=None) -> bool:
    """The focused control ``target`` looks different from the same control unfocused (a ring, border or shadow):
    compare the pixels of ``box`` (default the control itself), 6 px around, with the focus on it and after moving
    the focus away (blur)."""
    bb = (box or target).bounding_box()
    clip = {"x": max(bb["x"] - 6, 0), "y": max(bb["y"] - 6, 0), "width": bb["width"] + 12, "height": bb["height"] + 12}
    focused = pg.screenshot(clip=clip, animations="disabled", caret="initial")
    target.evaluate("e => e.blur()")
    blurred = pg.screenshot(clip=clip, animations="disabled", caret="initial")
    target.focus()
    return focused != blurred


def metric(pg, label: str) -> str:
    return (
        pg.locator('[data-testid="stMetric"]', has_text=label)
        .first.locator('[data-testid="stMetricValue"]')
        .inner_text()
    )


def test_keyboard_only_select_move_undo_redo_save(server, page):
    pg = page
    goto(pg, f"{server}/edit_zones?council=leicestershire", ready="Edit zones and bands")
    wait_for_map_controls(pg)  # Tab through the page only once the map frame has drawn its units and search box
    pg.locator("body").focus()
    tab_to(pg, lambda e: e["placeholder"].startswith("Find a unit"), "the map's search box")
    pg.keyboard.type("Asfordby")  # the map searches as one types and highlights what it found
    wait_for(lambda: highlighted(pg) >= 1, "Asfordby highlighted", pg=pg)
    settle(pg)
    pg.keyboard.press("Enter")  # Enter selects what the search found
    wait_for(lambda: browser_selected(pg) == 1 and python_selection(pg) == 1, "Enter to select Asfordby", pg=pg)
    settle(pg)
    move = pg.get_by_role("button", name="Move", exact=True)
    expect(move).to_be_enabled()

    tab_to(pg, lambda e: e["role"] == "combobox" and e["label"].startswith("Move to band"), "the band picker")
    band = pg.get_by_role("combobox", name=re.compile("Move to band"))
    assert focus_is_visible(pg, band, box=pg.locator('[data-testid="stSelectbox"]', has=band).first)
    pg.keyboard.type("isolated")
    expect(pg.get_by_role("option", name="isolated", exact=True)).to_be_visible()  # the list has filtered
    rerun(pg, lambda: pg.keyboard.press("Enter"))
    expect(pg.get_by_text(re.compile(r"Moving to band isolated"))).to_be_visible()

    tab_to(pg, lambda e: e["tag"] == "BUTTON" and e["text"] == "Move", "the Move button")
    assert focus_is_visible(pg, move)
    rerun(pg, lambda: pg.keyboard.press("Enter"))
    wait_for(lambda: metric(pg, "Units changed") == "1", "the move to show in the totals", pg=pg)

    undo = pg.get_by_role("button", name="Undo", exact=True)
    expect(undo).to_be_enabled()
    tab_to(pg, lambda e: e["tag"] == "BUTTON" and e["text"] == "Undo", "the Undo button")
    assert focus_is_visible(pg, undo)
    rerun(pg, lambda: pg.keyboard.press("Space"))
    wait_for(lambda: metric(pg, "Units changed") == "0", "the undo to show in the totals", pg=pg)
    tab_to(pg, lambda e: e["tag"] == "BUTTON" and e["text"] == "Redo", "the Redo button")
    rerun(pg, lambda: pg.keyboard.press("Enter"))
    wait_for(lambda: metric(pg, "Units changed") == "1", "the redo to show in the totals", pg=pg)

    link = tab_to(
        pg, lambda e: e["tag"] == "A" and e["text"].endswith("Scenarios"), "the Scenarios page link", back=True
    )  # the page links are above: Shift+Tab
    assert link
    rerun(pg, lambda: pg.keyboard.press("Enter"), LOAD_S)
    expect(pg.get_by_role("heading", name="Scenarios").first).to_be_visible(timeout=LOAD_S * 1000)
    settle(pg)
    tab_to(pg, lambda e: e["tag"] == "INPUT" and e["label"] == "Scenario name", "the scenario name box")
    pg.keyboard.type("Keyboard plan")
    save = pg.get_by_role("button", name="Save", exact=True)
    rerun(pg, lambda: pg.keyboard.press("Tab"))  # leaving the box commits its text (a rerun)
    tab_to(pg, lambda e: e["tag"] == "BUTTON" and e["text"] == "Save", "the Save button")
    assert focus_is_visible(pg, save)
    rerun(pg, lambda: pg.keyboard.press("Enter"))
    expect(pg.get_by_text("Saved Keyboard plan version 1")).to_be_visible(timeout=LOAD_S * 1000)


def test_map_is_one_tab_stop_with_arrow_keys_and_space(server, page):
    """The map's units are one Tab stop: Tab from the search box passes the map in a handful of presses, lands on
    ONE unit (an option named in words), the arrow keys / Home / End move between units, Space selects (the map
    and Python agree), the focused unit shows a ring, and the Move button is reached in a few more Tabs."""
    pg = page
    goto(pg, f"{server}/edit_zones?council=leicestershire", ready="Edit zones and bands")
    wait_for_map_controls(pg)  # Tab through the page only once the map frame has drawn its units and search box
    pg.locator("body").focus()
    tab_to(pg, lambda e: e["placeholder"].startswith("Find a unit"), "the map's search box")
    stops_in_map = []
    for _ in range(MAX_TABS):  # every Tab stop of the map component after its search box, until the page
        pg.keyboard.press("Tab")
        el = active(pg)
        if not (el and el["framed"]):
            break
        stops_in_map.append(el)
    units = [e for e in stops_in_map if e["role"] == "option"]
    assert len(units) == 1, [e["label"] or e["text"] for e in stops_in_map]
    assert len(stops_in_map) <= 12, [e["label"] or e["text"] for e in stops_in_map]
    first = tab_to(pg, lambda e: e["role"] == "option", "the map's unit", back=True)
    named = r"\. (Zone|Lot|Cluster) .+\. Band \w+ \(£[\d.]+(/h)?\)\. [\d,.]+ care hours a week"
    assert re.search(named, first["label"]), first
    pg.keyboard.press("ArrowRight")
    right = active(pg)
    assert right["role"] == "option" and right["label"] != first["label"], (first, right)
    pg.keyboard.press("End")
    end = active(pg)
    pg.keyboard.press("Home")
    home = active(pg)
    assert end["role"] == home["role"] == "option" and end["label"] != home["label"]
    assert home["label"] == first["label"], "the unit first by name holds the Tab stop at first"
    pg.keyboard.press("ArrowDown")
    unit = active(pg)
    fr = pg.frame_locator('iframe[title*="unitmap"]').first
    path = fr.locator('path[tabindex="0"]')
    assert path.count() == 1 and path.get_attribute("aria-label") == unit["label"]
    assert focus_is_visible(pg, path)
    rerun(pg, lambda: pg.keyboard.press("Space"))
    wait_for(lambda: browser_selected(pg) == 1 and python_selection(pg) == 1, "Space to select the unit", pg=pg)
    assert fr.locator('path[aria-selected="true"]').get_attribute("aria-label") == unit["label"]
    tab_to(pg, lambda e: e["tag"] == "BUTTON" and e["text"] == "Move", "the Move button", limit=25)
    # the listbox and its options pass axe-core inside the map's own frame too (test_axe checks the page)
    from tests.browser.test_axe import AXE, RUN, TAGS

    frame = pg.locator('iframe[title*="unitmap"]').first.element_handle().content_frame()
    frame.add_script_tag(path=str(AXE))
    bad = [v for v in frame.evaluate(RUN, TAGS) if v["impact"] in ("serious", "critical")]
    assert not bad, bad
