"""Benchmark: server-side rerun after an edit, and the map payload, for Leicestershire.

rerun_ms: Streamlit AppTest on the Edit zones page — time of the rerun after clicking Move as AppTest sees it
(median of several edits; includes AppTest's own polling), against the first (cold) run that builds the caches;
script_ms: the same reruns timed inside app.py (start of the script to the end of the page). payload_mb: the HTML
that streamlit-folium
sends for the Edit zones map (folium's rendered document: simplified EPSG:4326 units with band and zone, zone
outlines and labels, legend, Draw plugin), against the unsimplified GeoJSON of the same units alone.

Browser (issue 19 §17), before/after side by side in one run: two ``streamlit run app.py`` servers, one on a
baseline checkout (``--baseline PATH``, or by default ``git archive`` of ``--baseline-ref`` into a temporary folder)
and one on this tree, both on the same warm caches (this tree's ``.cache``). Debian chromium (Playwright) measures,
per seed council, alternating between the two servers (the order swaps every council, so drift in the machine's load
falls on both):
- ``first_map_s``: a fresh browser context opens the Zone map until the script run has finished and the map's unit
  paths are drawn (the server already holds the council's workspace: ``server_cold_s`` is the very first load);
- ``switch_map_s`` (Zone map → Edit zones), ``switch_finance_s`` (Edit zones → Finance), ``switch_back_s``
  (Finance → Zone map): the sidebar link until the new page's run has finished and its content (map paths or the
  Finance title) is drawn;
- ``rerun_s`` and ``rerun_kb``: a rerun on the Zone map in which the map's arguments change (a unit picked in
  "Unit evidence": outlined on the map, its card shown) and the websocket bytes the browser received for it (median
  of two); ``first_map_kb``, ``switch_map_kb``: bytes of those steps.
Timings are wall time from the action to the condition, polled every 50 ms (tests/browser/waits.py).
Server side, both trees at once in AppTest (less noisy than the browser under load): ``new_session_ms``, the script
time of a new session's first run on a process that already holds the council, and ``edit_zones_ms``,
``finance_ms``, ``zone_map_ms``, the script time of each page reached by a page switch (medians of three).

Run: .venv/bin/python bench/app.py [--baseline PATH] [--councils c ...] [--skip-apptest] [--skip-browser]
(last line: one JSON object; about 3-5 minutes on an idle 2-core machine)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.apptest_kit import serve_like_the_server  # noqa: E402


def apptest_bench(n_edits: int = 20) -> dict:
    """The AppTest figures (module docstring): reruns after edits on Edit zones, and the folium map's payload."""
    serve_like_the_server()  # app.py around the page in every run (tests/apptest_kit.py says why)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    at.switch_page("pages/edit_zones.py")
    at.run()
    cold_s = time.perf_counter() - t0
    ws_hist = at.session_state["history-leicestershire"]
    codes = list(ws_hist.current.unit_codes)[: 4 * n_edits : 4]
    from pages import common as _common

    times, script_ms = [], []
    for i, code in enumerate(codes):
        at.session_state["sel-leicestershire"] = [code]
        at.run()
        at.selectbox(key="to-band").set_value(["urban", "fringe", "rural", "isolated"][i % 4])
        t = time.perf_counter()
        at.button(key="move").click().run()
        times.append((time.perf_counter() - t) * 1000)
        assert not at.exception, at.exception
        script_ms.append(_common.RUN_MS[-1])
    # payload: the map document as streamlit-folium sends it
    from pages import common
    from zones.service.workspace import load_workspace

    ws = load_workspace("leicestershire")
    raw = ws.units.to_crs("EPSG:4326")[["unit_code", "unit_name", "parishes", "hours_per_week", "geometry"]].to_json(
        drop_id=True
    )
    # the folium map the read-only pages still draw (units by band, zone outlines and labels, legend); Edit zones
    # and Zone map use the unit map component (pages/unitmap.py), whose geometry is sent once per council
    m = common.band_map("leicestershire", ws, ws.base)
    html = m.get_root().render()
    out = {
        "rerun_ms": round(statistics.median(times), 1),
        "rerun_ms_max": round(max(times), 1),
        "edits": len(times),
        "script_ms": round(statistics.median(script_ms), 1),
        "script_ms_max": round(max(script_ms), 1),
        "cold_first_run_s": round(cold_s, 2),
        "payload_mb": round(len(html.encode()) / 1e6, 3),
        "unsimplified_geojson_mb": round(len(raw.encode()) / 1e6, 3),
    }
    print(
        f"rerun after an edit: median {out['rerun_ms']} ms, max {out['rerun_ms_max']} ms over {len(times)} edits "
        f"(first cold run {out['cold_first_run_s']} s), AppTest round trip included"
    )
    print(
        f"of which the script run itself (app.py start to end, measured inside): median {out['script_ms']} ms, "
        f"max {out['script_ms_max']} ms"
    )
    print(
        f"map payload {out['payload_mb']} MB (simplified, EPSG:4326) vs "
        f"{out['unsimplified_geojson_mb']} MB unsimplified GeoJSON"
    )
    print("per edit (script ms):", [round(x) for x in script_ms])
    return out


