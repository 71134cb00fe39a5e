"""Evidence walk-through (issue 19, "What to show"): every page of the app for each council, on a laptop and on a
phone, as a screenshot and an axe-core accessibility check. A tool, not a test: it records what it sees.

It starts ``streamlit run app.py`` as the browser tests do (tests/browser/conftest.py: a free 127.0.0.1 port, a
scenario store of its own, Debian chromium through Playwright) and waits for Streamlit's script runs
(tests/browser/waits.py), never for a fixed time. A council that is not a shipped pack (default: Rutland) is made
first with ``zoneplan council new NAME`` into a temporary ``ZONEPLAN_PACKS`` that the server also reads.

For each council × device × page it:
- opens ``/<page>?council=<id>`` in a fresh browser context, waits for the run and for each map iframe to draw;
- saves the first screen, and the page below it up to 2 screens in all, as JPEG (quality 60):
  ``<out>/img/walk/<council>-<page>-<device>.jpg``;
- injects axe-core (node_modules/axe-core/axe.min.js, as tests/browser/test_axe.py) into the page and its
  same-origin iframes and runs the WCAG 2.0/2.1/2.2 A and AA rules; counts violations by impact, with rule ids;
- notes Python exceptions and error boxes shown, and any sideways overflow (px cut off on the right).

It writes ``<out>/accessibility.md`` (the table, date, commit, versions, how to re-run, the keyboard journey).

Run:  .venv/bin/python bench/walkthrough.py [--councils leicestershire,merton,bradford,coventry,Rutland]
      [--devices laptop,phone] [--pages zone-map,edit-zones,...] [--out docs]
The last line printed is one JSON object (per-page results and totals).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, new_page  # noqa: E402
from tests.browser.waits import LOAD_S, goto, settle  # noqa: E402

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # as tests/browser/test_axe.py
IMPACTS = ("critical", "serious", "moderate", "minor")
SEEDS = ["leicestershire", "merton", "bradford", "coventry"]
DEFAULT_COUNCILS = [*SEEDS, "Rutland"]
#: page id (file name) -> (URL path, title in the sidebar); app.py's navigation in its order (Bands: editing only)
PAGES = {
    "zone-map": ("", "Zone map"),
    "edit-zones": ("edit_zones", "Edit zones"),
    "finance": ("finance", "Finance"),
    "scenarios": ("scenarios", "Scenarios"),
    "suggest": ("suggest", "Suggest zones"),
    "bands": ("bands", "Bands"),
    "report": ("report", "Report"),
}
GENERATED_PAGES = ["zone-map", "edit-zones", "finance", "report"]  # a generated council: the pages it differs on
DEVICES = {
    "laptop": {"width": 1366, "height": 768},
    "phone": {"width": 390, "height": 844, "is_mobile": True, "has_touch": True},
}
JPEG_QUALITY = 55
SCREENS = 2  # a screenshot covers the first screen and the one below it (the page is cut there)
MAP_S = 120.0  # a map iframe draws its units (bounds a failure; a drawn map returns at once)
RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                     iframes: false});
  return {passed: r.passes.length, incomplete: r.incomplete.map(v => v.id),
          violations: r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
                                              nodes: v.nodes.slice(0, 2).map(n => n.target.join(' '))}))};
}"""
OVERFLOW = """() => { const d = document.documentElement, m = document.querySelector('[data-testid="stMain"]');
  return Math.max(d.scrollWidth - d.clientWidth, m ? m.scrollWidth - m.clientWidth : 0); }"""


