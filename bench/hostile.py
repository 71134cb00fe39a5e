"""Benchmark (not a test): how long the 20 MB worst cases of issue 18 take to be refused, and one honest 20 MB import.

Run: .venv/bin/python bench/hostile.py   (last line: one JSON object)

Each case goes through the public, caged entry point (``read_import`` / ``parse_moves``): the wall time includes
forking the caged child and sending it the bytes. The same parser run in this process without the cage gives the
CPU time (``time.process_time``), which a loaded machine does not inflate. Side by side, the old regex of
``json_depth_ok`` on 3,000 / 6,000 / 12,000 escaped quotes against the linear scan on the same and on 10,000,000.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.datadir import DataError  # noqa: E402
from geodata.limits import json_depth_ok  # noqa: E402
from zones.moves import moves_cells, parse_moves  # noqa: E402
from zones.service.scenario_io import MAX_FEATURES, MAX_IMPORT_BYTES, read_import, read_import_uncaged  # noqa: E402

MB = 1024 * 1024
BANDS = ("urban", "fringe", "rural", "isolated")


def _gpkg_view(view_sql: str, size: int) -> bytes:
    """A GeoPackage whose layer is a view, padded with a plain blob table to ``size`` bytes."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.security.make_corpus import _gpkg

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "v.gpkg"
        _gpkg(p, [view_sql], extra=["CREATE TABLE pad (b BLOB)"])
        con = sqlite3.connect(p)
        con.execute("INSERT INTO pad VALUES (randomblob(?))", (size - p.stat().st_size - 64 * 1024,))
        con.commit()
        con.close()
        return p.read_bytes()