# ---------------------------------------------------------------------------------------------- browser benchmark
COUNCILS = ("leicestershire", "merton", "bradford", "coventry")
BASELINE_REF = "c218091"  # main before issue 19 §17 (geometry sent with every rerun)
MAP_IFRAME = 'iframe[title*="unitmap"]'
STEPS = ("first_map_s", "switch_map_s", "switch_finance_s", "switch_back_s", "rerun_s")
SIZES = ("first_map_kb", "switch_map_kb", "rerun_kb")


@contextmanager
def baseline_tree(path: str | None, ref: str):
    """The baseline checkout: ``path`` as given, or ``git archive ref`` unpacked into a temporary folder."""
    if path:
        yield Path(path).resolve()
        return
    with tempfile.TemporaryDirectory(prefix="bench-app-base-") as tmp:
        arch = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=arch, check=True)
        yield Path(tmp)


def app_server(tree: Path, store: str, log_path: Path):
    """``tree``'s app (its own code first on the path, this tree's warm caches, a scenario store of its own)."""
    from tests.appserver import app_server as serve

    cache = os.environ.get("ZONEPLAN_CACHE", str(ROOT / ".cache"))
    return serve(tree, log_path, {"PYTHONPATH": str(tree), "ZONEPLAN_STORE": store, "ZONEPLAN_CACHE": cache})


class Wire:
    """Bytes of the websocket frames a page receives from Streamlit (``/_stcore/stream``)."""

    def __init__(self, pg):
        self.received = 0
        pg.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        if "/_stcore/stream" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.received += len(payload)


def map_drawn(pg) -> bool:
    """The unit map's iframe shows its first view (``data-view``) and its unit paths."""
    fr = pg.frame_locator(MAP_IFRAME).first
    return fr.locator("body[data-view]").count() > 0 and fr.locator("path.leaflet-interactive").count() > 0


def timed(pg, wire: Wire, action, drawn) -> tuple[float, float]:
    """Seconds from ``action()`` until its run has finished and ``drawn(pg)`` holds, and the kB received."""
    from tests.browser.waits import LOAD_S, wait_for

    b0, t0 = wire.received, time.perf_counter()
    action()
    wait_for(lambda: drawn(pg), "the page drawn", LOAD_S, pg)
    return time.perf_counter() - t0, (wire.received - b0) / 1000


def pick_next_unit(pg) -> None:
    """Zone map: the next unit in the "Unit evidence" box (a rerun in which the map's arguments change: the unit
    picked is outlined, its evidence card shown)."""
    from tests.browser.waits import rerun, settle

    settle(pg)
    pg.get_by_label("Unit evidence").click()
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowDown")
    rerun(pg, lambda: pg.keyboard.press("Enter"))


