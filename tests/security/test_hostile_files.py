"""Issue 11 §2: hostile scenario files, moves and demand CSVs. Each attack with its exact payload."""

from __future__ import annotations

import json
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata.datadir import DataError
from geodata.limits import MAX_ERROR_CHARS, clean_text, norm_council, read_user_file
from tests.security.conftest import BANDS, CARD, VALID, plan, units
from zones.moves import MovesError, impact_of_moves, parse_moves
from zones.service import scenario_io
from zones.service.scenario_io import export_frame, export_geojson, export_gpkg, read_import


def vrt(secret) -> bytes:
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="scenario"><SrcDataSource>{secret}</SrcDataSource>'
        f"<SrcLayer>{secret.stem}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def refused(data: bytes, name: str, match: str) -> str:
    with pytest.raises(DataError, match=match) as e:
        read_import(data, name, VALID, BANDS)
    msg = str(e.value)
    assert len(msg) <= MAX_ERROR_CHARS
    assert "TOPSECRET" not in msg and "SECRET_ZONE" not in msg
    return msg


def test_vrt_saved_as_gpkg_never_reads_the_server_csv(secret_csv):
    """The attack of the issue: a GDAL VRT named .gpkg that reads a CSV on the server. Before the fix GDAL
    opened it by content and the CSV's rows came back (as data or in the error)."""
    import geopandas as gpd

    payload = vrt(secret_csv)
    # the payload really is an attack: plain GDAL (what the old reader did) reads the secret through it
    p = secret_csv.parent / "evil.gpkg"
    p.write_bytes(payload)
    assert "TOPSECRET_ROW_1" in set(gpd.read_file(p, engine="pyogrio")["unit_code"])
    refused(payload, "evil.gpkg", "not a GeoPackage")


def test_other_formats_dressed_as_gpkg_or_geojson_are_refused(secret_csv, tmp_path):
    refused(vrt(secret_csv), "evil.geojson", "not valid GeoJSON")
    refused(secret_csv.read_bytes(), "secret.gpkg", "not a GeoPackage")
    refused(secret_csv.read_bytes(), "secret.geojson", "not valid GeoJSON")
    gdalg = json.dumps(
        {
            "type": "gdal_streamed_alg",
            "command_line": f"gdal vector pipeline ! read {secret_csv} ! write --of stream streamed_dataset",
        }
    )
    refused(gdalg.encode(), "pipeline.geojson", "FeatureCollection")
    refused(gdalg.encode(), "pipeline.gpkg", "not a GeoPackage")
    refused(gdalg.encode(), "pipeline.gdalg.json", "FeatureCollection")
    # a real SQLite database that is not a GeoPackage (no GPKG application_id)
    db = tmp_path / "plain.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE scenario (unit_code TEXT, zone TEXT, band TEXT)")
    con.execute("INSERT INTO scenario VALUES ('TOPSECRET_ROW_1', 'SECRET_ZONE', 'urban')")
    con.commit()
    con.close()
    refused(db.read_bytes(), "plain.gpkg", "GPKG application id")
    # a GeoPackage's bytes named .geojson, and other extensions
    good = export_gpkg(units(), plan(), tmp_path / "ok.gpkg").read_bytes()
    refused(good, "ok.geojson", "not valid GeoJSON")
    for name in ("x.shp", "x.kml", "x.csv", "x.vrt", "x.gdalg", "x.zip", "x"):
        refused(good, name, "only GeoPackage")


def test_vsi_names_and_symlinks_are_refused(secret_csv, tmp_path):
    for name in (
        "/vsicurl/http://127.0.0.1:9/x.gpkg",
        "/vsizip//tmp/a.zip/x.gpkg",
        f"/vsisubfile/0_100,{secret_csv}",
        "GPKG:/etc/passwd:x",
        "/vsistdin/",
    ):
        with pytest.raises(DataError, match="virtual paths"):
            read_user_file(name, 1000)
        with pytest.raises(DataError, match="virtual paths"):
            read_import(b"{}", name + ".gpkg", VALID, BANDS)
    link = tmp_path / "innocent.gpkg"
    link.symlink_to(secret_csv)
    with pytest.raises(DataError, match="symbolic link") as e:
        read_user_file(link, 1000)
    assert "TOPSECRET" not in str(e.value)
    with pytest.raises(DataError, match="not a regular file"):
        read_user_file("/dev/zero", 1000)
    with pytest.raises(DataError, match="import limit"):
        read_user_file(secret_csv, 10)