def _good_geojson(target: int) -> tuple[bytes, set[str]]:
    """MAX_FEATURES squares with enough vertices to make about ``target`` bytes of GeoJSON."""
    n = MAX_FEATURES
    per = max(5, (target // n - 160) // 20)
    feats = []
    for i in range(n):
        x0, y0 = -2 + (i % 200) * 0.01, 52 + (i // 200) * 0.01
        ring = [(x0 + 0.008 * k / per, y0) for k in range(per)] + [(x0 + 0.008, y0 + 0.008), (x0, y0 + 0.008)]
        ring = [[round(x, 6), round(y, 6)] for x, y in ring]
        feats.append(
            {
                "type": "Feature",
                "properties": {"unit_code": f"U{i}", "zone": f"Z{i % 7}", "band": BANDS[i % 4]},
                "geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode(), {f"U{i}" for i in range(n)}


def cases() -> list[tuple[str, bytes, str, set[str]]]:
    esc = b'\\"' * (10 * MB // 2 * 2)
    units = {"U0", "U1"}
    recursive = (
        "CREATE VIEW scenario AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT i AS fid, NULL AS geom, 'U0' AS unit_code, 'Z' AS zone, 'urban' AS band FROM n"
    )
    zeroblob = (
        "CREATE VIEW scenario AS SELECT 1 AS fid, NULL AS geom, 'U0' AS unit_code, "
        "replace(hex(zeroblob(300000000)), '0', 'Z') AS zone, 'urban' AS band"
    )
    good, good_units = _good_geojson(MAX_IMPORT_BYTES - MB)
    return [
        ("quadratic JSON, unterminated (20 MB)", b'{"' + esc[: MAX_IMPORT_BYTES - 2], "q.geojson", units),
        (
            "escaped quotes in a closed string (20 MB)",
            b'{"type":"FeatureCollection","features":[],"x":"' + esc[: MAX_IMPORT_BYTES - 100] + b'"}',
            "c.geojson",
            units,
        ),
        (
            "deep nesting (20 MB)",
            b'{"a":' + b"[" * (MAX_IMPORT_BYTES // 2 - 4) + b"]" * (MAX_IMPORT_BYTES // 2 - 4) + b"}",
            "d.geojson",
            units,
        ),
        ("recursive-CTE view GeoPackage (20 MB)", _gpkg_view(recursive, MAX_IMPORT_BYTES), "r.gpkg", units),
        ("zeroblob view GeoPackage (20 MB)", _gpkg_view(zeroblob, MAX_IMPORT_BYTES), "z.gpkg", units),
        (f"good GeoJSON, {MAX_FEATURES:,} features ({len(good) / MB:.1f} MB)", good, "good.geojson", good_units),
    ]


def time_case(name: str, data: bytes, fname: str, units: set[str]) -> dict:
    t0 = time.perf_counter()
    try:
        out = read_import(data, fname, units, BANDS)
        outcome = f"imported {len(out):,} rows"
    except DataError as exc:
        outcome = str(exc)[:90]
    wall = time.perf_counter() - t0
    c0 = time.process_time()
    try:
        read_import_uncaged(data, fname, units, BANDS)
    except DataError:
        pass
    cpu = time.process_time() - c0
    return {
        "case": name,
        "bytes": len(data),
        "caged_wall_s": round(wall, 3),
        "uncaged_cpu_s": round(cpu, 3),
        "outcome": outcome,
    }


def moves_case() -> dict:
    head = b"subzone,unit,from_band,to_band,hours_per_week\n"
    data = head + b"x," + b"A" * (5_000_000 - len(head) - 40) + b",urban,fringe,1\n"
    t0 = time.perf_counter()
    try:
        parse_moves(data, lambda n: [], BANDS, name="m.csv")
        outcome = "accepted"
    except DataError as exc:
        outcome = str(exc)[:90]
    wall = time.perf_counter() - t0
    c0 = time.process_time()
    moves_cells(data, "m.csv")
    return {
        "case": "moves CSV, one 5 MB cell (the moves limit)",
        "bytes": len(data),
        "caged_wall_s": round(wall, 3),
        "uncaged_cpu_s": round(time.process_time() - c0, 3),
        "outcome": outcome,
    }


def regex_side_by_side() -> list[dict]:
    old = re.compile(r'"(?:[^"\\]|\\.)*"')
    rows = []
    for n in (3_000, 6_000, 12_000, 10_000_000):
        text = '{"' + '\\"' * n
        old_s = None
        if n <= 12_000:
            c0 = time.process_time()
            old.sub('""', text)
            old_s = round(time.process_time() - c0, 3)
        c0 = time.process_time()
        json_depth_ok(text)
        rows.append(
            {"escaped_quotes": n, "old_regex_cpu_s": old_s, "linear_scan_cpu_s": round(time.process_time() - c0, 4)}
        )
    return rows


def main() -> None:
    with open("/proc/loadavg") as f:
        load_start = f.read().split()[:3]
    from geodata.sandbox import run_caged

    t0 = time.perf_counter()
    run_caged(json_depth_ok, "[]")  # starts the fork server (imports numpy, pandas, GDAL ... once per process)
    warm_s = time.perf_counter() - t0
    results = [time_case(*c) for c in cases()] + [moves_case()]
    scan = regex_side_by_side()
    with open("/proc/loadavg") as f:
        load_end = f.read().split()[:3]
    print(f"load average at start {' / '.join(load_start)}, at end {' / '.join(load_end)}")
    print(f"fork server start (once per server process): {warm_s:.3f} s wall")
    print(f"{'case':58} {'MB':>6} {'caged wall s':>13} {'uncaged CPU s':>14}  outcome")
    for r in results:
        print(
            f"{r['case']:58} {r['bytes'] / MB:6.1f} {r['caged_wall_s']:13.3f} "
            f"{r['uncaged_cpu_s']:14.3f}  {r['outcome']}"
        )
    print(f"{'escaped quotes':>15} {'old regex CPU s':>16} {'linear scan CPU s':>18}")
    for r in scan:
        print(f"{r['escaped_quotes']:>15,} {str(r['old_regex_cpu_s']):>16} {r['linear_scan_cpu_s']:>18}")
    print(
        json.dumps(
            {
                "bench": "hostile",
                "load_start": load_start,
                "load_end": load_end,
                "forkserver_start_s": round(warm_s, 3),
                "cases": results,
                "json_depth_scan": scan,
            }
        )
    )


if __name__ == "__main__":
    main()