def journey(browser, url: str, council: str) -> dict:
    """One fresh browser context: Zone map (first map), two reruns there (a unit picked), → Edit zones, → Finance,
    → Zone map."""
    from tests.browser.conftest import new_page
    from tests.browser.waits import goto, nav

    pg = new_page(browser)
    wire = Wire(pg)
    finance = lambda p: p.get_by_text("Finance: rates and cost impact").count() > 0  # noqa: E731
    try:
        out = {}
        out["first_map_s"], out["first_map_kb"] = timed(
            pg, wire, lambda: goto(pg, f"{url}/?council={council}"), map_drawn
        )
        reruns = [timed(pg, wire, lambda: pick_next_unit(pg), map_drawn) for _ in range(2)]
        out["rerun_s"] = statistics.median(r[0] for r in reruns)
        out["rerun_kb"] = statistics.median(r[1] for r in reruns)
        out["switch_map_s"], out["switch_map_kb"] = timed(pg, wire, lambda: nav(pg, "Edit zones"), map_drawn)
        out["switch_finance_s"], _ = timed(pg, wire, lambda: nav(pg, "Finance"), finance)
        out["switch_back_s"], _ = timed(pg, wire, lambda: nav(pg, "Zone map"), map_drawn)
        return {k: round(v, 2 if k.endswith("_s") else 1) for k, v in out.items()}
    finally:
        pg.context.close()


def cold_load(browser, url: str, council: str) -> float:
    """The server's first load of a council (builds its workspace from the warm caches): seconds to the map."""
    from tests.browser.conftest import new_page
    from tests.browser.waits import goto

    pg = new_page(browser)
    try:
        return round(timed(pg, Wire(pg), lambda: goto(pg, f"{url}/?council={council}"), map_drawn)[0], 2)
    finally:
        pg.context.close()


#: run in a child process inside a tree (its own code first on the path): per council, the script time (app.py start
#: to end, ``common.RUN_MS``) of a new session's first run on a server that already holds the council, and the
#: script time of each page reached by a page switch (Zone map → Edit zones → Finance → Zone map, cycled); medians
SCRIPT_CHILD = r"""
import json, os, statistics, sys, tempfile
sys.path.insert(0, os.getcwd())
os.environ["ZONEPLAN_STORE"] = os.path.join(tempfile.mkdtemp(), "s.sqlite")
from streamlit.runtime.pages_manager import PagesManager
_init = PagesManager.__init__
def _no_pages_dir(self, *a, **k):
    _init(self, *a, **k)
    PagesManager.uses_pages_directory = False
PagesManager.__init__ = _no_pages_dir
from streamlit.testing.v1 import AppTest
from pages import common
def session(council):
    at = AppTest.from_file(os.path.join(os.getcwd(), "app.py"), default_timeout=600)
    at.query_params["council"] = council
    at.run()
    return at
out, cycles = {}, int(sys.argv[1])
for council in sys.argv[2:]:
    session(council)
    firsts = []
    for _ in range(cycles):
        k = len(common.RUN_MS)
        at = session(council)
        firsts.append(sum(list(common.RUN_MS)[k:]))
    res = {"new_session_ms": round(statistics.median(firsts))}
    ms = {p: [] for p in ("edit_zones", "finance", "zone_map")}
    for _ in range(cycles):
        for p in ms:
            at.switch_page(f"pages/{p}.py")
            at.run()
            assert not at.exception, at.exception
            ms[p].append(common.RUN_MS[-1])
    res.update({f"{p}_ms": round(statistics.median(v)) for p, v in ms.items()})
    out[council] = res
print(json.dumps(out))
"""