def test_a_good_gpkg_and_geojson_still_import():
    want = (
        plan().move("U2", band="isolated", reason="far").assignments().sort_values("unit_code").reset_index(drop=True)
    )
    p = plan().move("U2", band="isolated", reason="far")
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        data = export_gpkg(units(), p, os.path.join(d, "s.gpkg")).read_bytes()
    pd.testing.assert_frame_equal(read_import(data, "s.gpkg", VALID, BANDS), want)
    pd.testing.assert_frame_equal(
        read_import(export_geojson(units(), p).encode("utf-8-sig"), "s.geojson", VALID, BANDS), want
    )


def fc(features, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features, **extra}).encode()


def feat(code="U0", zone="Z1", band="urban", geom=True, **props):
    g = {"type": "Polygon", "coordinates": [[[-1.1, 52.6], [-1.09, 52.6], [-1.09, 52.61], [-1.1, 52.61], [-1.1, 52.6]]]}
    return {
        "type": "Feature",
        "properties": {"unit_code": code, "zone": zone, "band": band, **props},
        "geometry": g if geom else None,
    }


def test_sizes_depth_features_vertices(monkeypatch):
    refused(b" " * (scenario_io.MAX_IMPORT_BYTES + 1), "huge.geojson", "import limit")
    deep = b'{"type":"FeatureCollection","features":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    refused(deep, "deep.geojson", "nested 100,001 levels")
    monkeypatch.setattr(scenario_io, "MAX_FEATURES", 5)
    refused(fc([feat(f"U{i}") for i in range(6)]), "many.geojson", "6 features; the limit is 5")
    monkeypatch.setattr(scenario_io, "MAX_VERTICES_PER_FEATURE", 100)
    ring = [[-1.1 + 0.01 * np.cos(t), 52.6 + 0.01 * np.sin(t)] for t in np.linspace(0, 6.28, 200)]
    ring.append(ring[0])
    big = feat()
    big["geometry"]["coordinates"] = [ring]
    refused(fc([big]), "vertices.geojson", "201 vertices")


def test_text_fields_length_and_control_characters():
    refused(fc([feat(zone="North\x1b[31m")]), "ctl.geojson", "control characters")
    refused(fc([feat(zone="Z" * 10_000)]), "long.geojson", "10,000 characters long")
    refused(fc([feat(reason="x" * 501)]), "reason.geojson", "501 characters long")
    refused(fc([feat(code="U0\u202e")]), "bidi.geojson", "control characters")
    msg = refused(fc([feat(code="Q" * 5000)]), "longcode.geojson", "characters long")
    assert "Q" * 100 not in msg
    assert clean_text("  Melton  ", "zone") == "Melton"
    with pytest.raises(DataError, match="empty"):
        clean_text("   ", "zone")
    assert norm_council("Leicestershire ") == norm_council("  leicestershire") == "leicestershire"
    for bad in ("leics/../x", "", "a" * 65, "Leics\x00"):
        with pytest.raises(DataError):
            norm_council(bad)


def test_error_messages_are_capped_and_do_not_echo_the_file():
    feats = [feat(code=f"NOPE{i:05d}" + "X" * 30) for i in range(10_000)]
    msg = refused(fc(feats), "unknown.geojson", "unknown unit code")
    assert len(msg) <= MAX_ERROR_CHARS and "NOPE09999" not in msg


