"""Benchmark: server-side rerun after an edit, and the map payload, for Leicestershire.

rerun_ms: Streamlit AppTest on the Edit zones page — time of the rerun after clicking Move as AppTest sees it
(median of several edits; includes AppTest's own polling), against the first (cold) run that builds the caches;
script_ms: the same reruns timed inside app.py (start of the script to the end of the page). payload_mb: the HTML that streamlit-folium
sends for the Edit zones map (folium's rendered document: simplified EPSG:4326 units with band and zone, zone
outlines and labels, legend, Draw plugin), against the unsimplified GeoJSON of the same units alone.

Run: .venv/bin/python bench/app.py   (last line: one JSON object)
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.apptest_kit import serve_like_the_server  # noqa: E402


def main() -> dict:
    serve_like_the_server()  # app.py around the page in every run (tests/apptest_kit.py says why)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    at.switch_page("pages/edit_zones.py")
    at.run()
    cold_s = time.perf_counter() - t0
    ws_hist = at.session_state["history-leicestershire"]
    codes = list(ws_hist.current.unit_codes)[:80:4]  # 20 edits
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
    raw = ws.units.to_crs("EPSG:4326")[["unit_code", "unit_name", "parishes", "hours_per_week", "geometry"]].to_json(drop_id=True)
    # the folium map the read-only pages still draw (units by band, zone outlines and labels, legend); Edit zones
    # and Zone map use the unit map component (pages/unitmap.py), whose geometry is sent once per council
    m = common.band_map("leicestershire", ws, ws.base)
    html = m.get_root().render()
    out = {"rerun_ms": round(statistics.median(times), 1), "rerun_ms_max": round(max(times), 1), "edits": len(times),
           "script_ms": round(statistics.median(script_ms), 1), "script_ms_max": round(max(script_ms), 1),
           "cold_first_run_s": round(cold_s, 2), "payload_mb": round(len(html.encode()) / 1e6, 3),
           "unsimplified_geojson_mb": round(len(raw.encode()) / 1e6, 3)}
    print(f"rerun after an edit: median {out['rerun_ms']} ms, max {out['rerun_ms_max']} ms over {len(times)} edits "
          f"(first cold run {out['cold_first_run_s']} s), AppTest round trip included")
    print(f"of which the script run itself (app.py start to end, measured inside): median {out['script_ms']} ms, "
          f"max {out['script_ms_max']} ms")
    print(f"map payload {out['payload_mb']} MB (simplified, EPSG:4326) vs {out['unsimplified_geojson_mb']} MB unsimplified GeoJSON")
    print("per edit (script ms):", [round(x) for x in script_ms])
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