def script_bench(trees: dict, councils, cycles: int = 3) -> dict:
    """Server-side script times (``SCRIPT_CHILD``) of both trees, the two children run at the same time (the same
    load on both)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ZONEPLAN_DB_URL", "ZONEPLAN_RAISE")}
    env.setdefault("ZONEPLAN_CACHE", str(ROOT / ".cache"))
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", SCRIPT_CHILD, str(cycles), *councils],
            cwd=tree,
            env={**env, "PYTHONPATH": str(tree)},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for name, tree in trees.items()
    }
    out = {}
    for name, proc in procs.items():
        stdout, _ = proc.communicate(timeout=900)
        if proc.returncode:
            raise RuntimeError(f"script bench in {trees[name]} failed ({proc.returncode})")
        out[name] = json.loads(stdout.strip().splitlines()[-1])
    return out


def load_avg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def browser_bench(baseline: str | None, ref: str, councils, reps: int) -> dict:
    """Both servers up at once; per council (and repetition) one journey on each, the order alternating."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM

    res: dict = {c: {"base": [], "current": [], "server_cold_s": {}} for c in councils}
    out: dict = {"load_avg_start": load_avg(), "reps": reps}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-app-")))
        base = stack.enter_context(baseline_tree(baseline, ref))
        urls = {
            name: stack.enter_context(app_server(tree, str(tmp / f"{name}.sqlite"), tmp / f"{name}.log"))
            for name, tree in (("base", base), ("current", ROOT))
        }
        out["script"] = script_bench({"base": base, "current": ROOT}, councils)
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        stack.callback(browser.close)
        for i, council in enumerate(councils):
            order = ("base", "current") if i % 2 == 0 else ("current", "base")
            for name in order:
                res[council]["server_cold_s"][name] = cold_load(browser, urls[name], council)
            for r in range(reps):
                for name in order if r % 2 == 0 else order[::-1]:
                    res[council][name].append(journey(browser, urls[name], council))
    out["load_avg_end"] = load_avg()
    out["councils"] = {
        c: {"server_cold_s": v["server_cold_s"], **{name: _median_of(v[name]) for name in ("base", "current")}}
        for c, v in res.items()
    }
    return out


def _median_of(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


def print_table(b: dict) -> None:
    print("\nscript time on the server (ms, AppTest, both trees at once): before / after")
    for c, v in b["script"]["current"].items():
        print(f"{c:16} " + "  ".join(f"{k} {b['script']['base'][c][k]} / {x}" for k, x in v.items()))
    print(
        f"\nbrowser: before (baseline) and after (this tree), {b['reps']} journey(s) per council and server "
        f"(median); load average {b['load_avg_start']} at the start, {b['load_avg_end']} at the end"
    )
    print(f"{'council':16} {'figure':18} {'before':>10} {'after':>10} {'after/before':>13}")
    for c, v in b["councils"].items():
        cold = v["server_cold_s"]
        print(f"{c:16} {'server_cold_s':18} {cold['base']:>10} {cold['current']:>10}")
        for k in STEPS + SIZES:
            before, after = v["base"][k], v["current"][k]
            ratio = f"{after / before:.2f}" if before else "-"
            print(f"{'':16} {k:18} {before:>10} {after:>10} {ratio:>13}")
    print("median over the councils:")
    for k, (before, after) in summary(b).items():
        print(f"{'':16} {k:18} {before:>10} {after:>10} {after / before if before else 0:>13.2f}")


def summary(b: dict) -> dict:
    """Per figure: the median over the councils, before and after."""
    cs = b["councils"].values()
    return {
        k: (
            round(statistics.median(v["base"][k] for v in cs), 2),
            round(statistics.median(v["current"][k] for v in cs), 2),
        )
        for k in STEPS + SIZES
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", help="a checkout to compare against (default: git archive of --baseline-ref)")
    ap.add_argument("--baseline-ref", default=BASELINE_REF)
    ap.add_argument("--councils", nargs="+", default=list(COUNCILS))
    ap.add_argument("--reps", type=int, default=1, help="journeys per council and server (median)")
    ap.add_argument("--edits", type=int, default=20, help="AppTest edits")
    ap.add_argument("--skip-apptest", action="store_true")
    ap.add_argument("--skip-browser", action="store_true")
    a = ap.parse_args(argv)
    out: dict = {} if a.skip_apptest else apptest_bench(a.edits)
    if not a.skip_browser:
        out["browser"] = browser_bench(a.baseline, a.baseline_ref, a.councils, a.reps)
        out["browser"]["median"] = {k: {"base": v[0], "current": v[1]} for k, v in summary(out["browser"]).items()}
        print_table(out["browser"])
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