def test_missing_null_no_geometry_and_extra_columns_one_clear_error_each():
    f = feat()
    del f["properties"]["zone"]
    refused(fc([f]), "nozone.geojson", r"missing column\(s\) zone")
    refused(fc([feat(zone=None)]), "nullzone.geojson", "row 1: zone is empty")
    refused(fc([feat(geom=False)]), "nogeom.geojson", r"no geometry for feature\(s\) 1")
    refused(fc([feat(evil="x")]), "extra.geojson", r"unexpected column\(s\) evil")
    refused(fc([feat(zone=["a"])]), "listzone.geojson", "not a plain value")
    assert read_import(fc([feat(zone=7)]), "numzone.geojson", VALID, BANDS)["zone"].tolist() == [
        "7"
    ]  # a number is text
    refused(b'{"type":"FeatureCollection","features":[{"type":"Feature"}]}', "bare.geojson", "missing column")
    refused(b'{"type":"FeatureCollection","features":[]}', "empty.geojson", "no features")
    refused(b'{"type":"FeatureCollection","features":[1,2]}', "ints.geojson", "not a GeoJSON Feature")
    refused(fc([feat()], crs={"type": "name", "properties": {"name": "EPSG:3857"}}), "crs.geojson", "unsupported crs")
    refused(
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"unit_code":"U0","zone":"Z","band":"urban"},'
        b'"geometry":{"type":"Polygon","coordinates":[[[NaN,1],[2,2],[3,1],[NaN,1]]]}}]}',
        "nan.geojson",
        "not valid GeoJSON",
    )
    refused(
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"unit_code":"U0","zone":"Z","band":"urban"},'
        b'"geometry":{"type":"Polygon","coordinates":[[["a"],[2]]]}}]}',
        "badcoords.geojson",
        "malformed",
    )
    refused(
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"unit_code":"U0","zone":"Z","band":"urban"},'
        b'"geometry":{"type":"Point","coordinates":[-1.1,52.6]}}]}',
        "point.geojson",
        "not Polygon",
    )
    # the same checks hold for a GeoPackage: a layer without zone, and one with an extra column
    import tempfile

    g = export_frame(units(), plan())
    with tempfile.TemporaryDirectory() as d:
        g.drop(columns=["zone"]).to_file(os.path.join(d, "a.gpkg"), layer="scenario", engine="pyogrio")
        refused(open(os.path.join(d, "a.gpkg"), "rb").read(), "a.gpkg", r"missing column\(s\) zone")
        g.assign(evil="x").to_file(os.path.join(d, "b.gpkg"), layer="scenario", engine="pyogrio")
        refused(open(os.path.join(d, "b.gpkg"), "rb").read(), "b.gpkg", r"unexpected column\(s\) evil")


# ------------------------------------------------------------------------ moves and demand CSVs
def resolve(name):
    return {"Alpha": ["A"], "Bravo": ["B"]}.get(name, [])


HEAD = "subzone,unit,from_band,to_band,hours_per_week\n"


@pytest.mark.parametrize(
    "hours,match",
    [
        ("1e999999999", "not a number"),
        ("9" * 400, "not a number"),
        ("sNaN", "not a finite"),
        ("NaN", "not a finite"),
        ("Infinity", "not a finite"),
        ("1e308", "not a number"),
        ("100000.01", "above the bound"),
        ("-0.01", "negative"),
        ("0.000001", "decimal places"),
        ("12,5", "expected 5 fields"),
        # issue 18 §6: forms Python's Decimal reads but a spreadsheet shows as text
        ("1_000", "not a number"),
        ("١٢", "not a number"),
        ("１２", "not a number"),
        ("1e3", "not a number"),
        ("+5", "not a number"),
        ("1.2.3", "not a number"),
        ("-Infinity", "not a finite"),
    ],
)
def test_moves_hours_bounded_never_a_decimal_traceback(hours, match):
    data = (HEAD + f"x,Alpha,urban,fringe,{hours}\n").encode()
    with pytest.raises(MovesError, match=match):
        parse_moves(data, resolve, BANDS, name="m.csv")


def test_moves_at_the_bound_price_without_overflow():
    data = (HEAD + "x,Alpha,urban,isolated,100000\n").encode()
    imp = impact_of_moves(
        parse_moves(data, resolve, BANDS, name="m.csv"), CARD, weeks_per_year=53, term_years=50, uplift_pct=100
    )
    assert imp.gbp_per_week == Decimal("744000.00")  # 100,000 h × (32.71 − 25.27)
    assert imp.gbp_per_term > 0 and len(str(imp.gbp_per_term)) < 40
    with pytest.raises(DataError, match="weeks per year"):
        impact_of_moves(parse_moves(data, resolve, BANDS, name="m.csv"), CARD, weeks_per_year=10**30)
    with pytest.raises(DataError, match="uplift"):
        impact_of_moves(parse_moves(data, resolve, BANDS, name="m.csv"), CARD, uplift_pct="1e999999")