# ---------------------------------------------------------------- server and packs
def generate_pack(name: str, packs_dir: Path) -> str:
    """``zoneplan council new NAME --json`` into ``packs_dir``; the new pack's id (e.g. ``rutland_lsoa21``)."""
    env = {**os.environ, "ZONEPLAN_PACKS": str(packs_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli.main", "council", "new", name, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    ).stdout
    return Path(json.loads(out.strip().splitlines()[-1])["pack"]).stem


def app_server(packs_dir: Path, store: Path, log_path: Path):
    """This tree's app with its own scenario store and local packs directory (as tests/browser/conftest.py's
    ``server``)."""
    from tests.appserver import app_server as serve

    return serve(ROOT, log_path, {"ZONEPLAN_STORE": str(store), "ZONEPLAN_PACKS": str(packs_dir)})


# ---------------------------------------------------------------- one page
def maps_drawn(pg) -> list[str]:
    """Wait until every iframe has loaded and each Leaflet map in one has drawn its shapes (the unit map also its
    first view); returns what did not draw in time (empty when all did)."""
    missing = []
    for i, el in enumerate(pg.locator("iframe").element_handles()):
        fr = el.content_frame()
        if fr is None:
            continue
        try:
            fr.wait_for_load_state("load", timeout=MAP_S * 1000)
            if fr.locator(".leaflet-container").count() or "unitmap" in (el.get_attribute("title") or ""):
                fr.locator("path.leaflet-interactive, canvas").first.wait_for(state="attached", timeout=MAP_S * 1000)
            if "unitmap" in (el.get_attribute("title") or ""):
                fr.locator("body[data-view]").wait_for(state="attached", timeout=MAP_S * 1000)
                fr.locator("body").evaluate("b => new Promise(r => setTimeout(r, 60))")  # its queued refit (mapkit)
        except Exception as exc:  # noqa: BLE001 - recorded: the walk goes on to the next page
            missing.append(f"iframe {i} ({el.get_attribute('title') or 'untitled'}): {type(exc).__name__}")
    settle(pg)
    return missing


def frames_overflow(pg) -> int:
    """How far (px) the widest iframe's content runs past the iframe's right edge (a table cut off inside the
    report's frame, say): 0 when every frame's content fits."""
    widest = 0
    for fr in pg.frames[1:]:
        try:
            widest = max(
                widest, fr.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            )
        except Exception:  # noqa: BLE001 - a frame that went away has nothing to measure
            pass
    return widest


def axe_run(pg) -> dict:
    """axe-core on the page and, one by one, in each of its iframes (the maps, the report: axe's own
    frame-to-frame messaging reported nothing from Streamlit's srcdoc frames): ``violations`` (all impacts; a
    rule found in several documents once, its elements added up), the number of rules ``passed`` (the page's)
    and the ids of rules it could not decide (``incomplete``: for a person to check)."""
    pg.add_script_tag(path=str(AXE))  # the page itself must be checked: a failure here fails this page view
    out = pg.evaluate(RUN_AXE, TAGS)
    out["frames_unchecked"] = 0
    for fr in pg.frames[1:]:
        try:
            fr.add_script_tag(path=str(AXE))
            merge(out, fr.evaluate(RUN_AXE, TAGS), fr.name or fr.url[:40])
        except Exception:  # noqa: BLE001 - a frame that went away or refuses scripts: counted, not checked
            out["frames_unchecked"] += 1
    return out


def merge(out: dict, part: dict, frame: str) -> None:
    """Add one frame's axe results to the page's (elements named ``frame >> selector``)."""
    by_id = {v["id"]: v for v in out["violations"]}
    for v in part["violations"]:
        nodes = [f"{frame} >> {n}" for n in v["nodes"]]
        if v["id"] in by_id:
            was = by_id[v["id"]]
            was["impact"] = min(was["impact"] or "minor", v["impact"] or "minor", key=IMPACTS.index)  # the worse
            was["n"] += v["n"]
            was["nodes"] = (was["nodes"] + nodes)[:2]
        else:
            out["violations"].append({**v, "nodes": nodes})
    out["incomplete"] = sorted(set(out["incomplete"]) | set(part["incomplete"]))


def shown_errors(pg) -> list[str]:
    """Python exceptions and error boxes the page shows (their first line, at most 160 characters each)."""
    sel = '[data-testid="stException"], [data-testid="stAlertContentError"]'
    return [t.strip().splitlines()[0][:160] for t in pg.locator(sel).all_inner_texts() if t.strip()]


def screenshot(pg, path: Path) -> int:
    """The first ``SCREENS`` screens of the page (the scrolling main area stretched for the shot) as a JPEG."""
    vp = pg.viewport_size
    height = pg.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
      return Math.max(document.documentElement.scrollHeight, m ? m.scrollHeight : 0); }""")
    clip = {"x": 0, "y": 0, "width": vp["width"], "height": min(height, SCREENS * vp["height"])}
    pg.set_viewport_size({"width": vp["width"], "height": int(clip["height"])})
    try:
        settle(pg)
        pg.screenshot(path=str(path), type="jpeg", quality=JPEG_QUALITY, clip=clip, animations="disabled")
    finally:
        pg.set_viewport_size(vp)
    return path.stat().st_size


def walk_page(pg, url: str, shot: Path) -> dict:
    """Open one page, wait for it, screenshot it, check it with axe; the record for the table."""
    t0 = time.perf_counter()
    goto(pg, url, timeout_s=LOAD_S)
    missing = maps_drawn(pg)
    load_s = time.perf_counter() - t0
    overflow = pg.evaluate(OVERFLOW)
    frame_overflow = frames_overflow(pg)
    errors = shown_errors(pg)
    size = screenshot(pg, shot)
    axe = axe_run(pg)
    found = axe["violations"]
    counts = Counter(v["impact"] or "minor" for v in found)
    return {
        "url": url,
        "load_s": round(load_s, 1),
        "shot": shot.name,
        "shot_bytes": size,
        "counts": {k: counts.get(k, 0) for k in IMPACTS},
        "rules": {v["id"]: {"impact": v["impact"], "nodes": v["n"], "e.g.": v["nodes"]} for v in found},
        "rules_passed": axe["passed"],
        "needs_review": axe["incomplete"],
        "frames_unchecked": axe["frames_unchecked"],
        "errors": errors,
        "maps_not_drawn": missing,
        "overflow_px": overflow,
        "frame_overflow_px": frame_overflow,
    }


# ---------------------------------------------------------------- the walk
def walk(
    url: str, plan: list[tuple[str, list[str]]], devices: list[str], img_dir: Path, journeys: bool
) -> tuple[list[dict], list[dict]]:
    """Walk each (council, pages) of ``plan`` on each device (one record per page view) and, with ``journeys``,
    make one edit per council and read its figures on every screen (one record per council)."""
    from playwright.sync_api import sync_playwright

    rows, done = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            for council, pages in plan:
                for device in devices:
                    rows += walk_device(browser, url, council, device, pages, img_dir)
                if journeys:
                    done.append(journey(browser, url, council, img_dir))
                    print(
                        f"{council:>16} journey agree={done[-1]['agree']} {done[-1]['seen']}",
                        file=sys.stderr,
                        flush=True,
                    )
        finally:
            browser.close()
    return rows, done


def walk_device(browser, url: str, council: str, device: str, pages: list[str], img_dir: Path) -> list[dict]:
    spec = dict(DEVICES[device])
    pg = new_page(browser, spec.pop("width"), spec.pop("height"), **spec)
    rows = []
    try:
        for page in pages:
            path, _title = PAGES[page]
            shot = img_dir / f"{short(council)}-{page}-{device}.jpg"
            try:
                rec = walk_page(pg, f"{url}/{path}?council={council}", shot)
            except Exception as exc:  # noqa: BLE001 - a page that does not open is a finding, not the end of the walk
                rec = {"url": f"{url}/{path}?council={council}", "failed": f"{type(exc).__name__}: {exc}"[:300]}
            rows.append({"council": council, "device": device, "page": page, **rec})
            print(f"{council:>16} {device:6} {page:10} {summary(rows[-1])}", file=sys.stderr, flush=True)
    finally:
        pg.context.close()
    return rows


def short(council: str) -> str:
    """The file-name form of a council id (a generated pack's id without its ``_lsoa21`` suffix)."""
    return council.removesuffix("_lsoa21")


def summary(row: dict) -> str:
    if "failed" in row:
        return "FAILED " + row["failed"][:120]
    c = row["counts"]
    return (
        f"crit {c['critical']} ser {c['serious']} mod {c['moderate']} min {c['minor']} "
        f"rules {','.join(row['rules']) or '-'} errors {len(row['errors'])} load {row['load_s']} s"
    )


# ---------------------------------------------------------------- one edit, every screen (figures agree)
JOURNEY_UNITS = {"leicestershire": "Asfordby", "merton": "Abbey", "bradford": "Craven", "coventry": "Henley"}
REPORT_FIGURE = r"{label} ([+−-]?£[0-9,]+\.[0-9]{{2}})"


def planned_move(council: str) -> dict:
    """The unit the journey moves (a seed council's named unit, else the unit with the most care hours), its band
    now and the band it goes to, and what the move must cost, worked out here by hand in Decimal: hours a week ×
    (new rate − old rate), rounded half up to the penny once; the plan's £ a week after it; a year at 52 weeks."""
    from decimal import ROUND_HALF_UP, Decimal

    from zones.service.workspace import load_workspace

    ws = load_workspace(council)
    base = ws.base
    name = JOURNEY_UNITS.get(council) or str(ws.units.sort_values("hours_per_week").iloc[-1]["unit_name"])
    code = ws.layer.resolve(name)[0]
    old = base.band_of(code)
    new = "rural" if old != "rural" else "urban"
    hours = Decimal(int(base.hours_cents[base.index(code)[0]])) / 100
    exact = hours * (base.rates.rate(new) - base.rates.rate(old))
    penny = Decimal("0.01")
    plan = base.totals()["gbp_per_week_exact"] + exact
    return {
        "unit": name,
        "from": old,
        "to": new,
        "hours_per_week": f"{hours:,.2f}",
        "change_week": exact.quantize(penny, ROUND_HALF_UP),
        "change_year": (exact * 52).quantize(penny, ROUND_HALF_UP),
        "plan_week": plan.quantize(penny, ROUND_HALF_UP),
    }


def metric(pg, label: str) -> str:
    return (
        pg.locator('[data-testid="stMetric"]', has_text=label)
        .first.locator('[data-testid="stMetricValue"]')
        .inner_text()
        .strip()
    )


def gbp(text: str):
    """A £ figure as shown (``+£1,071.56``, ``−£5.00``) as a Decimal; None when there is none."""
    from decimal import Decimal

    t = (text or "").replace("£", "").replace(",", "").replace("−", "-").replace("+", "").strip()
    try:
        return Decimal(t)
    except ArithmeticError:
        return None


def journey(browser, url: str, council: str, img_dir: Path) -> dict:
    """A commissioner moves one unit to another band on Edit zones (search, Enter, band, Move); the finance
    officer reads Finance, the Report and the Zone map in the same session. Records each screen's figures
    beside the hand-worked ones, and a screenshot of Edit zones after the move."""
    from tests.browser.mapkit import highlighted, map_frame, open_map, python_selection, search
    from tests.browser.waits import act_until, choose, nav, wait_for

    want = planned_move(council)
    pg = new_page(browser, 1366, 768)
    seen: dict = {}
    try:
        open_map(pg, f"{url}/edit_zones?council={council}")
        search(pg, want["unit"])
        wait_for(lambda: highlighted(pg), f"{want['unit']} highlighted", pg=pg)
        map_frame(pg).locator("#um-search").press("Enter")
        wait_for(lambda: python_selection(pg) == 1, f"{want['unit']} selected", pg=pg)
        choose(pg, "Move to band", want["to"])
        act_until(
            pg,
            pg.get_by_role("button", name="Move", exact=True).click,
            lambda: metric(pg, "Units changed") == "1",
            "the move",
        )
        seen["edit_zones_cost_week"] = metric(pg, "Cost / week").split("\n")[0]
        screenshot(pg, img_dir / f"{short(council)}-journey-edit-zones-laptop.jpg")
        nav(pg, "Finance")
        seen.update(
            finance_change_week=metric(pg, "Change / week"),
            finance_change_year=metric(pg, "Change / year"),
            finance_cost_week=metric(pg, "Plan cost / week"),
        )
        nav(pg, "Report")
        text = " ".join(pg.frame_locator("iframe").first.locator("body").inner_text().split())
        for key, label in (
            ("report_change_week", "Change per week"),
            ("report_cost_week", "Cost per week"),
            ("report_change_year", "Change per year"),
        ):
            m = re.search(REPORT_FIGURE.format(label=label), text)
            seen[key] = m.group(1) if m else "not found"
        nav(pg, "Zone map")
        seen["zone_map_cost_week"] = metric(pg, "Cost / week")
    except Exception as exc:  # noqa: BLE001 - recorded: the figures seen so far stand
        seen["failed"] = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        pg.context.close()
    return {"council": council, **want, "seen": seen, "agree": agree(want, seen)}


def agree(want: dict, seen: dict) -> bool:
    """Every screen shows the hand-worked change and plan cost."""
    checks = {
        "change_week": ("finance_change_week", "report_change_week"),
        "change_year": ("finance_change_year", "report_change_year"),
        "plan_week": ("edit_zones_cost_week", "finance_cost_week", "report_cost_week", "zone_map_cost_week"),
    }
    return "failed" not in seen and all(gbp(seen.get(k, "")) == want[w] for w, keys in checks.items() for k in keys)


def signed(x) -> str:
    return ("+" if x > 0 else "−" if x < 0 else "") + f"£{abs(x):,}"


def journey_rows(journeys: list[dict]) -> list[str]:
    if not journeys:
        return ["(not run: `--journeys none`)"]
    out = [
        "| council | unit moved | hours a week | band | change a week (by hand) | Finance | Report | change a year "
        "(by hand, 52 weeks) | Finance | Report | plan £ a week (by hand) | Edit zones | Finance | Report "
        "| Zone map | all agree |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for j in journeys:
        s = j["seen"]
        cells = [s.get(k, "-") for k in ("finance_change_week", "report_change_week")]
        cells2 = [s.get(k, "-") for k in ("finance_change_year", "report_change_year")]
        cells3 = [
            s.get(k, "-")
            for k in ("edit_zones_cost_week", "finance_cost_week", "report_cost_week", "zone_map_cost_week")
        ]
        verdict = "yes" if j["agree"] else ("NO" + (f" ({cell(s['failed'])})" if "failed" in s else ""))
        out.append(
            f"| {j['council']} | {cell(j['unit'])} | {j['hours_per_week']} | {j['from']} → {j['to']} | "
            f"{signed(j['change_week'])} | {' | '.join(cells)} | {signed(j['change_year'])} | "
            f"{' | '.join(cells2)} | "
            f"£{j['plan_week']:,} | {' | '.join(cells3)} | {verdict} |"
        )
    return out


# ---------------------------------------------------------------- the document
KEYBOARD = """\
`tests/browser/test_keyboard.py::test_keyboard_only_select_move_undo_redo_save` (chromium, 1400×1250, Leicestershire)
does, with Tab, Shift+Tab, typing, Enter and Space only (no mouse):

1. opens **Edit zones** and presses Tab until the focus is in the map's search box ("Find a unit…");
2. types "Asfordby": the map highlights it as one types; Enter selects it (the map and Python both count 1 selected);
3. Tabs to the **Move to band** picker (its focus ring is checked: the pixels round it differ focused and
   unfocused), types "isolated" (the list filters to it) and presses Enter: "Moving to band isolated" shows;
4. Tabs to **Move** (focus visible) and presses Enter: *Units changed* becomes 1;
5. Tabs to **Undo** (focus visible) and presses Space: *Units changed* is 0 again; Tabs to **Redo**, Enter: 1 again;
6. Tabs to the sidebar's **Scenarios** link and presses Enter: the Scenarios page opens;
7. Tabs to **Scenario name**, types "Keyboard plan", Tabs on to **Save** (focus visible), Enter:
   "Saved Keyboard plan version 1" shows.

Each step waits for Streamlit's script run to finish (tests/browser/waits.py), never for a fixed time. The map
keeps one Tab stop per unit (Leicestershire: 234), so the test allows up to 400 presses between two controls."""


def table_rows(rows: list[dict]) -> list[str]:
    out = [
        "| council | page | device | critical | serious | moderate | minor | rules (impact) | rules passed | notes "
        "| screenshot |",
        "|---|---|---|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for r in rows:
        shot = f"[{r['shot']}](img/walk/{r['shot']})" if r.get("shot") else "-"
        if "failed" in r:
            out.append(
                f"| {r['council']} | {r['page']} | {r['device']} | | | | | | | did not open: {cell(r['failed'])} | - |"
            )
            continue
        c = r["counts"]
        rules = ", ".join(f"{k} ({v['impact'][0]}{v['nodes']})" for k, v in r["rules"].items()) or "none"
        notes = [f"{len(r['errors'])} error box(es): {cell(r['errors'][0])}"] if r["errors"] else []
        notes += [f"map not drawn: {cell(m)}" for m in r["maps_not_drawn"]]
        notes += [f"{r['frames_unchecked']} iframe(s) not checked"] if r["frames_unchecked"] else []
        notes += [f"{r['overflow_px']} px cut off on the right"] if r["overflow_px"] > 1 else []
        notes += (
            [f"a frame's content {r['frame_overflow_px']} px wider than the frame"]
            if r["frame_overflow_px"] > 1
            else []
        )
        out.append(
            f"| {r['council']} | {r['page']} | {r['device']} | {c['critical']} | {c['serious']} | "
            f"{c['moderate']} | {c['minor']} | {rules} | {r['rules_passed']} | {'; '.join(notes) or '-'} | "
            f"{shot} |"
        )
    return out


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no pipes, no line breaks, no HTML)."""
    return " ".join(str(text).replace("|", "/").replace("<", "‹").replace(">", "›").split())[:160]


def rule_totals(rows: list[dict]) -> list[str]:
    seen: dict[str, dict] = {}
    for r in rows:
        for rule, v in r.get("rules", {}).items():
            s = seen.setdefault(rule, {"impact": v["impact"], "pages": 0, "e.g.": v["e.g."]})
            s["pages"] += 1
    out = ["| rule | impact | pages (of the walk) | example element |", "|---|---|---:|---|"]
    out += [
        f"| {k} | {v['impact']} | {v['pages']} | `{cell(v['e.g.'][0] if v['e.g.'] else '')}` |"
        for k, v in sorted(seen.items(), key=lambda kv: (IMPACTS.index(kv[1]["impact"] or "minor"), kv[0]))
    ]
    out = out if seen else ["No violation on any page walked."]
    review = sorted({i for r in rows for i in r.get("needs_review", [])})
    return out + [
        "",
        "Rules axe could not decide on some page (for a person to check, e.g. text over a map or an "
        "image): " + (", ".join(f"`{i}`" for i in review) or "none") + ".",
    ]


def document(rows: list[dict], journeys: list[dict], meta: dict) -> str:
    tot = totals(rows)
    lines = [
        "# Accessibility and screenshots: every page, every council, laptop and phone",
        "",
        f"Walked on **{meta['date']}** at commit `{meta['commit']}`"
        f"{' (with uncommitted changes)' if meta['dirty'] else ''}"
        f" with {meta['browser']} (headless, Playwright {meta['playwright']}) and axe-core {meta['axe']}, rules tagged "
        f"{', '.join(TAGS)} (WCAG 2.0, 2.1 and 2.2, levels A and AA), each of the page's iframes (the maps, the "
        "report) checked as well. Laptop: 1366×768; phone: 390×844, mobile and touch. Each page is opened fresh "
        "(`/<page>?council=<id>`) in editing mode with an empty scenario store.",
        "",
        f"**Totals:** {tot['pages']} page views, {tot['failed']} did not open; violations: critical "
        f"{tot['critical']}, serious {tot['serious']}, moderate {tot['moderate']}, minor {tot['minor']} "
        f"(page views with a serious or critical one: {tot['pages_serious_or_critical']}). "
        f"Generated council: {meta['generated'] or 'none'} (by default walked on {', '.join(GENERATED_PAGES)}, the "
        "pages where its figures differ, to keep the images small). Screenshots: the first two screens of each page, "
        f"JPEG quality {JPEG_QUALITY}, in `img/walk/` ({tot['shot_bytes'] / 1e6:.1f} MB).",
        "",
        "Re-run (a few minutes idle; longer on a busy machine):",
        "",
        "```bash",
        ".venv/bin/python bench/walkthrough.py            # all: " + ",".join(DEFAULT_COUNCILS) + "; laptop,phone",
        ".venv/bin/python bench/walkthrough.py --councils merton --devices phone --pages zone-map,finance --out /tmp/w",
        "```",
        "",
        "The browser test `tests/browser/test_axe.py` fails on any serious or critical violation (every page of every "
        "seed council on the laptop, and every page on the phone); this document records all impacts.",
        "",
        "## Results per page",
        "",
        *table_rows(rows),
        "",
        "Rules column: rule id (first letter of its impact, then the number of elements).",
        "",
        "## Rules found",
        "",
        *rule_totals(rows),
        "",
        "## One edit, every screen: do the figures agree?",
        "",
        "As a commissioner would: open Edit zones (laptop), find the unit with the map's search box, Enter, choose "
        "another band, Move; then, as the finance officer, Finance, the Report and the Zone map in the same session. "
        "The change is worked out here by hand in Decimal (hours a week × (new rate − old rate), rounded half up "
        "once; a year = 52 weeks) and set beside what each screen shows. Screenshots: "
        "`<council>-journey-edit-zones-laptop.jpg` (Edit zones after the move).",
        "",
        *journey_rows(journeys),
        "",
        "## Keyboard-only journey",
        "",
        KEYBOARD,
        "",
    ]
    return "\n".join(lines)


def totals(rows: list[dict]) -> dict:
    ok = [r for r in rows if "failed" not in r]
    t = {k: sum(r["counts"][k] for r in ok) for k in IMPACTS}
    t.update(
        pages=len(rows),
        failed=len(rows) - len(ok),
        pages_serious_or_critical=sum(1 for r in ok if r["counts"]["serious"] + r["counts"]["critical"]),
        error_boxes=sum(len(r["errors"]) for r in ok),
        shot_bytes=sum(r["shot_bytes"] for r in ok),
    )
    return t


def versions() -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        browser = f"Chromium {b.version}"
        b.close()
    axe = json.loads((AXE.parent / "package.json").read_text())["version"]
    from importlib.metadata import version

    return {"browser": browser, "axe": axe, "playwright": version("playwright")}


def git_meta() -> dict:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    changed = git(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/img/walk", ":!docs/accessibility.md"
    )
    return {"commit": git("rev-parse", "--short=12", "HEAD"), "dirty": bool(changed)}


# ---------------------------------------------------------------- command line
def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--councils",
        default=",".join(DEFAULT_COUNCILS),
        help="pack ids, or names of councils to make with `zoneplan council new` (default: %(default)s)",
    )
    ap.add_argument("--devices", default="laptop,phone", help="laptop, phone (default: %(default)s)")
    ap.add_argument(
        "--pages",
        default=None,
        help=f"page ids (default: all, {', '.join(PAGES)}; for a generated "
        f"council {', '.join(GENERATED_PAGES)}, to keep the images small)",
    )
    ap.add_argument(
        "--journeys",
        choices=["all", "none"],
        default="all",
        help="one edit per council, its figures read on every screen (default: %(default)s)",
    )
    ap.add_argument(
        "--out", type=Path, default=ROOT / "docs", help="folder for accessibility.md and img/walk/ (default: docs)"
    )
    a = ap.parse_args(argv)
    a.councils, a.devices, a.pages = (split(a.councils), split(a.devices), split(a.pages) if a.pages else None)
    bad = [d for d in a.devices if d not in DEVICES] + [p for p in a.pages or [] if p not in PAGES]
    if bad or not a.councils:
        ap.error(f"unknown device or page: {', '.join(bad)} (devices: {', '.join(DEVICES)}; pages: {', '.join(PAGES)})")
    return a


def split(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def resolve(councils: list[str], pages: list[str] | None, packs_dir: Path) -> tuple[list, list[str]]:
    """What to walk, as (pack id, page ids): shipped or already local ids as given, any other name generated into
    ``packs_dir`` (its pages GENERATED_PAGES unless ``pages`` is given); and a note per generated pack."""
    from geodata.packs import available_packs

    known = set(available_packs())
    plan, made = [], []
    for c in councils:
        if c in known:
            plan.append((c, pages or list(PAGES)))
        else:
            plan.append((generate_pack(c, packs_dir), pages or GENERATED_PAGES))
            made.append(f"{c} (`zoneplan council new {c}` → `{plan[-1][0]}`)")
    return plan, made


def main(argv: list[str] | None = None) -> dict:
    a = parse(argv)
    if not AXE.exists():
        sys.exit(f"{AXE} missing: `npm ci` installs axe-core (make test does)")
    img_dir = a.out / "img" / "walk"
    img_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="walkthrough-") as tmp:
        packs = Path(tmp) / "packs"
        packs.mkdir()
        os.environ["ZONEPLAN_PACKS"] = str(packs)
        plan, made = resolve(a.councils, a.pages, packs)
        log = Path(tmp) / "streamlit.log"
        with app_server(packs, Path(tmp) / "scenarios.sqlite", log) as url:
            rows, journeys = walk(url, plan, a.devices, img_dir, a.journeys == "all")
    meta = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "generated": "; ".join(made),
        **git_meta(),
        **versions(),
    }
    (a.out / "accessibility.md").write_text(document(rows, journeys, meta))
    result = {
        **meta,
        "walked": {c: p for c, p in plan},
        "devices": a.devices,
        "totals": totals(rows),
        "elapsed_s": round(time.perf_counter() - t0, 1),
        "rows": rows,
        "journeys": journeys,
        "journeys_agree": all(j["agree"] for j in journeys),
    }
    print(json.dumps(result, default=str))
    return result


if __name__ == "__main__":
    main()