def test_moves_encodings_rows_and_control_characters(tmp_path):
    good = HEAD + "Zoné,Alpha,urban,fringe,1.5\n"
    assert parse_moves(good.encode("utf-8"), resolve, BANDS, name="m.csv")[0].subzone == "Zoné"
    assert parse_moves(b"\xef\xbb\xbf" + good.encode("utf-8"), resolve, BANDS, name="bom.csv")[
        0
    ].hours_per_week == Decimal("1.5")
    for enc in ("latin-1", "utf-16"):
        with pytest.raises(MovesError, match=f"moves_{enc}.csv.*not UTF-8"):
            parse_moves(good.encode(enc), resolve, BANDS, name=f"moves_{enc}.csv")
    p = tmp_path / "latin.csv"
    p.write_bytes(good.encode("latin-1"))
    with pytest.raises(MovesError, match="latin.csv.*not UTF-8"):
        parse_moves(p, resolve, BANDS)
    with pytest.raises(MovesError, match="control characters"):
        parse_moves((HEAD + "x\x07,Alpha,urban,fringe,1\n").encode(), resolve, BANDS, name="m.csv")
    with pytest.raises(MovesError, match="not a readable CSV row"):
        parse_moves(
            (HEAD + "x,Al\x00pha,urban,fringe,1\n" + "y," + "z" * 200_000 + ",urban,fringe,1\n").encode(),
            resolve,
            BANDS,
            name="m.csv",
        )
    many = HEAD + "x,Nowhere,urban,fringe,1\n" * 3000
    with pytest.raises(MovesError) as e:
        parse_moves(many.encode(), resolve, BANDS, name="m.csv")
    assert len(e.value.problems) == 3000 and len(str(e.value)) <= 2000 and "and 2980 more" in str(e.value)
    with pytest.raises(MovesError, match="more than 10,000 rows"):
        parse_moves((HEAD + "x,Alpha,urban,fringe,1\n" * 10_001).encode(), resolve, BANDS, name="m.csv")


def test_demand_file_bounds_encoding_and_total_warning(synthetic_pack):
    from geodata.demand import hours_for_units, import_hours_csv, total_warning
    from geodata.packs import load_pack
    from geodata.units import load_units

    layer = load_units(load_pack(synthetic_pack))
    u = layer.units
    data = synthetic_pack.parent
    codes = list(u["unit_code"])
    f = data / "hours.csv"
    f.write_text(
        "unit,hours_per_week\n" + "".join(f"{c},{h}\n" for c, h in zip(codes, [1e20] + [1] * (len(codes) - 1)))
    )
    with pytest.raises(DataError, match="'1e.20' is not a number"):  # an exponent is not an amount of hours
        import_hours_csv(f, u)
    for bad, match in (
        ("100000.5", "above the bound of 100,000"),
        ("1_000", "not a number"),
        ("١٢", "not a number"),
        ("１２", "not a number"),
        ("NaN", "not a finite"),
    ):
        rows = "".join(f"{c},{h}\n" for c, h in zip(codes, [bad] + [1] * (len(codes) - 1)))
        f.write_text("unit,hours_per_week\n" + rows)
        with pytest.raises(DataError, match=match):
            import_hours_csv(f, u)
    f.write_bytes(
        ("unit,hours_per_week\n" + "".join(f"{c},1\n" for c in codes)).replace(codes[0], "Zoné").encode("latin-1")
    )
    with pytest.raises(DataError, match="hours.csv: not UTF-8"):
        import_hours_csv(f, u)
    f.write_bytes(b"\xef\xbb\xbf" + ("unit,hours_per_week\n" + "".join(f"{c},10\n" for c in codes)).encode())
    hours, _ = import_hours_csv(f, u)
    assert hours.sum() == 10 * len(codes)
    # the pack's weekly total is 100 h; the file says 10 h per unit: a warning with both totals
    text = synthetic_pack.read_text().replace("[zones]", '[demand]\ncsv = "hours.csv"\n\n[zones]')
    synthetic_pack.write_text(text)
    h, est, info = hours_for_units(load_pack(synthetic_pack), u)
    assert not est and any(f"{10 * len(codes):,.2f} h/week" in w and "100.00 h/week" in w for w in info["warnings"])
    assert total_warning(100, 100, "x") is None


# ------------------------------------------------------------------------ drawn selections (browser input)
def spiky_ring(n, seed=1):
    """n random-radius vertices around the synthetic units (lon/lat): a self-crossing 'star' like a hostile
    client would send; the old code spent > 5 minutes intersecting 200,000 of them with every unit."""
    import geopandas as gpd

    c = gpd.GeoSeries(units().union_all().centroid, crs="EPSG:27700").to_crs(4326).iloc[0]
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 0.03 * np.random.default_rng(seed).random(n)
    ring = np.column_stack([c.x + 1.6 * r * np.cos(t), c.y + r * np.sin(t)]).tolist()
    return ring + [ring[0]]


def test_a_drawn_polygon_of_200k_points_is_refused_and_a_large_one_thinned():
    from types import SimpleNamespace

    from zones.service.workspace import MAX_DRAWN_VERTICES, units_in_geojson

    ws = SimpleNamespace(units=units())
    with pytest.raises(DataError, match="200,001 points; the limit is"):
        units_in_geojson(ws, {"type": "Polygon", "coordinates": [spiky_ring(200_000)]})
    got = units_in_geojson(ws, {"type": "Polygon", "coordinates": [spiky_ring(MAX_DRAWN_VERTICES - 10)]})
    assert set(got) <= VALID and len(got) >= 2  # thinned to ~2,000 vertices, made valid, STRtree candidates
    box_ring = [[-1.5, 52.0], [-0.5, 52.0], [-0.5, 53.0], [-1.5, 53.0], [-1.5, 52.0]]
    assert sorted(units_in_geojson(ws, {"type": "Polygon", "coordinates": [box_ring]})) == sorted(VALID)
    for bad, match in [
        ({"type": "Polygon", "coordinates": [[[["deep"]]]]}, "malformed"),
        ({"type": "Polygon", "coordinates": [[[0, float("nan")]] * 4]}, "malformed"),
        ({"type": "GeometryCollection", "geometries": []}, "point, polygon"),
        ({"type": "Polygon", "coordinates": "x" * 10}, "malformed"),
        ({"type": "Point", "coordinates": [1, 2, 3]}, "malformed"),
    ]:
        with pytest.raises(DataError, match=match):
            units_in_geojson(ws, bad)


@pytest.mark.integration
def test_cli_scenario_import_refuses_the_vrt_and_a_symlink(secret_csv, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, ZONEPLAN_STORE=str(tmp_path / "s.sqlite"))
    env.pop("ZONEPLAN_DB_URL", None)
    evil = tmp_path / "evil.gpkg"
    evil.write_bytes(vrt(secret_csv))
    link = tmp_path / "link.gpkg"
    link.symlink_to(evil)
    view = CORPUS / "recursive_cte_view.gpkg"  # issue 18 §2: refused from its schema, exit 2, one line
    for f, match in (
        (evil, "not a GeoPackage"),
        (link, "symbolic link"),
        ("/vsicurl/http://127.0.0.1:9/x.gpkg", "virtual"),
        (view, "contains a view"),
    ):
        out = subprocess.run(
            [sys.executable, "-m", "zones.cli", "scenario", "import", "Leicestershire ", "Evil", str(f)],
            capture_output=True,
            text=True,
            cwd=root,
            env=env,
        )
        assert out.returncode == 2 and match in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert "TOPSECRET" not in out.stderr + out.stdout and "Traceback" not in out.stderr


def test_council_ids_are_normalised_and_scenario_text_checked(tmp_path):
    from zones.service.store import Store

    s = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    s.create("Leicestershire", "Draft", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    with pytest.raises(DataError, match="already exists"):
        s.create("leicestershire ", "Draft", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    assert len(s.list("LEICESTERSHIRE")) == 1 and s.list()["council"].tolist() == ["leicestershire"]
    with pytest.raises(DataError, match="control characters"):
        s.create("leicestershire", "Bad\x00name", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    with pytest.raises(DataError, match="characters long"):
        s.create("leicestershire", "n" * 1000, plan().assignments(), CARD.to_dict(), valid_units=VALID)
    bad = plan().move("U1", zone="North\x1b]0;pwned\x07").assignments()
    with pytest.raises(DataError, match="zone .* contains control characters"):
        s.create("leicestershire", "Ctl", bad, CARD.to_dict(), valid_units=VALID)


@pytest.mark.parametrize("rate", ["1e999999", "NaN", "-1", "1000.01", "sNaN", "25.123456"])
def test_rate_cards_are_bounded_before_they_are_stored(tmp_path, rate):
    from zones.service.store import Store

    s = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    card = CARD.to_dict()
    card["rates"]["urban"] = rate
    with pytest.raises(DataError, match="rate model rates 'urban'"):
        s.create("t", "Rates", plan().assignments(), card, valid_units=VALID)
    assert s.list().empty


# ------------------------------------------------------------------------ issue 18: stall, fill, fool
ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "security" / "corpus"


def run_limited(snippet: str, cpu_s: int = 40, memory_mb: int = 3000, wall_s: int = 600) -> dict:
    """Run ``snippet`` in a fresh Python with RLIMIT_CPU / RLIMIT_AS, so that code which would stall or fill the
    server (the code before issue 18) fails this test in seconds instead of hanging it; the snippet prints one
    JSON object on its last line."""
    import resource
    import subprocess
    import sys

    def limits():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", snippet],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        preexec_fn=limits,
        timeout=wall_s,
    )
    assert out.returncode == 0, f"exit {out.returncode} (-9 or -24: over the CPU limit): {out.stderr[-800:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_quadratic_json_payload_is_measured_in_one_linear_pass():
    """Issue 18 §1: ``{"`` + 60,000 ``\\"`` (120 KB) froze the server for 89 s in the old regex; 1 MB would take
    an hour. In a child with 40 s of CPU the old check is killed (this test fails); the linear scan answers at
    once for the exact payload and for 2 MB and 20 MB variants, refusing and accepting correctly."""
    got = run_limited(r"""
import json
from geodata.datadir import DataError
from geodata.limits import json_depth_ok
from zones.service.scenario_io import read_import
res = {}
exact = '{"' + '\\"' * 60_000
assert len(exact) == 120_002
res["exact"] = json_depth_ok(exact)
res["open_2mb"] = json_depth_ok('{"' + '\\"' * 1_000_000)
res["open_20mb"] = json_depth_ok('{"' + '\\"' * 10_000_000)
res["closed_20mb"] = json_depth_ok('{"type":"FeatureCollection","features":[],"x":"' + '\\"' * 10_000_000 + '"}')
try:  # brackets after an escaped backslash are outside the string: they count
    json_depth_ok('{"x":"' + '\\"' * 1_000_000 + '\\\\"' + '[' * 40 + ']' * 40 + '}')
except DataError as e:
    res["hidden"] = str(e)
try:
    read_import(exact.encode(), "quadratic.geojson", {"U0"}, ("urban",))
except DataError as e:
    res["import"] = str(e)
print(json.dumps(res))
""")
    assert got["exact"] == got["open_2mb"] == got["open_20mb"] == 1 and got["closed_20mb"] == 2  # {…[]…}
    assert got["hidden"] == "JSON nested 41 levels deep; the limit is 32"
    assert got["import"].startswith("quadratic.geojson: not valid GeoJSON")


def test_geopackage_views_never_run_and_leave_no_files():
    """Issue 18 §2, §3: a layer that is a recursive-CTE view (counted for ever by GDAL) and one whose text is
    ``replace(hex(zeroblob(300000000)),'0','Z')`` (4 GB in the importer) are refused from the schema, before
    GDAL opens the file, without running the view; no temporary file is left. The old code runs out of the
    child's 40 s of CPU / 3 GB here (this test fails)."""
    import shutil
    import tempfile

    # a short folder: multiprocessing's forkserver puts its socket under the temp dir, and an AF_UNIX path is at
    # most 107 bytes (pytest-xdist's tmp_path under /tmp/pytest-of-root/pytest-N/popen-gwN/... can be longer)
    tmp = Path(tempfile.mkdtemp(prefix="zp", dir="/tmp"))
    request_cleanup = tmp
    got = run_limited(f"""
import json, os, tempfile
tempfile.tempdir = {str(tmp)!r}
from geodata.datadir import DataError
from zones.service.scenario_io import read_import
res = {{}}
for name in ("recursive_cte_view.gpkg", "zeroblob_view.gpkg", "contents_is_a_view.gpkg", "generated_column.gpkg"):
    try:
        read_import(open(os.path.join({str(CORPUS)!r}, name), "rb").read(), name, {{"U0", "U1"}}, ("urban",))
        res[name] = "imported"
    except DataError as e:
        res[name] = str(e)
res["left"] = sorted(p for p in os.listdir({str(tmp)!r}) if p.startswith("zoneplan"))
print(json.dumps(res))
""")
    for name in ("recursive_cte_view.gpkg", "zeroblob_view.gpkg", "contents_is_a_view.gpkg"):
        assert got[name] == f"{name}: the GeoPackage contains a view (only plain tables are accepted); nothing imported"
    assert "generated" in got["generated_column.gpkg"]
    assert got["left"] == []
    for msg in got.values():
        assert "TOPSECRET" not in str(msg) and "ZZZZ" not in str(msg)
    shutil.rmtree(request_cleanup, ignore_errors=True)


def test_the_views_are_real_attacks_on_plain_gdal():
    """The recursive view really does not finish when GDAL counts it (what the old importer did): in the cage,
    with 3 s of CPU, pyogrio.read_info is stopped."""
    import pyogrio

    from geodata.sandbox import CageError, run_caged

    with pytest.raises(CageError, match="processor time|longer than"):
        run_caged(
            pyogrio.read_info,
            f"GPKG:{CORPUS / 'recursive_cte_view.gpkg'}",
            layer="scenario",
            label="recursive_cte_view.gpkg",
            cpu_s=3,
            wall_s=120,
        )


def test_the_server_process_never_parses_the_upload(monkeypatch, tmp_path):
    """The parsing halves run only in the caged child: replaced by a bomb in this process, imports still work."""
    import geodata.demand as demand
    import zones.moves as moves

    def bomb(*a, **k):
        raise AssertionError("parsed in the server process")

    monkeypatch.setattr(scenario_io, "_read_features", bomb)
    monkeypatch.setattr(scenario_io, "_inspect_gpkg", bomb)
    monkeypatch.setattr(moves, "decode_text", bomb)
    monkeypatch.setattr(demand, "limit_hours", bomb)
    p = plan().move("U2", band="isolated", reason="far")
    data = export_gpkg(units(), p, tmp_path / "s.gpkg").read_bytes()
    assert read_import(data, "s.gpkg", VALID, BANDS)["band"].tolist()[2] == "isolated"
    assert read_import(export_geojson(units(), p).encode(), "s.geojson", VALID, BANDS)["band"].tolist()[2] == "isolated"
    moved = parse_moves((HEAD + "x,Alpha,urban,fringe,1.5\n").encode(), resolve, BANDS, name="m.csv")
    assert moved[0].unit_codes == ("A",)
    f = tmp_path / "hours.csv"
    f.write_text("unit,hours_per_week\nU0,2.5\n")
    hours, _ = demand.import_hours_csv(f, units(2))
    assert hours.tolist() == [2.5, 0.0]


def test_the_cage_stops_cpu_memory_and_wall_clock_and_removes_its_files(monkeypatch, tmp_path):
    import tempfile

    from geodata.sandbox import CageError, run_caged
    from tests.security import cage_targets

    assert run_caged(cage_targets.echo, 1) == 1  # the fork server runs (its socket folder is not ours to count)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(CageError, match=r"^spin.geojson: reading it needed more than 2 s of processor time"):
        run_caged(cage_targets.spin, label="spin.geojson", cpu_s=2, wall_s=300)
    with pytest.raises(CageError, match="more than 600 MB of memory"):
        run_caged(cage_targets.allocate, 2 * 10**9, label="big.gpkg", memory_mb=600)
    with pytest.raises(CageError, match="took longer than 3 s"):
        run_caged(cage_targets.write_then_sleep, 3600, label="slow.gpkg", wall_s=3)
    assert list(tmp_path.iterdir()) == []  # the child's files and folders went with it
    assert run_caged(cage_targets.echo, {"a": [1, Decimal("2.5")]}) == {"a": [1, Decimal("2.5")]}
    with pytest.raises(DataError, match="^hours_per_week 'x' is not a number") as e:
        run_caged(__import__("geodata.limits").limits.hours_per_week, "x")
    assert not isinstance(e.value, CageError)
    assert issubclass(CageError, DataError)  # the CLI's exit 2, the pages' one-sentence error


def test_the_cage_runs_at_most_max_concurrent_children(monkeypatch):
    """Many uploads at once wait for a slot (one per core) and get "busy" after their wall clock: they cannot
    multiply the cage's CPU and memory limits."""
    import threading

    from geodata import sandbox
    from tests.security import cage_targets

    assert sandbox.MAX_CONCURRENT == 2
    monkeypatch.setattr(sandbox, "_slots", threading.BoundedSemaphore(1))
    assert sandbox._slots.acquire(timeout=1)  # another upload holds the only slot
    try:
        with pytest.raises(sandbox.CageError, match="^x.gpkg: the server is busy"):
            sandbox.run_caged(cage_targets.echo, 1, label="x.gpkg", wall_s=1)
    finally:
        sandbox._slots.release()
    assert sandbox.run_caged(cage_targets.echo, 1, label="x.gpkg", wall_s=60) == 1


@pytest.mark.parametrize("bad", ["1_000", "١٢", "１２", "1e3", "NaN", "Infinity", "+5", "0x10", "½", "1.2.3", " "])
def test_numbers_are_ascii_digits_everywhere(bad, tmp_path):
    """Issue 18 §6: one validator (geodata.limits.number_text) for hours and money in CSVs, forms, the CLI and
    stored rate cards. Before, Python's Decimal/int took '1_000', '١٢' and '１２' (a spreadsheet shows them as text)."""
    from geodata.limits import bounded_decimal, hours_per_week, int_in, number_text, rate_gbp_per_hour
    from zones.cli.payfloor import _gbp
    from zones.rates import _providers_fields, providers_count
    from zones.service.store import Store

    for check in (
        lambda: hours_per_week(bad),
        lambda: rate_gbp_per_hour(bad),
        lambda: int_in(bad, "weeks", 1, 53),
        lambda: bounded_decimal(bad, "uplift", Decimal(-50), Decimal(100), 4),
        lambda: _gbp(bad, "--to"),
        lambda: _gbp("£" + bad, "--to"),
        lambda: providers_count(bad, "providers"),
        lambda: _providers_fields(None, {}, bad),
        lambda: number_text(bad, "x", allow_negative=True),
    ):
        with pytest.raises(DataError):
            check()
    card = CARD.to_dict()
    card["rates"]["urban"] = bad
    with pytest.raises(DataError, match="rate model rates 'urban'"):
        Store(f"sqlite:///{tmp_path / 's.sqlite'}").create("t", "Rates", plan().assignments(), card, valid_units=VALID)


def test_plain_numbers_still_pass_everywhere():
    from geodata.limits import bounded_decimal, hours_per_week, int_in
    from zones.cli.payfloor import _gbp
    from zones.rates import _providers_fields, providers_count

    assert hours_per_week(" 12.5 ") == hours_per_week(12.5) == Decimal("12.5") and hours_per_week(".5") == Decimal(
        "0.5"
    )
    assert bounded_decimal("-2.5", "uplift", Decimal(-50), Decimal(100), 4) == Decimal("-2.5")
    with pytest.raises(DataError, match="negative"):
        hours_per_week("-1")
    assert int_in("52", "weeks", 1, 53) == int_in(52, "weeks", 1, 53) == 52
    assert _gbp("£12.21", "--to") == _gbp("12.21", "--to") == Decimal("12.21")
    assert providers_count("2", "p") == 2
    assert _providers_fields(None, {}, "150.5")["viability_floor_hours_per_week"] == Decimal("150.5")
    with pytest.raises(DataError, match="outside"):
        _providers_fields(None, {}, "-1")


def test_the_server_unpickles_only_plain_values_from_the_child():
    """A child taken over by a file cannot make the server run code with a crafted pickle."""
    import pickle

    from geodata.sandbox import CageError, plain_loads, run_caged
    from tests.security import cage_targets

    value = ("ok", [{"a": (1, 2.5, None, b"x", {"s"}), "d": Decimal("1.10")}])
    assert plain_loads(pickle.dumps(value, protocol=5)) == value

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError):
        plain_loads(pickle.dumps(("ok", Evil())))
    with pytest.raises(CageError, match="not plain data"):
        run_caged(cage_targets.make_frame, label="f.gpkg")


def test_the_cage_never_reruns_the_callers_main_script(tmp_path):
    """Under ``streamlit run`` the app script is ``__main__``; multiprocessing would re-run it in every child (and
    the import failed with 'the reader stopped'). A script with no ``__main__`` guard, like a streamlit page,
    imports through the cage and its top-level code runs once."""
    import subprocess
    import sys

    script = tmp_path / "page.py"
    marker = tmp_path / "runs.txt"
    script.write_text(f"""
import json
open({str(marker)!r}, "a").write("run\\n")
from zones.service.scenario_io import read_import
data = open({str(CORPUS / "good.geojson")!r}, "rb").read()
out = read_import(data, "good.geojson", {{"U0", "U1"}}, ("urban", "rural"))
print(json.dumps(sorted(out["unit_code"])))
""")
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert out.returncode == 0, out.stderr[-800:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["U0", "U1"]
    assert marker.read_text() == "run\n"
